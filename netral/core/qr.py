"""QR codes as inline SVG and as terminal art (segno, pure Python)."""

import io
from functools import lru_cache


@lru_cache(maxsize=512)
def qr_svg(data: str, *, scale: int = 6, dark: str = "#111") -> str:
    import segno  # noqa: PLC0415 -- slow import

    buf = io.BytesIO()
    segno.make(data, error="m").save(
        buf, kind="svg", scale=scale, dark=dark, light="#fff", xmldecl=False, svgns=True,
        svgclass="qr", lineclass=None, omitsize=True, border=2,
    )
    return buf.getvalue().decode()


def qr_terminal(data: str) -> str:
    """Half-block QR for a terminal: two modules per character row, dark on light."""
    import segno  # noqa: PLC0415 -- slow import

    matrix = [list(row) for row in segno.make(data, error="m").matrix_iter(border=2)]
    if len(matrix) % 2:
        matrix.append([0] * len(matrix[0]))
    lines = []
    chars = {(0, 0): "█", (1, 1): " ", (1, 0): "▄", (0, 1): "▀"}
    for top, bottom in zip(matrix[0::2], matrix[1::2]):
        lines.append("".join(chars[(bool(t), bool(b))] for t, b in zip(top, bottom)))
    return "\n".join(lines)

"""HTML → PDF in worker processes, for bulk certificate downloads (no Django here: the
workers only run WeasyPrint, with one font configuration and one parsed stylesheet each).

``render_many(htmls, workers=N)`` yields PDFs in input order with at most ``2 × N`` pages
in flight, so memory stays bounded however many certificates there are."""

from __future__ import annotations

from collections import deque

_STATE: dict = {}


def _init(css_path: str, base_url: str) -> None:
    from weasyprint import CSS  # noqa: PLC0415 -- slow import
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 -- slow import

    font_config = FontConfiguration()
    _STATE.update(font_config=font_config, css=CSS(filename=css_path, font_config=font_config), base_url=base_url)


def render(html: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 -- slow import

    return HTML(string=html, base_url=_STATE["base_url"]).write_pdf(
        stylesheets=[_STATE["css"]], font_config=_STATE["font_config"])


def render_many(htmls, *, css_path: str, base_url: str, workers: int):
    """Yield one PDF per HTML string of the iterable ``htmls``, in order."""
    import multiprocessing  # noqa: PLC0415 -- leaf
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 -- leaf

    # forkserver: never fork the web server's threads; workers start from a clean process.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init,
                             initargs=(css_path, base_url)) as pool:
        pending: deque = deque()
        for html in htmls:
            pending.append(pool.submit(render, html))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

"""HTML → PDF in worker processes, for bulk certificate downloads (no Django here: the
workers only run WeasyPrint, with one font configuration and one parsed stylesheet each).

``render_many(htmls, workers=N)`` yields PDFs in input order with at most ``2 × N`` batches
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


def render_pages(htmls: list[str], *, css, font_config, base_url: str) -> list[bytes] | None:
    """One PDF per one-page HTML document, laid out together: the bodies become pages of
    one WeasyPrint document (style and fonts resolved once), then each page is written as
    its own PDF. ~1.7x faster than a document each, pixel-identical (tests/reports). None
    when a document did not fit on one page (the caller renders them one by one)."""
    import re  # noqa: PLC0415 -- leaf

    from weasyprint import CSS, HTML  # noqa: PLC0415 -- slow import

    if not htmls:
        return []
    head = htmls[0].split("<body", 1)[0]
    bodies = [re.search(r"<body[^>]*>(.*)</body>", h, re.S).group(1) for h in htmls]
    page_break = CSS(string=".cert-page{break-after:page}", font_config=font_config)
    document = HTML(string=head + '<body class="certificate">' + "".join(
        f'<div class="cert-page">{b}</div>' for b in bodies) + "</body></html>", base_url=base_url).render(
        stylesheets=[css, page_break], font_config=font_config)
    if len(document.pages) != len(htmls):
        return None
    return [document.copy([page]).write_pdf() for page in document.pages]


def render_batch(htmls: list[str]) -> list[bytes]:
    pdfs = render_pages(htmls, css=_STATE["css"], font_config=_STATE["font_config"], base_url=_STATE["base_url"])
    return pdfs if pdfs is not None else [render(h) for h in htmls]


def render_many(htmls, *, css_path: str, base_url: str, workers: int, batch: int = 25):
    """Yield one PDF per HTML string of the iterable ``htmls``, in order (batches of
    ``batch`` documents per task)."""
    import multiprocessing  # noqa: PLC0415 -- leaf
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 -- leaf

    # forkserver: never fork the web server's threads; workers start from a clean process.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init,
                             initargs=(css_path, base_url)) as pool:
        pending: deque = deque()
        chunk: list[str] = []
        for html in htmls:
            chunk.append(html)
            if len(chunk) == batch:
                pending.append(pool.submit(render_batch, chunk))
                chunk = []
                if len(pending) >= 2 * workers:
                    yield from pending.popleft().result()
        if chunk:
            pending.append(pool.submit(render_batch, chunk))
        while pending:
            yield from pending.popleft().result()

"""Certificate PDFs (WeasyPrint) and the streamed ZIP of many.

One :class:`CertificateRenderer` per event and language renders any number of
certificates: the stylesheet is parsed once, fonts are loaded once (one
``FontConfiguration``), the logo and signature images are read once and passed as data URIs,
and the page is laid out with absolute positions in one font family (no flex, tables or
floats), which made a certificate about 2.5 times faster to render. Only the name, number,
role, NIP and the QR code change per certificate. Measured on the 2-core bench machine: see
``bench/certificates_bench.py``."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .codes import format_nip, mask_nip
from .models import CertificateRole

CSS_PATH = Path(__file__).resolve().parent / "static" / "reports" / "certificate.css"


def role_label(role: str) -> str:
    return {CertificateRole.PARTICIPANT: _("Participant"), CertificateRole.SPEAKER: _("Speaker"),
            CertificateRole.ORGANISER: _("Organising committee")}.get(role, role)


def _file_data_uri(field, mime: str = "image/png") -> str:
    if not field:
        return ""
    try:
        with field.open("rb") as fh:
            return "data:{};base64,{}".format(mime, base64.b64encode(fh.read()).decode("ascii"))
    except (FileNotFoundError, OSError):
        return ""


def qr_data_uri(url: str) -> str:
    import segno  # noqa: PLC0415 -- slow import

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=4, border=1, xmldecl=False, dark="#111", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _wording(event, rules) -> str:
    from netral.core.templatetags.netral import longdate  # noqa: PLC0415 -- leaf

    values = {"{title}": event.title, "{organiser}": event.organiser_name, "{partner}": event.partner_name,
              "{date}": longdate(event.starts_at), "{venue}": event.venue_name}
    if rules.wording.strip():
        text = rules.wording.strip()
        for key, value in values.items():
            text = text.replace(key, value)
        return text
    if event.partner_name:
        return _("in the event “{title}”, organised by {organiser} in cooperation with {partner}, on {date} at "
                 "{venue}.").format(title=event.title, organiser=event.organiser_name, partner=event.partner_name,
                                    date=values["{date}"], venue=event.venue_name)
    return _("in the event “{title}”, organised by {organiser}, on {date} at {venue}.").format(
        title=event.title, organiser=event.organiser_name, date=values["{date}"], venue=event.venue_name)


class CertificateRenderer:
    """Renders the certificates of one event (see the module docstring)."""

    def __init__(self, event, *, base_url: str):
        from weasyprint import CSS  # noqa: PLC0415 -- slow import
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 -- slow import

        from netral.core.templatetags.netral import longdate  # noqa: PLC0415 -- leaf

        self.event = event
        self.base_url = base_url.rstrip("/")
        self.rules = selectors.certificate_settings(event)
        self.font_config = FontConfiguration()
        self.css = CSS(filename=str(CSS_PATH), font_config=self.font_config)
        self.template = get_template("reports/certificate.html")
        self.base_context = {
            "event": event,
            "title": self.rules.title.strip() or _("Certificate"),
            "logo": _file_data_uri(self.rules.logo),
            "wording": _wording(event, self.rules),
            "place": self.rules.place.strip(),
            "date": longdate(event.ends_at or event.starts_at).split(", ", 1)[-1],
            "signatories": [{"name": s.name, "position": s.position, "nip": format_nip(s.nip),
                             "image": _file_data_uri(s.signature)} for s in selectors.signatories(event)],
        }

    def verify_url(self, certificate) -> str:
        from django.urls import reverse  # noqa: PLC0415 -- leaf

        return self.base_url + reverse("reports:verify", kwargs={"code": certificate.code})

    def html(self, certificate) -> str:
        url = self.verify_url(certificate)
        nip = mask_nip(certificate.nip) if self.rules.mask_nip_on_pdf else format_nip(certificate.nip)
        context = {**self.base_context, "cert": certificate, "role": role_label(certificate.role), "nip": nip,
                   "qr": qr_data_uri(url), "verify_url": url, "long_name": len(certificate.name) > 38}
        return self.template.render(context)

    def pdf(self, certificate) -> bytes:
        from weasyprint import HTML  # noqa: PLC0415 -- slow import

        document = HTML(string=self.html(certificate), base_url=str(CSS_PATH.parent))
        # No shared image cache: every QR code is a new image, and WeasyPrint's cache would keep
        # each one (about 1 MB per certificate in the bench); the logo and signatures are small.
        return document.write_pdf(stylesheets=[self.css], font_config=self.font_config)


    def pdfs(self, certificates: list) -> list[bytes]:
        """One PDF per certificate, laid out together (see ``pdfworker.render_pages``)."""
        from .pdfworker import render_pages  # noqa: PLC0415 -- slow import

        pdfs = render_pages([self.html(c) for c in certificates], css=self.css, font_config=self.font_config,
                            base_url=str(CSS_PATH.parent))
        return pdfs if pdfs is not None else [self.pdf(c) for c in certificates]


class _Sink:
    """A write-only, non-seekable file for zipfile: whatever was written since the last
    ``take()`` is handed to the response and dropped, so memory stays at one PDF."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._pos = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self._pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_zip(files):
    """Yield a ZIP archive piece by piece from ``files``, an iterable of (name, bytes) that
    is consumed lazily. PDFs are already compressed: members are stored, not deflated."""
    sink = _Sink()
    stamp = timezone.localtime().timetuple()[:6]
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
            chunk = sink.take()
            if chunk:
                yield chunk
    tail = sink.take()
    if tail:
        yield tail


def pdf_workers() -> int:
    """Worker processes for bulk downloads: setting or environment ``NETRAL_PDF_WORKERS``.
    Default: 2 on a machine with two or more CPUs, else 1 (render in the request's own
    thread). With N > 1, downloads of 40 or more certificates are rendered by N
    ``forkserver`` processes (1,000 certificates: 46 s with 2, 82 s with 1; bench/)."""
    import os  # noqa: PLC0415 -- leaf

    from django.conf import settings  # noqa: PLC0415 -- leaf

    configured = getattr(settings, "NETRAL_PDF_WORKERS", None) or os.environ.get("NETRAL_PDF_WORKERS")
    if configured not in (None, ""):
        return max(1, int(configured))
    return 2 if (os.cpu_count() or 1) >= 2 else 1


PARALLEL_FROM = 40  # below this, starting worker processes costs more than it saves
BATCH = 25  # certificates laid out together (memory stays at one batch of pages)


def certificate_files(renderer: CertificateRenderer, certificates, *, workers: int | None = None):
    """(file name, PDF) for each certificate. The HTML is rendered here (templates, QR
    codes); the PDFs, the expensive part, in worker processes for large batches."""
    rows = certificates.iterator(chunk_size=200) if hasattr(certificates, "iterator") else iter(certificates)
    workers = pdf_workers() if workers is None else workers
    count = len(certificates) if isinstance(certificates, (list, tuple)) else certificates.count()
    if workers <= 1 or (count is not None and count < PARALLEL_FROM):
        batch: list = []
        for cert in rows:
            batch.append(cert)
            if len(batch) == BATCH:
                yield from zip((c.filename for c in batch), renderer.pdfs(batch))
                batch = []
        yield from zip((c.filename for c in batch), renderer.pdfs(batch))
        return
    from .pdfworker import render_many  # noqa: PLC0415 -- slow import

    names: list[str] = []

    def htmls():
        for cert in rows:
            names.append(cert.filename)
            yield renderer.html(cert)

    for index, pdf in enumerate(render_many(htmls(), css_path=str(CSS_PATH), base_url=str(CSS_PATH.parent),
                                            workers=workers, batch=BATCH)):
        yield names[index], pdf

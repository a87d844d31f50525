"""Evidence uploads: size cap, type decided by the bytes (never by the name), and image
metadata (EXIF: GPS position, camera, time; XMP; comments) removed before anything is stored.

Files live outside MEDIA_ROOT, in ``NETRAL_COMPLAINTS_EVIDENCE_DIR`` (default
``DATA_DIR/complaint-evidence``), under random names, and are only served by the
verifier-only view.
"""

import hashlib
import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from netral.core.errors import NetralError

from .enums import EvidenceKind

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_FILES = 5
_IMAGES = {"image/jpeg": ("jpg", "JPEG"), "image/png": ("png", "PNG"), "image/webp": ("webp", "WEBP")}
_VIDEOS = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/3gpp": "3gp",
           "video/x-m4v": "m4v"}


class EvidenceError(NetralError):
    pass


def max_bytes() -> int:
    return int(getattr(settings, "NETRAL_COMPLAINTS_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_files() -> int:
    return int(getattr(settings, "NETRAL_COMPLAINTS_EVIDENCE_MAX_FILES", DEFAULT_MAX_FILES))


def evidence_dir():
    configured = getattr(settings, "NETRAL_COMPLAINTS_EVIDENCE_DIR", None)
    return str(configured or (settings.DATA_DIR / "complaint-evidence"))


class EvidenceStorage(FileSystemStorage):
    """A file system storage with no URL, whose folder follows the settings at each use."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return evidence_dir()

    @property
    def location(self):
        import os  # noqa: PLC0415 -- leaf

        return os.path.abspath(self.base_location)

    @cached_property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Evidence has no public URL; use the verifier-only view.")


_storage = EvidenceStorage()


def evidence_storage():
    return _storage


def _mb(size: int) -> str:
    return "{:.1f}".format(size / (1024 * 1024)).replace(".", ",")


@dataclass
class CheckedFile:
    """An upload that passed every check, ready to be stored."""

    content: File
    kind: str
    extension: str
    content_type: str
    size: int
    sha256: str
    original_name: str
    metadata_removed: bool


def _strip_image(upload, fmt: str) -> bytes:
    import warnings  # noqa: PLC0415 -- leaf

    from PIL import Image, ImageOps  # noqa: PLC0415 -- slow import

    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(upload) as img:
                img.load()
                icc = img.info.get("icc_profile")
                # Turn the photo upright first: the orientation tag goes with the rest of EXIF.
                clean = ImageOps.exif_transpose(img)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise EvidenceError(_("The image is damaged or too large to check. Send another photo."),
                                code="corrupt", field="evidence") from None
    if fmt == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    options = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        options.update(quality=90)
    elif fmt == "WEBP":
        options.update(quality=90)
    # Nothing else is passed: no exif=, no xmp=, no pnginfo= — the new file carries no metadata.
    clean.save(out, format=fmt, **options)
    return out.getvalue()


def check_upload(upload) -> CheckedFile:
    """Size, then real type by content, then metadata removal for images. Raises EvidenceError."""
    import filetype  # noqa: PLC0415 -- slow import

    name = (getattr(upload, "name", "") or "bukti")[-120:]
    limit = max_bytes()
    if upload.size > limit:
        raise EvidenceError(
            _("“{name}” is {size} MB; each file may be at most {limit} MB. Your other entries are kept: "
              "choose a smaller file or leave it out.").format(name=name, size=_mb(upload.size), limit=_mb(limit)),
            code="size", field="evidence")
    if upload.size == 0:
        raise EvidenceError(_("“{name}” is empty.").format(name=name), code="empty", field="evidence")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    if head.startswith(b"%PDF-"):
        mime = "application/pdf"
    if mime in _IMAGES:
        extension, fmt = _IMAGES[mime]
        data = _strip_image(upload, fmt)
        content, kind, removed = ContentFile(data), EvidenceKind.IMAGE, True
        size = len(data)
    elif mime == "application/pdf":
        content, kind, extension, removed, size = upload, EvidenceKind.PDF, "pdf", False, upload.size
    elif mime in _VIDEOS:
        content, kind, extension, removed, size = upload, EvidenceKind.VIDEO, _VIDEOS[mime], False, upload.size
    else:
        raise EvidenceError(
            _("“{name}” is not a photo (JPG, PNG, WEBP), a PDF or a video (MP4, MOV, WEBM, 3GP): its content "
              "was checked, not its name. Your other entries are kept.").format(name=name),
            code="type", field="evidence")
    digest = hashlib.sha256()
    content.seek(0)
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    return CheckedFile(content=content, kind=kind, extension=extension, content_type=mime, size=size,
                       sha256=digest.hexdigest(), original_name=name, metadata_removed=removed)


def check_uploads(uploads) -> list[CheckedFile]:
    uploads = [u for u in uploads if u is not None]
    if len(uploads) > max_files():
        raise EvidenceError(_("Attach at most {n} files.").format(n=max_files()), code="count", field="evidence")
    return [check_upload(u) for u in uploads]


def evidence_upload_to(instance, filename):
    return "{}/{}.{}".format(instance.complaint_id, uuid.uuid4().hex, instance.extension)

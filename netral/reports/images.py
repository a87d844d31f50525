"""Uploaded pictures (documentation photos, logo, signatures): size cap, type decided by the
bytes (never by the name), decoded by Pillow with the decompression-bomb guard, turned
upright, re-encoded without any metadata (EXIF: GPS, camera, time; XMP; comments)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from netral.core.errors import NetralError

_ACCEPTED = {"image/jpeg", "image/png", "image/webp"}
PHOTO_MAX_SIDE = 2000
MARK_MAX_SIDE = 1200  # logos and signatures


class ImageError(NetralError):
    pass


def max_bytes() -> int:
    return int(getattr(settings, "NETRAL_REPORT_IMAGE_MAX_BYTES", 10 * 1024 * 1024))


@dataclass
class CleanImage:
    data: bytes
    width: int
    height: int
    sha256: str
    extension: str


def _mb(size: int) -> str:
    return "{:.1f}".format(size / (1024 * 1024)).replace(".", ",")


def clean_image(upload, *, field: str = "image", keep_alpha: bool = False) -> CleanImage:
    """Check and re-encode an upload: JPEG for photos, PNG (transparency kept) when
    ``keep_alpha`` (logos, signatures). Raises ImageError with a code and a message."""
    import warnings  # noqa: PLC0415 -- leaf

    import filetype  # noqa: PLC0415 -- slow import
    from PIL import Image, ImageOps  # noqa: PLC0415 -- slow import

    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > limit:
        raise ImageError(_("The picture is {size} MB; at most {limit} MB is allowed.").format(
            size=_mb(size), limit=_mb(limit)), code="size", field=field)
    if size == 0:
        raise ImageError(_("The file is empty."), code="empty", field=field)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    if not guess or guess.mime not in _ACCEPTED:
        raise ImageError(_("Only JPG, PNG or WEBP pictures are accepted (the content was checked, not the name)."),
                         code="type", field=field)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(upload) as img:
                img.load()
                clean = ImageOps.exif_transpose(img)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(_("The picture is damaged or too large to read."), code="corrupt", field=field) from None
    side = MARK_MAX_SIDE if keep_alpha else PHOTO_MAX_SIDE
    if max(clean.size) > side:
        clean.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if keep_alpha:
        clean = clean.convert("RGBA") if clean.mode not in ("RGBA", "LA", "RGB", "L") else clean
        # Nothing else is passed (no pnginfo, no exif): the new file carries no metadata.
        clean.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        if clean.mode in ("RGBA", "LA", "P"):
            rgba = clean.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            clean = background
        elif clean.mode != "RGB":
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    data = out.getvalue()
    return CleanImage(data=data, width=clean.size[0], height=clean.size[1],
                      sha256=hashlib.sha256(data).hexdigest(), extension=extension)

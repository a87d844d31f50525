"""Material uploads: the type is decided by the file's bytes, never by its name."""

import hashlib
import zipfile

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from netral.core.audit import log_action
from netral.core.errors import NetralError

from ..enums import MaterialKind
from ..models import Material, Session
from .events import touch_event

# kind, extension, content type for each accepted signature
_IMAGE_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
}
_OOXML = {
    "ppt/presentation.xml": (MaterialKind.PPTX, "pptx",
                             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "word/document.xml": (MaterialKind.DOCX, "docx",
                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


class MaterialError(NetralError):
    pass


def _human_mb(size: int) -> str:
    return "{:.1f}".format(size / (1024 * 1024)).replace(".", ",")


def sniff_material(head: bytes, fileobj) -> tuple[str, str, str]:
    """Return (kind, extension, content type) from the content, or raise MaterialError."""
    import filetype  # noqa: PLC0415 -- slow import

    if head.startswith(b"%PDF-"):
        return MaterialKind.PDF, "pdf", "application/pdf"
    guess = filetype.guess(head)
    if guess is not None and guess.mime in _IMAGE_TYPES:
        return MaterialKind.IMAGE, _IMAGE_TYPES[guess.mime], guess.mime
    if head.startswith(b"PK\x03\x04"):
        fileobj.seek(0)
        try:
            with zipfile.ZipFile(fileobj) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, EOFError):
            raise MaterialError(_("The file looks like a damaged Office document (ZIP)."), code="corrupt") from None
        if "[Content_Types].xml" in names:
            for marker, result in _OOXML.items():
                if marker in names:
                    return result
    raise MaterialError(
        _("This file type is not accepted. Upload a PDF, PPTX, DOCX or an image (PNG, JPG, WEBP)."),
        code="type",
    )


@transaction.atomic
def add_material(session: Session, *, title: str, upload, user) -> Material:
    """Check the upload's size and real type, then store it under a random name."""
    limit = settings.NETRAL_MATERIAL_MAX_BYTES
    if upload.size > limit:
        raise MaterialError(
            _("The file is {size} MB; the limit is {limit} MB.").format(
                size=_human_mb(upload.size), limit=_human_mb(limit)
            ),
            code="size",
        )
    if upload.size == 0:
        raise MaterialError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(8192)
    kind, extension, content_type = sniff_material(head, upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    material = Material(
        session=session,
        title=title.strip() or upload.name.rsplit(".", 1)[0][:250],
        kind=kind,
        extension=extension,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        original_name=upload.name[:255],
        uploaded_by=user,
    )
    material.file.save("upload", upload, save=False)
    material.save()
    touch_event(session.event_id)
    log_action(session.event, "netral.material.added", user=user,
               data={"material": material.title, "size": material.size, "kind": kind})
    return material


@transaction.atomic
def delete_material(material: Material, *, user) -> None:
    log_action(material.session.event, "netral.material.deleted", user=user, data={"material": material.title})
    material.file.delete(save=False)
    material.delete()
    touch_event(material.session.event_id)



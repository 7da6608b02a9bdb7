"""Uploaded files, checked once and served privately.

Every upload the registry keeps — a record's evidence, the files of an objection or a repair
application, the photos of a public complaint — passes ``check_upload``: at most 10 MB, and of a
type told by its first bytes, never by its name. The files live in the private storage (outside
any web root) and leave it only through ``private_file_response``, called by views that first
check who may see them.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

_PDF = (b"%PDF-", ".pdf", "application/pdf")
_PNG = (b"\x89PNG\r\n\x1a\n", ".png", "image/png")
_JPEG = (b"\xff\xd8\xff", ".jpg", "image/jpeg")


@dataclass(frozen=True)
class Accepted:
    """The kinds of file an upload may be, and what to say when it is none of them."""

    signatures: tuple[tuple[bytes, str, str], ...]
    refusal: str | Promise


DOCUMENTS = Accepted((_PDF, _PNG, _JPEG), _("只接受PDF、PNG或JPEG文件"))
IMAGES = Accepted((_PNG, _JPEG), _("只接受PNG或JPEG图片"))


@dataclass(frozen=True)
class CheckedUpload:
    upload: object
    extension: str
    content_type: str
    size: int
    sha256: str

    @property
    def name(self) -> str:
        return self.upload.name[:200]


def check_upload(uploaded_file, *, accept: Accepted = DOCUMENTS) -> CheckedUpload:
    """Refuse a file over 10 MB or of a kind ``accept`` does not list; hash what passes."""
    if uploaded_file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("文件超过10MB"), code="too_large")
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    kind = next((s for s in accept.signatures if head.startswith(s[0])), None)
    if kind is None:
        raise ValidationError(
            gettext("“%(name)s”：%(refusal)s")
            % {"name": uploaded_file.name, "refusal": accept.refusal},
            code="file_type",
        )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    _signature, extension, content_type = kind
    return CheckedUpload(
        upload=uploaded_file,
        extension=extension,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
    )


def check_uploads(
    uploaded_files: Sequence, *, most: int, accept: Accepted = DOCUMENTS
) -> list[CheckedUpload]:
    """Several files at once, all checked before any is stored: one bad file refuses them all."""
    if len(uploaded_files) > most:
        raise ValidationError(
            gettext("最多上传%(most)s个文件") % {"most": most}, code="too_many_files"
        )
    return [check_upload(upload, accept=accept) for upload in uploaded_files]


def private_file_response(stored_file, *, content_type: str, filename: str) -> FileResponse:
    """A stored file for the one person a view has let in: PDFs downloaded, images shown,
    never cached on the way."""
    response = FileResponse(
        stored_file.open("rb"),
        content_type=content_type,
        as_attachment=content_type == "application/pdf",
        filename=filename,
    )
    response["Cache-Control"] = "private, no-store"
    return response

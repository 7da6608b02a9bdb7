"""Files kept with an objection, a repair application or a complaint: what each one stores.

The bytes were checked before (``credit_registry.common.uploads.check_upload``); they live in
the private storage under the owner's folder and are served only through views that check access.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


def attached_file_path(instance: "AttachedFile", filename: str) -> str:
    owner_id = getattr(instance, f"{instance.owner_field}_id")
    return f"{instance.folder}/{owner_id}/{instance.sha256[:16]}{instance.extension}"


class AttachedFile(models.Model):
    # Set by each kind: the folder of the private storage and the foreign key of the owner.
    folder = ""
    owner_field = ""

    file = models.FileField(_("文件"), upload_to=attached_file_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def store(cls, checked, **owner) -> "AttachedFile":
        """Keep one checked upload (``CheckedUpload``) for its owner."""
        attached = cls(
            **owner,
            original_name=checked.name,
            content_type=checked.content_type,
            extension=checked.extension,
            size=checked.size,
            sha256=checked.sha256,
        )
        attached.file.save(checked.name, checked.upload, save=False)
        attached.save()
        return attached

"""The access log of personal data: one function every view calls when it shows a person's file
or hands out personal data (SPEC §9: who looked at a student's file, who exported what)."""

from credit_registry.access import Role, role_of
from credit_registry.common.identity import mask_name
from credit_registry.models import AccessAction, AccessLog

PARENT_ROLE = "parent"


def subject_key(subject) -> str:
    if subject is None:
        return ""
    return f"{subject._meta.model_name}:{subject.pk}"


def describe(subject) -> str:
    """A masked description: schools by name, people by a masked name and their id."""
    if subject is None:
        return ""
    if subject._meta.model_name == "school":
        return subject.name
    name = getattr(subject, "name", None)
    if name is None:  # a degree, a posting: the record of a person, named by its kind
        return f"{subject._meta.verbose_name}（#{subject.pk}）"
    return f"{mask_name(name)}（#{subject.pk}）"


def log_access(user, action: AccessAction, subject=None, detail: str = "") -> AccessLog:
    """Append one line to the access log. ``user`` is None for a parent using a query code."""
    role = PARENT_ROLE if user is None else role_of(user).value
    if user is not None and role == Role.NONE and not user.is_authenticated:
        user = None
    return AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        role=role,
        action=action,
        subject_key=subject_key(subject),
        subject_description=describe(subject)[:200],
        detail=detail[:300],
    )


def log_batch_download(user, batch) -> int:
    """One line per document of a downloaded batch (its zip holds many people's files)."""
    lines = [
        AccessLog(
            user=user,
            role=role_of(user).value,
            action=AccessAction.DOWNLOAD_FILE_PDF,
            subject_key=document.subject_key,
            subject_description=document.subject_description[:200],
            detail=f"批量任务#{batch.pk}：{document.title}"[:300],
        )
        for document in batch.documents.order_by("pk")
    ]
    AccessLog.objects.bulk_create(lines)
    return len(lines)

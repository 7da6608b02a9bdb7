"""The text a person sees for a refused request."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext


def error_text(error: Exception, *, separator: str = "；") -> str:
    """The message(s) of a ValidationError, or of a PermissionDenied raised by a service."""
    if isinstance(error, ValidationError):
        return separator.join(error.messages)
    return str(error) or gettext("无权执行此操作")

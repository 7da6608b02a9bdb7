"""Access logs without personal data: one-time codes and identifiers are cut out of every
request line before it is written (runserver's ``django.server`` logger, gunicorn's access log
through ``gunicorn.conf.py``, Django's request errors).

Links that must carry a code (a questionnaire sheet's QR code, a pledge slip's) keep it; the log
line shows ``[redacted]`` instead. Any run of 15 digits or more (an ID number, a student number
that embeds one) is cut wherever it appears.
"""

import logging
import re

REDACTED = "[redacted]"

_PATTERNS = (
    # /survey/c/<code>/ and a school's public link /survey/p/<round>/<school>/<token>/
    (re.compile(r"(/survey/c/)[^/?\s\"]+"), r"\1" + REDACTED),
    (re.compile(r"(/survey/p/\d+/\d+/)[^/?\s\"]+"), r"\1" + REDACTED),
    # query parameters that carry a code, a token, a searched term or a number
    (
        re.compile(r"([?&](?:code|token|q|number|id_number)=)[^&\s\"]*", re.IGNORECASE),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(?<![\dA-Za-z])[Gg]?\d{14,}[\dXx]?"), REDACTED),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value):
    return redact(value) if isinstance(value, str) else value


class RedactingFilter(logging.Filter):
    """Rewrites a record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_value(value) for value in record.args)
        return True

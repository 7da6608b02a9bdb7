"""Issuing PDFs with a verification code, and checking a presented code or file.

The code and its QR code are printed in the PDF, while the stored hash covers the final bytes:
so the code is issued first (an :class:`IssuedDocument` row without hash), the PDF is typeset
with it, and then the SHA-256 of the exact bytes is stored. Rendering happens outside any
database transaction (a typeset takes a second or two and must not hold a write lock); a failed
render removes its half-made row.
"""

import atexit
import hashlib
import io
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import segno
from django.conf import settings
from django.db import IntegrityError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credit_registry.common import identity
from credit_registry.models import IssuedDocument, ReportBatch
from evaluations.models import LedgerAction
from evaluations.records.selectors import LaterChanges, changes_after

# Unambiguous characters only: no 0/O, 1/I/L, so a code read off paper is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
_CODE_IN_TEXT = re.compile(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# WeasyPrint reports every layout step at INFO; its warnings (unsupported CSS) still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
# fontTools, which subsets the embedded font, reports every table it prunes at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person typed (spaces, dashes, lower case, full-width) -> the stored form."""
    return "".join(ch for ch in identity.normalize_code(text) if ch.isalnum())


# --- fonts and the fetcher ---------------------------------------------------------------------


@cache
def font_files() -> dict[str, Path]:
    """The CJK font (Noto Sans SC, SIL OFL) shipped by the PyPI wheel ``pylopdf-fonts-zh-cn``:
    present on every machine that installed the dependencies, no system font needed.

    One face only: WeasyPrint embeds a CJK subset with its full glyph-id table (about 100 KB
    each), so a second face (the wheel's Noto Serif SC) would add that to every PDF of a batch.
    """
    import pylopdf_fonts_zh_cn as fonts

    return {"Registry Sans": fonts.sans_path()}


def font_face_css() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); }}'
        for family, path in font_files().items()
    )


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """Only our own font files and inline data: a narrative that somehow carried markup
        could never make the renderer read a local file or call out to the network."""

        def fetch(self, url, headers=None):
            allowed = {path.as_uri() for path in font_files().values()}
            if url.startswith("data:") or url in allowed:
                return super().fetch(url, headers)
            raise ValueError(f"blocked resource: {url[:80]}")

    return LocalOnlyFetcher


def qr_data_uri(url: str) -> str:
    """The QR code as a small PNG (four pixels a module), drawn unsmoothed (report.css): an SVG
    would be parsed and drawn as paths by the typesetter on every document."""
    return segno.make(url, error="m").png_data_uri(scale=4, border=0, dark="#1f2933")


# --- rendering and issuing ---------------------------------------------------------------------


@dataclass(frozen=True)
class PdfBytes:
    content: bytes
    pages: int


STYLESHEET = Path(__file__).with_name("report.css")
_per_thread = threading.local()
# A font configuration removes its temporary folder when dropped: the main thread's is dropped
# before the interpreter tears WeasyPrint down (another thread's goes with its thread).
atexit.register(lambda: vars(_per_thread).clear())


def _typesetter():
    """The fetcher, the font configuration with our font loaded, and the reports' parsed
    stylesheet: made once per thread and kept, so a document does not set up a fetcher (an SSL
    context), load the CJK font or parse the stylesheet again (WeasyPrint's objects are not
    shared between threads)."""
    if not hasattr(_per_thread, "fonts"):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fetcher = _fetcher_class()()
        fonts = FontConfiguration()
        _per_thread.fetcher, _per_thread.fonts = fetcher, fonts
        _per_thread.font_faces = CSS(string=font_face_css(), font_config=fonts, url_fetcher=fetcher)
        _per_thread.reports = CSS(
            string=STYLESHEET.read_text(encoding="utf-8"), font_config=fonts, url_fetcher=fetcher
        )
    return _per_thread


def render_pdf(template: str, context: dict) -> PdfBytes:
    # The templates set fields apart with ``&emsp;``, readable in the markup; the HTML parser
    # takes the character itself far faster than the entity.
    html = render_to_string(template, context).replace("&emsp;", "\u2003")
    return typeset(html, stylesheet=_typesetter().reports)


def typeset(html: str, stylesheet=None) -> PdfBytes:
    """Lay out and draw a document's HTML in our font, with ``stylesheet`` (parsed) if given:
    WeasyPrint's part of a render."""
    from weasyprint import HTML

    typesetter = _typesetter()
    stylesheets = [typesetter.font_faces] + ([stylesheet] if stylesheet is not None else [])
    document = HTML(string=html, url_fetcher=typesetter.fetcher).render(
        font_config=typesetter.fonts, stylesheets=stylesheets
    )
    return PdfBytes(content=document.write_pdf(), pages=len(document.pages))


def public_base_url(request=None) -> str:
    """Where the public verification page lives, for the QR code: the configured address, or
    the address of the request that asked for the document."""
    configured = getattr(settings, "REGISTRY_PUBLIC_BASE_URL", "")
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return "http://localhost:8000"


def verify_url(document: IssuedDocument, base_url: str) -> str:
    return f"{base_url}{reverse('public:verify')}?code={document.display_code}"


@dataclass(frozen=True)
class IssuedPdf:
    document: IssuedDocument
    content: bytes
    filename: str


_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


def safe_filename(stem: str, code: str) -> str:
    return f"{_UNSAFE_IN_FILENAME.sub('_', stem)}_{code}.pdf"


def issue_pdf(
    *,
    kind: str,
    title: str,
    subject_description: str,
    subject_key: str,
    template: str,
    context: dict,
    by,
    base_url: str,
    filename_stem: str,
    year: int | None = None,
    batch: ReportBatch | None = None,
) -> IssuedPdf:
    """Issue a code, typeset the PDF with it, store the hash of the bytes."""
    document = _create_with_unique_code(
        kind=kind,
        title=title,
        subject_description=subject_description,
        subject_key=subject_key,
        year=year,
        issued_by=by,
        issued_at=timezone.now(),
        batch=batch,
    )
    try:
        url = verify_url(document, base_url)
        pdf = render_pdf(
            template,
            {
                **context,
                "document": document,
                "verify_url": url,
                "qr_uri": qr_data_uri(url),
                "district_name": settings.REGISTRY_DISTRICT_NAME,
                "bureau_name": f"{settings.REGISTRY_DISTRICT_NAME}教育局",
            },
        )
    except BaseException:
        document.delete()
        raise
    document.sha256 = hashlib.sha256(pdf.content).hexdigest()
    document.size = len(pdf.content)
    document.pages = pdf.pages
    document.save(update_fields=["sha256", "size", "pages"])
    return IssuedPdf(
        document=document,
        content=pdf.content,
        filename=safe_filename(filename_stem, document.code),
    )


def _create_with_unique_code(**fields) -> IssuedDocument:
    for _attempt in range(5):
        try:
            return IssuedDocument.objects.create(code=new_code(), **fields)
        except IntegrityError:  # pragma: no cover - 31**12 codes; a clash is astronomically rare
            continue
    raise RuntimeError("could not draw a free verification code")  # pragma: no cover


# --- verification ------------------------------------------------------------------------------


class Verdict(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    ALTERED = "altered"


VERDICT_LABELS = {
    Verdict.VALID: gettext_lazy("真实有效"),
    Verdict.UNKNOWN: gettext_lazy("无法核验：未找到该文书"),
    Verdict.ALTERED: gettext_lazy("文件已被改动"),
}


CHANGE_PHRASES = {
    LedgerAction.PUBLISH: gettext_lazy("有新的记录公布"),
    LedgerAction.AMEND: gettext_lazy("有记录被更正"),
    LedgerAction.REVOKE: gettext_lazy("有记录被撤销"),
    LedgerAction.REPAIR: gettext_lazy("有记录经信用修复"),
}


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    document: IssuedDocument | None
    explanation: str
    file_checked: bool = False
    # For a genuine document: what changed in its records after it was issued.
    changes: LaterChanges | None = None

    @property
    def label(self) -> str:
        if self.verdict == Verdict.VALID and self.changes is not None:
            return _("真实有效（按出具时的内容）")
        return VERDICT_LABELS[self.verdict]

    @property
    def changes_text(self) -> str:
        if self.changes is None:
            return ""
        return _(
            "出具后记录有变动：%(date)s起%(what)s。文书仍是出具时的原样，内容已不是最新，请以最新出具的文书为准。"
        ) % {
            "date": f"{self.changes.since:%Y-%m-%d}",
            "what": _("、").join(str(CHANGE_PHRASES[action]) for action in self.changes.actions),
        }


def _genuine(document: IssuedDocument, explanation: str, *, file_checked: bool = False):
    """A valid verdict, told whether the document's records changed since it was issued."""
    changes = changes_after(
        subject_key=document.subject_key, year=document.year, after=document.issued_at
    )
    return Verification(
        Verdict.VALID, document, explanation, file_checked=file_checked, changes=changes
    )


def find_document(code: str) -> IssuedDocument | None:
    code = normalize_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return IssuedDocument.objects.exclude(sha256="").filter(code=code).first()


def verify_document(*, code: str = "", pdf: bytes | None = None) -> Verification:
    """Check a presented code, a presented file, or both, against what was issued.

    - code only: valid if the code was issued (the page then shows what it was issued for, to be
      compared with the paper); unknown otherwise;
    - file (with or without code): valid if its bytes are exactly what was issued; altered if it
      carries (or comes with) a code that was issued but its bytes differ; unknown otherwise.
    """
    document = find_document(code) if code else None
    if code and document is None:
        return Verification(
            Verdict.UNKNOWN,
            None,
            _("该验证码不存在，文书不是本平台出具的，或验证码输入有误"),
        )
    if pdf is None:
        return _genuine(
            document,
            _("验证码有效。请核对纸质或电子文书的标题、对象、出具日期和页数与下列信息一致"),
        )
    digest = hashlib.sha256(pdf).hexdigest()
    if document is not None:
        if digest == document.sha256:
            return _genuine(document, _("文件与出具时完全一致"), file_checked=True)
        return Verification(
            Verdict.ALTERED,
            document,
            _("验证码有效，但上传的文件与出具时的文件不一致，可能被改动"),
            file_checked=True,
        )
    issued = IssuedDocument.objects.filter(sha256=digest).first()
    if issued is not None:
        return _genuine(issued, _("文件与出具时完全一致"), file_checked=True)
    printed = find_document(code_in_pdf(pdf) or "")
    if printed is not None:
        return Verification(
            Verdict.ALTERED,
            printed,
            _("文件中印有有效的验证码，但文件内容与出具时不一致，可能被改动"),
            file_checked=True,
        )
    return Verification(
        Verdict.UNKNOWN,
        None,
        _("未找到与该文件对应的出具记录"),
        file_checked=True,
    )


def code_in_pdf(pdf: bytes) -> str | None:
    """The verification code printed on the first page, if the file is a readable PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        if not reader.pages:
            return None
        text = reader.pages[0].extract_text() or ""
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError):
        return None
    match = _CODE_IN_TEXT.search(text)
    return match.group(0) if match else None

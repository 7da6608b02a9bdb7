"""QR codes for printed sheets and verifiable PDFs."""

import segno
from django.utils.safestring import mark_safe


def qr_svg(text: str, scale: int = 3) -> str:
    """An inline SVG QR code (no script, no external file: fits the CSP)."""
    return mark_safe(segno.make(text, error="m").svg_inline(scale=scale))

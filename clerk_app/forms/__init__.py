"""Printed documents (reportlab): one-time notice, receipt, refusal notice.

Plain Python: this package never imports Qt. The UI prints the PDF bytes it returns and
loads the same fonts (:mod:`clerk_app.forms.fonts`).
"""

from clerk_app.forms.documents import TITLES, build_story, document_title, qr_payload, render_pdf, write_pdf
from clerk_app.forms.model import DocumentData, MaterialLine

__all__ = [
    "DocumentData",
    "MaterialLine",
    "TITLES",
    "build_story",
    "document_title",
    "qr_payload",
    "render_pdf",
    "write_pdf",
]

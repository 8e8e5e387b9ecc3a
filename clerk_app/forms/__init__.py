"""Printed documents (reportlab): one-time notice, receipt, refusal notice.

Plain Python: this package never imports Qt. The UI prints the PDF bytes it returns and
loads the same fonts (:mod:`clerk_app.forms.font_files`).

The names below are loaded on first use, so that importing a light submodule (the font file
names, the data model) does not import reportlab.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "TITLES": "clerk_app.forms.documents",
    "build_story": "clerk_app.forms.documents",
    "document_title": "clerk_app.forms.documents",
    "qr_payload": "clerk_app.forms.documents",
    "render_pdf": "clerk_app.forms.documents",
    "write_pdf": "clerk_app.forms.documents",
    "DocumentData": "clerk_app.forms.model",
    "MaterialLine": "clerk_app.forms.model",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'clerk_app.forms' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

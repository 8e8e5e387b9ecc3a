"""The shipped font files and their family names, without importing reportlab.

The printed documents (``clerk_app.forms.fonts``) and the window (``clerk_app.ui.style``) use
the same files; the window must not pay for importing reportlab just to learn their names.
"""

from __future__ import annotations

from pathlib import Path

from clerk_app.paths import resource

FONT_DIR: Path = resource("fonts")

#: Family name of the primary font as Qt (and any font menu) shows it.
FAMILY_NAME = "Clerk Sans SC"
#: Family names of the fallback fonts, in the order they are tried.
FALLBACK_FAMILY_NAMES = ["Clerk Min Ext A", "Clerk Min Ext B"]

PRIMARY_FONT_FILE: Path = FONT_DIR / "ClerkSansSC-Regular.ttf"
FALLBACK_FONT_FILES: list[Path] = [
    FONT_DIR / "ClerkMinExtA-Regular.ttf",
    FONT_DIR / "ClerkMinExtB-Regular.ttf",
]
#: Every font file the UI should register, primary first.
UI_FONT_FILES: list[Path] = [PRIMARY_FONT_FILE, *FALLBACK_FONT_FILES]

"""Fonts for printed documents (reportlab) and for the Qt UI.

The program ships its own fonts in ``clerk_app/resources/fonts`` (see SOURCE.md there):

* ``Clerk Sans SC`` (:data:`FAMILY_NAME`) -- Noto Sans CJK SC converted to TrueType outlines.
  It has every character of GB 18030's basic plane and many rare ones (U+20BB7 𠮷, 龘,
  the middle dot U+00B7 of minority names).
* two fallback fonts made from HanaMinA/HanaMinB holding only what the primary font lacks,
  chiefly CJK Extensions B-F beyond the basic plane (U+2A6A5 𪚥 ...).

Reportlab knows nothing of font fallback, so text is split into runs by font here
(:func:`split_runs`) and turned into Paragraph markup with ``<font name=...>`` runs
(:func:`para_markup`). Registration with reportlab is lazy and cached for the process:
the primary font on the first use of anything that needs it, a fallback font only when a
text needs one of its characters.

This module also fixes reportlab's ToUnicode CMap for characters beyond the basic plane
(:func:`install_tounicode_fix`, applied on import); see there.

The Qt UI loads the same files: ``QFontDatabase.addApplicationFont(str(p)) for p in
UI_FONT_FILES`` and then uses :data:`FAMILY_NAME` (with :data:`FALLBACK_FAMILY_NAMES`
after it in ``QFont.setFamilies``). This module never imports Qt.
"""

from __future__ import annotations

import threading
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts

from clerk_app.forms.font_files import (  # noqa: F401 - re-exported for callers
    FALLBACK_FAMILY_NAMES,
    FALLBACK_FONT_FILES,
    FAMILY_NAME,
    FONT_DIR,
    PRIMARY_FONT_FILE,
    UI_FONT_FILES,
)

#: Names under which the fonts are registered with reportlab.
PRIMARY = "ClerkSansSC"
FALLBACKS = ("ClerkMinExtA", "ClerkMinExtB")

_FILES = {PRIMARY: PRIMARY_FONT_FILE, **dict(zip(FALLBACKS, FALLBACK_FONT_FILES))}

# Characters that never need a glyph of their own: line breaks and the like are left
# to the primary font (Paragraph handles them), so they never start a fallback run.
_NEUTRAL = frozenset("\n\r\t ")

_lock = threading.RLock()
_loaded: dict[str, ttfonts.TTFont] = {}
_font_of_char: dict[str, str] = {}


def font_path() -> Path:
    """The primary TTF file (for the Qt UI and anything else that wants a path)."""
    return PRIMARY_FONT_FILE


def _load(name: str) -> ttfonts.TTFont:
    font = _loaded.get(name)
    if font is not None:
        return font
    with _lock:
        font = _loaded.get(name)
        if font is None:
            path = _FILES[name]
            if not path.is_file():
                raise FileNotFoundError(
                    f"font file {path} is missing; run clerk_app/resources/fonts/build_fonts.py"
                )
            # validate=0 skips checksum checks: the files are ours and this saves time.
            font = ttfonts.TTFont(name, str(path), validate=0)
            pdfmetrics.registerFont(font)
            _loaded[name] = font
    return font


def ensure_registered() -> str:
    """Register the primary font with reportlab (once per process); return its name."""
    _load(PRIMARY)
    return PRIMARY


def font_for_char(char: str) -> str:
    """Reportlab name of the first font whose character map has ``char``.

    A character no font has stays with the primary font (it prints as its empty box).
    """
    name = _font_of_char.get(char)
    if name is not None:
        return name
    code = ord(char)
    name = PRIMARY
    if char not in _NEUTRAL and code not in _load(PRIMARY).face.charToGlyph:
        for candidate in FALLBACKS:
            if code in _load(candidate).face.charToGlyph:
                name = candidate
                break
    _font_of_char[char] = name
    return name


def has_glyph(char: str) -> bool:
    """True when some shipped font can draw ``char``."""
    name = font_for_char(char)
    return ord(char) in _load(name).face.charToGlyph or char in _NEUTRAL


def split_runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(reportlab font name, run)`` pieces, each drawable by one font."""
    runs: list[tuple[str, str]] = []
    current = None
    start = 0
    for index, char in enumerate(text):
        name = font_for_char(char)
        if name != current:
            if current is not None:
                runs.append((current, text[start:index]))
            current, start = name, index
    if current is not None:
        runs.append((current, text[start:]))
    return runs


def para_markup(text: str, base_font: str = PRIMARY) -> str:
    """Plain text -> Paragraph markup: ``&<>`` escaped, fallback runs wrapped in <font>.

    Runs in ``base_font`` (the paragraph style's font) are left bare; a newline becomes
    ``<br/>``.
    """
    out: list[str] = []
    for name, run in split_runs(text):
        piece = escape(run).replace("\n", "<br/>")
        if name == base_font:
            out.append(piece)
        else:
            out.append(f'<font name="{name}">{piece}</font>')
    return "".join(out)


def string_width(text: str, size: float) -> float:
    """Width in points of ``text`` at ``size`` with fallback runs measured in their font."""
    return sum(pdfmetrics.stringWidth(run, name, size) for name, run in split_runs(text))


# --------------------------------------------------------------------------------------
# ToUnicode fix for characters beyond the basic plane
# --------------------------------------------------------------------------------------
# reportlab 5.1 (pdfbase/ttfonts.py, makeToUnicodeCMap) writes each bfchar destination as
# "<%04X>" % code point. For U+2A6A5 that gives <2A6A5>, five hex digits, which is no UTF-16
# string; a PDF viewer or pdftotext then cannot map the glyph back to its character. The
# ToUnicode destination must be UTF-16BE, so U+2A6A5 has to be written as the surrogate
# pair <D869DEA5>. TTFont.addObjects looks the function up as a module global when it
# writes each font subset, so replacing that one module attribute is the smallest fix.
# Basic-plane characters come out exactly as before.

def _utf16_hex(code: int) -> str:
    return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ToUnicode CMap for one reportlab font subset (byte i shows character subset[i])."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
    ]
    # A bfchar block may hold at most 100 entries (PDF reference, 5.9.2).
    for first in range(0, len(subset), 100):
        chunk = subset[first:first + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(
            f"<{first + i:02X}> <{_utf16_hex(code)}>" for i, code in enumerate(chunk)
        )
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


_to_unicode_cmap.clerk_app_fix = True  # type: ignore[attr-defined]


#: reportlab's own function, kept so a test can tell when reportlab no longer needs the fix.
REPORTLAB_TO_UNICODE_CMAP = getattr(
    ttfonts.makeToUnicodeCMap, "clerk_app_original", ttfonts.makeToUnicodeCMap)
_to_unicode_cmap.clerk_app_original = REPORTLAB_TO_UNICODE_CMAP  # type: ignore[attr-defined]


def install_tounicode_fix() -> None:
    """Make reportlab write UTF-16 (surrogate pairs) in ToUnicode CMaps. Idempotent."""
    if not getattr(ttfonts.makeToUnicodeCMap, "clerk_app_fix", False):
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap


install_tounicode_fix()

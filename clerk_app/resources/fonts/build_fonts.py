"""Rebuild the fonts shipped in this folder from Debian's font packages.

Run once (about two minutes on a 2-core machine) with the project's virtualenv:

    apt-get install fonts-noto-cjk fonts-hanazono
    python clerk_app/resources/fonts/build_fonts.py          # writes next to this script
    python clerk_app/resources/fonts/build_fonts.py --out DIR

Needs fontTools (``pip install fonttools``); the program itself does not: at run time only
reportlab and Qt read the finished TTF files.

What it makes, and why:

* ``ClerkSansSC-Regular.ttf`` -- Noto Sans CJK SC Regular (face 2 of Debian's
  ``NotoSansCJK-Regular.ttc``) with its CFF (cubic, PostScript) outlines converted to
  TrueType (quadratic) outlines, because reportlab can embed TrueType outlines only.
  Only the glyphs reachable from the SC character map are kept; OpenType layout tables
  (GSUB/GPOS: locale variants, vertical forms), hinting and the vertical-origin table are
  dropped. It is renamed "Clerk Sans SC" so that it never collides with an installed Noto
  Sans CJK SC in Qt's font database (and as the OFL asks of a Modified Version).
* ``ClerkMinExtA-Regular.ttf`` -- from HanaMinA: only the characters that the primary
  font lacks (rare ideographs of the basic plane and some of the supplementary plane).
* ``ClerkMinExtB-Regular.ttf`` -- from HanaMinB: only the characters that neither of the
  above has (CJK Extensions B-F in the supplementary ideographic plane), e.g. U+2A6A5.

The two HanaMin-derived fonts serve as per-character fallbacks (see clerk_app/forms/fonts.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fontTools import subset as ft_subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

NOTO_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_SC_INDEX = 2  # 0 JP, 1 KR, 2 SC, 3 TC, 4 HK, then the Mono faces
HANAMIN_A = Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf")
HANAMIN_B = Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")

PRIMARY_FILE = "ClerkSansSC-Regular.ttf"
FALLBACK_A_FILE = "ClerkMinExtA-Regular.ttf"
FALLBACK_B_FILE = "ClerkMinExtB-Regular.ttf"

# Largest distance (font units, 1000 per em) allowed between a cubic curve and the
# quadratic splines that replace it. 1 unit is 0.01 mm at 10 pt: invisible.
MAX_CURVE_ERROR = 1.0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _subset(font: TTFont, unicodes: set[int]) -> None:
    """Keep only ``unicodes`` (and the glyphs they need), without layout or hinting."""
    options = ft_subset.Options()
    options.layout_features = []  # drop GSUB/GPOS features: reportlab never applies them
    options.hinting = False
    options.notdef_outline = True
    options.glyph_names = False
    options.name_IDs = ["*"]  # renamed afterwards
    options.name_languages = ["*"]
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "GDEF", "GSUB", "GPOS", "FFTM", "prop"]
    subsetter = ft_subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)


def _cff_to_glyf(font: TTFont) -> None:
    """Replace the CFF table by glyf/loca, converting each outline cubic -> quadratic."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        tt_pen = TTGlyphPen(None)
        # PostScript outer contours run counter-clockwise, TrueType ones clockwise.
        pen = Cu2QuPen(tt_pen, MAX_CURVE_ERROR, reverse_direction=True)
        glyph_set[name].draw(pen)
        glyphs[name] = tt_pen.glyph()

    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")  # filled from glyf when compiled

    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]

    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(glyph_order)
    # No hinting: every instruction-related limit is zero. The point, contour and
    # component counts are recomputed by fontTools when the table is compiled.
    for attr in (
        "maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp

    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and nobody needs them
    post.extraNames = []
    post.mapping = {}

    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 1
    font.sfntVersion = "\x00\x01\x00\x00"


def _rename(font: TTFont, family: str, postscript: str, note: str) -> None:
    """Give the font its own family name (OFL: a Modified Version may not keep reserved names)."""
    name = font["name"]
    keep = {0, 7, 8, 9, 11, 12, 13, 14}  # copyright, trademark, vendor, designer, URLs, licence
    name.names = [rec for rec in name.names if rec.nameID in keep]
    version = "Version 1.000"
    values = {
        1: family,
        2: "Regular",
        3: f"{postscript};{time.strftime('%Y%m%d')}",
        4: f"{family} Regular",
        5: version,
        6: postscript,
        10: note,
    }
    for name_id, value in values.items():
        name.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US)
        name.setName(value, name_id, 1, 0, 0)      # Macintosh, Roman, English
    if "CFF " not in font and "OS/2" in font:
        font["OS/2"].fsType = 0  # installable embedding, as the sources are


def _best_cmap(font: TTFont) -> set[int]:
    return set(font.getBestCmap())


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    _log(f"reading {NOTO_TTC} (face {NOTO_SC_INDEX})")
    noto = TTFont(NOTO_TTC, fontNumber=NOTO_SC_INDEX)
    noto_chars = _best_cmap(noto)
    _subset(noto, noto_chars)
    _log(f"converting {len(noto.getGlyphOrder())} glyphs to TrueType outlines")
    _cff_to_glyf(noto)
    _rename(
        noto, "Clerk Sans SC", "ClerkSansSC-Regular",
        "Noto Sans CJK SC Regular 2.004 converted to TrueType outlines for clerk-app.",
    )
    primary = out_dir / PRIMARY_FILE
    noto.save(primary)
    _log(f"wrote {primary} ({primary.stat().st_size / 1e6:.1f} MB)")
    covered = set(noto_chars)
    del noto

    outputs = [primary]
    for source, out_name, family, postscript in (
        (HANAMIN_A, FALLBACK_A_FILE, "Clerk Min Ext A", "ClerkMinExtA-Regular"),
        (HANAMIN_B, FALLBACK_B_FILE, "Clerk Min Ext B", "ClerkMinExtB-Regular"),
    ):
        _log(f"reading {source}")
        font = TTFont(source)
        wanted = _best_cmap(font) - covered
        _subset(font, wanted)
        _rename(
            font, family, postscript,
            f"{source.stem} (GlyphWiki Project) reduced to the characters Noto Sans CJK SC "
            "lacks, as a fallback for clerk-app.",
        )
        path = out_dir / out_name
        font.save(path)
        covered |= wanted
        outputs.append(path)
        _log(f"wrote {path}: {len(wanted)} characters ({path.stat().st_size / 1e6:.1f} MB)")

    _log(f"done in {time.monotonic() - started:.0f} s")
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

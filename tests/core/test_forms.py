"""Printed documents: text layer, fonts, codes, wrapping. No Qt.

The checks read the PDFs the way a person's tools would: poppler's pdftotext/pdffonts/pdftoppm
and zbar's zbarimg (Debian packages poppler-utils and zbar-tools).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clerk_app.forms import fonts
from clerk_app.forms.documents import (
    LAYOUTS,
    _styles,
    document_title,
    format_date,
    qr_payload,
    render_pdf,
    write_pdf,
)
from clerk_app.forms.model import KINDS, PAPERS, DocumentData, MaterialLine
from clerk_app.forms.samples import LONG_ADDRESS, LONG_NAME, RARE_NAME, sample_document

RARE_CHARS = ["𠮷", "𪚥", "龘", "·"]
# Beyond the basic plane and in none but the last fallback font (CJK Ext C and E).
EXT_B_ONLY = ["\U0002A700", "\U0002B820"]

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("pdftoppm")),
    reason="poppler-utils (pdftotext, pdffonts, pdftoppm) is not installed",
)
needs_zbar = pytest.mark.skipif(
    not shutil.which("zbarimg"), reason="zbar-tools (zbarimg) is not installed: cannot decode codes"
)


def squash(text: str) -> str:
    """Text without any white space: wrapping inserts line breaks, nothing else."""
    return re.sub(r"\s+", "", text)


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout


def page_count(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def words_with_boxes(path: Path) -> list[tuple[dict, list[tuple[float, float, float, float, str]]]]:
    """[(page attributes, [(xMin, yMin, xMax, yMax, word)])] from pdftotext -bbox."""
    html = pdftotext(path, "-bbox")
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        words = [
            (float(a), float(b), float(c), float(d), w)
            for a, b, c, d, w in re.findall(
                r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                page.group(3),
            )
        ]
        pages.append(({"width": float(page.group(1)), "height": float(page.group(2))}, words))
    return pages


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[tuple[str, str, bool], Path]:
    """Every kind x paper, with ordinary and with very long text, rendered once."""
    folder = tmp_path_factory.mktemp("forms")
    out = {}
    for kind in KINDS:
        for paper in PAPERS:
            for long_text in (False, True):
                path = folder / f"{kind}-{paper}{'-long' if long_text else ''}.pdf"
                write_pdf(sample_document(kind, long_text=long_text), path, paper)
                out[kind, paper, long_text] = path
    return out


ALL = [(k, p) for k in KINDS for p in PAPERS]


# --------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------

def test_font_files_exist_and_are_named_as_exported():
    from reportlab.pdfbase.ttfonts import TTFontFile

    assert fonts.font_path() == fonts.PRIMARY_FONT_FILE == fonts.UI_FONT_FILES[0]
    families = []
    for path in fonts.UI_FONT_FILES:
        assert path.is_file(), path
        assert path.suffix == ".ttf"
        families.append(TTFontFile(str(path), validate=0).familyName.decode())
    assert families == [fonts.FAMILY_NAME, *fonts.FALLBACK_FAMILY_NAMES]
    total = sum(p.stat().st_size for p in fonts.UI_FONT_FILES)
    assert total < 55e6, f"shipped fonts take {total / 1e6:.1f} MB"
    folder = fonts.FONT_DIR
    for name in ("SOURCE.md", "build_fonts.py", "LICENSE-OFL-NotoSansCJK.txt", "LICENSE-HanaMin.txt"):
        assert (folder / name).is_file(), name


def test_every_rare_character_has_a_glyph():
    for char in [*RARE_CHARS, *EXT_B_ONLY, *LONG_NAME, *LONG_ADDRESS]:
        assert fonts.has_glyph(char), f"U+{ord(char):04X} {char}"
    assert fonts.font_for_char("𠮷") == fonts.PRIMARY
    assert fonts.font_for_char("·") == fonts.PRIMARY
    assert fonts.font_for_char("𪚥") == fonts.FALLBACKS[0]
    assert all(fonts.font_for_char(c) == fonts.FALLBACKS[1] for c in EXT_B_ONLY)


def test_split_runs_and_markup():
    text = "张𪚥三" + EXT_B_ONLY[0]
    assert fonts.split_runs(text) == [
        (fonts.PRIMARY, "张"), (fonts.FALLBACKS[0], "𪚥"), (fonts.PRIMARY, "三"),
        (fonts.FALLBACKS[1], EXT_B_ONLY[0]),
    ]
    assert "".join(run for _, run in fonts.split_runs(text)) == text
    assert fonts.split_runs("") == []
    markup = fonts.para_markup("A&B <i>𪚥</i>\n下一行")
    assert markup == (
        'A&amp;B &lt;i&gt;<font name="ClerkMinExtA">𪚥</font>&lt;/i&gt;<br/>下一行'
    )
    assert fonts.string_width("𪚥", 10) > 0


def test_tounicode_cmap_writes_surrogate_pairs():
    cmap = fonts._to_unicode_cmap("X", [0, 0x41, 0x5F20, 0x20BB7, 0x2A6A5])
    assert "<01> <0041>" in cmap
    assert "<02> <5F20>" in cmap
    assert "<03> <D842DFB7>" in cmap
    assert "<04> <D869DEA5>" in cmap
    from reportlab.pdfbase import ttfonts

    assert ttfonts.makeToUnicodeCMap is fonts._to_unicode_cmap
    fonts.install_tounicode_fix()  # idempotent
    assert ttfonts.makeToUnicodeCMap is fonts._to_unicode_cmap


def test_reportlab_still_writes_code_points_for_non_bmp():
    """Tells when a reportlab upgrade makes our ToUnicode fix unnecessary."""
    original = fonts.REPORTLAB_TO_UNICODE_CMAP("X", [0, 0x20BB7])
    if "<D842DFB7>" in original:
        pytest.skip("this reportlab writes surrogate pairs itself: the fix in fonts.py can go")
    assert "<20BB7>" in original


@needs_poppler
def test_non_bmp_text_extracts_exactly(tmp_path):
    """A PDF's text layer gives back every character, beyond the basic plane included."""
    from reportlab.pdfgen.canvas import Canvas

    fonts.ensure_registered()
    text = "吉𠮷𪚥龘阿依古丽·买买提" + "".join(EXT_B_ONLY)
    path = tmp_path / "rare.pdf"
    canv = Canvas(str(path), initialFontName=fonts.PRIMARY)
    x = 40
    for name, run in fonts.split_runs(text):
        canv.setFont(name, 16)
        canv.drawString(x, 700, run)
        x += fonts.pdfmetrics.stringWidth(run, name, 16)
    canv.save()
    assert pdftotext(path).strip() == text


# --------------------------------------------------------------------------------------
# Documents: text layer
# --------------------------------------------------------------------------------------

@needs_poppler
@pytest.mark.parametrize("kind,paper", ALL)
def test_text_layer_has_everything(rendered, kind, paper):
    data = sample_document(kind)
    path = rendered[kind, paper, False]
    text = squash(pdftotext(path))
    for needle in [
        document_title(data), RARE_NAME, data.case_no, data.doc_no, data.item_name,
        data.item_code, data.item_body, data.applicant_id_number, data.applicant_phone,
        data.applicant_address, data.office_name, data.clerk_name, "申请人（签收）",
        "12345", data.complaint_phone,
    ]:
        assert squash(needle) in text, needle
    if kind in ("notice", "receipt"):
        assert format_date(data.due_date) in text
        assert "法定时限：20个工作日" in text and "承诺时限：5个工作日" in text
    if kind == "notice":
        for line in data.missing:
            assert squash(line.name) in text
            assert squash(line.note) in text
        assert "一次性告知" in text and "予以受理" in text
    if kind == "receipt":
        for line in data.received:
            assert squash(line.name) in text
    if kind == "refusal":
        assert squash(data.refusal_reason) in text
        assert squash(data.refusal_redirect) in text
        assert "行政复议" in text and "行政诉讼" in text
    if paper == "r80":
        assert page_count(path) == 1


@needs_poppler
@pytest.mark.parametrize("kind,paper", ALL)
def test_rare_names_extract_exactly(tmp_path, kind, paper):
    data = sample_document(kind)
    for name in ["𠮷𪚥龘", "阿依古丽·买买提", "龘" + "".join(EXT_B_ONLY)]:
        data.applicant_name = name
        path = tmp_path / "doc.pdf"
        write_pdf(data, path, paper)
        text = pdftotext(path)
        assert f"{name}：" in text  # the salutation line, exactly as given
        assert text.count(name) >= 2  # and in the applicant's row


@needs_poppler
@pytest.mark.parametrize("kind,paper", ALL)
def test_fonts_are_embedded(rendered, kind, paper):
    out = subprocess.run(["pdffonts", str(rendered[kind, paper, True])],
                         check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    names = []
    for row in rows:
        parts = row.split()
        names.append(parts[0].split("+")[-1])
        # columns: name type [type...] encoding emb sub uni object ID
        emb = parts[-5]
        assert emb == "yes", row
    assert "ClerkSansSC-Regular" in names
    assert "ClerkMinExtA-Regular" in names  # 𪚥 in the long name
    assert not any(n.startswith(("Helvetica", "Times", "Courier")) for n in names), names


# --------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------

def zbar_decode(pdf: Path, tmp_path: Path) -> list[str]:
    stem = tmp_path / f"{pdf.stem}-scan"
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(stem)], check=True)
    result = subprocess.run(["zbarimg", "-q", f"{stem}.png"], capture_output=True, text=True)
    return result.stdout.splitlines()


@needs_poppler
@needs_zbar
@pytest.mark.parametrize("kind,paper", ALL)
def test_qr_and_barcode_decode_to_case_number(rendered, tmp_path, kind, paper):
    case_no = sample_document(kind).case_no
    found = zbar_decode(rendered[kind, paper, False], tmp_path)
    assert f"QR-Code:{case_no}" in found, found
    assert f"CODE-128:{case_no}" in found, found


@needs_poppler
@needs_zbar
def test_qr_carries_follow_up_url(tmp_path):
    data = sample_document("receipt")
    data.follow_up_url = "https://zwfw.example.cn/query"
    assert qr_payload(data) == f"https://zwfw.example.cn/query?case={data.case_no}"
    data.follow_up_url = "https://zwfw.example.cn/q/{case_no}"
    assert qr_payload(data) == f"https://zwfw.example.cn/q/{data.case_no}"
    path = tmp_path / "url.pdf"
    write_pdf(data, path, "r80")
    found = zbar_decode(path, tmp_path)
    assert f"QR-Code:https://zwfw.example.cn/q/{data.case_no}" in found
    assert f"CODE-128:{data.case_no}" in found


def test_barcode_fits_the_roll_with_a_long_case_number():
    from reportlab.graphics.barcode.code128 import Code128

    from clerk_app.forms.documents import _barcode

    data = sample_document("receipt")
    data.case_no = "101000-07-261203-0042-5-ABCDEFGHIJ"
    lay = LAYOUTS["r80"]
    code = _barcode(data, lay.frame_width, lay.bar_height, printer=True)
    assert isinstance(code, Code128)
    assert code.width <= lay.frame_width + 0.01
    ordinary = _barcode(sample_document("receipt"), lay.frame_width, lay.bar_height, printer=True)
    assert ordinary.barWidth in (0.375 * 72 / 25.4, 0.25 * 72 / 25.4)  # whole printer dots


# --------------------------------------------------------------------------------------
# Long text wraps, nothing leaves the page
# --------------------------------------------------------------------------------------

def test_long_sample_is_as_long_as_promised():
    assert len(LONG_NAME) == 60
    assert sum(1 for c in LONG_NAME if ord(c) > 0xFFFF) >= 2
    assert len(sample_document("notice", long_text=True).applicant_address) == 150


@needs_poppler
@pytest.mark.parametrize("kind,paper", ALL)
def test_long_text_wraps_and_stays_on_the_page(rendered, kind, paper):
    data = sample_document(kind, long_text=True)
    path = rendered[kind, paper, True]
    text = squash(pdftotext(path))
    assert squash(LONG_NAME) in text
    assert squash(data.applicant_address) in text
    assert squash(data.item_code) in text
    for line in [*data.missing, *data.received]:
        assert squash(line.name) in text
        if line.note:
            assert squash(line.note) in text
    lay = LAYOUTS[paper]
    for attrs, words in words_with_boxes(path):
        assert words
        for x_min, y_min, x_max, y_max, word in words:
            assert x_min >= lay.margin_x - 0.5, (word, x_min)
            # a comma may hang into the right margin by one character, never off the paper
            assert x_max <= attrs["width"] - lay.margin_x + lay.body + 0.5, (word, x_max)
            assert x_max <= attrs["width"] - 2, (word, x_max)
            assert 0 <= y_min and y_max <= attrs["height"], (word, y_min, y_max)
    if paper == "r80":
        assert page_count(path) == 1


@needs_poppler
def test_many_materials_flow_onto_more_a4_pages_and_one_long_roll(tmp_path):
    data = sample_document("notice")
    data.missing = [
        MaterialLine(f"第{i}号证明材料（村民委员会出具）", "原件", 1, f"未提供：需原件1份（第{i}项）", "missing")
        for i in range(1, 41)
    ]
    a4 = tmp_path / "many-a4.pdf"
    write_pdf(data, a4, "a4")
    pages = page_count(a4)
    assert pages >= 2
    text = pdftotext(a4)
    assert f"第1页共{pages}页" in squash(text) and f"第{pages}页共{pages}页" in squash(text)
    assert all(squash(line.note) in squash(text) for line in data.missing)
    roll = tmp_path / "many-r80.pdf"
    write_pdf(data, roll, "r80")
    assert page_count(roll) == 1
    assert all(squash(line.note) in squash(pdftotext(roll)) for line in data.missing)


def _notice_with(lines: int, note_length: int) -> DocumentData:
    data = sample_document("notice")
    data.missing = [
        MaterialLine(f"第{i}项证明材料", "原件", 1, "有误：" + "请补充家庭成员签字并附银行流水" * note_length,
                     "wrong")
        for i in range(1, lines + 1)
    ]
    return data


@needs_poppler
def test_the_signature_line_never_stands_alone_on_a_page(tmp_path):
    """However long the list, the last page holds the follow-up (case number, QR) together
    with the contacts and the signature lines, and one sheet is used where one can do."""
    path = tmp_path / "n.pdf"
    seen_one_page = seen_more = False
    for lines in range(1, 12):
        write_pdf(_notice_with(lines, 3), path, "a4")
        pages = page_count(path)
        seen_one_page |= pages == 1
        seen_more |= pages > 1
        last = squash(pdftotext(path, "-f", str(pages), "-l", str(pages)))
        assert "申请人（签收）" in last
        assert "办件编号：" in last and "投诉电话" in last, (lines, pages)
        if pages > 1:
            first = squash(pdftotext(path, "-f", "1", "-l", "1"))
            assert "申请人（签收）" not in first
    assert seen_one_page and seen_more


@needs_poppler
def test_a_notice_that_just_spills_over_is_tightened_onto_one_page(tmp_path, monkeypatch):
    from clerk_app.forms import documents

    path = tmp_path / "n.pdf"

    def pages_of(data: DocumentData) -> int:
        write_pdf(data, path, "a4")
        return page_count(path)

    candidates = [_notice_with(lines, 1) for lines in range(4, 9)]
    tightened = [pages_of(d) for d in candidates]
    monkeypatch.setattr(documents, "_tight", lambda lay: lay)  # no tightening
    plain = [pages_of(d) for d in candidates]
    # some list spills onto a second sheet at the normal spacing and fits one tightened
    assert any(p == 2 and t == 1 for p, t in zip(plain, tightened)), (plain, tightened)
    assert all(t <= p for p, t in zip(plain, tightened))
    # the type stays the same size: only the margins and the codes give
    monkeypatch.undo()
    tight = documents._tight(LAYOUTS["a4"])
    assert tight.body == LAYOUTS["a4"].body and tight.leading == LAYOUTS["a4"].leading
    assert tight.qr_size >= 20 * 72 / 25.4  # still scans


def test_type_is_large_enough_for_elderly_readers():
    assert LAYOUTS["a4"].body >= 11
    assert LAYOUTS["r80"].body >= 9
    for paper, minimum in (("a4", 10), ("r80", 9)):
        assert all(style.fontSize >= minimum for style in _styles(paper).values()), paper
    assert all(s.fontSize >= 11 for n, s in _styles("a4").items() if n != "small")


def test_roll_width_and_printable_area():
    lay = LAYOUTS["r80"]
    assert abs(lay.page_width - 80 * 72 / 25.4) < 0.01
    assert abs(lay.frame_width - 72 * 72 / 25.4) < 0.01


# --------------------------------------------------------------------------------------
# Variants
# --------------------------------------------------------------------------------------

@needs_poppler
@pytest.mark.parametrize("paper", PAPERS)
def test_variants(tmp_path, paper):
    path = tmp_path / "v.pdf"

    def text_of(data: DocumentData) -> str:
        write_pdf(data, path, paper)
        return squash(pdftotext(path))

    copy = sample_document("receipt", is_copy=True)
    text = text_of(copy)
    assert "补打副本" in text and "2026年12月5日09:30" in text

    supplement = sample_document("notice")
    supplement.notice_seq = 2
    supplement.notice_seq_reason = "申请人变更了申请事项"
    text = text_of(supplement)
    assert "补充告知" in text and "第2次告知" in text and "申请人变更了申请事项" in text

    spot = sample_document("receipt")
    spot.on_the_spot = True
    spot.legal_limit = spot.promised_limit = 0
    spot.due_date = None
    text = text_of(spot)
    assert "已当场办结" in text and "法定时限：即办" in text and "承诺时限：即办" in text

    estimated = sample_document("receipt")
    estimated.due_estimated = True
    estimated.due_date = dt.date(2027, 1, 8)
    assert "2027年1月8日（预计，节假日安排公布后可能调整）" in text_of(estimated)

    hostile = sample_document("notice")
    hostile.applicant_name = "<b>张&三</b>"
    hostile.missing[0] = dataclasses.replace(hostile.missing[0], name="户口簿 <首页> & 本人页")
    text = text_of(hostile)
    assert "<b>张&三</b>：" in text
    assert squash("户口簿 <首页> & 本人页") in text

    sparse = dataclasses.replace(sample_document("refusal"), refusal_redirect="", consult_phone="",
                                 complaint_phone="", service_point_phone="", fee="")
    assert "12345" in text_of(sparse)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        render_pdf(sample_document("receipt"), "a5")
    with pytest.raises(ValueError):
        render_pdf(dataclasses.replace(sample_document("receipt"), kind="letter"))


def test_pdf_bytes_and_write(tmp_path):
    pdf = render_pdf(sample_document("receipt"))
    assert pdf.startswith(b"%PDF-")
    target = tmp_path / "sub.pdf"
    write_pdf(sample_document("receipt"), target, "r80")
    assert target.read_bytes().startswith(b"%PDF-")
    assert not list(tmp_path.glob("*.part"))


def test_forms_never_import_qt():
    code = (
        "import sys\n"
        "import clerk_app.forms, clerk_app.forms.fonts, clerk_app.forms.samples\n"
        "from clerk_app.forms import render_pdf\n"
        "from clerk_app.forms.samples import sample_document\n"
        "render_pdf(sample_document('notice'), 'r80')\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])

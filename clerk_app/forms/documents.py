"""The counter's printed documents: 一次性告知书, 受理回执 (受理通知书), 不予受理通知书.

``render_pdf(data, paper)`` makes one PDF from a :class:`~clerk_app.forms.model.DocumentData`:

* ``"a4"``: A4 portrait, body 11.5 pt; a long list of materials flows onto further pages,
  each with the document number and "第 x 页 共 y 页" in its footer.
* ``"r80"``: an 80 mm receipt-printer roll, 72 mm printed width, body 9.5 pt; always one
  page whose height is computed from the content.

Every text goes through :func:`clerk_app.forms.fonts.para_markup`, so it is escaped and a
rare character the main font lacks is drawn with a fallback font; every field that comes
from a caller is set in a wrapping Paragraph, so long names, addresses and material names
wrap instead of running off the paper.
"""

from __future__ import annotations

import datetime
import io
import os
from dataclasses import dataclass, replace
from functools import lru_cache

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib import textsplit as _rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as _rl_paragraph

from clerk_app.forms import fonts
from clerk_app.forms.model import KINDS, PAPERS, DocumentData, MaterialLine

# Line-breaking rule for Chinese punctuation. reportlab's CJK wrapping keeps a character
# listed in ALL_CANNOT_START at the end of the line (hanging into the margin) instead of
# starting the next line with it. That list comes from Japanese typesetting and lacks the
# full-width comma, semicolon, colon, question and exclamation marks, the closing book-title
# marks and the closing quotes of Chinese, so a line could start with "，". Both functions
# that wrap CJK text read the list as a module global (lib/textsplit.py wordSplit for a
# one-font paragraph, platypus/paragraph.py cjkFragSplit for mixed fonts), so the missing
# characters are appended to both. Text without them wraps exactly as before.
_CHINESE_CANNOT_START = "，；：！？》〉”’…"


def _add_chinese_line_break_rules() -> None:
    for module in (_rl_textsplit, _rl_paragraph):
        missing = "".join(ch for ch in _CHINESE_CANNOT_START if ch not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing


_add_chinese_line_break_rules()

TITLES = {
    "notice": "一次性告知书",
    "receipt": "受理回执（受理通知书）",
    "refusal": "不予受理通知书",
}
# How the document calls itself in running text ("本告知书一式两联").
SHORT_NAMES = {"notice": "告知书", "receipt": "回执", "refusal": "通知书"}

HOTLINE = "12345"
ESTIMATED_NOTE = "（预计，节假日安排公布后可能调整）"
PROBLEM_LABELS = {"missing": "未提供", "wrong": "有误"}
# Paragraph collapses every run of white space, the ideographic space U+3000 included, into
# one narrow space; no-break spaces keep a visible gap between fields on one line.
GAP = "\u00a0" * 4

INK = colors.black
RULE = colors.Color(0.35, 0.35, 0.35)
SHADE = colors.Color(0.92, 0.92, 0.92)


# --------------------------------------------------------------------------------------
# Paper sizes
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    paper: str
    page_width: float
    margin_x: float
    margin_top: float
    margin_bottom: float
    body: float          # body text size, pt
    leading: float
    heading: float
    title: float
    office: float
    small: float
    qr_size: float
    bar_height: float
    label_width: float   # first column of the information table

    @property
    def frame_width(self) -> float:
        return self.page_width - 2 * self.margin_x

    @property
    def wide(self) -> bool:
        return self.paper == "a4"


LAYOUTS = {
    "a4": Layout(
        paper="a4", page_width=A4[0], margin_x=18 * mm, margin_top=12 * mm,
        margin_bottom=16 * mm, body=11.5, leading=15.8, heading=13, title=23, office=13.5,
        small=10, qr_size=30 * mm, bar_height=11 * mm, label_width=27 * mm,
    ),
    "r80": Layout(
        paper="r80", page_width=80 * mm, margin_x=4 * mm, margin_top=3 * mm,
        margin_bottom=6 * mm, body=9.5, leading=13.5, heading=10.5, title=15.5, office=10,
        small=9, qr_size=30 * mm, bar_height=10 * mm, label_width=17 * mm,
    ),
}

# Bar widths that a 203 dpi receipt printer (8 dots per mm) draws exactly: 3 and 2 dots.
_PRINTER_BAR_WIDTHS = (0.375 * mm, 0.25 * mm)
_A4_BAR_WIDTH = 0.33 * mm


@lru_cache(maxsize=None)
def _styles(paper: str) -> dict[str, ParagraphStyle]:
    lay = LAYOUTS[paper]
    font = fonts.PRIMARY
    body = ParagraphStyle(
        f"{paper}-body", fontName=font, fontSize=lay.body, leading=lay.leading,
        wordWrap="CJK", alignment=TA_LEFT, textColor=INK, spaceAfter=lay.body * 0.3,
    )

    def derive(name: str, **kw) -> ParagraphStyle:
        return ParagraphStyle(f"{paper}-{name}", parent=body, **kw)

    return {
        "body": body,
        "indent": derive("indent", firstLineIndent=2 * lay.body),
        "cell": derive("cell", spaceAfter=0),
        "cell_center": derive("cell_center", spaceAfter=0, alignment=TA_CENTER),
        "small": derive("small", fontSize=lay.small, leading=lay.small * 1.4),
        "right": derive("right", alignment=TA_RIGHT, spaceAfter=0),
        "stamp": derive("stamp", alignment=TA_CENTER, spaceAfter=lay.body * 0.2),
        "office": derive(
            "office", fontSize=lay.office, leading=lay.office * 1.35, alignment=TA_CENTER,
            spaceAfter=lay.office * 0.2,
        ),
        "title": derive(
            "title", fontSize=lay.title, leading=lay.title * 1.3, alignment=TA_CENTER,
            spaceBefore=lay.title * 0.1, spaceAfter=lay.title * 0.25,
        ),
        "subtitle": derive(
            "subtitle", fontSize=lay.heading, leading=lay.heading * 1.35, alignment=TA_CENTER,
        ),
        "heading": derive(
            "heading", fontSize=lay.heading, leading=lay.heading * 1.35,
            spaceBefore=lay.heading * 0.45, spaceAfter=lay.heading * 0.2, keepWithNext=1,
        ),
        "item": derive("item", leftIndent=1.6 * lay.body, firstLineIndent=-1.6 * lay.body,
                       spaceAfter=0),
        "item_note": derive("item_note", leftIndent=1.6 * lay.body,
                            spaceAfter=lay.body * 0.45),
        "banner": derive("banner", alignment=TA_CENTER, spaceAfter=0),
    }


# --------------------------------------------------------------------------------------
# Flowables
# --------------------------------------------------------------------------------------

class StrongParagraph(Paragraph):
    """A Paragraph drawn with fill + stroke (text render mode 2): bold from one font file."""

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(self.style.textColor)
        canv.setLineWidth(self.style.fontSize * 0.035)
        canv.addLiteral("2 Tr")  # text state operator; the Q of restoreState undoes it
        super().draw()
        canv.restoreState()


def _para(text: str, style: ParagraphStyle, strong: bool = False) -> Paragraph:
    cls = StrongParagraph if strong else Paragraph
    return cls(fonts.para_markup(text, style.fontName), style)


class Rule(Flowable):
    """A horizontal line across the frame."""

    def __init__(self, thickness: float = 0.6, space: float = 4, dash: tuple | None = None):
        super().__init__()
        self.thickness = thickness
        self.space = space
        self.dash = dash

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.thickness + 2 * self.space

    def draw(self):
        canv = self.canv
        canv.setStrokeColor(RULE)
        canv.setLineWidth(self.thickness)
        if self.dash:
            canv.setDash(*self.dash)
        y = self.space + self.thickness / 2
        canv.line(0, y, self.width, y)


# --------------------------------------------------------------------------------------
# Text pieces
# --------------------------------------------------------------------------------------

def format_date(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def format_datetime(value: datetime.datetime) -> str:
    return f"{format_date(value)} {value.hour:02d}:{value.minute:02d}"


def format_limit(days: int) -> str:
    return "即办" if days <= 0 else f"{days} 个工作日"


def limits_fields(data: DocumentData) -> list[str]:
    return [f"法定时限：{format_limit(data.legal_limit)}",
            f"承诺时限：{format_limit(data.promised_limit)}"]


def due_line(data: DocumentData) -> str:
    if data.due_date is None:
        return ""
    note = ESTIMATED_NOTE if data.due_estimated else ""
    return f"{format_date(data.due_date)}{note}"


def copies_note(data: DocumentData) -> str:
    return f"本{SHORT_NAMES[data.kind]}一式两联，申请人和服务点各执一联。"


def document_title(data: DocumentData) -> str:
    title = TITLES[data.kind]
    if data.kind == "notice" and data.notice_seq > 1:
        title = "一次性告知书（补充告知）"
    return title


def qr_payload(data: DocumentData) -> str:
    """What the QR code holds: the case number, or the follow-up address carrying it."""
    url = data.follow_up_url.strip()
    if not url:
        return data.case_no
    if "{case_no}" in url:
        return url.replace("{case_no}", data.case_no)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}case={data.case_no}"


def _material_problem(line: MaterialLine) -> str:
    return PROBLEM_LABELS.get(line.problem, "需补正")


def _material_need(line: MaterialLine) -> str:
    """What the citizen must bring for ``line`` (notice), without repeating the problem word."""
    note = line.note.strip()
    if not note:
        parts = [line.form or "", f"{line.copies}份" if line.copies else ""]
        note = "需提供" + "".join(p for p in parts if p)
    return note


def _material_form(line: MaterialLine) -> str:
    form = line.form or "—"
    return f"{form} {line.copies}份" if line.copies else form


def _opening(data: DocumentData) -> str:
    when = format_date(data.issued_at)
    item = f"“{data.item_name}”"
    if data.kind == "notice":
        if data.notice_seq > 1:
            reason = data.notice_seq_reason.strip() or "出现了新的情况"
            return (
                f"您（单位）于{when}申请办理的{item}事项，本服务点已出具一次性告知书。"
                f"因{reason}，现补充告知如下（第{data.notice_seq}次告知）。"
            )
        return (
            f"您（单位）申请办理的{item}事项，经审查，申请材料不齐全或者不符合法定形式。"
            "现将需要补齐、更正的全部材料一次性告知如下。"
        )
    if data.kind == "receipt":
        text = (
            f"您（单位）于{when}提交的{item}申请，经审查，申请材料齐全、符合法定形式，"
            "本服务点决定予以受理。"
        )
        if data.on_the_spot:
            text += "该事项为即办件，已当场办结。"
        return text
    return f"您（单位）于{when}申请办理的{item}事项，经审查，本服务点决定不予受理。"


# --------------------------------------------------------------------------------------
# Story
# --------------------------------------------------------------------------------------

_SECTION_NUMBERS = "一二三四五六七八九十"


class _Sections:
    def __init__(self, style: ParagraphStyle):
        self.style = style
        self.count = 0

    def __call__(self, text: str) -> Paragraph:
        number = _SECTION_NUMBERS[self.count] if self.count < 10 else str(self.count + 1)
        self.count += 1
        return _para(f"{number}、{text}", self.style, strong=True)


def _fields(items: list[str], lay: Layout, style: ParagraphStyle) -> list[Paragraph]:
    """Short "label：value" items: on one line with gaps on A4, one per line on a roll."""
    items = [item for item in items if item]
    if not items:
        return []
    if lay.wide:
        return [_para(GAP.join(items), style)]
    return [_para(item, style) for item in items]


def _table_style(commands: list) -> TableStyle:
    # A Table sets each cell's font before drawing it, even a cell that holds only
    # Paragraphs, and its default is Helvetica, which would then appear (not embedded) in
    # the PDF's fonts. Naming our font keeps every font in the PDF embedded.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.PRIMARY), *commands])


def _grid_style(lay: Layout, header: bool) -> TableStyle:
    pad = 2.5 if lay.wide else 2
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 1.1),
        ("GRID", (0, 0), (-1, -1), 0.6, RULE),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    return _table_style(commands)


def _id_value(data: DocumentData, width: float | None = None, size: float = 0) -> str:
    """The ID type and number; the number goes on a line of its own rather than break in a
    cell of ``width`` points (a number split across two lines is misread)."""
    if not data.applicant_id_label:
        return data.applicant_id_number
    one_line = f"{data.applicant_id_label} {data.applicant_id_number}"
    if width is not None and fonts.string_width(one_line, size) > width:
        return f"{data.applicant_id_label}\n{data.applicant_id_number}"
    return one_line


def _date_label(data: DocumentData) -> str:
    return {"notice": "告知时间", "receipt": "受理时间", "refusal": "出具时间"}[data.kind]


def _info_rows(data: DocumentData, value_width: float, size: float) -> list[tuple[str, str]]:
    rows = [
        ("办件编号", data.case_no),
        ("申请人", data.applicant_name),
        ("证件号码", _id_value(data, value_width, size)),
        ("联系电话", data.applicant_phone),
        ("联系地址", data.applicant_address),
        ("申请事项", data.item_name),
        ("实施编码", data.item_code),
        ("实施主体", data.item_body),
        (_date_label(data), format_datetime(data.issued_at)),
    ]
    return [(label, value) for label, value in rows if value]


def _info_table(data: DocumentData, lay: Layout, st: dict) -> Table:
    if lay.wide:
        return _info_grid(data, lay, st)
    value_width = lay.frame_width - lay.label_width
    rows = [
        [_para(label, st["cell"]), _para(value, st["cell"])]
        for label, value in _info_rows(data, value_width - 2, st["cell"].fontSize)
    ]
    table = Table(rows, colWidths=[lay.label_width, value_width])
    table.setStyle(_table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 0.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def _info_grid(data: DocumentData, lay: Layout, st: dict) -> Table:
    """A4: label | value | label | value, long values spanning the three value columns."""
    cell = st["cell"]

    def label(text):
        return _para(text, cell, strong=True)

    side = lay.label_width
    value_width = (lay.frame_width - 2 * side) / 2
    first_value = value_width + 6 * mm  # the left value column, less the cell's paddings below
    pairs = [
        (("办件编号", data.case_no), ("经办人", data.clerk_name)),
        (("申请人", data.applicant_name), ("联系电话", data.applicant_phone)),
        (("证件号码", _id_value(data, first_value - 2 * 2.5 - 1, cell.fontSize)),
         (_date_label(data), format_datetime(data.issued_at))),
    ]
    singles = [
        ("联系地址", data.applicant_address),
        ("申请事项", data.item_name),
        ("实施编码", data.item_code),
        ("实施主体", data.item_body),
    ]
    rows = []
    spans = []
    for (l1, v1), (l2, v2) in pairs:
        rows.append([label(l1), _para(v1, cell), label(l2), _para(v2, cell)])
    for text, value in singles:
        spans.append(len(rows))
        rows.append([label(text), _para(value, cell), "", ""])
    table = Table(rows, colWidths=[side, first_value, side, value_width - 6 * mm])
    style = _grid_style(lay, header=False)
    style.add("BACKGROUND", (0, 0), (0, -1), SHADE)
    style.add("BACKGROUND", (2, 0), (2, len(pairs) - 1), SHADE)
    for row in spans:
        style.add("SPAN", (1, row), (3, row))
    table.setStyle(style)
    return table


def _missing_flowables(data: DocumentData, lay: Layout, st: dict) -> list[Flowable]:
    lines = data.missing
    if not lines:
        return [_para("（无）", st["body"])]
    if lay.wide:
        header = [_para(t, st["cell_center"], strong=True)
                  for t in ("序号", "材料名称", "情况", "需要提供的材料及原因")]
        rows = [header]
        for number, line in enumerate(lines, 1):
            rows.append([
                _para(str(number), st["cell_center"]),
                _para(line.name, st["cell"]),
                _para(_material_problem(line), st["cell_center"]),
                _para(_material_need(line), st["cell"]),
            ])
        widths = [11 * mm, 58 * mm, 17 * mm]
        widths.append(lay.frame_width - sum(widths))
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(_grid_style(lay, header=True))
        return [table]
    out: list[Flowable] = []
    for number, line in enumerate(lines, 1):
        out.append(_para(f"{number}．{line.name}", st["item"], strong=True))
        problem = _material_problem(line)
        need = _material_need(line)
        if not need.startswith(problem):
            need = f"【{problem}】{need}"
        out.append(_para(need, st["item_note"]))
    return out


def _received_flowables(data: DocumentData, lay: Layout, st: dict) -> list[Flowable]:
    lines = data.received
    if not lines:
        return [_para("（无）", st["body"])]
    if lay.wide:
        header = [_para(t, st["cell_center"], strong=True)
                  for t in ("序号", "材料名称", "形式", "份数", "说明")]
        rows = [header]
        for number, line in enumerate(lines, 1):
            rows.append([
                _para(str(number), st["cell_center"]),
                _para(line.name, st["cell"]),
                _para(line.form or "—", st["cell_center"]),
                _para(str(line.copies), st["cell_center"]),
                _para(line.note, st["cell"]),
            ])
        widths = [11 * mm, 66 * mm, 27 * mm, 13 * mm]
        widths.append(lay.frame_width - sum(widths))
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(_grid_style(lay, header=True))
        return [table]
    out: list[Flowable] = []
    for number, line in enumerate(lines, 1):
        out.append(_para(f"{number}．{line.name}", st["item"], strong=True))
        detail = _material_form(line)
        if line.note:
            detail = f"{detail}；{line.note}"
        out.append(_para(detail, st["item_note"]))
    return out


def _barcode(data: DocumentData, avail_width: float, height: float, printer: bool) -> Flowable:
    probe = Code128(data.case_no, barWidth=1, humanReadable=False, quiet=1, lquiet=10, rquiet=10)
    modules = probe.width  # bar modules + 2 x 10 modules of quiet zone
    if printer:
        fitting = [w for w in _PRINTER_BAR_WIDTHS if w * modules <= avail_width]
        bar = fitting[0] if fitting else avail_width / modules
    else:
        bar = min(_A4_BAR_WIDTH, avail_width / modules)
    code = Code128(
        data.case_no, barWidth=bar, barHeight=height, humanReadable=False,
        quiet=1, lquiet=10 * bar, rquiet=10 * bar,
    )
    code.hAlign = "CENTER" if printer else "LEFT"
    return code


def _qr(data: DocumentData, size: float) -> QrCode:
    code = QrCode(qr_payload(data), width=size, height=size, qrLevel="M", qrBorder=4)
    code.hAlign = "CENTER"
    return code


def _follow_up(data: DocumentData, lay: Layout, st: dict) -> list[Flowable]:
    how = (
        "凭办件编号到本服务点"
        + (f"或拨打 {data.service_point_phone} " if data.service_point_phone else "")
        + "查询办理进度，也可扫描二维码"
        + (f"或访问 {qr_payload(data)} " if data.follow_up_url.strip() else "")
        + "查询。再次来办时请带上本"
        + SHORT_NAMES[data.kind] + "，扫描条形码即可调出办件。"
    )
    case_line = _para(f"办件编号：{data.case_no}", st["body"], strong=True)
    if lay.wide:
        text_width = lay.frame_width - lay.qr_size - 4 * mm
        barcode = _barcode(data, text_width, lay.bar_height, printer=False)
        right = [case_line, _para(how, st["body"]), Spacer(1, 2), barcode]
        table = Table([[_qr(data, lay.qr_size), right]],
                      colWidths=[lay.qr_size + 4 * mm, text_width])
        table.setStyle(_table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]))
        return [table]
    return [
        case_line,
        _para(how, st["body"]),
        _qr(data, lay.qr_size),
        Spacer(1, 1 * mm),
        _barcode(data, lay.frame_width, lay.bar_height, printer=True),
        _para(data.case_no, st["cell_center"]),
    ]


def _contacts(data: DocumentData, lay: Layout, st: dict) -> list[Flowable]:
    out = []
    point = data.service_point_name  # its phone is in the follow-up text above
    if data.service_point_address:
        point += f"（{data.service_point_address}）"
    if point:
        out.append(_para(f"服务点：{point}", st["body"]))
    phones = []
    if data.consult_phone:
        phones.append(f"咨询电话：{data.consult_phone}")
    complaint = data.complaint_phone or HOTLINE
    phones.append(f"投诉电话：{complaint}")
    if HOTLINE not in (data.consult_phone, data.complaint_phone):
        phones.append(f"政务服务便民热线：{HOTLINE}")
    out.extend(_fields(phones, lay, st["body"]))
    return out


def _signatures(data: DocumentData, lay: Layout, st: dict) -> list[Flowable]:
    date_word = {"notice": "告知", "receipt": "受理", "refusal": "出具"}[data.kind]
    clerk = _fields([f"经办人：{data.clerk_name}",
                     f"{date_word}时间：{format_datetime(data.issued_at)}"], lay, st["body"])
    sign_name = _para("申请人（签收）：" + "＿" * 7, st["body"])
    sign_date = _para("日期：＿＿＿＿年＿＿月＿＿日", st["body"])
    if not lay.wide:
        return [*clerk, Spacer(1, lay.body * 0.8), sign_name, Spacer(1, lay.body * 0.4), sign_date]
    left = [sign_name, Spacer(1, lay.body * 0.5), sign_date]
    right = [
        _para(f"{data.office_name or data.service_point_name}（盖章）", st["stamp"]),
        Spacer(1, lay.body * 0.5),
        _para(format_date(data.issued_at), st["stamp"]),
    ]
    split = lay.frame_width * 0.48
    table = Table([[left, right]], colWidths=[split, lay.frame_width - split])
    table.setStyle(_table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (0, 0), 0),
        ("TOPPADDING", (1, 0), (1, 0), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return [table]


def _copy_banner(data: DocumentData, lay: Layout, st: dict) -> Table:
    when = format_datetime(data.reprint_at) if data.reprint_at else "（未记录）"
    text = f"补打副本{GAP}原件出具：{format_datetime(data.issued_at)}{GAP}补打：{when}"
    table = Table([[_para(text, st["banner"], strong=True)]], colWidths=[lay.frame_width])
    table.setStyle(_table_style([
        ("BOX", (0, 0), (-1, -1), 1.6, INK),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    table.spaceAfter = lay.body * 0.5
    return table


def _tight(lay: Layout) -> Layout:
    """The same page with a smaller QR code and barcode and narrower top and bottom margins
    (never smaller type): tried when a document just spills onto another page."""
    return replace(lay, margin_top=lay.margin_top - 3 * mm, margin_bottom=lay.margin_bottom - 2 * mm,
                   qr_size=lay.qr_size * 0.8, bar_height=lay.bar_height * 0.8)


def build_story(data: DocumentData, paper: str, lay: Layout | None = None) -> list[Flowable]:
    """The flowables of one document, top to bottom."""
    lay = lay or LAYOUTS[paper]
    st = _styles(paper)
    section = _Sections(st["heading"])
    story: list[Flowable] = []

    if data.is_copy:
        story.append(_copy_banner(data, lay, st))
    if data.office_name:
        story.append(_para(data.office_name, st["office"]))
    story.append(_para(document_title(data), st["title"], strong=True))
    if data.doc_no:
        story.append(_para(data.doc_no, st["right"]))
    story.append(Rule(thickness=1.2 if lay.wide else 0.8, space=3))

    story.append(_para(f"{data.applicant_name}：", st["body"]))
    story.append(_para(_opening(data), st["indent"]))

    story.append(section("基本信息"))
    story.append(_info_table(data, lay, st))

    if data.kind == "notice":
        story.append(section(f"需要补齐或更正的材料（共 {len(data.missing)} 项）"))
        story.extend(_missing_flowables(data, lay, st))
        story.append(section("补齐材料后的办理"))
        story.append(_para(
            "请按上述要求补齐、更正材料后再来提交；材料齐全、符合法定形式的，本服务点将予以"
            "受理并出具受理回执。以上为需要补正的全部内容，一次性告知：除申请事项变更或补交的"
            "材料出现新的问题外，不再要求您补正其他材料。", st["indent"]))
        story.extend(_fields([*limits_fields(data), "（自受理之日起计算）"], lay, st["body"]))
        terms = []
        if data.due_date is not None:
            terms.append(f"预计办结日期：{due_line(data)}")
        if data.fee:
            terms.append(f"收费标准：{data.fee}")
        story.extend(_fields(terms, lay, st["body"]))
    elif data.kind == "receipt":
        story.append(section(f"已收取的材料（共 {len(data.received)} 项）"))
        story.extend(_received_flowables(data, lay, st))
        story.append(section("办理时限"))
        terms = limits_fields(data)
        if data.fee:
            terms.append(f"收费标准：{data.fee}")
        story.extend(_fields(terms, lay, st["body"]))
        if data.on_the_spot:
            story.append(_para("办理结果：已当场办结", st["body"], strong=True))
        elif data.due_date is not None:
            story.append(_para(f"承诺办结日期：{due_line(data)}", st["body"], strong=True))
    else:
        story.append(section("不予受理的理由"))
        story.append(_para(data.refusal_reason or "（未填写）", st["indent"]))
        if data.refusal_redirect:
            story.append(section("建议办理途径"))
            story.append(_para(f"请向{data.refusal_redirect}申请办理。", st["indent"]))
        story.append(section("您的权利"))
        story.append(_para(
            "如对本决定不服，您可以自收到本通知书之日起六十日内依法申请行政复议，"
            "也可以自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。", st["indent"]))
        story.append(_para("您提交的申请材料已当场退还。", st["indent"]))

    if lay.wide:
        story.append(Spacer(1, lay.body * 0.6))
    else:
        story.append(section("查询与联系"))
    # on A4 the follow-up, the contacts and the signatures stay on one page: a signature
    # line alone on a last page is signed apart from what it confirms
    closing = [*_follow_up(data, lay, st), Spacer(1, lay.body * 0.4), *_contacts(data, lay, st),
               Rule(thickness=0.6, space=4, dash=(3, 2)), *_signatures(data, lay, st)]
    story.extend([KeepTogether(closing)] if lay.wide else closing)
    if not lay.wide:  # on A4 the page footer says it
        story.append(Spacer(1, lay.body * 0.6))
        story.append(_para(copies_note(data), st["small"]))
    return story


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------

def _draw_text(canv, x: float, y: float, text: str, size: float, align: str = "left",
               max_width: float | None = None) -> None:
    """Draw one line of plain text with fallback runs, shrunk to ``max_width`` if given."""
    width = fonts.string_width(text, size)
    if max_width and width > max_width:
        size *= max_width / width
        width = max_width
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    for name, run in fonts.split_runs(text):
        canv.setFont(name, size)
        canv.drawString(x, y, run)
        x += fonts.pdfmetrics.stringWidth(run, name, size)


def _metadata(canv, data: DocumentData) -> None:
    canv.setTitle(f"{document_title(data)} {data.case_no}")
    canv.setAuthor(data.service_point_name or data.office_name)
    canv.setSubject(data.item_name)
    canv.setCreator("clerk-app")


def _render_a4(data: DocumentData) -> bytes:
    page_w, page_h = A4
    total_pages = [0]
    base = lay = LAYOUTS["a4"]

    def on_page(canv, doc):
        canv.saveState()
        _metadata(canv, data)
        y = base.margin_bottom - 9 * mm  # the footer stays where printers print, tight or not
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(lay.margin_x, y + 4 * mm, page_w - lay.margin_x, y + 4 * mm)
        left = data.doc_no
        if data.is_copy:
            left = f"{left}（补打副本）" if left else "补打副本"
        right = copies_note(data)
        if total_pages[0] > 1:
            right += f"{GAP}第 {doc.page} 页 共 {total_pages[0]} 页"
        _draw_text(canv, lay.margin_x, y, left, lay.small, max_width=lay.frame_width * 0.38)
        _draw_text(canv, page_w - lay.margin_x, y, right, lay.small, "right",
                   max_width=lay.frame_width * 0.58)
        if doc.page > 1:  # continuation pages say what they continue
            top = page_h - lay.margin_top + 3 * mm
            head = f"{document_title(data)}（续）{GAP}办件编号：{data.case_no}"
            _draw_text(canv, lay.margin_x, top, head, lay.small, max_width=lay.frame_width * 0.8)
            if data.is_copy:
                _draw_text(canv, page_w - lay.margin_x, top, "补打副本", lay.small, "right")
        canv.restoreState()

    def build(lay: Layout) -> tuple[bytes, int]:
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer, pagesize=A4, leftMargin=lay.margin_x, rightMargin=lay.margin_x,
            topMargin=lay.margin_top, bottomMargin=lay.margin_bottom,
            title=f"{document_title(data)} {data.case_no}", creator="clerk-app",
            initialFontName=fonts.PRIMARY, initialFontSize=10,
        )
        frame = Frame(lay.margin_x, lay.margin_bottom, lay.frame_width,
                      page_h - lay.margin_top - lay.margin_bottom,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                      id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
        doc.build(build_story(data, "a4", lay))
        return buffer.getvalue(), doc.page

    pdf, pages = build(lay)
    if pages > 1:
        tight = _tight(lay)
        tight_pdf, tight_pages = build(tight)
        if tight_pages < pages:  # it just spilled over: one sheet less for the citizen
            lay, pdf, pages = tight, tight_pdf, tight_pages
    if pages > 1:  # second pass, now that "共 N 页" is known
        total_pages[0] = pages
        pdf, _ = build(lay)
    return pdf


def _render_r80(data: DocumentData) -> bytes:
    lay = LAYOUTS["r80"]
    width = lay.frame_width
    story = build_story(data, "r80")
    placed = []
    content_height = 0.0
    for flowable in story:
        w, h = flowable.wrap(width, 1e6)
        before, after = flowable.getSpaceBefore(), flowable.getSpaceAfter()
        placed.append((flowable, w, h, before, after))
        content_height += before + h + after
    page_h = lay.margin_top + content_height + lay.margin_bottom

    buffer = io.BytesIO()
    # Without initialFontName the page preamble names Helvetica, a font that is not
    # embedded (BaseDocTemplate above gets the same setting).
    canv = Canvas(buffer, pagesize=(lay.page_width, page_h),
                  initialFontName=fonts.PRIMARY, initialFontSize=10)
    _metadata(canv, data)
    y = page_h - lay.margin_top
    for flowable, w, h, before, after in placed:
        y -= before
        flowable.drawOn(canv, lay.margin_x, y - h, _sW=max(0.0, width - w))
        y -= h + after
    canv.showPage()
    canv.save()
    return buffer.getvalue()


def render_pdf(data: DocumentData, paper: str = "a4") -> bytes:
    """The document as PDF bytes. ``paper``: "a4" or "r80" (80 mm receipt roll)."""
    if data.kind not in KINDS:
        raise ValueError(f"unknown document kind {data.kind!r}; expected one of {KINDS}")
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; expected one of {PAPERS}")
    fonts.ensure_registered()
    if paper == "a4":
        return _render_a4(data)
    return _render_r80(data)


def write_pdf(data: DocumentData, path: str | os.PathLike[str], paper: str = "a4") -> None:
    """Render and write to ``path`` (through a temporary file, so a reader never sees half)."""
    pdf = render_pdf(data, paper)
    target = os.fspath(path)
    temp = f"{target}.part"
    with open(temp, "wb") as handle:
        handle.write(pdf)
    os.replace(temp, target)

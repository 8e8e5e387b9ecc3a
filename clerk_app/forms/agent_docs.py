"""Printed documents of the proxy agents (代办): certificate card, roster, proxy authorization,
handover sheet.

Same fonts, styles and helpers as the counter's documents (:mod:`clerk_app.forms.documents`):
every text goes through :func:`clerk_app.forms.fonts.para_markup`, so rare characters print
and the text layer extracts correctly; every caller's field wraps.

* :func:`render_agent_card` -- 代办员证: a card (front and back) on A4 with cut marks;
* :func:`render_roster` -- 代办员花名册, per village, ID numbers masked;
* :func:`render_authorization` -- 代办委托书 for the citizen and the agent to sign; this one
  carries both ID numbers in full, as an authorization must; with a receipt slip for the
  result (回交签收);
* :func:`render_handover_sheet` -- 代办材料交接单 with the signed QR code (and its text in
  groups of four, for typing when a code cannot be read).

Plain data in, PDF bytes out; no database, no Qt.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from clerk_app.forms import fonts
from clerk_app.forms.documents import (
    GAP,
    INK,
    LAYOUTS,
    RULE,
    SHADE,
    Rule,
    _draw_text,
    _grid_style,
    _para,
    _styles,
    _table_style,
    format_date,
    format_datetime,
)

LAY = LAYOUTS["a4"]
ACCENT = colors.Color(0.12, 0.37, 0.66)
CHECKED, UNCHECKED = "☑", "☐"


# --------------------------------------------------------------------------- data


@dataclass
class AgentCardData:
    office_name: str  # e.g. 长阳土家族自治县龙舟坪镇人民政府
    township_name: str  # e.g. 龙舟坪镇便民服务中心
    name: str
    agent_no: str
    sex: str
    phone: str
    villages: str  # served, as text
    start_date: datetime.date
    status_label: str
    photo: bytes | None = None
    hotline: str = "12345"
    township_phone: str = ""
    issued_on: datetime.date | None = None


@dataclass
class RosterRow:
    agent_no: str
    name: str
    sex: str
    id_masked: str
    phone: str
    villages: str
    start_date: datetime.date
    status_label: str


@dataclass
class RosterVillageData:
    village: str
    rows: list[RosterRow]


@dataclass
class RosterData:
    office_name: str
    township_name: str
    printed_at: datetime.datetime
    villages: list[RosterVillageData]


@dataclass
class AuthorizationData:
    commission_no: str
    office_name: str
    township_name: str
    principal_name: str
    principal_id_label: str
    principal_id_number: str  # in full: an authorization carries it
    principal_phone: str
    principal_address: str
    agent_name: str
    agent_no: str
    agent_id_label: str
    agent_id_number: str  # in full
    agent_phone: str
    item_name: str
    item_code: str
    scopes: list[tuple[str, bool]]  # (label, granted), in the fixed order of the scope list
    valid_from: datetime.date
    valid_until: datetime.date
    subdelegation: bool
    created_at: datetime.datetime
    materials: list[str] = field(default_factory=list)  # what the agent is to collect
    hotline: str = "12345"


@dataclass
class HandoverMaterial:
    name: str
    form: str
    copies: int
    state_label: str
    brought: bool


@dataclass
class HandoverLine:
    commission_no: str
    principal_name: str
    principal_id: str  # masked
    item_name: str
    collected_on: datetime.date | None
    due: datetime.date | None
    materials: list[HandoverMaterial]


@dataclass
class HandoverSheetData:
    sheet_no: str
    office_name: str
    township_name: str
    agent_name: str
    agent_no: str
    agent_phone: str
    agent_villages: str
    created_at: datetime.datetime
    qr_text: str
    mode: str  # full | digest
    lines: list[HandoverLine]
    handover_limit: int = 3
    is_copy: bool = False
    printed_at: datetime.datetime | None = None


# --------------------------------------------------------------------------- helpers


def _styles_extra() -> dict[str, ParagraphStyle]:
    st = _styles("a4")
    return st | {
        "mono": ParagraphStyle("a4-mono", parent=st["small"], fontName=fonts.PRIMARY, fontSize=8.6,
                               leading=11, wordWrap="CJK"),
        "tiny": ParagraphStyle("a4-tiny", parent=st["small"], fontSize=8, leading=10.5),
        "cell_small": ParagraphStyle("a4-cell-small", parent=st["cell"], fontSize=9.6, leading=12.6),
        "card": ParagraphStyle("card", parent=st["cell"], fontSize=8.8, leading=11.5),
        "card_title": ParagraphStyle("card-title", parent=st["cell"], fontSize=13, leading=15,
                                     textColor=colors.white),
        "card_small": ParagraphStyle("card-small", parent=st["cell"], fontSize=7.4, leading=9.6,
                                     textColor=colors.white),
        "card_body": ParagraphStyle("card-body", parent=st["cell"], fontSize=8.2, leading=11.8),
    }


def _qr(value: str, size: float) -> QrCode:
    code = QrCode(value, width=size, height=size, qrLevel="M", qrBorder=4)
    code.hAlign = "CENTER"
    return code


def _label_value_table(rows: list[tuple[str, str]], st: dict, label_width: float = 24 * mm,
                       columns: int = 2, width: float | None = None) -> Table:
    """label | value pairs in a grid, ``columns`` pairs a row, ``width`` wide (the frame's)."""
    cell = st["cell"]
    data = []
    for i in range(0, len(rows), columns):
        row = []
        for label, value in rows[i:i + columns]:
            row += [_para(label, cell, strong=True), _para(value, cell)]
        while len(row) < 2 * columns:
            row += ["", ""]
        data.append(row)
    value_width = ((width or LAY.frame_width) - columns * label_width) / columns
    table = Table(data, colWidths=[label_width, value_width] * columns)
    style = _grid_style(LAY, header=False)
    for c in range(0, 2 * columns, 2):
        style.add("BACKGROUND", (c, 0), (c, -1), SHADE)
    table.setStyle(style)
    return table


def _build(make_story: Callable[[], list[Flowable]], title: str, footer_left: str, author: str,
           footer_right: str = "") -> bytes:
    """An A4 document with the counter documents' margins and a footer on every page
    ("第 x 页 共 y 页" needs a second pass, with a fresh story)."""
    fonts.ensure_registered()
    page_w, page_h = A4
    total = [0]

    def on_page(canv, doc):
        canv.saveState()
        canv.setTitle(title)
        canv.setAuthor(author)
        canv.setCreator("clerk-app")
        y = LAY.margin_bottom - 9 * mm
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(LAY.margin_x, y + 4 * mm, page_w - LAY.margin_x, y + 4 * mm)
        right = footer_right
        if total[0] > 1:
            right = (right + GAP if right else "") + f"第 {doc.page} 页 共 {total[0]} 页"
        _draw_text(canv, LAY.margin_x, y, footer_left, LAY.small, max_width=LAY.frame_width * 0.45)
        if right:
            _draw_text(canv, page_w - LAY.margin_x, y, right, LAY.small, "right",
                       max_width=LAY.frame_width * 0.52)
        if doc.page > 1:
            _draw_text(canv, LAY.margin_x, page_h - LAY.margin_top + 3 * mm, f"{title}（续）",
                       LAY.small, max_width=LAY.frame_width * 0.8)
        canv.restoreState()

    def once() -> tuple[bytes, int]:
        buffer = io.BytesIO()
        doc = BaseDocTemplate(buffer, pagesize=A4, leftMargin=LAY.margin_x, rightMargin=LAY.margin_x,
                              topMargin=LAY.margin_top, bottomMargin=LAY.margin_bottom, title=title,
                              creator="clerk-app", initialFontName=fonts.PRIMARY, initialFontSize=10)
        frame = Frame(LAY.margin_x, LAY.margin_bottom, LAY.frame_width,
                      page_h - LAY.margin_top - LAY.margin_bottom, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0, id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
        doc.build(make_story())
        return buffer.getvalue(), doc.page

    pdf, pages = once()
    if pages > 1:
        total[0] = pages
        pdf, _pages = once()
    return pdf


def _heading(title: str, office: str, st: dict, number: str = "") -> list[Flowable]:
    out: list[Flowable] = []
    if office:
        out.append(_para(office, st["office"]))
    out.append(_para(title, st["title"], strong=True))
    if number:
        out.append(_para(number, st["right"]))
    out.append(Rule(thickness=1.2, space=3))
    return out


def _copy_banner(text: str, st: dict) -> Table:
    table = Table([[_para(text, st["banner"], strong=True)]], colWidths=[LAY.frame_width])
    table.setStyle(_table_style([("BOX", (0, 0), (-1, -1), 1.6, INK),
                                 ("TOPPADDING", (0, 0), (-1, -1), 3),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    table.spaceAfter = 6
    return table


def _signature_row(cells: list[list[str]], st: dict, width: float | None = None) -> Table:
    """Signature blocks side by side, each a few lines."""
    each = (width or LAY.frame_width) / len(cells)
    row = [[_para(text, st["body"]) for text in block] for block in cells]
    table = Table([row], colWidths=[each] * len(cells))
    table.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                                 ("TOPPADDING", (0, 0), (-1, -1), 0),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return table


CELL_PAD = 2.5  # left and right padding of a grid cell on A4 (documents._grid_style)


def _fits(text: str, size: float, width: float) -> bool:
    """True when ``text`` at ``size`` pt takes no more than ``width`` points (on one line)."""
    return fonts.string_width(text, size) <= width - 0.5


def _items(text: str) -> list[str]:
    """A list printed as 「甲、乙、丙」 back into its items."""
    return [x for x in (part.strip() for part in text.split("、")) if x]


def _item_lines(items: list[str], width: float, size: float, first_width: float | None = None) -> str:
    """``items`` joined with 、 in lines of at most ``width`` points (the first line at most
    ``first_width``), a line break only after a 、: a village name never breaks inside.
    An item wider than a whole line gets a line of its own (and only then wraps)."""
    lines: list[str] = []
    current = ""
    for i, item in enumerate(items):
        piece = item + ("、" if i < len(items) - 1 else "")
        limit = first_width if first_width is not None and not lines else width
        if current and not _fits(current + piece, size, limit):
            lines.append(current)
            current = piece
        else:
            current += piece
    if current:
        lines.append(current)
    return "\n".join(lines)


def _natural_width(texts: list[str], size: float, header: str = "", header_size: float = 0) -> float:
    """Width of a grid column that holds each of ``texts`` (and its header) on one line."""
    widest = max([fonts.string_width(t, size) for t in texts] +
                 [fonts.string_width(header, header_size) if header else 0])
    return widest + 2 * CELL_PAD + 1


def _stamp_lines(office: str, size: float, width: float) -> str | None:
    """「office（盖章）」 for a space ``width`` wide: on one line, or the office on one line and
    （盖章） under it; None when even the office's name does not fit (then give it a row)."""
    if _fits(f"{office}（盖章）", size, width):
        return f"{office}（盖章）"
    if _fits(office, size, width):
        return f"{office}\n（盖章）"
    return None


def _date_or_dash(value: datetime.date | None) -> str:
    return format_date(value) if value else "—"


# --------------------------------------------------------------------------- agent card


CARD_W, CARD_H = 85.6 * mm, 54 * mm


class _Card(Flowable):
    """One side of the agent's card, drawn at its real size with cut marks around it."""

    def __init__(self, data: AgentCardData, side: str, st: dict) -> None:
        super().__init__()
        self.data = data
        self.side = side
        self.st = st
        self.width, self.height = CARD_W, CARD_H

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def _marks(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.Color(0.55, 0.55, 0.55))
        c.setLineWidth(0.3)
        gap, length = 1.5 * mm, 4 * mm
        for x in (0, self.width):
            for y in (0, self.height):
                dx = -1 if x == 0 else 1
                dy = -1 if y == 0 else 1
                c.line(x + dx * gap, y, x + dx * (gap + length), y)
                c.line(x, y + dy * gap, x, y + dy * (gap + length))

    def draw(self) -> None:
        c = self.canv
        d = self.data
        self._marks()
        c.setStrokeColor(ACCENT)
        c.setLineWidth(0.8)
        c.roundRect(0, 0, self.width, self.height, 3 * mm, stroke=1, fill=0)
        band = 11 * mm
        c.setFillColor(ACCENT)
        path = c.beginPath()
        r = 3 * mm
        top = self.height
        path.moveTo(0, top - band)
        path.lineTo(0, top - r)
        path.arcTo(0, top - 2 * r, 2 * r, top, startAng=180, extent=-90)
        path.lineTo(self.width - r, top)
        path.arcTo(self.width - 2 * r, top - 2 * r, self.width, top, startAng=90, extent=-90)
        path.lineTo(self.width, top - band)
        path.close()
        c.drawPath(path, stroke=0, fill=1)
        title = _para("代办员证" if self.side == "front" else "代办员须知", self.st["card_title"], strong=True)
        tw, th = title.wrap(self.width * 0.45, band)
        title.drawOn(c, 4 * mm, top - band + (band - th) / 2)
        office = _para(d.township_name, self.st["card_small"])
        ow, oh = office.wrap(self.width * 0.5, band)
        office.drawOn(c, self.width - 4 * mm - min(ow, fonts.string_width(d.township_name, 7.4)),
                      top - band + (band - oh) / 2)
        if self.side == "front":
            self._front(top - band)
        else:
            self._back(top - band)

    def _front(self, top: float) -> None:
        c = self.canv
        d = self.data
        photo_w, photo_h = 20 * mm, 26 * mm
        px, py = 4 * mm, top - 3 * mm - photo_h
        if d.photo:
            try:
                c.drawImage(ImageReader(io.BytesIO(d.photo)), px, py, photo_w, photo_h,
                            preserveAspectRatio=True, anchor="c", mask="auto")
            except Exception:  # a broken photo must not stop the card
                d = AgentCardData(**{**d.__dict__, "photo": None})
        if not d.photo:
            c.setFillColor(colors.Color(0.95, 0.96, 0.97))
            c.setStrokeColor(colors.Color(0.7, 0.72, 0.75))
            c.rect(px, py, photo_w, photo_h, stroke=1, fill=1)
            c.setFillColor(colors.Color(0.5, 0.5, 0.5))
            _draw_text(c, px + photo_w / 2, py + photo_h / 2 - 2, "照片", 8, "center")
        c.setFillColor(INK)
        x = px + photo_w + 4 * mm
        width = self.width - x - 3 * mm
        start, bottom = top - 3 * mm, 2.5 * mm + 12 * mm + 1 * mm  # above the QR code
        base = self.st["card"]
        # The lines as large as they fit above the QR code (a long list of villages takes
        # lines); none is left out. The villages break only after a 、, under their label.
        for size in (base.fontSize, 8.4, 8.0, 7.6, 7.2, 6.8, 6.4):
            style = ParagraphStyle(f"card-{size}", parent=base, fontSize=size, leading=size * 1.3)
            label = "服务村组："
            indent = fonts.string_width(label, size)
            hanging = ParagraphStyle(f"card-hanging-{size}", parent=style, leftIndent=indent,
                                     firstLineIndent=-indent)
            villages = _item_lines(_items(d.villages), width - indent, size) or "—"
            paras = [_para(f"姓　　名：{d.name}", style), _para(f"编　　号：{d.agent_no}", style),
                     _para(label + villages, hanging), _para(f"联系电话：{d.phone}", style),
                     _para(f"聘用日期：{format_date(d.start_date)}", style)]
            gap = size * 0.09 * mm
            heights = [q.wrap(width, start)[1] for q in paras]
            if start - sum(heights) - gap * (len(paras) - 1) >= bottom:
                break
        y = start
        for q, h in zip(paras, heights):
            y -= h
            q.drawOn(c, x, y)
            y -= gap
        qr = QrCode(f"DBY:{d.agent_no}", width=12 * mm, height=12 * mm, qrLevel="M", qrBorder=1)
        qr.canv = c
        c.saveState()
        c.translate(self.width - 15 * mm, 2.5 * mm)
        qr.draw()
        c.restoreState()
        c.setFillColor(INK)
        status = _para(f"状态：{d.status_label}　发证：{format_date(d.issued_on or d.start_date)}",
                       self.st["card"])
        _w, h = status.wrap(self.width - 22 * mm, 10 * mm)
        status.drawOn(c, 4 * mm, 3 * mm)

    def _back(self, top: float) -> None:
        c = self.canv
        d = self.data
        pieces = [
            "一、代办员凭本证和群众签字的《代办委托书》办理委托事项，不收取任何费用。",
            "二、代办员只能在委托书载明的权限和期限内代办，收件后须在规定的工作日内交到乡镇便民服务中心。",
            "三、本证限本人使用，不得转借；离任时交回。",
            f"核实电话：{d.township_phone or d.hotline}　投诉电话：{d.hotline}",
        ]
        p = Paragraph("<br/>".join(fonts.para_markup(x) for x in pieces), self.st["card_body"])
        _w, h = p.wrap(self.width - 8 * mm, top)
        p.drawOn(c, 4 * mm, top - 3 * mm - h)
        stamp = _stamp_lines(d.office_name, self.st["card"].fontSize, self.width - 8 * mm)
        office = _para(stamp or f"{d.office_name}（盖章）", self.st["card"])
        _w, h = office.wrap(self.width - 8 * mm, 10 * mm)
        office.drawOn(c, 4 * mm, 3 * mm)


def _agent_card_story(data: AgentCardData) -> list[Flowable]:
    st = _styles_extra()
    card_table = Table([[_Card(data, "front", st), _Card(data, "back", st)]],
                       colWidths=[CARD_W + 8 * mm, CARD_W + 8 * mm])
    card_table.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                      ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    story: list[Flowable] = [
        *_heading("代办员证", data.office_name, st, f"编号：{data.agent_no}"),
        Spacer(1, 6 * mm),
        _para("左：正面　右：反面", st["small"]),
        card_table,
        Spacer(1, 8 * mm),
        _para("沿裁切线剪下正、反两面，对折或背对背粘贴后塑封。照片处可贴 1 寸免冠照片。", st["small"]),
    ]
    return story


def render_agent_card(data: AgentCardData) -> bytes:
    return _build(lambda: _agent_card_story(data), f"代办员证 {data.agent_no} {data.name}",
                  f"代办员证　{data.agent_no}", data.township_name)


# --------------------------------------------------------------------------- roster


def _roster_story(data: RosterData) -> list[Flowable]:
    st = _styles_extra()
    story: list[Flowable] = [*_heading("代办员花名册", data.office_name, st,
                                       f"{data.township_name}　{format_datetime(data.printed_at)}")]
    total = len({r.agent_no for v in data.villages for r in v.rows})
    story.append(_para(f"全乡镇在册代办员 {total} 人，按服务村（社区）分列；一人服务多个村的，在每个村下都列出。",
                       st["body"]))
    if not data.villages:
        story.append(_para("（暂无登记的代办员）", st["body"]))
    header = ["编号", "姓名", "性别", "证件号码", "联系电话", "服务村（社区）", "聘用日期", "状态"]
    small = st["cell_small"]
    center = ParagraphStyle("roster-center", parent=small, alignment=1)
    size, head_size = small.fontSize, st["cell_center"].fontSize
    all_rows = [r for v in data.villages for r in v.rows]

    def cells(r: RosterRow) -> list[str]:
        return [r.agent_no, r.name, r.sex or "", r.id_masked, r.phone, r.villages,
                r.start_date.isoformat(), r.status_label]

    # Every column but the villages' as wide as its widest entry (nothing there may wrap:
    # a date or a number split across lines is misread); the villages get the rest, and
    # at least their longest name.
    vcol = 5
    widths = [_natural_width([cells(r)[c] for r in all_rows], size, header[c], head_size)
              for c in range(len(header))]
    widest_village = max([fonts.string_width(x + "、", size) for r in all_rows for x in _items(r.villages)]
                         + [fonts.string_width(header[vcol], head_size)]) + 2 * CELL_PAD + 1
    widths[1] = min(widths[1], 30 * mm)  # a very long name wraps rather than crowd the villages
    widths[vcol] = max(LAY.frame_width - sum(w for c, w in enumerate(widths) if c != vcol),
                           widest_village)
    spare = LAY.frame_width - sum(widths)
    if spare < 0:  # no room: take it from the name column, which may wrap
        widths[1] = max(widths[1] + spare, 12 * mm)
        widths[vcol] = LAY.frame_width - sum(w for c, w in enumerate(widths) if c != vcol)
    inner = widths[vcol] - 2 * CELL_PAD
    for v in data.villages:
        rows = [[_para(t, st["cell_center"], strong=True) for t in header]]
        for r in v.rows:
            rows.append([_para(r.agent_no, center), _para(r.name, small),
                         _para(r.sex or "", center), _para(r.id_masked, small),
                         _para(r.phone, small), _para(_item_lines(_items(r.villages), inner, size), small),
                         _para(r.start_date.isoformat(), center), _para(r.status_label, center)])
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(_grid_style(LAY, header=True))
        story.append(KeepTogether([_para(f"{v.village}（{len(v.rows)} 人）", st["heading"], strong=True),
                                   table]) if len(v.rows) < 12 else table)
    story.append(Spacer(1, 8 * mm))
    signers = [["制表人：＿＿＿＿＿＿"], ["审核人：＿＿＿＿＿＿"]]
    body = st["body"]
    column = LAY.frame_width / 3 - 6  # _signature_row's right padding
    stamp = _stamp_lines(data.office_name, body.fontSize, column)
    if stamp is not None:
        story.append(_signature_row([*signers, stamp.split("\n")], st))
    else:  # the stamp line on a row of its own, at the right
        signatures = _signature_row(signers, st, width=LAY.frame_width * 2 / 3)
        signatures.hAlign = "LEFT"
        story.append(signatures)
        story.append(Spacer(1, 4 * mm))
        story.append(_para(f"{data.office_name}（盖章）", st["right"]))
    return story


def render_roster(data: RosterData) -> bytes:
    return _build(lambda: _roster_story(data), "代办员花名册", data.township_name,
                  data.township_name, f"打印：{format_datetime(data.printed_at)}")


# --------------------------------------------------------------------------- authorization


def _authorization_story(data: AuthorizationData) -> list[Flowable]:
    st = _styles_extra()
    story: list[Flowable] = [*_heading("代办委托书", data.office_name, st, f"委托编号：{data.commission_no}")]
    story.append(_para("委托人（甲方）", st["heading"], strong=True))
    story.append(_label_value_table([
        ("姓名", data.principal_name), ("联系电话", data.principal_phone),
        ("证件类型", data.principal_id_label), ("证件号码", data.principal_id_number),
        ("住址", data.principal_address or "—"), ("委托编号", data.commission_no),
    ], st))
    story.append(_para("受托人（乙方，代办员）", st["heading"], strong=True))
    story.append(_label_value_table([
        ("姓名", data.agent_name), ("代办员编号", data.agent_no),
        ("证件类型", data.agent_id_label), ("证件号码", data.agent_id_number),
        ("联系电话", data.agent_phone), ("所属", data.township_name),
    ], st))
    story.append(_para("委托事项", st["heading"], strong=True))
    story.append(_label_value_table([("事项名称", data.item_name), ("实施编码", data.item_code)], st,
                                    columns=1))
    story.append(_para("委托权限（打 ☑ 的为授权事项）", st["heading"], strong=True))
    cells = [_para(f"{CHECKED if granted else UNCHECKED} {label}", st["cell_small"])
             for label, granted in data.scopes]
    if len(cells) % 2:
        cells.append(_para("", st["cell_small"]))
    scope_table = Table([cells[i:i + 2] for i in range(0, len(cells), 2)],
                        colWidths=[LAY.frame_width / 2] * 2)
    scope_table.setStyle(_table_style([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                       ("TOPPADDING", (0, 0), (-1, -1), 1),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    story.append(scope_table)
    story.append(_para("委托期限与转委托", st["heading"], strong=True))
    story.append(_para(
        f"委托期限自 {format_date(data.valid_from)} 起至 {format_date(data.valid_until)} 止。"
        f"{GAP}{CHECKED if data.subdelegation else UNCHECKED} 允许转委托{GAP}"
        f"{UNCHECKED if data.subdelegation else CHECKED} 不得转委托他人办理", st["body"]))
    if data.materials:
        story.append(_para("需要收取的申请材料", st["heading"], strong=True))
        story.append(_para("；".join(f"{i}．{m}" for i, m in enumerate(data.materials, 1)) + "。",
                           st["cell_small"]))
    story.append(_para("双方承诺", st["heading"], strong=True))
    story.append(_para(
        "委托人保证所提供的材料真实、合法、有效，并对委托事项的办理结果负责。受托人承诺在上述权限和期限内"
        "依法代为办理，不收取任何费用，妥善保管委托人的材料和个人信息，收件后按规定期限交到乡镇便民服务中心，"
        "并将办理结果及时回交委托人。", ParagraphStyle("promise", parent=st["cell_small"],
                                                      firstLineIndent=2 * 9.6)))
    story.append(Spacer(1, 4 * mm))
    story.append(KeepTogether([_signature_row([
        ["委托人（签名或按手印）：", "", "日期：＿＿＿＿年＿＿月＿＿日"],
        ["受托人（签名）：", "", "日期：＿＿＿＿年＿＿月＿＿日"],
    ], st)]))
    receipt_width = LAY.frame_width - 26 * mm
    receipt = [
        Rule(thickness=0.6, space=4, dash=(3, 2)),
        _para("结果回交签收（办理结果交回委托人时填写）", st["heading"], strong=True),
        _para(f"本人已收到委托编号 {data.commission_no}「{data.item_name}」的办理结果及退还的材料。",
              st["cell_small"]),
        Spacer(1, 4 * mm),
        _signature_row([["委托人（签名或按手印）：＿＿＿＿"], ["回交日期：＿＿＿＿年＿＿月＿＿日"]], st,
                       width=receipt_width),
    ]
    qr = _qr(f"DBW:{data.commission_no}", 22 * mm)
    note = _para(f"本委托书一式两份，委托人、受托人各执一份。监督电话：{data.hotline}。"
                 f"登记时间：{format_datetime(data.created_at)}", st["small"])
    tail = Table([[[*receipt], [qr]]], colWidths=[receipt_width, 26 * mm])
    tail.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(Spacer(1, 3 * mm))
    story.append(KeepTogether([tail, Spacer(1, 2 * mm), note]))
    return story


def render_authorization(data: AuthorizationData) -> bytes:
    return _build(lambda: _authorization_story(data), f"代办委托书 {data.commission_no}",
                  f"代办委托书　{data.commission_no}", data.township_name, "委托人、受托人各执一份")


# --------------------------------------------------------------------------- handover sheet


def _qr_text_lines(text: str) -> str:
    body = text.split(":", 1)[1] if ":" in text else text
    groups = [body[i:i + 4] for i in range(0, len(body), 4)]
    return "DBJJ: " + " ".join(groups)


def _handover_info_table(data: HandoverSheetData, st: dict, width: float) -> Table:
    """Agent, phone, issue time, count in a 4-column grid, each column as wide as its
    content; the receiving office and the villages (in lines broken only after 、) on
    full-width rows below them."""
    cell = st["cell"]
    size = cell.fontSize
    agent = f"{data.agent_name}（{data.agent_no}）"
    issued = format_datetime(data.created_at)
    count = f"{len(data.lines)} 件"
    label = _natural_width(["代办员", "签发时间", "接收单位", "服务村组", "联系电话", "委托件数"], size)
    right_value = _natural_width([data.agent_phone, count], size)
    left_value = width - 2 * label - right_value
    if left_value < _natural_width([agent, issued], size):  # tight: the short pair first
        left_value = _natural_width([agent, issued], size)
        right_value = max(width - 2 * label - left_value, 0)
    wide = width - label - 2 * CELL_PAD
    rows = [
        [_para("代办员", cell, strong=True), _para(agent, cell),
         _para("联系电话", cell, strong=True), _para(data.agent_phone, cell)],
        [_para("签发时间", cell, strong=True), _para(issued, cell),
         _para("委托件数", cell, strong=True), _para(count, cell)],
        [_para("接收单位", cell, strong=True), _para(data.township_name, cell), "", ""],
        [_para("服务村组", cell, strong=True),
         _para(_item_lines(_items(data.agent_villages), wide, size) or "—", cell), "", ""],
    ]
    table = Table(rows, colWidths=[label, left_value, label, right_value])
    style = _grid_style(LAY, header=False)
    style.add("BACKGROUND", (0, 0), (0, -1), SHADE)
    style.add("BACKGROUND", (2, 0), (2, 1), SHADE)
    for r in (2, 3):
        style.add("SPAN", (1, r), (3, r))
    table.setStyle(style)
    return table


def _handover_sheet_story(data: HandoverSheetData) -> list[Flowable]:
    st = _styles_extra()
    story: list[Flowable] = []
    if data.is_copy and data.printed_at:
        story.append(_copy_banner(f"补打副本{GAP}签发：{format_datetime(data.created_at)}{GAP}"
                                  f"补打：{format_datetime(data.printed_at)}", st))
    story += _heading("代办材料交接单", data.office_name, st, f"交接单编号：{data.sheet_no}")
    qr_size = 52 * mm
    info = _handover_info_table(data, st, LAY.frame_width - qr_size - 4 * mm)
    how = ("到乡镇便民服务中心后，窗口人员扫描右侧二维码（或输入交接单编号）核验：二维码由代办电脑签名，"
           "内容改动或重复使用都会被拒收。")
    if data.mode == "digest":
        how += "本单委托较多，二维码只含各委托的编号和摘要，详细信息需代办电脑联网同步。"
    left = [info, Spacer(1, 3 * mm), _para(how, st["small"]),
            _para(f"收件后 {data.handover_limit} 个工作日内须交到乡镇，超期将提醒代办员和乡镇。", st["small"])]
    top = Table([[left, [_qr(data.qr_text, qr_size)]]],
                colWidths=[LAY.frame_width - qr_size - 2 * mm, qr_size + 2 * mm])
    top.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    story.append(top)
    story.append(_para("二维码无法识读时，可按组输入：" + _qr_text_lines(data.qr_text), st["mono"]))
    story.append(Spacer(1, 2 * mm))
    header = ["序号", "委托编号 / 委托人", "事项", "材料（✓ 已收取　✗ 未收取）", "乡镇核对"]
    widths = [10 * mm, 42 * mm, 36 * mm, 0, 18 * mm]
    widths[3] = LAY.frame_width - sum(widths)
    rows = [[_para(t, st["cell_center"], strong=True) for t in header]]
    for i, line in enumerate(data.lines, 1):
        materials = "<br/>".join(
            fonts.para_markup(f"✓ {m.name}（{m.form} {m.copies}份）" if m.brought
                              else f"✗ {m.name}（{m.state_label}）")
            for m in line.materials) or fonts.para_markup("（无）")
        when = f"收件 {_date_or_dash(line.collected_on)}"
        if line.due:  # a line each: a date never breaks across lines
            when += f"\n应交 {format_date(line.due)} 前"
        rows.append([
            _para(str(i), st["cell_center"]),
            [_para(line.commission_no, st["cell_small"]), _para(line.principal_name, st["cell"], strong=True),
             _para(line.principal_id, st["tiny"])],
            [_para(line.item_name, st["cell_small"]), _para(when, st["tiny"])],
            Paragraph(materials, st["cell_small"]),
            _para("□ 齐全\n□ 缺：", st["cell_small"]),
        ])
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_grid_style(LAY, header=True))
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([
        Rule(thickness=0.6, space=4, dash=(3, 2)),
        _signature_row([
            ["交件人（代办员）签名：", "", "＿＿＿＿＿＿＿＿＿＿"],
            ["接收人（窗口人员）签名：", "", "＿＿＿＿＿＿＿＿＿＿"],
            ["接收时间：", "", "＿＿＿＿年＿＿月＿＿日"],
        ], st),
        Spacer(1, 3 * mm),
        _para("本单一式两份，代办员、乡镇便民服务中心各执一份。材料以乡镇当场核对为准。", st["small"]),
    ]))
    return story


def render_handover_sheet(data: HandoverSheetData) -> bytes:
    footer = data.sheet_no + ("（补打副本）" if data.is_copy else "")
    return _build(lambda: _handover_sheet_story(data), f"代办材料交接单 {data.sheet_no}", footer,
                  data.township_name, f"代办员 {data.agent_name}")

"""The 办件 page: every case on this device, found by number, name, ID number or item.

The table is a :class:`CaseTableModel` over the ids of a :class:`~clerk_app.services.cases.CaseList`
(200,000 cases on a busy township device after a few years). Each query runs on the database
worker in two steps: the head of the list (its first page of ids and rows) shows at once, then
the whole list of ids is appended under it. The rows themselves are read 200 at a time when the
view first asks for them, kept in a bounded cache, and also read on the worker: the UI thread
never waits for the database.

A USB barcode scanner types the case number and Enter: the case opens directly.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from clerk_app.domain.case_numbers import case_no_error, normalize_case_no
from clerk_app.domain.status import OPEN_STATUSES, CaseStatus
from clerk_app.i18n import _
from clerk_app.services import cases
from clerk_app.services.cases import CaseFilter, CaseList, CaseRow
from clerk_app.services.common import Actor, Context
from clerk_app.ui import style
from clerk_app.ui.qt import QtCore, QtGui, QtWidgets, Qt, Signal, Slot
from clerk_app.ui.tasks import TaskRunner, error_text

PAGE_SIZE = 200  # rows read from the database at a time
MAX_CACHED_PAGES = 60  # at most 12,000 rows kept; the least recently shown page goes first
SEARCH_DELAY_MS = 300  # typing pauses this long before the list follows

COL_CASE_NO, COL_APPLICANT, COL_ITEM, COL_STATUS, COL_CREATED, COL_DUE, COL_DEADLINE, COL_SYNC = range(8)
COLUMNS = (_("办件编号"), _("申请人"), _("事项"), _("状态"), _("登记时间"), _("承诺办结日"),
           _("时限状态"), _("报送县中心"))
SORT_COLUMNS = {COL_CASE_NO: "case_no", COL_CREATED: "created_at", COL_DUE: "due_date"}
COLUMN_WIDTHS = {COL_CASE_NO: 270, COL_APPLICANT: 130, COL_STATUS: 90, COL_CREATED: 150,
                 COL_DUE: 150, COL_DEADLINE: 100, COL_SYNC: 110}

DEADLINE_TEXT = {"none": "—", "normal": _("正常"), "approaching": _("预警"), "overdue": _("超期")}
SYNC_TEXT = {"none": "—", "waiting": _("待上传"), "sent": _("已上传"), "rejected": _("被拒收")}
_SYNC_FG = {"waiting": "#b45309", "sent": style.NORMAL_FG, "rejected": style.OVERDUE_FG}
DEADLINE_FILTERS = (("all", _("全部时限")), ("approaching", _("预警")), ("overdue", _("超期")))
OPEN_FILTER = "open"  # the status choice 在办 (accepted, submitted, in review)

CaseIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
DeadlineRole = Qt.ItemDataRole.UserRole + 3
BadgeRole = Qt.ItemDataRole.UserRole + 4  # the 时限状态 badge colour (QColor), None for none

_ROW_TINT = {"approaching": style.APPROACHING_BG, "overdue": style.OVERDUE_BG}
_BADGE = {  # the 时限状态 cell itself: strong colour, readable text
    "approaching": (style.APPROACHING_STRONG, "#3d2e00"),
    "overdue": (style.OVERDUE_STRONG, "#ffffff"),
}
_STATUS_FG = {
    CaseStatus.AWAITING_SUPPLEMENT.value: "#b45309",
    CaseStatus.REFUSED.value: style.MUTED,
    CaseStatus.WITHDRAWN.value: style.MUTED,
}


def format_time(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def format_due(day: dt.date | None, estimated: bool) -> str:
    if day is None:
        return "—"
    if estimated:
        return _("{day}（估）").format(day=day.isoformat())
    return day.isoformat()


def status_label(value: str) -> str:
    try:
        return CaseStatus(value).label
    except ValueError:
        return value


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Page:
    """What the worker hands back: one page of rows for one list."""

    case_list: CaseList
    number: int
    rows: dict[int, CaseRow]


def load_page(case_list: CaseList, number: int) -> _Page:
    """Worker side: the rows of page ``number``, by case id."""
    rows = case_list.rows(number * PAGE_SIZE, PAGE_SIZE)
    return _Page(case_list, number, {r.id: r for r in rows})


class CaseTableModel(QtCore.QAbstractTableModel):
    """Rows of a :class:`CaseList`, read lazily page by page on the database worker.

    A row whose page has not arrived yet shows "…" in its first column and nothing else; the
    page is asked for once, and the rows are announced with ``dataChanged`` when it arrives.
    """

    #: a page arrived (its number); rows in it now have their data
    page_loaded = Signal(int)

    def __init__(self, runner: TaskRunner, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._list: CaseList | None = None
        self._ids: list[int] = []
        self._pages: OrderedDict[int, dict[int, CaseRow]] = OrderedDict()
        self._requested: set[int] = set()
        self._mono_font = QtGui.QFont()
        self._mono_font.setFamilies(["DejaVu Sans Mono", "Consolas", "Courier New"])
        self._mono_font.setStyleHint(QtGui.QFont.StyleHint.Monospace)
        self._bold_font = QtGui.QFont()
        self._bold_font.setBold(True)

    # -- the list ------------------------------------------------------------------------

    @property
    def case_list(self) -> CaseList | None:
        return self._list

    def set_list(self, case_list: CaseList | None, first_page: _Page | None = None) -> None:
        """Show another list (a new query's result); cached rows of the old one are dropped.
        ``first_page``, read with the list, saves asking for it again."""
        self.beginResetModel()
        self._list = case_list
        self._ids = case_list.ids if case_list is not None else []
        self._pages.clear()
        self._requested.clear()
        if first_page is not None and first_page.case_list is case_list:
            self._pages[first_page.number] = first_page.rows
        self.endResetModel()
        if first_page is not None and first_page.case_list is case_list:
            self.page_loaded.emit(first_page.number)

    def extend_list(self, case_list: CaseList) -> None:
        """Show the whole list after its head (``set_list`` with a ``limit`` list): the rows
        on screen stay, with their data, and the rest is appended."""
        shown = len(self._ids)
        if self._list is None or case_list.ids[:shown] != self._ids:
            self.set_list(case_list)  # the data changed in between: start over
            return
        self._list = case_list
        self._requested.clear()  # pages asked of the head list are dropped when they arrive
        if len(case_list.ids) > shown:
            self.beginInsertRows(QtCore.QModelIndex(), shown, len(case_list.ids) - 1)
            self._ids = case_list.ids
            self.endInsertRows()

    def case_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: int) -> int | None:
        """The row showing ``case_id`` in this list, or None (a scan: a few ms in 200,000)."""
        try:
            return self._ids.index(case_id)
        except ValueError:
            return None

    def case_row(self, row: int) -> CaseRow | None:
        """The loaded data of ``row``; None while its page is still on the way."""
        cid = self.case_id(row)
        if cid is None:
            return None
        page = self._pages.get(row // PAGE_SIZE)
        return page.get(cid) if page is not None else None

    def is_loaded(self, row: int) -> bool:
        return (row // PAGE_SIZE) in self._pages

    def _page(self, number: int) -> dict[int, CaseRow] | None:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        if number not in self._requested and self._list is not None:
            self._requested.add(number)
            self.runner.run(load_page, self._list, number,
                            on_success=self._on_page,
                            on_failure=self._on_page_failed)
        return None

    @Slot(object)
    def _on_page(self, page: _Page) -> None:
        if page.case_list is not self._list:
            return  # a page of a list that was replaced meanwhile
        self._requested.discard(page.number)
        self._pages[page.number] = page.rows
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        first = page.number * PAGE_SIZE
        last = min(first + PAGE_SIZE, len(self._ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.page_loaded.emit(page.number)

    @Slot(object)
    def _on_page_failed(self, _error: BaseException) -> None:
        # asked again when the view next paints those rows
        self._requested.clear()

    # -- Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section in SORT_COLUMNS:
                return _("点击按此列排序")
        return None

    def flags(self, index: QtCore.QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QtCore.QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.model() is not self:
            return None
        row, col = index.row(), index.column()
        if not 0 <= row < len(self._ids) or not 0 <= col < len(COLUMNS):
            return None
        cid = self._ids[row]
        if role == CaseIdRole:
            return cid
        page = self._page(row // PAGE_SIZE)
        r = page.get(cid) if page is not None else None
        if r is None:
            if role == Qt.ItemDataRole.DisplayRole and col == COL_CASE_NO:
                return "…"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.BackgroundRole:
            tint = _ROW_TINT.get(r.deadline)
            return QtGui.QColor(tint) if tint else None
        if role == BadgeRole:
            badge = _BADGE.get(r.deadline) if col == COL_DEADLINE else None
            return QtGui.QColor(badge[0]) if badge else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_DEADLINE:
                if r.deadline in _BADGE:
                    return QtGui.QColor(_BADGE[r.deadline][1])
                return QtGui.QColor(style.NORMAL_FG if r.deadline == "normal" else style.MUTED)
            if col == COL_STATUS and r.status in _STATUS_FG:
                return QtGui.QColor(_STATUS_FG[r.status])
            if col == COL_DUE and r.deadline == "overdue":
                return QtGui.QColor(style.OVERDUE_FG)
            if col == COL_SYNC and r.sync in _SYNC_FG:
                return QtGui.QColor(_SYNC_FG[r.sync])
            return None
        if role == Qt.ItemDataRole.FontRole:
            if col == COL_CASE_NO:
                return self._mono_font
            if col == COL_DEADLINE and r.deadline in _BADGE:
                return self._bold_font
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (COL_STATUS, COL_DEADLINE, COL_SYNC):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        if role == StatusRole:
            return r.status
        if role == DeadlineRole:
            return r.deadline
        return None

    @staticmethod
    def _text(r: CaseRow, col: int) -> str:
        if col == COL_CASE_NO:
            return r.case_no
        if col == COL_APPLICANT:
            return r.applicant_name
        if col == COL_ITEM:
            return r.item_name
        if col == COL_STATUS:
            return status_label(r.status)
        if col == COL_CREATED:
            return format_time(r.created_at)
        if col == COL_DUE:
            return format_due(r.due_date, r.due_estimated)
        if col == COL_SYNC:
            return SYNC_TEXT.get(r.sync, r.sync)
        return DEADLINE_TEXT.get(r.deadline, r.deadline)

    @staticmethod
    def _tooltip(r: CaseRow, col: int) -> str | None:
        if col == COL_DUE and r.due_estimated:
            return _("节假日安排尚未公布，按周一至周五估算；日历更新后可能调整。")
        if col == COL_SYNC and r.sync == "rejected":
            return _("县中心拒收：{reason}\n在「同步 → 被退回的记录」中修改后重新上传。").format(
                reason=r.sync_reason or _("未说明原因"))
        if col == COL_DEADLINE:
            if r.deadline == "approaching":
                return _("离承诺办结日不足 {n} 个工作日").format(n=cases.WARN_DAYS + 1)
            if r.deadline == "overdue":
                return _("已超过承诺办结日 {day}").format(
                    day=r.due_date.isoformat() if r.due_date else "")
        if col in (COL_ITEM, COL_APPLICANT):
            return CaseTableModel._text(r, col)
        return None


class DeadlineDelegate(QtWidgets.QStyledItemDelegate):
    """Paints 预警 / 超期 as a badge in its strong colour, also on the selected row."""

    def paint(self, painter: QtGui.QPainter, option: QtWidgets.QStyleOptionViewItem,
              index: QtCore.QModelIndex) -> None:
        badge = index.data(BadgeRole)
        if badge is None:
            super().paint(painter, option, index)
            return
        opt = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        widget = opt.widget
        (widget.style() if widget else QtWidgets.QApplication.style()).drawControl(
            QtWidgets.QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = QtCore.QRectF(option.rect).adjusted(10, 5, -10, -5)
        painter.save()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(badge)
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(index.data(Qt.ItemDataRole.ForegroundRole))
        font = QtGui.QFont(opt.font)
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class _SearchEdit(QtWidgets.QLineEdit):
    """The search field; the Down key moves on into the table."""

    down_pressed = Signal()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Down and not event.modifiers():
            self.down_pressed.emit()
            return
        super().keyPressEvent(event)


# --------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class _Query:
    """What the worker hands back for one query of the page."""

    generation: int
    case_list: CaseList
    first_page: _Page | None


def run_query(ctx: Context, generation: int, f: CaseFilter, sort: str, descending: bool,
              head: bool) -> _Query:
    """Worker side. ``head``: the ids and rows of the first page only, so the top of the table
    shows at once however long the list; otherwise every matching id (the whole list)."""
    if head:
        case_list = CaseList(ctx, f, sort, descending, limit=PAGE_SIZE)
        return _Query(generation, case_list, load_page(case_list, 0))
    return _Query(generation, CaseList(ctx, f, sort, descending), None)


class CaseListPage(QtWidgets.QWidget):
    """The 办件 page: filter bar, counts, the case table and its actions."""

    #: a waiting case (待补正) the clerk wants to reopen for its materials
    supplement_requested = Signal(int)
    #: a case's detail was opened (its id)
    case_opened = Signal(int)
    #: a query's whole list is shown (its length)
    list_ready = Signal(int)

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CaseListPage")
        self.ctx = ctx
        self.runner = runner
        self.actor = actor
        self.detail_dialog: QtWidgets.QDialog | None = None
        self._generation = 0
        self._in_flight = False
        self._again = False
        self._keep_id: int | None = None
        self._query_args: tuple[CaseFilter, str, bool] = (CaseFilter(), "created_at", True)
        self._sort = ("created_at", True)
        self._from_scan = False
        self.model = CaseTableModel(runner, self)
        self._build()
        self._search_timer = QtCore.QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self._connect()
        self.refresh()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(8)

        bar = QtWidgets.QHBoxLayout()
        bar.setSpacing(8)
        self.search_edit = _SearchEdit(self)
        self.search_edit.setObjectName("caseSearch")
        self.search_edit.setPlaceholderText(_("办件编号、申请人、证件号码或后四位、事项或其拼音（可扫码）"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(160)  # wider when there is room (stretch 3)
        self.search_edit.setToolTip(_("Ctrl+F 到这里；↓ 进入列表；回车：办件编号直接打开"))
        bar.addWidget(self.search_edit, 3)

        self.status_combo = QtWidgets.QComboBox(self)
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.addItem(_("全部状态"), "")
        self.status_combo.addItem(_("在办（未办结）"), OPEN_FILTER)
        for st in CaseStatus:
            self.status_combo.addItem(st.label, st.value)
        bar.addWidget(self.status_combo)

        self.deadline_combo = QtWidgets.QComboBox(self)
        self.deadline_combo.setObjectName("deadlineFilter")
        for value, text in DEADLINE_FILTERS:
            self.deadline_combo.addItem(text, value)
        bar.addWidget(self.deadline_combo)
        # as wide as a short choice, not the longest one (the open list shows them whole):
        # the filter row has to fit a 1024-pixel counter screen
        for combo, chars in ((self.status_combo, 7), (self.deadline_combo, 5)):
            combo.setSizeAdjustPolicy(
                QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)

        self.date_check = QtWidgets.QCheckBox(_("登记日期"), self)
        self.date_check.setObjectName("dateFilter")
        today = QtCore.QDate(self.ctx.today())
        self.date_from = QtWidgets.QDateEdit(today.addDays(-30), self)
        self.date_to = QtWidgets.QDateEdit(today, self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        bar.addWidget(self.date_check)
        bar.addWidget(self.date_from)
        bar.addWidget(QtWidgets.QLabel(_("至"), self))
        bar.addWidget(self.date_to)
        self.reset_button = QtWidgets.QPushButton(_("清空条件"), self)
        self.reset_button.setAutoDefault(False)
        bar.addWidget(self.reset_button)
        layout.addLayout(bar)

        info = QtWidgets.QHBoxLayout()
        info.setSpacing(10)
        self.count_label = QtWidgets.QLabel(self)
        self.count_label.setObjectName("caseCount")
        self.count_label.setStyleSheet("font-weight: bold; font-size: 13pt;")
        info.addWidget(self.count_label)
        self.message_label = QtWidgets.QLabel(self)
        self.message_label.setObjectName("errorText")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info.addWidget(self.message_label, 1)
        self.approaching_button = self._count_button("approachingCount")
        self.overdue_button = self._count_button("overdueCount")
        self.awaiting_button = self._count_button("awaitingCount")
        for b in (self.approaching_button, self.overdue_button, self.awaiting_button):
            info.addWidget(b)
        layout.addLayout(info)

        self.view = QtWidgets.QTableView(self)
        self.view.setObjectName("caseTable")
        self.view.setModel(self.model)
        self.deadline_delegate = DeadlineDelegate(self.view)
        self.view.setItemDelegateForColumn(COL_DEADLINE, self.deadline_delegate)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setShowGrid(False)
        self.view.setTabKeyNavigation(False)
        vh = self.view.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(max(34, self.fontMetrics().height() + 14))
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(COL_ITEM, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for col, width in COLUMN_WIDTHS.items():
            self.view.setColumnWidth(col, width)
        hh.setHighlightSections(False)
        hh.setSectionsClickable(True)
        hh.setSortIndicatorShown(True)
        hh.setSortIndicator(COL_CREATED, Qt.SortOrder.DescendingOrder)
        self.view.setStyleSheet(
            "QTableView#caseTable { outline: 0; }"  # the whole row shows the selection
            "QTableView#caseTable::item:selected { background: %s; color: #ffffff; }" % style.ACCENT)

        self.empty_label = QtWidgets.QLabel(_("没有符合条件的办件。"), self)
        self.empty_label.setObjectName("placeholder")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QtWidgets.QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)
        layout.addWidget(self.stack, 1)

        actions = QtWidgets.QHBoxLayout()
        self.hint_label = QtWidgets.QLabel(
            _("回车或双击打开办件；右键可补正受理、复制编号；F5 刷新"), self)
        self.hint_label.setObjectName("hint")
        self.hint_label.setWordWrap(True)  # two lines in a narrow window, not a wider window
        actions.addWidget(self.hint_label, 1)
        self.open_button = QtWidgets.QPushButton(_("查看办件"), self)
        self.supplement_button = QtWidgets.QPushButton(_("补正受理"), self)
        self.supplement_button.setObjectName("supplementButton")
        self.supplement_button.setToolTip(_("申请人带齐材料回来了：打开受理页补正"))
        style.make_primary(self.supplement_button)
        for b in (self.open_button, self.supplement_button):
            b.setAutoDefault(False)
            b.setEnabled(False)
            actions.addWidget(b)
        layout.addLayout(actions)

        self.open_action = QtGui.QAction(_("查看办件"), self)
        self.supplement_action = QtGui.QAction(_("补正受理…"), self)
        self.copy_action = QtGui.QAction(_("复制办件编号"), self)
        for a in (self.open_action, self.supplement_action, self.copy_action):
            a.setEnabled(False)

        find = QtGui.QShortcut(QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        f5 = QtGui.QShortcut(QtGui.QKeySequence(Qt.Key.Key_F5), self)
        f5.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        f5.activated.connect(self.refresh)
        self.shortcuts = [find, f5]
        self.setFocusProxy(self.search_edit)
        self._update_actions()

    def _count_button(self, name: str) -> QtWidgets.QToolButton:
        b = QtWidgets.QToolButton(self)
        b.setObjectName(name)
        b.setAutoRaise(False)
        b.setCursor(Qt.CursorShape.PointingHandCursor)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        colours = {
            "approachingCount": (style.APPROACHING_STRONG, "#3d2e00"),
            "overdueCount": (style.OVERDUE_STRONG, "#ffffff"),
            "awaitingCount": ("#fde7c8", "#7c3d06"),
        }[name]
        b.setStyleSheet(
            "QToolButton { background: %s; color: %s; border: none; border-radius: 4px;"
            " padding: 3px 10px; font-weight: bold; }"
            "QToolButton:focus { outline: none; border: 2px solid %s; }" % (*colours, style.ACCENT))
        b.hide()
        return b

    def _connect(self) -> None:
        self.search_edit.textEdited.connect(self._on_text_edited)
        self.search_edit.returnPressed.connect(self._on_return)
        self.search_edit.down_pressed.connect(self.focus_table)
        self.status_combo.currentIndexChanged.connect(self.apply_filter)
        self.deadline_combo.currentIndexChanged.connect(self.apply_filter)
        self.date_check.toggled.connect(self._on_date_toggled)
        self.date_from.dateChanged.connect(self._on_date_changed)
        self.date_to.dateChanged.connect(self._on_date_changed)
        self.reset_button.clicked.connect(self.reset_filter)
        self.view.activated.connect(self._on_activated)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(self._update_actions)
        self.model.page_loaded.connect(self._on_page_loaded)
        self.view.horizontalHeader().sectionClicked.connect(self._on_header_clicked)
        self.open_button.clicked.connect(self.open_current)
        self.supplement_button.clicked.connect(self.request_supplement)
        self.open_action.triggered.connect(self.open_current)
        self.supplement_action.triggered.connect(self.request_supplement)
        self.copy_action.triggered.connect(self.copy_case_no)
        self.approaching_button.clicked.connect(self.show_approaching)
        self.overdue_button.clicked.connect(self.show_overdue)
        self.awaiting_button.clicked.connect(self.show_awaiting)

    # -- the filter ----------------------------------------------------------------------

    def current_filter(self) -> CaseFilter:
        status = self.status_combo.currentData()
        if status == OPEN_FILTER:
            statuses = {st.value for st in OPEN_STATUSES}
        else:
            statuses = {status} if status else set()
        f = CaseFilter(text=self.search_edit.text().strip(), statuses=statuses,
                       deadline=self.deadline_combo.currentData() or "all")
        if self.date_check.isChecked():
            start, end = self.date_from.date().toPython(), self.date_to.date().toPython()
            f.date_from, f.date_to = min(start, end), max(start, end)
        return f

    def _set_filter(self, status: str = "", deadline: str = "all") -> None:
        """Clear the search and dates, choose ``status`` and ``deadline``, and query once."""
        widgets = (self.status_combo, self.deadline_combo, self.date_check)
        for w in widgets:
            w.blockSignals(True)
        self.search_edit.clear()
        self.message_label.clear()
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(status), 0))
        self.deadline_combo.setCurrentIndex(max(self.deadline_combo.findData(deadline), 0))
        self.date_check.setChecked(False)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        for w in widgets:
            w.blockSignals(False)
        self.apply_filter()

    @Slot()
    def reset_filter(self) -> None:
        self._set_filter()

    @Slot()
    def show_approaching(self) -> None:
        """Every case turning yellow (the count next to the total was clicked)."""
        self._set_filter(deadline="approaching")

    @Slot()
    def show_overdue(self) -> None:
        self._set_filter(deadline="overdue")

    @Slot()
    def show_awaiting(self) -> None:
        self._set_filter(status=CaseStatus.AWAITING_SUPPLEMENT.value)

    @Slot(str)
    def _on_text_edited(self, _text: str) -> None:
        self.message_label.clear()
        self._search_timer.start()

    @Slot(bool)
    def _on_date_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filter()

    @Slot()
    def _on_date_changed(self) -> None:
        if self.date_check.isChecked():
            self.apply_filter()

    @Slot()
    def _on_return(self) -> None:
        """Enter in the search: a case number (typed or scanned) opens that case at once."""
        self._search_timer.stop()
        text = self.search_edit.text().strip()
        canonical = normalize_case_no(text)
        if canonical:
            self.runner.run(cases.find_case_id, self.ctx, canonical,
                            on_success=self._on_scan_found,
                            on_failure=self._on_scan_failed)
        else:
            compact = "".join(ch for ch in text if ch.isalnum())
            if len(compact) == 19 and compact[:-1].isdigit():
                # a case number with a slip (read over the phone, a smudged label): say what
                self.message_label.setText(case_no_error(text))
        self.apply_filter()

    @Slot(object)
    def _on_scan_found(self, case_id: int) -> None:
        self._keep_id = case_id
        self._from_scan = True
        self.open_case(case_id)

    @Slot(object)
    def _on_scan_failed(self, error: BaseException) -> None:
        self.message_label.setText(error_text(error))
        self.search_edit.selectAll()

    # -- querying ------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Query again with the same filter, keeping the selected case where it still shows."""
        current = self.current_case_id()
        if current is not None:
            self._keep_id = current
        self.apply_filter()

    @Slot()
    def apply_filter(self) -> None:
        """Run the query for the filter as it stands (the newest query wins)."""
        self._search_timer.stop()
        self._generation += 1
        if self._in_flight:
            self._again = True  # one query at a time; the latest runs when this one is back
            return
        self._start_query()

    def _start_query(self) -> None:
        """First the head of the list (its first page, shown at once), then the whole list."""
        self._in_flight = True
        self._again = False
        if self._keep_id is None:
            self._keep_id = self.current_case_id()
        if self.model.case_list is None:
            self.count_label.setText(_("正在查询…"))
        self._query_args = (self.current_filter(), *self._sort)
        self.runner.run(run_query, self.ctx, self._generation, *self._query_args, True,
                        on_success=self._on_head,
                        on_failure=self._on_query_failed)

    def _outdated(self, result: _Query) -> bool:
        """Another query was asked for meanwhile: drop this result and run that one."""
        if self._again or result.generation != self._generation:
            self._start_query()
            return True
        return False

    @Slot(object)
    def _on_head(self, result: _Query) -> None:
        if self._outdated(result):
            return
        self.model.set_list(result.case_list, result.first_page)
        self.stack.setCurrentWidget(self.view if len(result.case_list) else self.empty_label)
        self._restore_selection()
        if result.case_list.complete:
            self._list_ready()
            return
        self.count_label.setText(_("共 {n} 件以上，正在统计…").format(n=len(result.case_list)))
        self.runner.run(run_query, self.ctx, self._generation, *self._query_args, False,
                        on_success=self._on_whole,
                        on_failure=self._on_query_failed)

    @Slot(object)
    def _on_whole(self, result: _Query) -> None:
        if self._outdated(result):
            return
        self.model.extend_list(result.case_list)
        self._restore_selection()
        self._list_ready()

    def _restore_selection(self) -> None:
        row = self.model.row_of(self._keep_id) if self._keep_id is not None else None
        if row is not None:
            self._keep_id = None
            index = self.model.index(row, 0)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index, QtWidgets.QAbstractItemView.ScrollHint.EnsureVisible)
        self._update_actions()

    def _list_ready(self) -> None:
        self._in_flight = False
        self._keep_id = None
        n = self.model.rowCount()
        self.count_label.setText(_("共 {n} 件").format(n=n))
        self.stack.setCurrentWidget(self.view if n else self.empty_label)
        self._update_actions()
        self.runner.run(cases.counts, self.ctx, on_success=self._show_counts)
        self.list_ready.emit(n)

    @Slot(object)
    def _on_query_failed(self, error: BaseException) -> None:
        self._in_flight = False
        if self._again:
            self._start_query()
            return
        self.count_label.setText("")
        self.message_label.setText(error_text(error))

    @Slot(object)
    def _show_counts(self, counts: dict[str, int]) -> None:
        for button, key, text in (
            (self.approaching_button, "approaching", _("预警 {n} 件")),
            (self.overdue_button, "overdue", _("超期 {n} 件")),
            (self.awaiting_button, "awaiting", _("待补正 {n} 件")),
        ):
            n = counts.get(key, 0)
            button.setText(text.format(n=n))
            button.setToolTip(_("点击只看这些办件"))
            button.setVisible(n > 0)

    @Slot(int)
    def _on_header_clicked(self, column: int) -> None:
        header = self.view.horizontalHeader()
        key = SORT_COLUMNS.get(column)
        if key is None:  # not sortable: put the indicator back where the sort is
            current = next(c for c, k in SORT_COLUMNS.items() if k == self._sort[0])
            order = Qt.SortOrder.DescendingOrder if self._sort[1] else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(current, order)
            return
        if key == self._sort[0]:
            descending = not self._sort[1]
        else:
            descending = key == "created_at"  # newest first; earliest due date first
        self._sort = (key, descending)
        header.setSortIndicator(
            column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
        self.refresh()

    @property
    def sort(self) -> tuple[str, bool]:
        return self._sort

    # -- selection and actions -----------------------------------------------------------

    def current_case_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.case_id(index.row()) if index.isValid() else None

    def current_row(self) -> CaseRow | None:
        index = self.view.currentIndex()
        return self.model.case_row(index.row()) if index.isValid() else None

    @Slot()
    def _on_current_changed(self) -> None:
        self._update_actions()

    @Slot(int)
    def _on_page_loaded(self, _number: int) -> None:
        self._update_actions()

    @Slot()
    def _update_actions(self) -> None:
        has = self.current_case_id() is not None
        row = self.current_row()
        waiting = row is not None and row.status == CaseStatus.AWAITING_SUPPLEMENT.value
        for w in (self.open_button, self.open_action, self.copy_action):
            w.setEnabled(has)
        self.supplement_button.setEnabled(waiting)
        self.supplement_action.setEnabled(waiting)

    @Slot()
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    @Slot()
    def focus_table(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.model.index(0, 0))

    @Slot(QtCore.QModelIndex)
    def _on_activated(self, index: QtCore.QModelIndex) -> None:
        cid = self.model.case_id(index.row())
        if cid is not None:
            self.open_case(cid)

    @Slot()
    def open_current(self) -> None:
        cid = self.current_case_id()
        if cid is not None:
            self.open_case(cid)

    @Slot()
    def request_supplement(self) -> None:
        row = self.current_row()
        if row is not None and row.status == CaseStatus.AWAITING_SUPPLEMENT.value:
            self.supplement_requested.emit(row.id)

    @Slot()
    def copy_case_no(self) -> None:
        row = self.current_row()
        if row is not None:
            QtWidgets.QApplication.clipboard().setText(row.case_no)

    def context_menu(self, pos: QtCore.QPoint) -> QtWidgets.QMenu | None:
        """The menu for the row at ``pos`` (viewport coordinates), which becomes current."""
        index = self.view.indexAt(pos)
        if not index.isValid():
            return None
        self.view.setCurrentIndex(index)
        menu = QtWidgets.QMenu(self)
        menu.addAction(self.open_action)
        menu.addAction(self.supplement_action)
        menu.addSeparator()
        menu.addAction(self.copy_action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return menu

    @Slot(QtCore.QPoint)
    def _on_context_menu(self, pos: QtCore.QPoint) -> None:
        menu = self.context_menu(pos)
        if menu is not None:
            menu.popup(self.view.viewport().mapToGlobal(pos))

    # -- the detail ----------------------------------------------------------------------

    def open_case(self, case_id: int) -> None:
        """Show one case with its full history (non-blocking; the page stays behind it)."""
        from clerk_app.ui.case_detail import CaseDetailDialog

        if self.detail_dialog is not None:
            self.detail_dialog.close()
        dialog = CaseDetailDialog(self.ctx, self.runner, self.actor, case_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.supplement_requested.connect(self.supplement_requested)
        dialog.case_changed.connect(self._on_case_changed)
        dialog.finished.connect(self._on_detail_finished)
        self.detail_dialog = dialog
        dialog.open()
        self.case_opened.emit(case_id)

    @Slot(int)
    def _on_case_changed(self, case_id: int) -> None:
        self._keep_id = case_id
        self.refresh()

    @Slot(int)
    def _on_detail_finished(self, _result: int) -> None:
        self.detail_dialog = None
        if self._from_scan:  # ready for the next scan
            self._from_scan = False
            self.focus_search()

"""Pages of the proxy agents (代办).

* :class:`AgentHomePage` -- the agent's home screen (role agent): my commissions by state, what
  is due (handovers against the county's limit, overdue in red), what came back (results to
  return, notices to act on), and every action on a commission.
* :class:`AgentOverviewPage` -- the township's view (clerk, supervisor): all agents' open
  commissions, overdue handovers, per-agent counts for a period; receiving handover sheets,
  recording a handover at the counter (窗口交件, for commissions recorded on a counter) and
  accepting handed-over commissions.

Both load on the task runner's database worker and never block the window. The lists are
:class:`CommissionTableModel`, a ``QAbstractTableModel`` over plain rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from clerk_app.domain.agents import AgentStatus, CommissionState
from clerk_app.domain.workdays import DEADLINE_APPROACHING, DEADLINE_OVERDUE
from clerk_app.i18n import _
from clerk_app.services import commissions
from clerk_app.services.commissions import AgentHome, CommissionRow, TownshipOverview
from clerk_app.services.common import Actor, Context
from clerk_app.ui import agent_dialogs as dialogs
from clerk_app.ui.qt import QtCore, QtGui, QtWidgets, Qt, Signal, Slot
from clerk_app.ui.style import (
    APPROACHING_BG,
    APPROACHING_FG,
    OVERDUE_BG,
    OVERDUE_FG,
    make_primary,
)
from clerk_app.ui.tasks import TaskRunner, error_text
from clerk_app.ui.widgets import MessageBanner

S = CommissionState


class CommissionTableModel(QtCore.QAbstractTableModel):
    """Commission rows; the handover deadline coloured like the case list's deadlines."""

    AGENT_COLUMNS = ("commission_no", "principal", "village", "item", "state", "due", "case_no", "updated")
    TOWNSHIP_COLUMNS = ("commission_no", "agent", "principal", "village", "item", "state", "due", "case_no",
                        "updated")
    HEADERS = {
        "commission_no": _("委托编号"), "agent": _("代办员"), "principal": _("委托人"), "village": _("村（社区）"),
        "item": _("事项"), "state": _("状态"), "due": _("交件期限"), "case_no": _("办件编号"),
        "updated": _("更新时间"),
    }

    def __init__(self, township: bool = False, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = self.TOWNSHIP_COLUMNS if township else self.AGENT_COLUMNS
        self.rows: list[CommissionRow] = []

    def set_rows(self, rows: list[CommissionRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # Qt override
        return 0 if parent.isValid() else len(self.columns)

    def row_at(self, row: int) -> CommissionRow:
        return self.rows[row]

    def _text(self, r: CommissionRow, column: str) -> str:
        if column == "commission_no":
            return r.commission_no
        if column == "agent":
            return f"{r.agent_name}（{r.agent_no}）"
        if column == "principal":
            return r.principal_name
        if column == "village":
            return r.village
        if column == "item":
            return r.item_name
        if column == "state":
            return r.state.label
        if column == "due":
            if r.handover_due is None:
                return ""
            mark = {DEADLINE_OVERDUE: _("（超期）"), DEADLINE_APPROACHING: _("（今天）")}.get(r.handover_state, "")
            return r.handover_due.isoformat() + mark
        if column == "case_no":
            return r.case_no or ""
        if column == "updated":
            return r.updated_at.strftime("%m-%d %H:%M")
        return ""

    def data(self, index: QtCore.QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # Qt override
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(r, column)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        if role == Qt.ItemDataRole.BackgroundRole and r.handover_state in (DEADLINE_OVERDUE, DEADLINE_APPROACHING):
            return QtGui.QBrush(QtGui.QColor(OVERDUE_BG if r.handover_state == DEADLINE_OVERDUE else APPROACHING_BG))
        if role == Qt.ItemDataRole.ForegroundRole and r.handover_state in (DEADLINE_OVERDUE, DEADLINE_APPROACHING):
            return QtGui.QBrush(QtGui.QColor(OVERDUE_FG if r.handover_state == DEADLINE_OVERDUE else APPROACHING_FG))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # Qt override
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[self.columns[section]]
        return None


def _table(model: QtCore.QAbstractTableModel, name: str) -> QtWidgets.QTableView:
    view = QtWidgets.QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().setVisible(False)
    view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class _CountCard(QtWidgets.QFrame):
    def __init__(self, title: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(0)
        self.number = QtWidgets.QLabel("0")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        self.number.setFont(font)
        self.title = QtWidgets.QLabel(title)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setObjectName("hint")
        layout.addWidget(self.number)
        layout.addWidget(self.title)

    def set_count(self, n: int, alert: bool = False) -> None:
        self.number.setText(str(n))
        colour = OVERDUE_FG if alert and n else ("#1e293b" if n else "#9aa3ab")
        self.number.setStyleSheet(f"color: {colour};")


class _CommissionPage(QtWidgets.QWidget):
    """What the agent's home and the township's overview share: a selected commission row, the
    steps either side may record on it, its detail, and a refresh after each change."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.actor = ctx, runner, actor

    def _add_action_buttons(self, layout: QtWidgets.QBoxLayout,
                            buttons: tuple[tuple[str, str, Callable[[], None]], ...]) -> None:
        """The row of actions under the lists, as ``self.action_buttons[key]``."""
        row = QtWidgets.QHBoxLayout()
        self.action_buttons: dict[str, QtWidgets.QPushButton] = {}
        for key, text, slot in buttons:
            b = QtWidgets.QPushButton(text)
            b.setObjectName(f"{key}Button")
            b.clicked.connect(slot)
            row.addWidget(b)
            self.action_buttons[key] = b
        row.addStretch(1)
        layout.addLayout(row)
        self.action_row = row

    def selected(self) -> CommissionRow | None:
        raise NotImplementedError

    def refresh(self, *_args: object) -> None:
        raise NotImplementedError

    def _after(self, *_args: object) -> None:
        self.changed.emit()
        self.refresh()

    def _step(self, kind: str) -> None:
        r = self.selected()
        if r is not None:
            self.dialog = dialogs.StepDialog(self.ctx, self.runner, self.actor, r.id, kind,
                                             f"{r.commission_no} {r.principal_name}", self)
            self.dialog.recorded.connect(self._after)
            self.dialog.open()

    def return_result(self) -> None:
        self._step("return")

    def confirm_receipt(self) -> None:
        self._step("confirm")

    def show_detail(self, *_args: object) -> None:
        r = self.selected()
        if r is not None:
            self.dialog = dialogs.CommissionDetailDialog(self.ctx, self.runner, self.actor, r.id, self)
            self.dialog.open()


# =========================================================================== the agent's home


class AgentHomePage(_CommissionPage):
    """The agent's home screen: my commissions by state, what is due, what came back."""

    CARDS = ((S.COMMISSIONED, _("待收件")), (S.COLLECTED, _("待交件")), (S.HANDED_OVER, _("已交乡镇")),
             (S.SUPPLEMENT, _("待补正")), (S.ACCEPTED, _("已受理")), ("result", _("结果待回交")),
             (S.RETURNED, _("待确认")), (S.CLOSED, _("已办毕")))

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.home: AgentHome | None = None
        self.setObjectName("AgentHomePage")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        top = QtWidgets.QHBoxLayout()
        self.title = QtWidgets.QLabel(_("我的代办"))
        self.title.setObjectName("pageTitle")
        self.who = QtWidgets.QLabel()
        self.who.setObjectName("hint")
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.who, 1)
        self.new_button = QtWidgets.QPushButton(_("新建委托  Ctrl+N"))
        self.new_button.setObjectName("newCommissionButton")
        self.new_button.setShortcut(QtGui.QKeySequence("Ctrl+N"))
        make_primary(self.new_button)
        self.new_button.clicked.connect(self.new_commission)
        self.sheet_button = QtWidgets.QPushButton(_("打印交接单…"))
        self.sheet_button.setObjectName("sheetButton")
        self.sheet_button.clicked.connect(self.open_sheets)
        self.refresh_button = QtWidgets.QPushButton(_("刷新  F5"))
        self.refresh_button.setShortcut(QtGui.QKeySequence("F5"))
        self.refresh_button.clicked.connect(self.refresh)
        for b in (self.new_button, self.sheet_button, self.refresh_button):
            top.addWidget(b)
        layout.addLayout(top)
        self.banner = MessageBanner(self)
        self.banner.setObjectName("agentBanner")
        layout.addWidget(self.banner)
        cards = QtWidgets.QHBoxLayout()
        self.cards: dict[Any, _CountCard] = {}
        for key, title in self.CARDS:
            card = _CountCard(title, self)
            self.cards[key] = card
            cards.addWidget(card)
        layout.addLayout(cards)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("agentTabs")
        self.due_model = CommissionTableModel(parent=self)
        self.back_model = CommissionTableModel(parent=self)
        self.waiting_model = CommissionTableModel(parent=self)
        self.all_model = CommissionTableModel(parent=self)
        self.views = {
            "due": _table(self.due_model, "dueTable"),
            "back": _table(self.back_model, "backTable"),
            "waiting": _table(self.waiting_model, "waitingTable"),
            "all": _table(self.all_model, "allTable"),
        }
        for key, view in self.views.items():
            view.selectionModel().selectionChanged.connect(self._update_actions)
            view.doubleClicked.connect(self.show_detail)
            self.tabs.addTab(view, "")
        self.tabs.currentChanged.connect(self._update_actions)
        layout.addWidget(self.tabs, 1)
        self._add_action_buttons(layout, (
            ("collect", _("收件…"), self.collect),
            ("authorization", _("打印委托书"), self.print_authorization),
            ("notice", _("打印一次性告知书"), self.print_notice),
            ("outcome", _("登记乡镇办理情况…"), self.record_outcome),
            ("return", _("结果回交…"), self.return_result),
            ("confirm", _("委托人确认收到…"), self.confirm_receipt),
            ("cancel", _("撤销委托…"), self.cancel),
            ("detail", _("详情…"), self.show_detail),
        ))
        self._update_tab_titles()
        self._update_actions()
        self.refresh()

    # -- loading ----------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        self.runner.run(commissions.agent_home, self.ctx, self.actor,
                        on_success=self._loaded, on_failure=self._failed)

    def _loaded(self, home: AgentHome) -> None:
        self.home = home
        status = "" if home.status == AgentStatus.ACTIVE.value else _("（{s}）").format(s=AgentStatus(home.status).label)
        self.who.setText(_("{name}　代办员编号 {no}{status}　收件后 {n} 个工作日内交乡镇").format(
            name=home.agent_name, no=home.agent_no, status=status, n=home.handover_limit))
        for key, card in self.cards.items():
            if key == "result":
                n = sum(1 for r in home.came_back if r.state.result_ready)
            else:
                n = home.counts.get(key, 0)
            card.set_count(n, alert=key == S.COLLECTED and bool(home.overdue))
        self.due_model.set_rows(home.due)
        self.back_model.set_rows(home.came_back)
        self.waiting_model.set_rows(home.waiting)
        self.all_model.set_rows(home.open + home.recent_closed)
        for view in self.views.values():
            view.resizeColumnsToContents()
        self._update_tab_titles()
        if home.overdue:
            self.banner.show_message(_("有 {n} 件委托已超过交件期限（收件后 {limit} 个工作日），请尽快交到乡镇：{nos}").format(
                n=len(home.overdue), limit=home.handover_limit,
                nos="、".join(r.commission_no for r in home.overdue)), "error")
        elif any(r.handover_state == DEADLINE_APPROACHING for r in home.due):
            self.banner.show_message(_("有委托今天是交件的最后一天，请今天交到乡镇。"), "warning")
        elif self.banner.level == "success" and self.banner.isVisible():
            pass  # what the agent just did stays said (the banner's × closes it)
        elif any(r.state.result_ready for r in home.came_back):
            self.banner.show_message(_("有办理结果等待回交给委托人。"), "info")
        else:
            self.banner.clear()
        self._update_actions()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.banner.show_message(error_text(error), "error")

    def _update_tab_titles(self) -> None:
        titles = {"due": _("待交件"), "back": _("已回来"), "waiting": _("待收件"), "all": _("全部")}
        models = {"due": self.due_model, "back": self.back_model, "waiting": self.waiting_model,
                  "all": self.all_model}
        for i, key in enumerate(self.views):
            self.tabs.setTabText(i, f"{titles[key]}（{models[key].rowCount()}）")

    # -- selection and actions ---------------------------------------------------------

    def current_view(self) -> QtWidgets.QTableView:
        return self.tabs.currentWidget()  # type: ignore[return-value]

    def selected(self) -> CommissionRow | None:
        view = self.current_view()
        rows = view.selectionModel().selectedRows()
        if not rows:
            return None
        return view.model().row_at(rows[0].row())  # type: ignore[attr-defined]

    def select(self, tab: str, commission_no: str) -> bool:
        """Select a commission in a tab (for keyboard jumps and tests)."""
        keys = list(self.views)
        self.tabs.setCurrentIndex(keys.index(tab))
        view = self.views[tab]
        model = view.model()
        for r in range(model.rowCount()):
            if model.row_at(r).commission_no == commission_no:  # type: ignore[attr-defined]
                view.selectRow(r)
                return True
        return False

    def _update_actions(self, *_args: object) -> None:
        r = self.selected()
        st = r.state if r else None
        enable = {
            "collect": st in (S.COMMISSIONED, S.COLLECTED),
            "authorization": r is not None,
            "notice": st is S.COMMISSIONED,
            "outcome": st in (S.COLLECTED, S.HANDED_OVER, S.SUPPLEMENT, S.ACCEPTED),
            "return": bool(st and st.result_ready),
            "confirm": st is S.RETURNED,
            "cancel": st in (S.COMMISSIONED, S.COLLECTED, S.SUPPLEMENT),
            "detail": r is not None,
        }
        for key, b in self.action_buttons.items():
            b.setEnabled(bool(enable[key]))

    def new_commission(self) -> None:
        self.dialog = dialogs.CommissionDialog(self.ctx, self.runner, self.actor, self)
        self.dialog.created.connect(self._created)
        self.dialog.open()

    def _created(self, c: Any) -> None:
        self._after()
        self.banner.show_message(_("已登记委托 {no}。请打印《代办委托书》请委托人签字，再收取材料。").format(
            no=c.commission_no), "success")
        self.banner.add_action(_("打印委托书"), lambda: dialogs.show_authorization(
            self, self.ctx, self.runner, self.actor, c.id, c.commission_no), "printAuthorization")
        self.banner.add_action(_("收件…"), lambda: self._collect(c.id), "collectNow")

    def collect(self) -> None:
        r = self.selected()
        if r is not None:
            self._collect(r.id)

    def _collect(self, commission_id: int) -> None:
        self.dialog = dialogs.CollectDialog(self.ctx, self.runner, self.actor, commission_id, self)
        self.dialog.collected.connect(self._after)
        self.dialog.open()

    def print_authorization(self) -> None:
        r = self.selected()
        if r is not None:
            self.preview = dialogs.show_authorization(self, self.ctx, self.runner, self.actor, r.id, r.commission_no)

    def print_notice(self) -> None:
        r = self.selected()
        if r is not None:
            self.preview = dialogs.show_village_notice(self, self.ctx, self.runner, self.actor, r.id,
                                                       r.commission_no)

    def open_sheets(self) -> None:
        self.dialog = dialogs.HandoverSheetDialog(self.ctx, self.runner, self.actor, self)
        self.dialog.issued.connect(self._after)
        self.dialog.finished.connect(self._after)
        self.dialog.open()

    def record_outcome(self) -> None:
        r = self.selected()
        if r is not None:
            self.dialog = dialogs.OutcomeDialog(self.ctx, self.runner, self.actor, r.id, r.commission_no, self)
            self.dialog.recorded.connect(self._after)
            self.dialog.open()

    def cancel(self) -> None:
        self._step("cancel")


# =========================================================================== the township's overview


class AgentOverviewPage(_CommissionPage):
    """All agents' open commissions, overdue handovers, per-agent counts for a period."""

    COUNT_HEADERS = (_("代办员"), _("编号"), _("服务村（社区）"), _("状态"), _("委托"), _("交件"), _("按时交件"),
                     _("办结（含不予批准）"), _("不予受理"), _("回交"), _("在办"), _("超期未交"))

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.overview: TownshipOverview | None = None
        self.setObjectName("AgentOverviewPage")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        top = QtWidgets.QHBoxLayout()
        title = QtWidgets.QLabel(_("代办总览"))
        title.setObjectName("pageTitle")
        top.addWidget(title)
        top.addSpacing(16)
        today = ctx.today()
        self.start_edit = dialogs._date_edit(today.replace(day=1))
        self.start_edit.setObjectName("startDate")
        self.end_edit = dialogs._date_edit(today)
        self.end_edit.setObjectName("endDate")
        top.addWidget(QtWidgets.QLabel(_("统计区间")))
        top.addWidget(self.start_edit)
        top.addWidget(QtWidgets.QLabel(_("至")))
        top.addWidget(self.end_edit)
        self.refresh_button = QtWidgets.QPushButton(_("刷新  F5"))
        self.refresh_button.setShortcut(QtGui.QKeySequence("F5"))
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        self.receive_button = QtWidgets.QPushButton(_("接收交接单…  F6"))
        self.receive_button.setObjectName("receiveSheetButton")
        self.receive_button.setShortcut(QtGui.QKeySequence("F6"))
        make_primary(self.receive_button)
        self.receive_button.clicked.connect(self.receive_sheet)
        top.addWidget(self.receive_button)
        # the supervisor's two settings sit at the right end of the action row below: with
        # them up here the page needed more than a 1024-pixel screen
        self.registry_button = QtWidgets.QPushButton(_("代办员管理…"))
        self.registry_button.setObjectName("registryButton")
        self.registry_button.clicked.connect(self.open_registry)
        self.registry_button.setVisible(actor.is_supervisor)
        self.limit_button = QtWidgets.QPushButton(_("交件期限…"))
        self.limit_button.setObjectName("limitButton")
        self.limit_button.clicked.connect(self.open_limit)
        self.limit_button.setVisible(actor.is_supervisor)
        layout.addLayout(top)
        self.banner = MessageBanner(self)
        self.banner.setObjectName("overviewBanner")
        layout.addWidget(self.banner)
        split = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        counts_box = QtWidgets.QWidget()
        counts_layout = QtWidgets.QVBoxLayout(counts_box)
        counts_layout.setContentsMargins(0, 0, 0, 0)
        self.counts_title = QtWidgets.QLabel(_("各代办员统计"))
        self.counts_title.setObjectName("sectionHeading")
        counts_layout.addWidget(self.counts_title)
        self.counts_table = QtWidgets.QTableWidget(0, len(self.COUNT_HEADERS))
        self.counts_table.setObjectName("countsTable")
        self.counts_table.setHorizontalHeaderLabels(list(self.COUNT_HEADERS))
        self.counts_table.verticalHeader().setVisible(False)
        self.counts_table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts_table.setAlternatingRowColors(True)
        self.counts_table.horizontalHeader().setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.Stretch)
        counts_layout.addWidget(self.counts_table)
        split.addWidget(counts_box)
        overdue_box = QtWidgets.QWidget()
        overdue_layout = QtWidgets.QVBoxLayout(overdue_box)
        overdue_layout.setContentsMargins(0, 0, 0, 0)
        self.overdue_title = QtWidgets.QLabel(_("超期未交件"))
        self.overdue_title.setObjectName("sectionHeading")
        overdue_layout.addWidget(self.overdue_title)
        self.overdue_model = CommissionTableModel(township=True, parent=self)
        self.overdue_view = _table(self.overdue_model, "overdueTable")
        overdue_layout.addWidget(self.overdue_view)
        split.addWidget(overdue_box)
        open_box = QtWidgets.QWidget()
        open_layout = QtWidgets.QVBoxLayout(open_box)
        open_layout.setContentsMargins(0, 0, 0, 0)
        self.open_title = QtWidgets.QLabel(_("在办委托"))
        self.open_title.setObjectName("sectionHeading")
        open_layout.addWidget(self.open_title)
        self.open_model = CommissionTableModel(township=True, parent=self)
        self.open_view = _table(self.open_model, "openTable")
        self.open_view.selectionModel().selectionChanged.connect(self._update_actions)
        self.open_view.doubleClicked.connect(self.show_detail)
        open_layout.addWidget(self.open_view)
        split.addWidget(open_box)
        split.setSizes([220, 150, 330])
        layout.addWidget(split, 1)
        self._add_action_buttons(layout, (
            ("counter", _("窗口交件…"), self.hand_over_at_counter),
            ("accept", _("受理所选…"), self.accept_selected),
            ("return", _("登记回交…"), self.return_result),
            ("confirm", _("登记委托人确认…"), self.confirm_receipt),
            ("detail", _("详情…"), self.show_detail),
        ))
        self.action_row.addWidget(self.registry_button)
        self.action_row.addWidget(self.limit_button)
        self._update_actions()
        self.start_edit.dateChanged.connect(self.refresh)
        self.end_edit.dateChanged.connect(self.refresh)
        self.refresh()

    # -- loading ----------------------------------------------------------------------

    def period(self) -> tuple[dt.date, dt.date]:
        return dialogs._date(self.start_edit), dialogs._date(self.end_edit)

    @Slot()
    def refresh(self, *_args: object) -> None:
        start, end = self.period()
        self.runner.run(commissions.township_overview, self.ctx, self.actor, start, end,
                        on_success=self._loaded, on_failure=self._failed)

    def _loaded(self, view: TownshipOverview) -> None:
        self.overview = view
        self.counts_title.setText(_("各代办员统计（{a} 至 {b}）").format(a=view.start.isoformat(), b=view.end.isoformat()))
        self.counts_table.setRowCount(len(view.per_agent))
        for r, p in enumerate(view.per_agent):
            values = [p.name, p.agent_no, p.villages, AgentStatus(p.status).label, p.commissions, p.handed_over,
                      p.on_time, p.completed, p.refused, p.returned, p.open, p.overdue]
            for c, v in enumerate(values):
                item = QtWidgets.QTableWidgetItem(str(v))
                if isinstance(v, int):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if c == len(values) - 1 and p.overdue:
                    item.setBackground(QtGui.QColor(OVERDUE_BG))
                    item.setForeground(QtGui.QColor(OVERDUE_FG))
                self.counts_table.setItem(r, c, item)
        self.counts_table.resizeColumnsToContents()
        self.overdue_model.set_rows(view.overdue)
        self.open_model.set_rows(view.open)
        self.overdue_title.setText(_("超期未交件（{n}）　收件后 {limit} 个工作日内应交到乡镇").format(
            n=len(view.overdue), limit=view.handover_limit))
        self.open_title.setText(_("在办委托（{n}）").format(n=len(view.open)))
        for v in (self.overdue_view, self.open_view):
            v.resizeColumnsToContents()
        waiting = sum(1 for r in view.open if r.state is S.HANDED_OVER)
        if view.overdue:
            self.banner.show_message(_("{n} 件代办委托收件后超过 {limit} 个工作日仍未交到乡镇，请联系代办员。"
                                       "代办员把材料带到窗口的，请在“在办委托”中选中，点“窗口交件…”。").format(
                n=len(view.overdue), limit=view.handover_limit), "error")
        elif waiting:
            self.banner.show_message(_("{n} 件已交件的委托等待受理。").format(n=waiting), "info")
        else:
            self.banner.clear()
        self._update_actions()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.banner.show_message(error_text(error), "error")

    # -- actions ------------------------------------------------------------------------

    def selected(self) -> CommissionRow | None:
        rows = self.open_view.selectionModel().selectedRows()
        return self.open_model.row_at(rows[0].row()) if rows else None

    def select(self, commission_no: str) -> bool:
        for r in range(self.open_model.rowCount()):
            if self.open_model.row_at(r).commission_no == commission_no:
                self.open_view.selectRow(r)
                return True
        return False

    def _update_actions(self, *_args: object) -> None:
        r = self.selected()
        st = r.state if r else None
        # a commission on a printed sheet is received by scanning the sheet (F6)
        self.action_buttons["counter"].setEnabled(st is S.COLLECTED and not (r and r.sheet_no))
        self.action_buttons["accept"].setEnabled(st is S.HANDED_OVER)
        self.action_buttons["return"].setEnabled(bool(st and st.result_ready))
        self.action_buttons["confirm"].setEnabled(st is S.RETURNED)
        self.action_buttons["detail"].setEnabled(r is not None)

    def receive_sheet(self) -> None:
        self.dialog = dialogs.HandoverReceiveDialog(self.ctx, self.runner, self.actor, self)
        self.dialog.received.connect(self._after)
        self.dialog.finished.connect(self._after)
        self.dialog.open()

    def open_registry(self) -> None:
        if self.actor.is_supervisor:
            self.registry = dialogs.AgentsDialog(self.ctx, self.runner, self.actor, self)
            self.registry.changed.connect(self._after)
            self.registry.open()

    def open_limit(self) -> None:
        if self.actor.is_supervisor:
            self.limit_dialog = dialogs.HandoverLimitDialog(self.ctx, self.runner, self.actor, self)
            self.limit_dialog.changed.connect(self._after)
            self.limit_dialog.open()

    def hand_over_at_counter(self) -> None:
        r = self.selected()
        if r is not None and r.state is S.COLLECTED:
            self.dialog = dialogs.CounterHandoverDialog(self.ctx, self.runner, self.actor, r.id,
                                                        f"{r.commission_no} {r.principal_name}", self)
            self.dialog.handed_over.connect(self._after)
            self.dialog.finished.connect(self._after)  # accepted from the dialog meanwhile
            self.dialog.open()

    def accept_selected(self) -> None:
        r = self.selected()
        if r is not None:
            self.dialog = dialogs.ProxyAcceptDialog(self.ctx, self.runner, self.actor, r.id, self)
            self.dialog.decided.connect(self._after)
            self.dialog.open()


"""One case with its full history: the 办件详情 dialog.

Header (case number, status, deadline state, promised and legal due dates), applicant (ID
number masked), the item as it was when the case was taken (the item row the case refers to,
even if the catalog was re-imported since), the materials checklist as recorded, the documents
issued with every print and reprint, and the history of events. Actions follow the status:
补正受理 for a waiting case, 撤回 (with a reason) for a waiting or accepted one.

Everything is read on the database worker; the dialog shows "正在读取" until it arrives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from clerk_app.domain import ids, labels
from clerk_app.domain.status import CaseStatus, DocKind, MaterialState
from clerk_app.i18n import _
from clerk_app.services import auth, cases, intake, sync_admin
from clerk_app.services.common import Actor, Context
from clerk_app.store.models import Case, CaseEvent, Document
from clerk_app.ui import style
from clerk_app.ui.qt import QtCore, QtGui, QtWidgets, Qt, Signal, Slot
from clerk_app.ui.tasks import TaskRunner, error_text
from clerk_app.ui.widgets import MessageBanner

SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
WITHDRAWABLE = (CaseStatus.AWAITING_SUPPLEMENT.value, CaseStatus.ACCEPTED.value)

CHANNEL_LABELS = {"counter": _("窗口受理"), "proxy": _("代办员代办")}
STATUS_COLOURS = {  # badge background, text
    CaseStatus.AWAITING_SUPPLEMENT.value: ("#fde7c8", "#7c3d06"),
    CaseStatus.ACCEPTED.value: (style.ACCENT_LIGHT, style.ACCENT_DARK),
    CaseStatus.SUBMITTED.value: (style.ACCENT_LIGHT, style.ACCENT_DARK),
    CaseStatus.IN_REVIEW.value: (style.ACCENT_LIGHT, style.ACCENT_DARK),
    CaseStatus.COMPLETED.value: ("#dcf1e1", "#1d5a2b"),
    CaseStatus.DONE_ON_SPOT.value: ("#dcf1e1", "#1d5a2b"),
    CaseStatus.DELIVERED.value: ("#dcf1e1", "#1d5a2b"),
    CaseStatus.NOT_APPROVED.value: ("#f3e1e1", "#7a1f1f"),
    CaseStatus.REFUSED.value: ("#e6e8eb", "#3d4650"),
    CaseStatus.WITHDRAWN.value: ("#e6e8eb", "#3d4650"),
}
DEADLINE_BADGES = {
    "normal": (_("时限正常"), "#dcf1e1", style.NORMAL_FG),
    "approaching": (_("预警：即将到期"), style.APPROACHING_STRONG, "#3d2e00"),
    "overdue": (_("超期"), style.OVERDUE_STRONG, "#ffffff"),
}


@dataclass(frozen=True)
class DetailData:
    """What the worker hands to the dialog: the case (relations loaded) and its context."""

    case: Case
    deadline: str  # none | normal | approaching | overdue
    operators: dict[int, str]  # operator id -> display name
    sync: sync_admin.CaseSyncInfo | None = None  # has the county got it, and what it said


def load_detail(ctx: Context, case_id: int) -> DetailData:
    """Worker side: everything the dialog shows."""
    case = cases.case_detail(ctx, case_id)
    names = {op.id: op.display_name for op in auth.list_operators(ctx)}
    return DetailData(case, cases.case_deadline(ctx, case), names,
                      sync_admin.case_sync_state(ctx, case.case_no))


def sync_notes(info: sync_admin.CaseSyncInfo | None) -> list[str]:
    """What the county center knows of the case, in words."""
    if info is None or info.state == "none":
        return []
    if info.state == "rejected":
        lines = [_("报送县中心：被拒收（{reason}）。请在「同步 → 被退回的记录」中修改后重新上传。").format(
            reason=info.reason or _("未说明原因"))]
    else:
        lines = [_("报送县中心：{state}").format(state=info.label)]
    if info.official_no:
        lines.append(_("县级办件编号：{no}").format(no=info.official_no))
    if info.result_text:
        lines.append(_("县级办理结果：{text}").format(text=info.result_text))
    return lines


def format_time(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def status_label(value: str | None) -> str:
    return labels.status_label(value) if value else ""


def status_change(event: CaseEvent) -> str:
    before, after = status_label(event.from_status), status_label(event.to_status)
    if before and after and before != after:
        return _("{before} → {after}").format(before=before, after=after)
    return after or before


def event_details(detail: dict[str, Any], action: str = "") -> str:
    """The details of an event, one per line, in Chinese."""
    return "\n".join(_("{label}：{value}").format(label=label, value=value)
                     for label, value in labels.details(detail, action, "case"))


def material_state_label(value: str) -> str:
    try:
        return MaterialState(value).label
    except ValueError:
        return value


def doc_kind_label(value: str) -> str:
    try:
        return DocKind(value).label
    except ValueError:
        return value


def _label(text: str = "", name: str = "fieldValue") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(SELECTABLE)
    return label


def _code_field(text: str) -> QtWidgets.QLineEdit:
    """A long code with no place to wrap (实施编码): shown as far as it fits, copied whole."""
    field = QtWidgets.QLineEdit(text)
    field.setObjectName("codeField")
    field.setReadOnly(True)
    field.setFrame(False)
    field.setCursorPosition(0)
    field.setToolTip(text)
    field.setStyleSheet("QLineEdit#codeField { border: none; background: transparent; padding: 0;"
                        " min-height: 0; }")
    field.setMinimumWidth(60)
    return field


def _badge(label: QtWidgets.QLabel, text: str, background: str, foreground: str) -> None:
    label.setText(text)
    label.setStyleSheet(
        f"background: {background}; color: {foreground}; border-radius: 4px;"
        " padding: 4px 12px; font-weight: bold; font-size: 13pt;")
    label.setVisible(bool(text))


class _WrapDelegate(QtWidgets.QStyledItemDelegate):
    """Row heights that fit wrapped text: the stylesheet pads items (style.py), and Qt measures
    the wrap without that padding, so a line that just fits is cut when painted."""

    PADDING = 14  # QTableView::item padding (6 px each side) and a little slack

    def sizeHint(self, option: QtWidgets.QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QtCore.QModelIndex) -> QtCore.QSize:
        opt = QtWidgets.QStyleOptionViewItem(option)
        opt.rect.setWidth(max(20, opt.rect.width() - self.PADDING))
        return super().sizeHint(opt, index)


def _table(headers: list[str]) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(headers))
    table.setItemDelegate(_WrapDelegate(table))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(True)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setTabKeyNavigation(False)
    table.horizontalHeader().setHighlightSections(False)
    table.horizontalHeader().setStretchLastSection(True)
    # rows follow their wrapped text when the dialog is resized
    table.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
    return table


def _cell(text: str, tooltip: str = "") -> QtWidgets.QTableWidgetItem:
    item = QtWidgets.QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if tooltip:
        item.setToolTip(tooltip)
    return item


class WithdrawDialog(QtWidgets.QDialog):
    """Asks why a case is withdrawn; the reason goes into its history and to the county."""

    #: the clerk confirmed, with this reason (never empty)
    confirmed = Signal(str)

    def __init__(self, case_no: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WithdrawDialog")
        self.setWindowTitle(_("撤回办件"))
        self.resize(520, 300)
        layout = QtWidgets.QVBoxLayout(self)
        intro = _label(_("撤回办件 {no}。撤回后该办件不再办理，此操作不能撤销。\n请写明撤回的原因（例如：申请人主动撤回申请）：")
                       .format(no=case_no), "hint")
        layout.addWidget(intro)
        self.reason_edit = QtWidgets.QPlainTextEdit(self)
        self.reason_edit.setObjectName("withdrawReason")
        self.reason_edit.setPlaceholderText(_("撤回原因（必填）"))
        self.reason_edit.setTabChangesFocus(True)
        layout.addWidget(self.reason_edit, 1)
        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(_("确认撤回"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(_("取消"), QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setObjectName("confirmWithdraw")
        self.ok_button.setEnabled(False)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._on_text_changed)
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    @Slot()
    def _on_text_changed(self) -> None:
        self.ok_button.setEnabled(bool(self.reason()))

    @Slot()
    def _on_ok(self) -> None:
        reason = self.reason()
        if reason:
            self.confirmed.emit(reason)
            self.accept()


class CaseDetailDialog(QtWidgets.QDialog):
    """A case with its full history, and what may be done with it now."""

    #: the clerk wants to take in the missing materials of this waiting case (its id)
    supplement_requested = Signal(int)
    #: the case was changed here (withdrawn, printed): lists showing it should refresh
    case_changed = Signal(int)
    #: the case has been read and shown
    loaded = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, case_id: int,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CaseDetailDialog")
        self.ctx = ctx
        self.runner = runner
        self.actor = actor
        self.case_id = case_id
        self.data: DetailData | None = None
        self.withdraw_dialog: WithdrawDialog | None = None
        self.setWindowTitle(_("办件详情"))
        self.resize(1180, 780)
        self._build()
        self.reload()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)

        header = QtWidgets.QFrame(self)
        header.setObjectName("card")
        hl = QtWidgets.QVBoxLayout(header)
        hl.setContentsMargins(16, 12, 16, 12)
        top = QtWidgets.QHBoxLayout()
        self.case_no_label = _label(_("正在读取办件…"), "detailCaseNo")
        self.case_no_label.setWordWrap(False)
        self.case_no_label.setStyleSheet(
            f"font-size: 22pt; font-weight: bold; color: {style.ACCENT_DARK}; letter-spacing: 1px;")
        top.addWidget(self.case_no_label)
        top.addSpacing(12)
        self.status_badge = QtWidgets.QLabel(self)
        self.status_badge.setObjectName("statusBadge")
        self.deadline_badge = QtWidgets.QLabel(self)
        self.deadline_badge.setObjectName("deadlineBadge")
        for b in (self.status_badge, self.deadline_badge):
            b.hide()
            top.addWidget(b)
        top.addStretch(1)
        hl.addLayout(top)
        self.dates_label = _label("", "detailDates")
        self.dates_label.setStyleSheet("font-size: 13pt;")
        hl.addWidget(self.dates_label)
        self.note_label = _label("", "detailNote")
        self.note_label.hide()
        hl.addWidget(self.note_label)
        layout.addWidget(header)

        body = QtWidgets.QHBoxLayout()
        body.setSpacing(12)
        left = QtWidgets.QVBoxLayout()
        left.setSpacing(10)
        self.applicant_box, self.applicant_form = self._group(_("申请人"))
        self.item_box, self.item_form = self._group(_("事项（受理时的版本）"))
        for box in (self.applicant_box, self.item_box):
            left.addWidget(box)
        left.addStretch(1)
        left_widget = QtWidgets.QWidget(self)
        left_widget.setLayout(left)
        left_scroll = QtWidgets.QScrollArea(self)
        left_scroll.setWidget(left_widget)
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setFixedWidth(360)
        body.addWidget(left_scroll)

        self.tabs = QtWidgets.QTabWidget(self)
        self.history_table = _table([_("时间"), _("操作人"), _("办理环节"), _("状态"), _("说明")])
        self.history_table.setObjectName("historyTable")
        self.materials_table = _table([_("序号"), _("材料名称"), _("形式"), _("份数"), _("核对结果"), _("问题或说明")])
        self.materials_table.setObjectName("materialsTable")
        self.documents_table = _table([_("文书"), _("文号"), _("出具"), _("打印记录"), ""])
        self.documents_table.setObjectName("documentsTable")
        self.documents_table.horizontalHeader().setStretchLastSection(False)
        self.documents_table.horizontalHeader().setSectionResizeMode(
            3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        # widths first: rows take the height of their text wrapped at these widths
        for table, widths in ((self.history_table, (165, 70, 180, 140)),
                              (self.materials_table, (50, 230, 130, 60, 180)),
                              (self.documents_table, (130, 200, 150, 250, 130))):
            for col, width in enumerate(widths):
                table.setColumnWidth(col, width)
        self.documents_table.verticalHeader().setMinimumSectionSize(52)  # room for the button
        self.tabs.addTab(self.history_table, _("办理记录"))
        self.tabs.addTab(self.materials_table, _("材料清单"))
        self.tabs.addTab(self.documents_table, _("文书"))
        body.addWidget(self.tabs, 1)
        layout.addLayout(body, 1)

        self.banner = MessageBanner(self)
        layout.addWidget(self.banner)

        buttons = QtWidgets.QHBoxLayout()
        self.supplement_button = QtWidgets.QPushButton(_("补正受理"), self)
        self.supplement_button.setObjectName("detailSupplement")
        self.supplement_button.setToolTip(_("申请人带齐材料回来了：关闭本窗口，在受理页补正"))
        style.make_primary(self.supplement_button)
        self.withdraw_button = QtWidgets.QPushButton(_("撤回…"), self)
        self.withdraw_button.setObjectName("detailWithdraw")
        self.close_button = QtWidgets.QPushButton(_("关闭"), self)
        for b in (self.supplement_button, self.withdraw_button):
            b.setAutoDefault(False)
            b.hide()
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.supplement_button.clicked.connect(self.request_supplement)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.close_button.clicked.connect(self.reject)

    def _group(self, title: str) -> tuple[QtWidgets.QGroupBox, QtWidgets.QFormLayout]:
        box = QtWidgets.QGroupBox(title, self)
        box.setStyleSheet("QGroupBox { font-weight: bold; } QGroupBox QLabel { font-weight: normal; }")
        form = QtWidgets.QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(4)
        return box, form

    @staticmethod
    def _fill(form: QtWidgets.QFormLayout, rows: list[tuple[str, str | QtWidgets.QWidget]]) -> None:
        while form.rowCount():
            form.removeRow(0)
        for caption, value in rows:
            cap = QtWidgets.QLabel(caption)
            cap.setObjectName("fieldLabel")
            form.addRow(cap, _label(value) if isinstance(value, str) else value)

    # -- loading -------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        self.runner.run(load_detail, self.ctx, self.case_id,
                        on_success=self._on_loaded,
                        on_failure=self._on_load_failed)

    @Slot(object)
    def _on_loaded(self, data: DetailData) -> None:
        self.data = data
        case = data.case
        self.setWindowTitle(_("办件详情 {no}").format(no=case.case_no))
        self._show_header(data)
        self._show_applicant(case)
        self._show_item(case)
        self._show_history(case.events, data.operators)
        self._show_materials(case)
        self._show_documents(case.documents, data.operators)
        self.supplement_button.setVisible(case.status == CaseStatus.AWAITING_SUPPLEMENT.value)
        self.withdraw_button.setVisible(case.status in WITHDRAWABLE)
        self.loaded.emit()

    @Slot(object)
    def _on_load_failed(self, error: BaseException) -> None:
        self.case_no_label.setText(_("无法读取办件"))
        self.banner.show_message(error_text(error), "error")

    # -- showing -------------------------------------------------------------------------

    def _show_header(self, data: DetailData) -> None:
        case = data.case
        self.case_no_label.setText(case.case_no)
        bg, fg = STATUS_COLOURS.get(case.status, ("#e6e8eb", "#3d4650"))
        _badge(self.status_badge, status_label(case.status), bg, fg)
        if data.deadline in DEADLINE_BADGES:
            text, bg, fg = DEADLINE_BADGES[data.deadline]
            _badge(self.deadline_badge, text, bg, fg)
        else:
            self.deadline_badge.hide()
        est = _("（估）") if case.due_estimated else ""
        parts = []
        if case.due_date:
            parts.append(_("承诺办结日 {day}{est}").format(day=case.due_date.isoformat(), est=est))
        if case.legal_due_date:  # the estimate mark is the promised date's (intake sets it so)
            parts.append(_("法定办结日 {day}").format(day=case.legal_due_date.isoformat()))
        if case.accepted_at:
            parts.append(_("受理于 {time}").format(time=format_time(case.accepted_at)))
        else:
            parts.append(_("登记于 {time}").format(time=format_time(case.created_at)))
        if case.completed_at:
            parts.append(_("办结于 {time}").format(time=format_time(case.completed_at)))
        parts.append(_("登记人 {name}（{channel}）").format(
            name=data.operators.get(case.operator_id, "—"),
            channel=CHANNEL_LABELS.get(case.channel, case.channel)))
        self.dates_label.setText("    ".join(parts))
        notes = []
        if case.note:
            notes.append(_("备注：{note}").format(note=case.note))
        if case.due_estimated:
            notes.append(_("承诺办结日超出已公布的节假日安排，按周一至周五估算；日历更新后可能调整。"))
        if case.status == CaseStatus.AWAITING_SUPPLEMENT.value:
            notes.append(_("已出具一次性告知书，等待申请人补齐材料；补齐后受理，期限从受理之日起算。"))
        if case.status == CaseStatus.REFUSED.value:
            notes.append(_("不予受理：{reason}\n请申请人：{redirect}").format(
                reason=case.refusal_reason or "", redirect=case.refusal_redirect or ""))
        if data.deadline == "overdue":
            notes.append(_("已超过承诺办结日，请尽快督办。"))
        notes.extend(sync_notes(data.sync))
        self.note_label.setText("\n".join(notes))
        warn = case.due_estimated or data.deadline in ("approaching", "overdue")
        self.note_label.setStyleSheet(
            f"color: {style.APPROACHING_FG if warn else style.MUTED};"
            + (f" background: {style.APPROACHING_BG}; padding: 4px 8px; border-radius: 3px;" if warn else ""))
        self.note_label.setVisible(bool(notes))

    def _show_applicant(self, case: Case) -> None:
        a = case.applicant
        org = a.kind == "org"
        try:
            id_label = _("统一社会信用代码") if org else ids.IdType(a.id_type).label
        except ValueError:
            id_label = a.id_type
        rows = [(_("单位名称") if org else _("姓名"), a.name), (id_label, ids.mask_id(a.id_number))]
        if org and a.legal_rep:
            rows.append((_("法定代表人"), a.legal_rep))
        if not org and (a.sex or a.birth_date):
            born = a.birth_date.isoformat() if a.birth_date else ""
            rows.append((_("性别 / 出生"), " / ".join(x for x in (a.sex or "", born) if x)))
        rows.append((_("联系电话"), ids.mask_phone(a.phone) if a.phone else "—"))
        if a.address:
            rows.append((_("地址"), a.address))
        self._fill(self.applicant_form, rows)

    def _show_item(self, case: Case) -> None:
        it = case.item

        def limit(days: int) -> str:
            return _("即办") if days <= 0 else _("{n} 个工作日").format(n=days)

        version = _("第 {n} 版清单").format(n=it.version_id)
        if not it.current:
            version += _("（此后清单已更新，这里是受理时的版本）")
        self._fill(self.item_form, [
            (_("事项名称"), it.name),
            (_("实施编码"), _code_field(it.code)),
            (_("实施主体"), it.body),
            (_("承诺 / 法定时限"), _("{promised} / {legal}").format(
                promised=limit(it.promised_limit), legal=limit(it.legal_limit))),
            (_("收费"), it.fee or "—"),
            (_("清单版本"), version),
        ])

    def _show_history(self, events: list[CaseEvent], operators: dict[int, str]) -> None:
        table = self.history_table
        table.setRowCount(len(events))
        for row, ev in enumerate(events):
            if ev.operator_id is not None:
                who = operators.get(ev.operator_id, "#%d" % ev.operator_id)
            else:
                who = _("县级部门") if ev.action in labels.COUNTY_EVENT_ACTIONS else "—"
            table.setItem(row, 0, _cell(format_time(ev.at)))
            table.setItem(row, 1, _cell(who))
            table.setItem(row, 2, _cell(labels.case_event_label(ev.action)))
            table.setItem(row, 3, _cell(status_change(ev)))
            details = event_details(ev.detail, ev.action)
            table.setItem(row, 4, _cell(details, details))

    def _show_materials(self, case: Case) -> None:
        table = self.materials_table
        table.setRowCount(len(case.materials))
        for row, m in enumerate(case.materials):
            note = m.problem if m.state == MaterialState.WRONG.value else ""
            if not m.required:
                applies = {True: _("适用"), False: _("不适用"), None: _("未询问")}[m.condition_applies]
                cond = _("条件必需（{applies}）：{condition}").format(applies=applies, condition=m.condition or "")
                note = "\n".join(x for x in (note, cond) if x)
            copies = _("{got}/{need}").format(got=m.copies_received, need=m.copies_required)
            cells = [str(m.seq), m.name, m.form, copies, material_state_label(m.state), note]
            for col, text in enumerate(cells):
                item = _cell(text, note if col == 5 else "")
                if m.state in (MaterialState.MISSING.value, MaterialState.WRONG.value):
                    item.setForeground(QtGui.QColor(style.OVERDUE_FG))
                table.setItem(row, col, item)

    def _show_documents(self, docs: list[Document], operators: dict[int, str]) -> None:
        table = self.documents_table
        table.setRowCount(len(docs))
        for row, doc in enumerate(docs):
            prints = []
            for p in doc.prints:
                who = operators.get(p.operator_id, "—") if p.operator_id else "—"
                kind = _("补打") if p.is_copy else _("原件")
                paper = labels.PAPER_LABELS.get(p.paper, p.paper)
                if p.medium == "pdf":
                    paper = _("{paper} PDF").format(paper=paper)
                prints.append(_("{time} {who} {kind} {paper}").format(
                    time=format_time(p.at), who=who, kind=kind, paper=paper))
            title = doc_kind_label(doc.kind)
            if doc.kind == DocKind.NOTICE.value and doc.seq > 1:
                title = _("{kind}（第 {n} 次）").format(kind=title, n=doc.seq)
            table.setItem(row, 0, _cell(title))
            table.setItem(row, 1, _cell(doc.doc_no))
            table.setItem(row, 2, _cell(_("{time}\n{who}").format(
                time=format_time(doc.issued_at), who=operators.get(doc.operator_id, "—"))))
            table.setItem(row, 3, _cell("\n".join(prints) or _("未打印")))
            button = QtWidgets.QPushButton(_("预览/打印"))
            button.setObjectName("showDocument")
            button.setProperty("doc_id", doc.id)
            button.setAutoDefault(False)
            button.clicked.connect(self._on_document_button)
            holder = QtWidgets.QWidget()
            hl = QtWidgets.QHBoxLayout(holder)
            hl.setContentsMargins(4, 2, 4, 2)
            hl.addWidget(button)
            table.setCellWidget(row, 4, holder)


    # -- actions -------------------------------------------------------------------------

    def document_buttons(self) -> list[QtWidgets.QPushButton]:
        return self.documents_table.findChildren(QtWidgets.QPushButton, "showDocument")

    @Slot()
    def _on_document_button(self) -> None:
        button = self.sender()
        if button is not None:
            self.show_document(int(button.property("doc_id")))

    def show_document(self, doc_id: int) -> None:
        """The print preview of one document, with print, save and reprint (补打)."""
        from clerk_app.ui import printing

        preview = printing.show_document(self, self.ctx, self.runner, self.actor, doc_id)
        preview.printed.connect(self._on_printed)

    @Slot(int, bool)
    def _on_printed(self, _doc_id: int, _is_copy: bool) -> None:
        self.reload()  # the print record shows up under the document

    @Slot()
    def request_supplement(self) -> None:
        if self.data is None or self.data.case.status != CaseStatus.AWAITING_SUPPLEMENT.value:
            return
        self.supplement_requested.emit(self.case_id)
        self.accept()

    @Slot()
    def withdraw(self) -> None:
        if self.data is None or self.data.case.status not in WITHDRAWABLE:
            return
        dialog = WithdrawDialog(self.data.case.case_no, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(self._on_withdraw_confirmed)
        dialog.finished.connect(self._on_withdraw_finished)
        self.withdraw_dialog = dialog
        dialog.open()

    @Slot(str)
    def _on_withdraw_confirmed(self, reason: str) -> None:
        self.withdraw_button.setEnabled(False)
        self.runner.run(intake.withdraw, self.ctx, self.actor, self.case_id, reason,
                        on_success=self._on_withdrawn,
                        on_failure=self._on_withdraw_failed)

    @Slot(int)
    def _on_withdraw_finished(self, _result: int) -> None:
        self.withdraw_dialog = None

    @Slot(object)
    def _on_withdrawn(self, _result: object) -> None:
        self.withdraw_button.setEnabled(True)
        self.banner.show_message(_("办件已撤回。"), "success")
        self.case_changed.emit(self.case_id)
        self.reload()

    @Slot(object)
    def _on_withdraw_failed(self, error: BaseException) -> None:
        self.withdraw_button.setEnabled(True)
        self.banner.show_message(error_text(error), "error")

"""The intake page (受理): a guided flow in four steps for a clerk with a citizen at the counter.

1. 事项 -- search the catalog as you type (name, pinyin initials, full pinyin, code),
   Up/Down and Enter to pick; the item's conditions, materials and limits are shown.
2. 申请人 -- a person or an organization, checked field by field; a returning applicant is
   found by ID number (typed, or scanned by a card reader that ends with Enter).
3. 材料核对 -- the item's checklist with quick keys; what is missing is shown live.
4. 结果 -- 受理 (receipt; 即办办结 for items handled on the spot), 一次性告知书 (when something is
   missing or wrong) or 不予受理 (refusal notice). The case number and due date are shown
   large and the issued document opens in the print preview.

A case waiting for materials is reopened for 补正 by its number (typed or scanned) or by
``open_for_supplement``. The form is saved as a draft a second after each change and comes
back after a crash; so do the ticks of a 补正 in progress (a draft of its own, kept apart
from the new intake's, and dropped if the case stopped waiting meanwhile). Keyboard:
Ctrl+Enter the step's main action, Alt+1..4 the steps, Esc back, F5 the next applicant.

Database work runs through the :class:`TaskRunner`; nothing here waits on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
import logging
from typing import TYPE_CHECKING, Any

from clerk_app.domain import divisions, ids
from clerk_app.domain.case_numbers import case_no_error, normalize_case_no
from clerk_app.domain.checklist import ChecklistLine
from clerk_app.domain.status import CaseStatus, DocKind, MaterialState
from clerk_app.i18n import _
from clerk_app.services import cases, catalog, intake, setup
from clerk_app.services.common import Actor, Context, ServiceError
from clerk_app.store.models import Case, ServiceItem
from clerk_app.ui.applicant_form import ApplicantForm
from clerk_app.ui.checklist import ChecklistWidget
from clerk_app.ui.item_view import ItemView, format_limit
from clerk_app.ui.printing import DocumentPreviewDialog, show_document
from clerk_app.ui.qt import QtCore, QtGui, QtWidgets, Qt, Signal
from clerk_app.ui.tasks import TaskRunner, error_text
from clerk_app.ui.widgets import MessageBanner, StepBar, hint_label, section_title

if TYPE_CHECKING:
    from clerk_app.domain.search import CatalogIndex

log = logging.getLogger(__name__)

STEP_ITEM, STEP_APPLICANT, STEP_CHECKLIST, STEP_RESULT = range(4)
DRAFT_DELAY_MS = 1000
DRAFT_VERSION = 1
DRAFT_INTAKE, DRAFT_SUPPLEMENT = "intake", "supplement"  # the kinds of draft rows
NEW, SUPPLEMENT = "new", "supplement"
WEEKDAYS = (_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"),
            _("星期日"))
LIST_SEP = _("、")  # between names in a sentence
PART_SEP = _("　·　")  # between the parts of a one-line summary

_APPLICANT_FIELDS = {"name", "id_type", "id_number", "phone", "legal_rep", "address"}


# --- work done on the database worker --------------------------------------------------


@dataclass
class StartData:
    items: list[ServiceItem]
    index: CatalogIndex
    draft: dict[str, Any] | None
    township_name: str
    villages: list[divisions.Division]
    today: dt.date
    supplement_draft: dict[str, Any] | None = None


def load_start(ctx: Context, actor: Actor) -> StartData:
    """What the page needs to open: the catalog and its search index, the villages, a draft."""
    from clerk_app.domain.search import CatalogIndex  # pypinyin: on the worker, not at start

    items = catalog.current_items(ctx)
    index = CatalogIndex(catalog.iter_index_rows(items))
    draft = cases.load_draft(ctx, actor, kind=DRAFT_INTAKE)
    supplement_draft = cases.load_draft(ctx, actor, kind=DRAFT_SUPPLEMENT)
    township_name = ""
    villages: list[divisions.Division] = []
    try:
        sp = setup.service_point(ctx)
    except ServiceError:
        sp = None
    if sp is not None:
        township_name = sp.township_name
        villages = divisions.villages(sp.division_code[:9])
    return StartData(items, index, draft, township_name, villages, ctx.today(),
                     supplement_draft)


def load_catalog(ctx: Context) -> tuple[list[ServiceItem], CatalogIndex]:
    from clerk_app.domain.search import CatalogIndex

    items = catalog.current_items(ctx)
    return items, CatalogIndex(catalog.iter_index_rows(items))


@dataclass
class SupplementData:
    case: Case
    item: ServiceItem
    lines: list[ChecklistLine]
    notified: set[str] = field(default_factory=set)
    notice_at: dt.datetime | None = None


def load_supplement(ctx: Context, case_id: int) -> SupplementData:
    case = cases.case_detail(ctx, case_id)
    item = catalog.get_item(ctx, case.item_id)
    notified: set[str] = set()
    notice_at = None
    for doc in case.documents:
        if doc.kind == DocKind.NOTICE.value:
            notice_at = doc.issued_at
            for m in doc.content.get("missing", []):
                notified.add(m["name"])
    return SupplementData(case, item, intake.lines_of(case), notified, notice_at)


def save_draft_job(ctx: Context, actor: Actor, payload: dict[str, Any] | None,
                   kind: str = DRAFT_INTAKE) -> None:
    """Save the draft of ``kind`` (a new intake, or a 补正); ``None`` removes it."""
    if payload is None:
        cases.clear_draft(ctx, actor, kind=kind)
        return
    payload = dict(payload, saved_at=ctx.clock().isoformat(timespec="seconds"))
    cases.save_draft(ctx, actor, payload, kind=kind)


# --- small pieces ----------------------------------------------------------------------


def format_day(day: dt.date) -> str:
    return _("{y}年{m}月{d}日（{w}）").format(y=day.year, m=day.month, d=day.day,
                                               w=WEEKDAYS[day.weekday()])


def format_saved_at(text: str | None) -> str:
    if not text:
        return ""
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return when.strftime("%Y-%m-%d %H:%M")


class ItemListDelegate(QtWidgets.QStyledItemDelegate):
    """Two lines per item: the name, and its implementing body and promised limit in grey."""

    SUB_ROLE = Qt.ItemDataRole.UserRole + 1

    def paint(self, painter: QtGui.QPainter, option: QtWidgets.QStyleOptionViewItem,
              index: QtCore.QModelIndex) -> None:
        opt = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        sub = index.data(self.SUB_ROLE) or ""
        opt.text = ""
        style = opt.widget.style() if opt.widget else QtWidgets.QApplication.style()
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QtWidgets.QStyle.StateFlag.State_Selected)
        rect = opt.rect.adjusted(10, 5, -8, -5)
        painter.save()
        name_font = QtGui.QFont(opt.font)
        name_font.setPointSizeF(opt.font.pointSizeF() * 1.08)
        painter.setFont(name_font)
        painter.setPen(opt.palette.color(QtGui.QPalette.ColorRole.HighlightedText) if selected
                       else opt.palette.color(QtGui.QPalette.ColorRole.Text))
        fm = QtGui.QFontMetrics(name_font)
        name = fm.elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "",
                             Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.x(), rect.y() + fm.ascent(), name)
        painter.setFont(opt.font)
        painter.setPen(QtGui.QColor("#e8eefc") if selected else QtGui.QColor("#6b7280"))
        fm2 = QtGui.QFontMetrics(opt.font)
        sub = fm2.elidedText(sub, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.x(), rect.y() + fm.height() + 3 + fm2.ascent(), sub)
        painter.restore()

    def sizeHint(self, option: QtWidgets.QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QtCore.QModelIndex) -> QtCore.QSize:
        fm = QtGui.QFontMetrics(option.font)
        return QtCore.QSize(200, int(fm.height() * 2.35) + 12)


class RefusalDialog(QtWidgets.QDialog):
    """Why the application cannot be accepted here, and where to apply instead."""

    def __init__(self, item_name: str, suggestion: str, parent: QtWidgets.QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("RefusalDialog")
        self.setWindowTitle(_("不予受理"))
        self.setModal(True)
        self.resize(560, 380)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(section_title(_("不予受理「{item}」").format(item=item_name), self))
        layout.addWidget(hint_label(
            _("不属于本服务点受理范围、或申请人不符合申请条件时出具《不予受理通知书》。"
              "请写明理由，并告诉申请人应向哪里申请。"), self))
        layout.addWidget(QtWidgets.QLabel(_("不予受理的理由(&R)："), self))
        self.reason_edit = QtWidgets.QPlainTextEdit(self)
        self.reason_edit.setObjectName("refusalReason")
        self.reason_edit.setPlaceholderText(_("例如：申请人户籍不在本镇，不符合本事项的申请条件。"))
        self.reason_edit.setTabChangesFocus(True)
        layout.itemAt(layout.count() - 1).widget().setBuddy(self.reason_edit)
        layout.addWidget(self.reason_edit, 1)
        self.reason_message = QtWidgets.QLabel(self)
        self.reason_message.setStyleSheet("color: #c62828;")
        self.reason_message.hide()
        layout.addWidget(self.reason_message)
        redirect_label = QtWidgets.QLabel(_("应向何处申请(&W)（部门、地址或电话）："), self)
        layout.addWidget(redirect_label)
        self.redirect_edit = QtWidgets.QLineEdit(self)
        self.redirect_edit.setObjectName("refusalRedirect")
        self.redirect_edit.setPlaceholderText(suggestion)
        redirect_label.setBuddy(self.redirect_edit)
        layout.addWidget(self.redirect_edit)
        self.redirect_message = QtWidgets.QLabel(self)
        self.redirect_message.setStyleSheet("color: #c62828;")
        self.redirect_message.hide()
        layout.addWidget(self.redirect_message)
        buttons = QtWidgets.QDialogButtonBox(self)
        self.ok_button = buttons.addButton(_("出具不予受理通知书"),
                                           QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("refusalOk")
        buttons.addButton(_("取消"), QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def redirect(self) -> str:
        return self.redirect_edit.text().strip()

    def _on_ok(self) -> None:
        ok = True
        if not self.reason():
            self.reason_message.setText(_("请写明不予受理的理由。"))
            self.reason_message.show()
            self.reason_edit.setFocus()
            ok = False
        else:
            self.reason_message.hide()
        if not self.redirect():
            self.redirect_message.setText(_("请写明申请人应向哪里申请（部门、地址或电话）。"))
            self.redirect_message.show()
            if ok:
                self.redirect_edit.setFocus()
            ok = False
        else:
            self.redirect_message.hide()
        if ok:
            self.accept()


# --- the page ----------------------------------------------------------------------------


class IntakePage(QtWidgets.QWidget):
    """受理: item → applicant → materials → outcome, and 补正 of a waiting case."""

    #: case id, after any outcome (accepted, 即办, notice, refused, supplement saved)
    case_saved = Signal(int)

    STEP_TITLES = (_("事项"), _("申请人"), _("材料核对"), _("结果"))

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("IntakePage")
        self.ctx = ctx
        self.runner = runner
        self.actor = actor

        self.loaded = False
        self.items: list[ServiceItem] = []
        self.items_by_id: dict[int, ServiceItem] = {}
        self.index: CatalogIndex | None = None
        self.item: ServiceItem | None = None
        self.mode = NEW
        self.case: Case | None = None  # the waiting case in 补正 mode
        self.outcome: intake.Outcome | None = None
        self.outcome_action = ""
        self.preview_dialog: DocumentPreviewDialog | None = None
        self.refusal_dialog: RefusalDialog | None = None
        self.step = STEP_ITEM
        self._pending: tuple[str, int] | None = None
        self._restoring = False
        self._draft_dirty = False
        self._drafts_enabled = True
        self._running = False
        self._pending_draft: dict[str, Any] | None = None
        #: a 补正 draft offered in its banner, not yet restored or discarded
        self._pending_supplement_draft: dict[str, Any] | None = None
        self._supplement_touched = False  # the clerk changed something in this 补正
        self._f5_armed = False

        self._draft_timer = QtCore.QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.flush_draft)
        self._f5_timer = QtCore.QTimer(self)
        self._f5_timer.setSingleShot(True)
        self._f5_timer.setInterval(4000)
        self._f5_timer.timeout.connect(self._disarm_f5)

        self._build()
        self._build_shortcuts()
        self._apply_style()
        self.go_to(STEP_ITEM)
        self.runner.run(load_start, ctx, actor, on_success=self._on_started,
                        on_failure=self._on_start_failed)

    # === building ========================================================================

    def _build(self) -> None:
        root = QtWidgets.QVBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 10)
        root.setSpacing(8)

        # header: steps, mode, reopen a waiting case
        header = QtWidgets.QHBoxLayout()
        header.setSpacing(12)
        self.mode_label = QtWidgets.QLabel(_("新受理"))
        self.mode_label.setObjectName("modeLabel")
        header.addWidget(self.mode_label)
        self.step_bar = StepBar([f"{t}" for t in self.STEP_TITLES], self)
        self.step_bar.step_clicked.connect(self.go_to)
        header.addWidget(self.step_bar, 1)
        reopen_label = QtWidgets.QLabel(_("补正办件(&B)："))
        header.addWidget(reopen_label)
        self.reopen_edit = QtWidgets.QLineEdit()
        self.reopen_edit.setObjectName("reopenEdit")
        self.reopen_edit.setPlaceholderText(_("输入或扫描办件编号，回车"))
        self.reopen_edit.setClearButtonEnabled(True)
        self.reopen_edit.setFixedWidth(230)
        self.reopen_edit.returnPressed.connect(self.reopen_case)
        reopen_label.setBuddy(self.reopen_edit)
        header.addWidget(self.reopen_edit)
        root.addLayout(header)

        self.draft_banner = MessageBanner(self)
        self.draft_banner.setObjectName("draftBanner")
        root.addWidget(self.draft_banner)
        self.supplement_draft_banner = MessageBanner(self)
        self.supplement_draft_banner.setObjectName("supplementDraftBanner")
        root.addWidget(self.supplement_draft_banner)
        self.banner = MessageBanner(self)
        root.addWidget(self.banner)

        self.context_label = QtWidgets.QLabel()
        self.context_label.setObjectName("contextLabel")
        self.context_label.setTextFormat(Qt.TextFormat.RichText)
        self.context_label.setWordWrap(True)
        root.addWidget(self.context_label)

        self.stack = QtWidgets.QStackedWidget(self)
        self.stack.addWidget(self._build_item_step())
        self.stack.addWidget(self._build_applicant_step())
        self.stack.addWidget(self._build_checklist_step())
        self.stack.addWidget(self._build_result_step())
        root.addWidget(self.stack, 1)

        line = QtWidgets.QFrame(self)
        line.setFrameShape(QtWidgets.QFrame.Shape.HLine)
        line.setStyleSheet("color: #e2e6ec;")
        root.addWidget(line)
        nav = QtWidgets.QHBoxLayout()
        self.back_button = QtWidgets.QPushButton(_("← 上一步（Esc）"))
        self.back_button.setObjectName("backButton")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back)
        nav.addWidget(self.back_button)
        self.hint = QtWidgets.QLabel()
        self.hint.setObjectName("navHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #6b7280;")
        nav.addWidget(self.hint, 1)
        self.next_button = QtWidgets.QPushButton(_("下一步 →（Ctrl+Enter）"))
        self.next_button.setObjectName("nextButton")
        self.next_button.setProperty("primary", True)
        self.next_button.setAutoDefault(False)
        self.next_button.clicked.connect(self.next_step)
        nav.addWidget(self.next_button)
        for b in (self.back_button, self.next_button):
            b.setMinimumHeight(36)
            b.setMinimumWidth(150)
        root.addLayout(nav)

    def _build_item_step(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        left = QtWidgets.QVBoxLayout()
        left.setSpacing(6)
        left.addWidget(section_title(_("选择事项"), page))
        self.search_edit = QtWidgets.QLineEdit()
        self.search_edit.setObjectName("itemSearch")
        self.search_edit.setPlaceholderText(_("事项名称、拼音首字母（如 dbsq）、全拼或实施编码"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumHeight(34)
        self.search_edit.textChanged.connect(self._on_search_changed)
        self.search_edit.returnPressed.connect(self._on_search_return)
        self.search_edit.installEventFilter(self)
        left.addWidget(self.search_edit)
        self.result_count = QtWidgets.QLabel()
        self.result_count.setStyleSheet("color: #6b7280;")
        left.addWidget(self.result_count)
        self.result_list = QtWidgets.QListWidget()
        self.result_list.setObjectName("itemResults")
        self.result_list.setItemDelegate(ItemListDelegate(self.result_list))
        self.result_list.setUniformItemSizes(True)
        self.result_list.currentRowChanged.connect(self._on_result_row_changed)
        self.result_list.itemActivated.connect(self._on_result_activated)
        self.result_list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        left.addWidget(self.result_list, 1)
        left.addWidget(hint_label(_("↑↓ 选择，回车确定"), page))
        box = QtWidgets.QWidget()
        box.setLayout(left)
        box.setMinimumWidth(330)
        box.setMaximumWidth(440)
        layout.addWidget(box)
        self.item_view = ItemView(page)
        self.item_view.setObjectName("intakeItemView")
        frame = QtWidgets.QFrame()
        frame.setObjectName("itemViewFrame")
        fl = QtWidgets.QVBoxLayout(frame)
        fl.setContentsMargins(1, 1, 1, 1)
        fl.addWidget(self.item_view)
        layout.addWidget(frame, 1)
        return page

    def _build_applicant_step(self) -> QtWidgets.QWidget:
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        holder = QtWidgets.QWidget()
        hl = QtWidgets.QHBoxLayout(holder)
        hl.setContentsMargins(0, 4, 0, 0)
        self.applicant_form = ApplicantForm(holder)
        self.applicant_form.setMaximumWidth(980)
        self.applicant_form.changed.connect(self._on_form_changed)
        self.applicant_form.id_entered.connect(self._on_id_entered)
        self.applicant_form.finished.connect(self.next_step)
        hl.addWidget(self.applicant_form, 1)
        hl.addSpacing(12)
        # what the clerk checks the applicant against, next to the form
        self.conditions_card = QtWidgets.QLabel()
        self.conditions_card.setObjectName("conditionsCard")
        self.conditions_card.setWordWrap(True)
        self.conditions_card.setTextFormat(Qt.TextFormat.RichText)
        self.conditions_card.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.conditions_card.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.conditions_card.setMinimumWidth(220)
        self.conditions_card.setMaximumWidth(320)
        self.conditions_card.hide()
        hl.addWidget(self.conditions_card, 0, Qt.AlignmentFlag.AlignTop)
        scroll.setWidget(holder)
        return scroll

    def _update_conditions_card(self) -> None:
        item = self.item
        if item is None:
            self.conditions_card.hide()
            return
        rows = [_("<b>申请条件</b>（请与申请人核对）"),
                _esc(item.conditions or _("无特别条件。"))]
        rows.append(_("<b>办理时限</b>　{limit}").format(
            limit=_("即办") if item.promised_limit == 0 else _("承诺 {p}").format(
                p=format_limit(item.promised_limit))))
        rows.append(_("<b>代办</b>　{text}").format(
            text=_("可由代办员代办") if item.proxy_allowed else _("须本人办理")))
        if item.fee:
            rows.append(_("<b>收费</b>　{fee}").format(fee=_esc(item.fee)))
        self.conditions_card.setText("<br>".join(rows))
        self.conditions_card.show()

    def _build_checklist_step(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        self.checklist = ChecklistWidget(page)
        self.checklist.changed.connect(self._on_checklist_changed)
        self.checklist.finished.connect(self._on_checklist_finished)
        layout.addWidget(self.checklist, 1)
        return page

    def _build_result_step(self) -> QtWidgets.QWidget:
        self.result_stack = QtWidgets.QStackedWidget()

        # -- deciding ------------------------------------------------------------------
        decide = QtWidgets.QWidget()
        dl = QtWidgets.QHBoxLayout(decide)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(16)

        # left: what will be decided on
        left = QtWidgets.QVBoxLayout()
        left.setSpacing(6)
        left.addWidget(section_title(_("办理结果"), decide))
        self.summary_label = QtWidgets.QLabel()
        self.summary_label.setObjectName("decisionSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setWordWrap(True)
        self.summary_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        summary_scroll = QtWidgets.QScrollArea()
        summary_scroll.setObjectName("decisionScroll")
        summary_scroll.setWidgetResizable(True)
        summary_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        summary_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        summary_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        summary_scroll.setWidget(self.summary_label)
        left.addWidget(summary_scroll, 1)
        dl.addLayout(left, 1)

        # right: the outcomes, each with why it can or cannot be chosen now
        actions = QtWidgets.QVBoxLayout()
        actions.setSpacing(3)
        actions.addSpacing(40)
        self.accept_button = self._outcome_button("acceptButton")
        self.accept_button.clicked.connect(self.accept_case)
        self.notice_button = self._outcome_button("noticeButton", _("出具一次性告知书(&N)"))
        self.notice_button.clicked.connect(self.issue_notice)
        self.refuse_button = self._outcome_button("refuseButton", _("不予受理(&R)…"))
        self.refuse_button.clicked.connect(self.refuse_case)
        self.save_supplement_button = self._outcome_button("saveSupplementButton",
                                                           _("保存补正进度(&S)"))
        self.save_supplement_button.clicked.connect(self.save_supplement)
        self.further_notice_button = self._outcome_button("furtherNoticeButton",
                                                          _("再次告知(&N)"))
        self.further_notice_button.clicked.connect(self.issue_further_notice)
        self.further_reason_edit = QtWidgets.QLineEdit()
        self.further_reason_edit.setObjectName("furtherReasonEdit")
        self.further_reason_edit.setPlaceholderText(_("再次告知的原因（只限新发现的问题）"))
        self.further_reason_edit.setToolTip(_("例如：补交的材料有误。已经告知过的问题不能再次告知。"))
        self.further_reason_edit.textChanged.connect(self._update_decision)
        self.further_reason_edit.textChanged.connect(self._on_further_reason_changed)
        self.reasons: dict[str, QtWidgets.QLabel] = {}
        buttons = (("accept", self.accept_button), ("notice", self.notice_button),
                   ("refuse", self.refuse_button), ("save", self.save_supplement_button),
                   ("further", self.further_notice_button))
        for key, button in buttons:
            if key == "further":
                actions.addWidget(self.further_reason_edit)
            reason = QtWidgets.QLabel()
            reason.setObjectName(f"{key}Reason")
            reason.setWordWrap(True)
            reason.setStyleSheet("color: #6b7280; padding: 0 2px 6px 2px;")
            reason.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self.reasons[key] = reason
            actions.addWidget(button)
            actions.addWidget(reason)
        actions.addStretch(1)
        panel = QtWidgets.QWidget()
        panel.setLayout(actions)
        actions_scroll = QtWidgets.QScrollArea()  # small screens: the page never grows taller
        actions_scroll.setWidgetResizable(True)
        actions_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        actions_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        actions_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        actions_scroll.setWidget(panel)
        actions_scroll.setFixedWidth(370)
        dl.addWidget(actions_scroll)

        # -- done ----------------------------------------------------------------------
        done = QtWidgets.QWidget()
        done.setObjectName("donePage")
        centre = QtWidgets.QHBoxLayout(done)
        centre.setContentsMargins(0, 10, 0, 0)
        column_widget = QtWidgets.QWidget(done)
        column_widget.setMaximumWidth(780)
        centre.addStretch(1)
        centre.addWidget(column_widget, 4)
        centre.addStretch(1)
        ol = QtWidgets.QVBoxLayout(column_widget)
        ol.setContentsMargins(0, 0, 0, 0)
        ol.setSpacing(8)
        self.done_title = QtWidgets.QLabel()
        self.done_title.setObjectName("doneTitle")
        self.done_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ol.addWidget(self.done_title)
        caption = QtWidgets.QLabel(_("办件编号"))
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption.setStyleSheet("color: #6b7280; font-size: 15px;")
        ol.addWidget(caption)
        self.case_no_label = QtWidgets.QLabel()
        self.case_no_label.setObjectName("caseNoLabel")
        self.case_no_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.case_no_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ol.addWidget(self.case_no_label)
        self.due_label = QtWidgets.QLabel()
        self.due_label.setObjectName("dueLabel")
        self.due_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.due_label.setTextFormat(Qt.TextFormat.RichText)
        self.due_label.setWordWrap(True)
        ol.addWidget(self.due_label)
        self.due_banner = MessageBanner(done, closable=False)
        self.due_banner.setObjectName("dueBanner")
        ol.addWidget(self.due_banner)
        self.done_detail = QtWidgets.QLabel()
        self.done_detail.setObjectName("doneDetail")
        self.done_detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done_detail.setWordWrap(True)
        self.done_detail.setTextFormat(Qt.TextFormat.RichText)
        ol.addWidget(self.done_detail)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        self.reprint_button = QtWidgets.QPushButton(_("预览 / 打印(&P)"))
        self.reprint_button.setObjectName("reprintButton")
        self.reprint_button.setMinimumHeight(40)
        self.reprint_button.setMinimumWidth(180)
        self.reprint_button.clicked.connect(self.show_issued_document)
        row.addWidget(self.reprint_button)
        self.next_person_button = QtWidgets.QPushButton(_("下一位（F5）"))
        self.next_person_button.setObjectName("nextPersonButton")
        self.next_person_button.setProperty("primary", True)
        self.next_person_button.setMinimumHeight(40)
        self.next_person_button.setMinimumWidth(180)
        self.next_person_button.clicked.connect(self.new_intake)
        row.addWidget(self.next_person_button)
        row.addStretch(1)
        ol.addSpacing(10)
        ol.addLayout(row)
        ol.addStretch(1)

        self.result_stack.addWidget(decide)
        self.result_stack.addWidget(done)
        return self.result_stack

    def _outcome_button(self, name: str, text: str = "") -> QtWidgets.QPushButton:
        b = QtWidgets.QPushButton(text)
        b.setObjectName(name)
        b.setMinimumHeight(52)
        b.setAutoDefault(False)
        return b

    def _build_shortcuts(self) -> None:
        def add(keys: str, slot) -> QtGui.QShortcut:
            sc = QtGui.QShortcut(QtGui.QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
            return sc

        self.shortcuts = [
            add("Ctrl+Return", self.primary_action),
            add("Ctrl+Enter", self.primary_action),
            add("Alt+1", self._go_step_1),
            add("Alt+2", self._go_step_2),
            add("Alt+3", self._go_step_3),
            add("Alt+4", self._go_step_4),
            add("Esc", self.back),
            add("F5", self._on_f5),
        ]

    def _apply_style(self) -> None:
        self.setStyleSheet(
            "QWidget#IntakePage { background: #ffffff; }"
            "QLabel#modeLabel { background: #1f5fa8; color: white; border-radius: 4px;"
            " padding: 4px 10px; font-weight: bold; }"
            "QLabel#modeLabel[supplement=\"true\"] { background: #d97706; }"
            "QLabel#contextLabel { background: #f3f6fa; border: 1px solid #e2e6ec;"
            " border-radius: 4px; padding: 6px 10px; color: #334155; }"
            "QFrame#itemViewFrame { border: 1px solid #e2e6ec; border-radius: 4px; }"
            "QListWidget#itemResults { border: 1px solid #d5dbe3; border-radius: 4px; }"
            "QPushButton[primary=\"true\"] { background: #1f5fa8; color: white; border: none;"
            " border-radius: 4px; padding: 6px 16px; font-weight: bold; }"
            "QPushButton[primary=\"true\"]:disabled { background: #b8c4d4; color: #eef2f7; }"
            "QPushButton[primary=\"true\"]:focus { outline: none; border: 2px solid #0b3b73; }"
            "QLabel#conditionsCard { background: #f8fafc; border: 1px solid #e2e6ec;"
            " border-left: 4px solid #1f5fa8; border-radius: 4px; padding: 10px 12px;"
            " color: #334155; }"
            "QLabel#decisionSummary { background: #f8fafc; border: 1px solid #e2e6ec;"
            " border-radius: 4px; padding: 10px 14px; font-size: 14pt; }"
            "QLabel#doneTitle { font-size: 24px; font-weight: bold; padding: 6px 0; }"
            "QLabel#caseNoLabel { font-size: 40px; font-weight: bold; color: #0f2f57;"
            " letter-spacing: 2px; padding: 4px 22px; background: #f3f6fa;"
            " border: 1px solid #d5dbe3; border-radius: 6px; }"
            "QLabel#dueLabel { font-size: 18px; color: #1e293b; padding: 4px; }"
            "QLabel#doneDetail { color: #475569; font-size: 14px; }"
        )

    # === public API =======================================================================

    def start_with_item(self, item_id: int) -> None:
        """Start (or continue) an intake with this item: the catalog page's 受理 button."""
        if not self.loaded:
            self._pending = ("item", item_id)
            return
        if self.mode == SUPPLEMENT and self.outcome is None:
            self._drop_supplement_draft()  # the clerk leaves the 补正 for another intake
        if self.outcome is not None or self.mode == SUPPLEMENT:
            self._reset(clear_draft=False)
        item = self.items_by_id.get(item_id)
        if item is None:
            self.runner.run(catalog.get_item, self.ctx, item_id, on_success=self._on_item_fetched,
                            on_failure=self._show_error)
            return
        self.choose_item(item)

    def open_for_supplement(self, case_id: int) -> None:
        """Reopen a case waiting for materials (status awaiting_supplement) for 补正."""
        if not self.loaded:
            self._pending = ("supplement", case_id)
            return
        self.banner.clear()
        offered = self._pending_supplement_draft
        if offered is not None and offered.get("case_id") == case_id:
            self._restore_supplement_draft()  # the same case: its unsaved ticks come back
            return
        self.runner.run(load_supplement, self.ctx, case_id, on_success=self._on_supplement_loaded,
                        on_failure=self._show_error)

    def new_intake(self) -> None:
        """Start afresh for the next applicant; an unfinished draft is discarded.

        Leaving a 补正 drops only the 补正's draft: a new intake put aside for it comes back.
        """
        if not self.loaded:
            self._pending = ("new", 0)
            return
        if self.mode == SUPPLEMENT:
            if self.outcome is None:
                self._drop_supplement_draft()
            self._reset(clear_draft=False)
            self.draft_banner.clear()
            self.runner.run(cases.load_draft, self.ctx, self.actor, kind=DRAFT_INTAKE,
                            on_success=self._on_intake_draft_reloaded,
                            on_failure=self._on_draft_failed)
            self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._reset(clear_draft=True)
        self.draft_banner.clear()
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def reload_catalog(self) -> None:
        """Read the catalog again (after an import); the intake in progress is kept."""
        self.runner.run(load_catalog, self.ctx, on_success=self._on_catalog_reloaded,
                        on_failure=self._on_start_failed)

    def choose_item(self, item: ServiceItem, advance: bool = True) -> None:
        """The item of this intake; the checklist is rebuilt when the item changes."""
        if self.mode == SUPPLEMENT or self.outcome is not None:
            return
        changed = self.item is None or self.item.id != item.id
        self.item = item
        self.item_view.set_item(item)
        self._update_conditions_card()
        if changed:
            self.checklist.set_lines(intake.checklist_for(item))
        self._select_in_list(item.id)
        self.step_bar.set_done(STEP_ITEM, True)
        self._update_context()
        self._schedule_draft()
        if advance:
            self.go_to(STEP_APPLICANT)

    def go_to(self, step: int) -> None:
        if not 0 <= step <= STEP_RESULT:
            return
        if self.outcome is not None and step != STEP_RESULT:
            self.step_bar.set_current(self.step)
            return
        if step > STEP_ITEM and self.item is None:
            self.banner.show_message(_("请先选择事项。"), "warning")
            step = STEP_ITEM
        elif self.banner.level == "warning" and self.banner.text() == _("请先选择事项。"):
            self.banner.clear()
        previous = self.step
        self.step = step
        self.stack.setCurrentIndex(step)
        self.step_bar.set_current(step)
        if step == STEP_RESULT:
            self._update_decision()
        self._update_nav()
        self._update_context()
        self._focus_step()
        if previous != step:
            self._schedule_draft()

    def next_step(self) -> None:
        if self._running:
            return
        if self.step == STEP_ITEM:
            self._pick_current_result()
        elif self.step == STEP_APPLICANT:
            if self.mode == SUPPLEMENT or self.applicant_form.validate() is not None:
                self.step_bar.set_done(STEP_APPLICANT, True)
                self.go_to(STEP_CHECKLIST)
            else:
                self.step_bar.set_done(STEP_APPLICANT, False)
        elif self.step == STEP_CHECKLIST:
            self.go_to(STEP_RESULT)
        else:
            self.primary_action()

    def back(self) -> None:
        if self._running or self.outcome is not None:
            return
        if self.step == STEP_ITEM:
            if self.search_edit.text():
                self.search_edit.clear()
            return
        if self.mode == SUPPLEMENT and self.step == STEP_CHECKLIST:
            return
        self.go_to(self.step - 1)

    def primary_action(self) -> None:
        """Ctrl+Enter: the main action of the current step."""
        if self._running:
            return
        if self.step != STEP_RESULT:
            self.next_step()
            return
        if self.outcome is not None:
            self.new_intake()
            return
        self._update_decision()
        if self.accept_button.isVisible() and self.accept_button.isEnabled():
            self.accept_case()
        elif self.mode == NEW and self.notice_button.isEnabled():
            self.issue_notice()
        elif self.mode == SUPPLEMENT and self.save_supplement_button.isEnabled():
            self.save_supplement()

    # --- outcomes -------------------------------------------------------------------------

    def accept_case(self) -> None:
        if self.mode == SUPPLEMENT:
            self._run_supplement("accept")
            return
        form = self._intake_form()
        if form is not None:
            self._run_outcome("accept", intake.accept, form)

    def issue_notice(self) -> None:
        if self.mode == SUPPLEMENT:
            return
        form = self._intake_form()
        if form is not None:
            self._run_outcome("notice", intake.issue_notice, form)

    def refuse_case(self) -> None:
        if self.mode == SUPPLEMENT or self.item is None or self._running:
            return
        if self._intake_form() is None:
            return
        suggestion = _("例如：{body}，电话 {phone}").format(
            body=self.item.body, phone=self.item.consult_phone or "12345")
        dialog = RefusalDialog(self.item.name, suggestion, self)
        dialog.accepted.connect(self._on_refusal_confirmed)
        dialog.finished.connect(self._on_refusal_dialog_finished)
        self.refusal_dialog = dialog
        dialog.open()

    def save_supplement(self) -> None:
        if self.mode == SUPPLEMENT:
            self._run_supplement("save")

    def issue_further_notice(self) -> None:
        if self.mode == SUPPLEMENT:
            self._run_supplement("notice", self.further_reason_edit.text())

    def reopen_case(self) -> None:
        """The case number field: open a waiting case for 补正."""
        text = self.reopen_edit.text().strip()
        if not text:
            return
        if normalize_case_no(text) is None:
            self.banner.show_message(case_no_error(text) or _("办件编号格式不对，请核对。"), "error")
            self.reopen_edit.setFocus()
            self.reopen_edit.selectAll()
            return
        self.runner.run(cases.find_case_id, self.ctx, text, on_success=self._on_case_found,
                        on_failure=self._on_case_not_found)

    def show_issued_document(self) -> None:
        if self.outcome is None or self.outcome.document_id is None:
            return
        self._open_preview(self.outcome.document_id)

    def flush_draft(self) -> None:
        """Save the draft now if anything changed since the last save."""
        self._draft_timer.stop()
        if not self._draft_dirty or not self._drafts_enabled or not self.loaded:
            return
        self._draft_dirty = False
        payload = self.draft_payload()
        kind = DRAFT_SUPPLEMENT if self.mode == SUPPLEMENT else DRAFT_INTAKE
        try:
            self.runner.run(save_draft_job, self.ctx, self.actor, payload, kind=kind,
                            on_failure=self._on_draft_failed)
        except RuntimeError:  # the runner has shut down: the program is closing
            log.warning("draft not saved: the task runner has shut down")

    def draft_payload(self) -> dict[str, Any] | None:
        """The draft of what is on screen: a new intake's (kind "intake") or, in 补正 mode,
        the reopened case's ticks (kind "supplement"); None when there is nothing to keep."""
        if self.outcome is not None:
            return None
        if self.mode == SUPPLEMENT:
            if self.case is None:
                return None
            return {
                "version": DRAFT_VERSION,
                "case_id": self.case.id,
                "case_no": self.case.case_no,
                "applicant_name": self.case.applicant_name,
                "item_name": self.item.name if self.item else "",
                "step": self.step,
                "further_reason": self.further_reason_edit.text(),
                "lines": self._lines_payload(),
            }
        if self.item is None and self.applicant_form.is_empty():
            return None
        return {
            "version": DRAFT_VERSION,
            "item_id": self.item.id if self.item else None,
            "item_code": self.item.code if self.item else None,
            "item_name": self.item.name if self.item else "",
            "step": self.step,
            "applicant": self.applicant_form.to_payload(),
            "lines": self._lines_payload(),
        }

    def _lines_payload(self) -> list[dict[str, Any]]:
        return [
            {"seq": ln.seq, "name": ln.name, "condition_applies": ln.condition_applies,
             "state": ln.state.value, "copies_received": ln.copies_received,
             "problem": ln.problem}
            for ln in self.checklist.lines()
        ]

    # === Qt overrides =====================================================================

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self._focus_step()  # the main window focuses the page: the step's field gets it

    def hideEvent(self, event: QtGui.QHideEvent) -> None:  # noqa: N802 - Qt override
        self.flush_draft()  # another tab, or the window closes: keep what was typed
        super().hideEvent(event)

    # === loading ==========================================================================

    def _on_started(self, data: StartData) -> None:
        self.items = data.items
        self.items_by_id = {it.id: it for it in data.items}
        self.index = data.index
        self.applicant_form.set_today(data.today)
        self.applicant_form.set_villages(data.township_name, data.villages)
        self.loaded = True
        self._fill_results(self.search_edit.text())
        pending, self._pending = self._pending, None
        if data.draft:
            if pending is None:
                self._restore_draft(data.draft)
            else:
                self._offer_draft(data.draft)
        if data.supplement_draft:
            # restored at once only when nothing else asks for the page (a new intake's
            # draft, or the main window opening an item or a case); otherwise offered
            if pending is None and not data.draft:
                self._pending_supplement_draft = data.supplement_draft
                self._restore_supplement_draft()
            else:
                self._offer_supplement_draft(data.supplement_draft)
        if pending is not None:
            kind, value = pending
            if kind == "item":
                self.start_with_item(value)
            elif kind == "supplement":
                self.open_for_supplement(value)
            else:
                self.new_intake()
        if pending is None and not data.draft and not data.supplement_draft:
            self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_catalog_reloaded(self, result: tuple[list[ServiceItem], CatalogIndex]) -> None:
        items, index = result
        self.items = items
        self.items_by_id = {it.id: it for it in items}
        self.index = index
        self._fill_results(self.search_edit.text())
        if self.item is not None and self.mode == NEW and self.outcome is None \
                and self.item.id not in self.items_by_id:
            self.banner.show_message(
                _("事项清单已更新，「{name}」已被新版替换或停用，受理时请重新选择事项。").format(
                    name=self.item.name), "warning")

    def _on_start_failed(self, error: BaseException) -> None:
        self.banner.show_message(
            _("无法读取事项清单：{error}").format(error=error_text(error)), "error")

    def _on_item_fetched(self, item: ServiceItem) -> None:
        self.choose_item(item)

    def _show_error(self, error: BaseException) -> None:
        self.banner.show_message(error_text(error), "error")

    # === search ==========================================================================

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if obj is self.search_edit and event.type() == QtCore.QEvent.Type.KeyPress:
            key = event.key()
            count = self.result_list.count()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp) \
                    and count:
                row = self.result_list.currentRow()
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8,
                        Qt.Key.Key_PageUp: -8}[key]
                row = min(count - 1, max(0, (row if row >= 0 else -1) + step))
                self.result_list.setCurrentRow(row)
                return True
        return super().eventFilter(obj, event)

    def _on_search_changed(self, text: str) -> None:
        self._fill_results(text)

    def _fill_results(self, text: str) -> None:
        if self.index is None:
            return
        ids = self.index.search(text, limit=200)
        self.result_list.blockSignals(True)
        self.result_list.clear()
        for item_id in ids:
            it = self.items_by_id.get(item_id)
            if it is None:
                continue
            entry = QtWidgets.QListWidgetItem(it.name)
            limit = _("即办") if it.promised_limit == 0 else _("承诺 {n} 个工作日").format(
                n=it.promised_limit)
            entry.setData(ItemListDelegate.SUB_ROLE, f"{it.body} · {limit}")
            entry.setData(Qt.ItemDataRole.UserRole, it.id)
            entry.setToolTip(f"{it.name}\n{it.code}")
            self.result_list.addItem(entry)
        self.result_list.blockSignals(False)
        if self.result_list.count():
            row = 0
            if self.item is not None and not text.strip():
                row = max(0, self._row_of(self.item.id))
            self.result_list.setCurrentRow(row)
            self._on_result_row_changed(row)
        if text.strip():
            self.result_count.setText(_("找到 {n} 个事项").format(n=self.result_list.count())
                                      if self.result_list.count() else
                                      _("没有找到「{q}」，可试拼音首字母或实施编码").format(q=text.strip()))
        else:
            self.result_count.setText(_("共 {n} 个事项").format(n=self.result_list.count()))

    def _row_of(self, item_id: int) -> int:
        for row in range(self.result_list.count()):
            if self.result_list.item(row).data(Qt.ItemDataRole.UserRole) == item_id:
                return row
        return -1

    def _select_in_list(self, item_id: int) -> None:
        row = self._row_of(item_id)
        if row >= 0:
            self.result_list.blockSignals(True)
            self.result_list.setCurrentRow(row)
            self.result_list.blockSignals(False)

    def _on_result_row_changed(self, row: int) -> None:
        if row < 0:
            return
        entry = self.result_list.item(row)
        if entry is None:
            return
        it = self.items_by_id.get(entry.data(Qt.ItemDataRole.UserRole))
        if it is not None and self.step == STEP_ITEM:
            self.item_view.set_item(it)

    def _on_search_return(self) -> None:
        self._pick_current_result()

    def _on_result_activated(self, entry: QtWidgets.QListWidgetItem) -> None:
        it = self.items_by_id.get(entry.data(Qt.ItemDataRole.UserRole))
        if it is not None:
            self.choose_item(it)

    def _pick_current_result(self) -> None:
        entry = self.result_list.currentItem()
        if entry is None:
            if self.item is not None:
                self.go_to(STEP_APPLICANT)
            else:
                self.banner.show_message(_("没有可选的事项，请换个关键词。"), "warning")
            return
        self._on_result_activated(entry)

    # === applicant ========================================================================

    def _on_form_changed(self) -> None:
        self._update_context()
        if self.step == STEP_RESULT:
            self._update_decision()
        self._schedule_draft()

    def _on_id_entered(self, id_type: str, number: str) -> None:
        if self.mode != NEW or self.outcome is not None:
            return
        self.runner.run(intake.find_applicant, self.ctx, id_type, number,
                        on_success=self._on_applicant_found, on_failure=self._show_error)

    def _on_applicant_found(self, applicant: Any) -> None:
        if applicant is None or self.mode != NEW or self.outcome is not None:
            return
        form = self.applicant_form
        if applicant.id_type != form.value().id_type:
            return
        typed = ids.normalize_id(form.value().id_number)
        if typed != applicant.id_number:
            return  # the number changed while we looked
        form.fill_from_applicant(applicant)

    # === checklist ========================================================================

    def _on_checklist_changed(self) -> None:
        if self.mode == SUPPLEMENT and not self._restoring:
            self._supplement_touched = True
        self._update_context()
        self._schedule_draft()

    def _on_further_reason_changed(self, _text: str) -> None:
        if self.mode != SUPPLEMENT or self._restoring:
            return
        self._supplement_touched = True
        self._schedule_draft()

    def _on_checklist_finished(self) -> None:
        self.next_button.setFocus(Qt.FocusReason.TabFocusReason)

    # === outcomes =========================================================================

    def _intake_form(self) -> intake.IntakeForm | None:
        if self.item is None:
            self.go_to(STEP_ITEM)
            return None
        if self.applicant_form.validate() is None:
            self.go_to(STEP_APPLICANT)
            self.banner.show_message(_("请先改正申请人信息中标红的内容。"), "error")
            return None
        return intake.IntakeForm(item_id=self.item.id, applicant=self.applicant_form.value(),
                                 lines=self.checklist.lines())

    def _run_outcome(self, action: str, fn, *args: Any) -> None:
        if self._running:
            return
        self._start_running(action)
        self.runner.run(fn, self.ctx, self.actor, *args, on_success=self._on_outcome,
                        on_failure=self._on_outcome_failed)

    def _run_supplement(self, action: str, reason: str = "") -> None:
        if self._running or self.case is None:
            return
        self._start_running(action)
        self.runner.run(intake.supplement, self.ctx, self.actor, self.case.id,
                        self.checklist.lines(), action, reason,
                        on_success=self._on_outcome, on_failure=self._on_outcome_failed)

    def _start_running(self, action: str) -> None:
        self._running = True
        self.outcome_action = action
        self._draft_timer.stop()
        self._drafts_enabled = False
        self.banner.clear()
        for b in (self.accept_button, self.notice_button, self.refuse_button,
                  self.save_supplement_button, self.further_notice_button, self.next_button,
                  self.back_button):
            b.setEnabled(False)
        self.hint.setText(_("正在保存…"))

    def _on_refusal_confirmed(self) -> None:
        dialog = self.refusal_dialog
        if dialog is None:
            return
        form = self._intake_form()
        if form is not None:
            self._run_outcome("refuse", intake.refuse, form, dialog.reason(), dialog.redirect())

    def _on_refusal_dialog_finished(self, _result: int) -> None:
        dialog = self.refusal_dialog
        self.refusal_dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def _on_outcome(self, outcome: intake.Outcome) -> None:
        self._running = False
        self.outcome = outcome
        self._draft_dirty = False
        kind = DRAFT_INTAKE if self.mode == NEW else DRAFT_SUPPLEMENT
        self.runner.run(save_draft_job, self.ctx, self.actor, None, kind=kind,
                        on_failure=self._on_draft_failed)
        self.draft_banner.clear()
        self._show_done(outcome)
        self.case_saved.emit(outcome.case_id)
        if outcome.document_id is not None:
            self._open_preview(outcome.document_id)

    def _on_outcome_failed(self, error: BaseException) -> None:
        self._running = False
        self._drafts_enabled = True
        self._update_decision()
        self._update_nav()
        if isinstance(error, ServiceError):
            where = error.field or ""
            if where in _APPLICANT_FIELDS or where in ("legal_rep", "contact_name"):
                self.go_to(STEP_APPLICANT)
                self.applicant_form.show_service_error(error)
                self.banner.show_message(error.message, "error")
                return
            if where == "checklist":
                self.go_to(STEP_CHECKLIST)
            elif where == "item":
                self.item = None
                self.step_bar.set_done(STEP_ITEM, False)
                self.go_to(STEP_ITEM)
            elif where == "notice_reason":
                self.further_reason_edit.setFocus()
        self.banner.show_message(error_text(error), "error")

    def _show_done(self, outcome: intake.Outcome) -> None:
        for i in range(STEP_RESULT):
            self.step_bar.set_done(i, True)
        self.step_bar.set_done(STEP_RESULT, True)
        self.result_stack.setCurrentIndex(1)
        self.go_to(STEP_RESULT)
        status = outcome.status
        colour = {CaseStatus.ACCEPTED: "#1d7a35", CaseStatus.DONE_ON_SPOT: "#1d7a35",
                  CaseStatus.AWAITING_SUPPLEMENT: "#b45309",
                  CaseStatus.REFUSED: "#6b7280"}.get(status, "#1e293b")
        if status is CaseStatus.ACCEPTED:
            title = _("✔ 已受理，已出具受理回执")
        elif status is CaseStatus.DONE_ON_SPOT:
            title = _("✔ 即办办结")
        elif status is CaseStatus.AWAITING_SUPPLEMENT and outcome.document_id is not None:
            title = _("已出具一次性告知书，待补正")
        elif status is CaseStatus.AWAITING_SUPPLEMENT:
            title = _("已保存补正进度，仍待补正")
        elif status is CaseStatus.REFUSED:
            title = _("已出具不予受理通知书")
        else:
            title = status.label
        self.done_title.setText(title)
        self.done_title.setStyleSheet(f"color: {colour};")
        self.case_no_label.setText(outcome.case_no)
        self.due_banner.clear()
        if outcome.due_date is not None and status is CaseStatus.ACCEPTED:
            estimated = _('<span style="color:#b45309">（预计）</span>') if outcome.due_estimated else ""
            self.due_label.setText(_("承诺办结日期：<b>{day}</b>{estimated}").format(
                day=format_day(outcome.due_date), estimated=estimated))
        elif status is CaseStatus.DONE_ON_SPOT:
            self.due_label.setText(_("当场办结，无需等待"))
        elif status is CaseStatus.AWAITING_SUPPLEMENT:
            self.due_label.setText(_("补齐材料后受理，办理时限自受理之日起计算"))
        else:
            self.due_label.setText("")
        self.due_label.setVisible(bool(self.due_label.text()))
        warnings = list(outcome.warnings)
        if outcome.due_estimated and not warnings:
            warnings.append(_("办结日期超出节假日数据范围，按周一至周五估算，节假日安排公布后可能调整。"))
        if warnings:
            self.due_banner.show_message("\n".join(warnings), "warning")
        detail = []
        if self.item is not None:
            detail.append(_("事项：{name}").format(name=_esc(self.item.name)))
        name = self.applicant_form.display_name()
        if name:
            detail.append(_("申请人：{name}").format(name=_esc(name)))
        if outcome.doc_kind is not None:
            detail.append(_("文书：{kind}（已打开打印预览）").format(kind=outcome.doc_kind.label))
        self.done_detail.setText(PART_SEP.join(detail))
        has_doc = outcome.document_id is not None and outcome.doc_kind is not None
        self.reprint_button.setVisible(has_doc)
        if has_doc:
            self.reprint_button.setText(_("预览 / 打印{kind}(&P)").format(kind=outcome.doc_kind.label))
        self.applicant_form.set_read_only(True)
        self.checklist.set_read_only(True)
        self._update_nav()
        self.next_person_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_preview(self, doc_id: int) -> None:
        if self.preview_dialog is not None:
            self.preview_dialog.close()
        dialog = show_document(self, self.ctx, self.runner, self.actor, doc_id)
        dialog.destroyed.connect(self._on_preview_destroyed)
        self.preview_dialog = dialog

    def _on_preview_destroyed(self, _obj: object = None) -> None:
        self.preview_dialog = None

    # === supplement =======================================================================

    def _on_case_found(self, case_id: int) -> None:
        self.reopen_edit.clear()
        self.open_for_supplement(case_id)

    def _on_case_not_found(self, error: BaseException) -> None:
        self.banner.show_message(error_text(error), "error")
        self.reopen_edit.setFocus()
        self.reopen_edit.selectAll()

    def _on_supplement_loaded(self, data: SupplementData,
                              draft: dict[str, Any] | None = None) -> None:
        """Show a waiting case for 补正; with ``draft``, the ticks saved before a crash."""
        case = data.case
        if case.status != CaseStatus.AWAITING_SUPPLEMENT.value:
            if draft is not None:  # completed or changed meanwhile, e.g. at another counter
                self._drop_supplement_draft()
                self.banner.show_message(
                    _("办件 {no} 已不再待补正（当前状态「{status}」），上次未保存的补正核对已删除。").format(
                        no=case.case_no, status=CaseStatus(case.status).label), "info")
                return
            self.banner.show_message(
                _("办件 {no} 当前状态为「{status}」，不是待补正，不能补正材料。").format(
                    no=case.case_no, status=CaseStatus(case.status).label), "error")
            return
        if draft is None:
            # a 补正 draft kept so far belongs to a case the clerk now leaves (or this one,
            # opened afresh): this case's ticks replace it
            self._drop_supplement_draft()
        if self.mode == NEW and self.outcome is None:
            self.flush_draft()  # the unfinished intake stays as a draft
        self._reset(clear_draft=False)
        # the new intake's draft waits in the database; it comes back when the 补正 is left
        self._pending_draft = None
        self.draft_banner.clear()
        self.mode = SUPPLEMENT
        self.case = case
        self.item = data.item
        self.item_view.set_item(data.item)
        self._update_conditions_card()
        self.applicant_form.fill_from_applicant(case.applicant, returning=False)
        self.applicant_form.set_read_only(True)
        lines = data.lines
        if draft is not None:
            lines = _merge_lines(lines, draft.get("lines") or [])
        self.checklist.set_lines(lines, highlighted=data.notified)
        self.mode_label.setText(_("补正"))
        self.mode_label.setProperty("supplement", "true")
        self.mode_label.style().unpolish(self.mode_label)
        self.mode_label.style().polish(self.mode_label)
        when = data.notice_at.strftime("%Y-%m-%d") if data.notice_at else ""
        self.banner.show_message(
            _("补正办件 {no}：{name} 于 {when} 收到一次性告知书，告知了 {n} 项材料（已标出）。"
              "请核对补交的材料，齐全后受理。").format(
                no=case.case_no, name=case.applicant.name, when=when, n=len(data.notified)),
            "info")
        self.banner.add_action(_("放弃补正，回到新受理"), self.new_intake, "leaveSupplementButton")
        for step in (STEP_ITEM, STEP_APPLICANT):
            self.step_bar.set_done(step, True)
        step = STEP_CHECKLIST
        self._restoring = True  # merely opening the case writes no draft
        try:
            if draft is not None:
                self.further_reason_edit.setText(str(draft.get("further_reason") or ""))
                try:
                    step = min(max(int(draft.get("step") or 0), STEP_CHECKLIST), STEP_RESULT)
                except (TypeError, ValueError):
                    step = STEP_CHECKLIST
            self.go_to(step)
        finally:
            self._restoring = False
        if draft is not None:
            self._supplement_touched = True
            self.supplement_draft_banner.show_message(
                _("已恢复办件 {no} 上次未保存的补正核对（{when}）").format(
                    no=case.case_no, when=format_saved_at(draft.get("saved_at"))), "info")

    def _offer_supplement_draft(self, draft: dict[str, Any]) -> None:
        self._pending_supplement_draft = draft
        name = str(draft.get("applicant_name") or "")
        self.supplement_draft_banner.show_message(
            _("有一份上次未保存的补正：办件 {no}（{name}{when}）").format(
                no=draft.get("case_no") or "", name=_("{name}，").format(name=name) if name else "",
                when=format_saved_at(draft.get("saved_at"))), "info")
        self.supplement_draft_banner.add_action(_("恢复补正"), self._restore_supplement_draft,
                                                "restoreSupplementDraftButton")
        self.supplement_draft_banner.add_action(_("放弃"), self._drop_supplement_draft,
                                                "discardSupplementDraftButton")

    def _restore_supplement_draft(self) -> None:
        """Reopen the case of the offered 补正 draft and put its ticks back."""
        draft, self._pending_supplement_draft = self._pending_supplement_draft, None
        self.supplement_draft_banner.clear()
        if draft is None:
            return
        case_id = draft.get("case_id")
        if not isinstance(case_id, int):
            self._drop_supplement_draft()
            return
        self.banner.clear()
        self.runner.run(load_supplement, self.ctx, case_id,
                        on_success=lambda data: self._on_supplement_loaded(data, draft),
                        on_failure=lambda error: self._on_supplement_draft_failed(draft, error))

    def _on_supplement_draft_failed(self, draft: dict[str, Any], error: BaseException) -> None:
        if isinstance(error, ServiceError):  # the case is gone: the draft cannot come back
            self._drop_supplement_draft()
            self.banner.show_message(
                _("上次未保存的补正（办件 {no}）无法恢复：{error}").format(
                    no=draft.get("case_no") or "", error=error_text(error)), "info")
            return
        self._offer_supplement_draft(draft)  # kept: it may open next time
        self.banner.show_message(error_text(error), "error")

    def _drop_supplement_draft(self) -> None:
        """The clerk is done with the 补正 draft (saved, left, or the case stopped waiting)."""
        self._pending_supplement_draft = None
        self.supplement_draft_banner.clear()
        self.runner.run(save_draft_job, self.ctx, self.actor, None, kind=DRAFT_SUPPLEMENT,
                        on_failure=self._on_draft_failed)

    def _on_intake_draft_reloaded(self, draft: dict[str, Any] | None) -> None:
        """After a 补正 is left: the new intake put aside for it, if the page is still blank."""
        if not draft or self.mode != NEW or self.outcome is not None or self.item is not None \
                or not self.applicant_form.is_empty():
            return
        self._restore_draft(draft)

    # === drafts ===========================================================================

    def _schedule_draft(self) -> None:
        if self._restoring or not self._drafts_enabled or not self.loaded:
            return
        if self.outcome is not None or (self.mode == SUPPLEMENT and self.case is None):
            return
        self._draft_dirty = True
        self._draft_timer.start()

    def _on_draft_failed(self, error: BaseException) -> None:
        self.banner.show_message(
            _("草稿未能保存：{error}").format(error=error_text(error)), "warning")

    def _restore_draft(self, draft: dict[str, Any]) -> None:
        self._restoring = True
        try:
            item_id = draft.get("item_id")
            item = self.items_by_id.get(item_id) if item_id else None
            if item is None and draft.get("item_code"):
                item = next((it for it in self.items if it.code == draft["item_code"]), None)
            lost_item = bool(item_id) and item is None
            if item is not None:
                self.choose_item(item, advance=False)
                self.checklist.set_lines(_merge_lines(intake.checklist_for(item),
                                                      draft.get("lines") or []))
            self.applicant_form.from_payload(draft.get("applicant") or {})
            step = int(draft.get("step") or 0)
            if item is None:
                step = STEP_ITEM
            self.step_bar.set_done(STEP_APPLICANT,
                                   self.applicant_form.validate(show=False) is not None)
            self.go_to(min(step, STEP_RESULT))
        finally:
            self._restoring = False
        when = format_saved_at(draft.get("saved_at"))
        text = _("已恢复上次未完成的受理（{when}）").format(when=when)
        if lost_item:
            text += _("；原事项「{name}」已不在现行清单中，请重新选择事项").format(
                name=draft.get("item_name") or "")
        self.draft_banner.show_message(text, "info")
        self.draft_banner.add_action(_("放弃草稿，重新开始"), self._discard_draft,
                                     "discardDraftButton")

    def _offer_draft(self, draft: dict[str, Any]) -> None:
        self._pending_draft = draft
        when = format_saved_at(draft.get("saved_at"))
        name = draft.get("item_name") or ""
        self.draft_banner.show_message(
            _("有一份上次未完成的受理（{when}{item}）").format(
                when=when, item=_("，{name}").format(name=name) if name else ""), "info")
        self.draft_banner.add_action(_("恢复"), self._restore_offered_draft, "restoreDraftButton")
        self.draft_banner.add_action(_("放弃"), self._discard_draft, "discardDraftButton")

    def _restore_offered_draft(self) -> None:
        draft, self._pending_draft = self._pending_draft, None
        if draft is not None:
            self._reset(clear_draft=False)
            self._restore_draft(draft)

    def _discard_draft(self) -> None:
        self._pending_draft = None
        self.draft_banner.clear()
        if self.mode == NEW and self.outcome is None:
            self._reset(clear_draft=True)
        else:
            self.runner.run(save_draft_job, self.ctx, self.actor, None,
                            on_failure=self._on_draft_failed)
        self.search_edit.setFocus()

    # === state ============================================================================

    def _reset(self, clear_draft: bool) -> None:
        self._draft_timer.stop()
        self._draft_dirty = False
        if clear_draft:
            self.runner.run(save_draft_job, self.ctx, self.actor, None,
                            on_failure=self._on_draft_failed)
        self._restoring = True
        try:
            if self.preview_dialog is not None:
                self.preview_dialog.close()
            self.mode = NEW
            self.case = None
            self._supplement_touched = False
            self.outcome = None
            self.outcome_action = ""
            self.item = None
            self.item_view.set_item(None)
            self._update_conditions_card()
            self.applicant_form.reset()
            self.applicant_form.set_read_only(False)
            self.checklist.set_lines([])
            self.checklist.set_read_only(False)
            self.further_reason_edit.clear()
            self.result_stack.setCurrentIndex(0)
            self.mode_label.setText(_("新受理"))
            self.mode_label.setProperty("supplement", "false")
            self.mode_label.style().unpolish(self.mode_label)
            self.mode_label.style().polish(self.mode_label)
            for i in range(4):
                self.step_bar.set_done(i, False)
            self.banner.clear()
            self.search_edit.clear()
            self.step = STEP_ITEM
            self.go_to(STEP_ITEM)
        finally:
            self._restoring = False
            self._drafts_enabled = True
            self._disarm_f5()

    def _has_progress(self) -> bool:
        if self.outcome is not None:
            return False
        if self.mode == SUPPLEMENT:
            return self._supplement_touched
        return self.item is not None or not self.applicant_form.is_empty()

    def _on_f5(self) -> None:
        if self._running:
            return
        if self._has_progress() and not self._f5_armed:
            self._f5_armed = True
            self._f5_timer.start()
            if self.mode == SUPPLEMENT:
                text = _("当前补正还没有保存。再按一次 F5 放弃补正并开始下一位（未保存的核对将删除）。")
            else:
                text = _("当前受理还没有办结。再按一次 F5 放弃并开始下一位（草稿将删除）。")
            self.banner.show_message(text, "warning")
            return
        self.new_intake()

    def _disarm_f5(self) -> None:
        if self._f5_armed and self.banner.level == "warning":
            self.banner.clear()
        self._f5_armed = False
        self._f5_timer.stop()

    def _go_step_1(self) -> None:
        self.go_to(STEP_ITEM)

    def _go_step_2(self) -> None:
        self.go_to(STEP_APPLICANT)

    def _go_step_3(self) -> None:
        self.go_to(STEP_CHECKLIST)

    def _go_step_4(self) -> None:
        self.go_to(STEP_RESULT)

    # === presentation =====================================================================

    def _focus_step(self) -> None:
        if self.step == STEP_ITEM:
            self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.search_edit.selectAll()
        elif self.step == STEP_APPLICANT:
            if self.mode == NEW:
                self.applicant_form.focus_first()
            else:
                self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.step == STEP_CHECKLIST:
            self.checklist.focus_first()
        elif self.outcome is None:
            for b in (self.accept_button, self.notice_button, self.save_supplement_button):
                if b.isVisible() and b.isEnabled() and b.property("primary"):
                    b.setFocus(Qt.FocusReason.OtherFocusReason)
                    return

    def _update_nav(self) -> None:
        done = self.outcome is not None
        self.back_button.setEnabled(not done and not self._running and self.step > (
            STEP_CHECKLIST if self.mode == SUPPLEMENT else STEP_ITEM))
        self.next_button.setVisible(self.step != STEP_RESULT)
        self.next_button.setEnabled(not self._running)
        labels = {
            STEP_ITEM: _("输入关键词查找事项，↑↓ 选择，回车确定"),
            STEP_APPLICANT: _("刷身份证或输入证件号码，回车查找老申请人；Alt+1–4 切换步骤"),
            STEP_CHECKLIST: _("逐项核对：1 收到　2 缺少　3 有误　0 不适用"),
            STEP_RESULT: _("Ctrl+Enter 执行推荐的操作；F5 下一位") if not done
            else _("F5 或 Ctrl+Enter 开始下一位"),
        }
        if not self._running:
            self.hint.setText(labels[self.step])
        for i in range(STEP_RESULT):
            self.step_bar.buttons[i].setEnabled(not done)

    def _update_context(self) -> None:
        if self.step == STEP_ITEM or self.item is None:
            self.context_label.hide()
            return
        parts = []
        limit = _("即办") if self.item.promised_limit == 0 else _("承诺 {n}").format(
            n=format_limit(self.item.promised_limit))
        parts.append(_("事项：<b>{name}</b>（{limit}）").format(name=_esc(self.item.name),
                                                          limit=limit))
        name = self.applicant_form.display_name()
        if name:
            parts.append(_("申请人：<b>{name}</b>").format(name=_esc(name)))
        if self.step != STEP_APPLICANT and self.checklist.rows:
            problems = len(self.checklist.outstanding())
            unanswered = len(self.checklist.unanswered())
            if problems or unanswered:
                parts.append(_('材料：<span style="color:#c62828">待处理 {n} 项</span>').format(
                    n=problems + unanswered))
            else:
                parts.append(_('材料：<span style="color:#2e7d32">已齐全</span>'))
        if self.mode == SUPPLEMENT and self.case is not None:
            parts.insert(0, _("办件 <b>{no}</b>").format(no=self.case.case_no))
        self.context_label.setText(_("　|　").join(parts))
        self.context_label.show()

    def _update_decision(self) -> None:
        if self.outcome is not None:
            return
        supplement = self.mode == SUPPLEMENT
        item = self.item
        applicant_ok = supplement or self.applicant_form.validate(show=False) is not None
        unanswered = self.checklist.unanswered()
        problems = self.checklist.outstanding()
        no_reason = self.checklist.wrong_without_reason()
        pending = self.checklist.pending()
        on_spot = item is not None and item.promised_limit == 0

        # texts
        if supplement:
            self.accept_button.setText(_("补正齐全，即办办结(&A)") if on_spot
                                       else _("补正齐全，受理(&A)"))
        else:
            self.accept_button.setText(_("即办办结(&A)") if on_spot else _("受理(&A)"))

        def need_applicant() -> str:
            return _("申请人信息未填完整或有误（第 2 步）")

        # accept
        accept_ok, accept_why = True, ""
        if item is None:
            accept_ok, accept_why = False, _("请先选择事项")
        elif not applicant_ok:
            accept_ok, accept_why = False, need_applicant()
        elif unanswered:
            accept_ok, accept_why = False, _("还有 {n} 项条件材料没有询问是否适用").format(n=len(unanswered))
        elif pending:
            accept_ok, accept_why = False, _("还有 {n} 项材料未核对（第 3 步）").format(n=len(pending))
        elif problems:
            accept_ok, accept_why = False, _("还有 {n} 项材料缺少或有误，不能受理").format(
                n=len(problems))
        elif on_spot:
            accept_why = _("当场办结并出具回执")
        else:
            accept_why = _("出具受理回执，承诺 {limit}内办结").format(
                limit=format_limit(item.promised_limit))
        self.accept_button.setEnabled(accept_ok)
        self.reasons["accept"].setText(accept_why)

        # notice (new intake)
        notice_ok, notice_why = True, ""
        if item is None or not applicant_ok:
            notice_ok, notice_why = False, need_applicant() if item else _("请先选择事项")
        elif unanswered:
            notice_ok, notice_why = False, _("先询问条件材料是否适用，告知书才能写全")
        elif pending:
            notice_ok, notice_why = False, _("还有 {n} 项材料未核对，逐项核对后告知书才准确").format(
                n=len(pending))
        elif not problems:
            notice_ok, notice_why = False, _("材料已齐全，无需告知")
        elif no_reason:
            notice_ok, notice_why = False, _("请写明有误材料的原因：{names}").format(
                names=LIST_SEP.join(ln.name for ln in no_reason))
        else:
            notice_why = _("一次告知 {n} 项缺少或有误的材料").format(n=len(problems))
        self.notice_button.setEnabled(notice_ok)
        self.reasons["notice"].setText(notice_why)

        refuse_ok = item is not None and applicant_ok
        self.refuse_button.setEnabled(refuse_ok)
        self.reasons["refuse"].setText(
            _("不属于受理范围或不符合条件时使用") if refuse_ok else need_applicant())

        # supplement
        self.save_supplement_button.setEnabled(supplement and not unanswered and not no_reason)
        self.reasons["save"].setText(_("登记已补交的材料，办件仍待补正") if not unanswered
                                     else _("先询问条件材料是否适用"))
        further_reason = self.further_reason_edit.text().strip()
        further_ok = supplement and bool(problems) and not unanswered and bool(further_reason) \
            and not no_reason and not pending
        self.further_notice_button.setEnabled(further_ok)
        if not problems:
            why = _("材料已齐全，无需再次告知")
        elif not further_reason:
            why = _("只限新发现的问题，请在上方写明原因")
        else:
            why = _("对新发现的问题出具补充告知书")
        self.reasons["further"].setText(why)

        for key, b in (("accept", self.accept_button), ("notice", self.notice_button),
                       ("refuse", self.refuse_button), ("save", self.save_supplement_button),
                       ("further", self.further_notice_button)):
            visible = key in (("accept", "save", "further") if supplement
                              else ("accept", "notice", "refuse"))
            b.setVisible(visible)
            self.reasons[key].setVisible(visible)
        self.further_reason_edit.setVisible(supplement)

        # the recommended action looks primary
        recommended = self.accept_button if accept_ok else (
            self.save_supplement_button if supplement else self.notice_button)
        for b in (self.accept_button, self.notice_button, self.refuse_button,
                  self.save_supplement_button, self.further_notice_button):
            b.setProperty("primary", b is recommended and b.isEnabled())
            b.style().unpolish(b)
            b.style().polish(b)

        self.summary_label.setText(self._summary_html(applicant_ok, unanswered, problems, pending))

    def _summary_html(self, applicant_ok: bool, unanswered: list[ChecklistLine],
                      problems: list[tuple[ChecklistLine, str]],
                      pending: list[ChecklistLine]) -> str:
        item = self.item
        rows = []
        if item is not None:
            limit = _("即办") if item.promised_limit == 0 else _(
                "承诺 {p}，法定 {l}").format(p=format_limit(item.promised_limit),
                                           l=format_limit(item.legal_limit))
            rows.append(_("<b>事项</b>　{name}（{limit}）").format(name=_esc(item.name), limit=limit))
        if self.mode == SUPPLEMENT and self.case is not None:
            rows.append(_("<b>办件</b>　{no}").format(no=self.case.case_no))
        name = self.applicant_form.display_name()
        if applicant_ok:
            rows.append(_("<b>申请人</b>　{name}").format(name=_esc(name)))
        else:
            rows.append(_('<b>申请人</b>　<span style="color:#c62828">{name}信息未填完整或有误</span>').format(
                name=_esc(name) + " " if name else ""))
        lines = self.checklist.lines()
        received = sum(1 for ln in lines if ln.needed and ln.state.received
                       and not any(p[0].name == ln.name for p in problems))
        # a material not yet checked is not known to be missing: it is counted, and listed,
        # as 未核对 (what the buttons say too), never as 缺少 on the one-time notice
        problems = [(ln, why) for ln, why in problems if ln.state is not MaterialState.PENDING]
        if pending:
            rows.append(_("<b>材料</b>　已收齐 {ok} 项；缺少或有误 {bad} 项；未核对 {todo} 项；"
                          "未询问 {ask} 项").format(ok=received, bad=len(problems),
                                                    todo=len(pending), ask=len(unanswered)))
            names = LIST_SEP.join(_esc(ln.name) for ln in pending)
            rows.append(_('<span style="color:#475569">未核对（请在第 3 步逐项核对）：{names}</span>').format(
                names=names))
        else:
            rows.append(_("<b>材料</b>　已收齐 {ok} 项；缺少或有误 {bad} 项；未询问 {ask} 项").format(
                ok=received, bad=len(problems), ask=len(unanswered)))
        if problems:
            items = "".join(f"<li>{_esc(ln.name)}：{_esc(why)}</li>" for ln, why in problems)
            if self.mode != NEW:
                title = _("仍缺少或有误：")
            elif pending:  # the notice waits for the check: it will list these and maybe more
                title = _("已核出缺少或有误：")
            else:
                title = _("一次性告知书将列出：")
            rows.append(f'<span style="color:#b45309">{title}</span><ul style="margin:2px 0">{items}</ul>')
        return "<br>".join(rows)


def _merge_lines(base: list[ChecklistLine], saved: list[dict[str, Any]]) -> list[ChecklistLine]:
    """The item's checklist with the states of a draft (matched by name)."""
    by_name = {str(d.get("name")): d for d in saved}
    for ln in base:
        d = by_name.get(ln.name)
        if not d:
            continue
        applies = d.get("condition_applies")
        ln.condition_applies = None if applies is None else bool(applies)
        try:
            ln.state = MaterialState(d.get("state") or "pending")
        except ValueError:
            ln.state = MaterialState.PENDING
        ln.copies_received = int(d.get("copies_received") or 0)
        ln.problem = str(d.get("problem") or "")
    return base


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""The materials checklist of intake (材料核对), one row per material.

Each row: name (with the condition of a conditional material), required form and copies,
是否适用 for conditional materials (asked first; the state stays closed until it is
answered), the state (收原件 / 收复印件 / 原件核验收复印件 / 缺少 / 有误), the copies received
and, for 有误, the reason that goes onto the one-time notice.

Keyboard: Tab walks through the rows. On a row's choice boxes the quick keys are

    1  received in the form the item asks for        2  缺少
    3  有误 (the cursor goes to the reason)           0  不适用 (conditional materials)

and 1, 2 and 0 move on to the next row, so a clerk can go through a pile with one hand.
What is still missing is shown live under the rows (``domain.checklist.outstanding``).
"""

from __future__ import annotations

from dataclasses import replace

from clerk_app.domain.checklist import ChecklistLine, line_problem, outstanding, unanswered_conditions
from clerk_app.domain.status import MaterialState
from clerk_app.i18n import _
from clerk_app.ui.qt import QtCore, QtGui, QtWidgets, Qt, Signal
from clerk_app.ui.widgets import WrapLabel, hint_label

#: The choices of the state box, in order (PENDING is the empty first entry).
STATE_CHOICES = (
    MaterialState.PENDING,
    MaterialState.ORIGINAL,
    MaterialState.COPY,
    MaterialState.BOTH,
    MaterialState.MISSING,
    MaterialState.WRONG,
)

_STATE_TEXT = {
    MaterialState.PENDING: _("— 请核对 —"),
    MaterialState.ORIGINAL: _("收原件"),
    MaterialState.COPY: _("收复印件"),
    MaterialState.BOTH: _("原件核验，收复印件"),
    MaterialState.MISSING: _("缺少"),
    MaterialState.WRONG: _("有误"),
}

LIST_SEP = _("、")

APPLIES_UNKNOWN, APPLIES_YES, APPLIES_NO = 0, 1, 2

_ROW_COLOURS = {
    # left bar, background
    "pending": ("#cbd2dc", "#ffffff"),
    "ok": ("#3f9b55", "#f4fbf5"),
    "problem": ("#d9534f", "#fff6f5"),
    "na": ("#9aa4b2", "#f6f7f9"),
}

ROW_CONTROL_HEIGHT = 34
# narrow enough that on a 1024-pixel screen the material's name and its note (未提供：需复印件
# 1份, the condition) keep some 220 px: with wider columns they were squeezed and clipped
COL_WIDTHS = {"form": 112, "applies": 96, "state": 184, "copies": 76}
# where the list has the room (1280-pixel screens and wider) the choices show whole:
# 原件核验，收复印件, 不适用, 请询问
WIDE_COL_WIDTHS = {"form": 142, "applies": 116, "state": 216, "copies": 88}
WIDE_FROM = 1100  # the checklist's own width from which the wide columns are used
NAME_MIN_WIDTH = 160
SIDE_PANEL_WIDTH = 236


class ChecklistRow(QtWidgets.QFrame):
    """One material. Edits go straight into ``line``."""

    changed = Signal()
    #: the clerk finished this row with a quick key: move on
    advance = Signal()

    def __init__(self, index: int, line: ChecklistLine, highlighted: bool = False,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ChecklistRow")
        self.index = index
        self.line = replace(line)
        self.highlighted = highlighted
        self._updating = False

        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(12, 4, 10, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)

        # name, tags, and one grey line: the condition and what is still wrong
        name_box = QtWidgets.QVBoxLayout()
        name_box.setSpacing(0)
        title = QtWidgets.QHBoxLayout()
        title.setSpacing(6)
        self.number_label = QtWidgets.QLabel(f"{index + 1}.")
        self.number_label.setStyleSheet("color: #64748b;")
        title.addWidget(self.number_label)
        self.name_label = WrapLabel(line.name)
        self.name_label.setObjectName("materialName")
        self.name_label.setWordWrap(True)
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        title.addWidget(self.name_label, 1)
        if highlighted:
            self.notified_label = QtWidgets.QLabel(_("曾告知"))
            self.notified_label.setToolTip(_("一次性告知书上列出过这一项"))
            self.notified_label.setStyleSheet(
                "color: white; background: #d97706; border-radius: 8px; padding: 0 6px;")
            title.addWidget(self.notified_label, 0, Qt.AlignmentFlag.AlignVCenter)
        self.tag_label = QtWidgets.QLabel(_("必需") if line.required else _("条件必需"))
        self.tag_label.setStyleSheet(
            "color: #1f5fa8; border: 1px solid #9cc3ea; border-radius: 8px; padding: 0 6px;"
            if line.required else
            "color: #8a6100; border: 1px solid #e3c262; border-radius: 8px; padding: 0 6px;")
        title.addWidget(self.tag_label, 0, Qt.AlignmentFlag.AlignVCenter)
        name_box.addLayout(title)
        self.condition_text = ""
        if line.condition:
            prefix = _("适用情形：") if not line.required else _("说明：")
            self.condition_text = prefix + line.condition
        self.problem_text = WrapLabel()
        self.problem_text.setObjectName("lineProblem")
        self.problem_text.setWordWrap(True)
        self.problem_text.setTextFormat(Qt.TextFormat.RichText)
        name_box.addWidget(self.problem_text)
        name_box.addStretch(1)
        grid.addLayout(name_box, 0, 0, 2, 1)
        grid.setColumnMinimumWidth(0, NAME_MIN_WIDTH)

        self.form_label = QtWidgets.QLabel(
            _("{form} {n} 份").format(form=line.form, n=line.copies_required))
        self.form_label.setFixedWidth(COL_WIDTHS["form"])
        self.form_label.setWordWrap(True)
        grid.addWidget(self.form_label, 0, 1, Qt.AlignmentFlag.AlignVCenter)

        # 是否适用
        self.applies_combo = QtWidgets.QComboBox()
        self.applies_combo.setObjectName("appliesCombo")
        self.applies_combo.addItem(_("请询问"), APPLIES_UNKNOWN)
        self.applies_combo.addItem(_("适用"), APPLIES_YES)
        self.applies_combo.addItem(_("不适用"), APPLIES_NO)
        self.applies_combo.setFixedWidth(COL_WIDTHS["applies"])
        self.applies_combo.setToolTip(_("先问申请人：{condition}？").format(condition=line.condition)
                                      if line.condition else "")
        self.applies_combo.currentIndexChanged.connect(self._on_applies_changed)
        self.required_label = QtWidgets.QLabel(_("必需提交"))
        self.required_label.setStyleSheet("color: #64748b;")
        self.required_label.setFixedWidth(COL_WIDTHS["applies"])
        if line.required:
            self.applies_combo.hide()
            grid.addWidget(self.required_label, 0, 2, Qt.AlignmentFlag.AlignVCenter)
        else:
            self.required_label.hide()
            grid.addWidget(self.applies_combo, 0, 2, Qt.AlignmentFlag.AlignVCenter)

        self.state_combo = QtWidgets.QComboBox()
        self.state_combo.setObjectName("stateCombo")
        for state in STATE_CHOICES:
            self.state_combo.addItem(_STATE_TEXT[state], state.value)
        self.state_combo.setFixedWidth(COL_WIDTHS["state"])
        self.state_combo.currentIndexChanged.connect(self._on_state_changed)
        grid.addWidget(self.state_combo, 0, 3, Qt.AlignmentFlag.AlignVCenter)

        self.copies_spin = QtWidgets.QSpinBox()
        self.copies_spin.setObjectName("copiesSpin")
        self.copies_spin.setRange(0, 99)
        self.copies_spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.copies_spin.setSuffix(_(" 份"))
        self.copies_spin.setFixedWidth(COL_WIDTHS["copies"])
        self.copies_spin.setToolTip(_("收到的份数"))
        self.copies_spin.valueChanged.connect(self._on_copies_changed)
        grid.addWidget(self.copies_spin, 0, 4, Qt.AlignmentFlag.AlignVCenter)

        self.reason_edit = QtWidgets.QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setPlaceholderText(_("有误的原因（必填，会写进告知书），如：复印件不清晰"))
        self.reason_edit.setClearButtonEnabled(True)
        self.reason_edit.textChanged.connect(self._on_reason_changed)
        self.reason_edit.returnPressed.connect(self._on_reason_return)
        grid.addWidget(self.reason_edit, 1, 1, 1, 4)
        grid.setColumnStretch(0, 1)

        for combo in (self.applies_combo, self.state_combo):
            combo.installEventFilter(self)
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            combo.setFixedHeight(ROW_CONTROL_HEIGHT)
        self.copies_spin.setFixedHeight(ROW_CONTROL_HEIGHT)
        self.reason_edit.setFixedHeight(ROW_CONTROL_HEIGHT)
        self.copies_spin.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._load()

    # -- public --------------------------------------------------------------------------

    def set_widths(self, widths: dict[str, int]) -> None:
        self.form_label.setFixedWidth(widths["form"])
        self.applies_combo.setFixedWidth(widths["applies"])
        self.required_label.setFixedWidth(widths["applies"])
        self.state_combo.setFixedWidth(widths["state"])
        self.copies_spin.setFixedWidth(widths["copies"])

    def first_focus(self) -> QtWidgets.QWidget:
        if not self.line.required and self.line.condition_applies is None:
            return self.applies_combo
        if not self.line.required and not self.line.condition_applies:
            return self.applies_combo
        return self.state_combo

    def focus_widgets(self) -> list[QtWidgets.QWidget]:
        out: list[QtWidgets.QWidget] = []
        if not self.line.required:
            out.append(self.applies_combo)
        out += [self.state_combo, self.copies_spin, self.reason_edit]
        return out

    def set_applies(self, applies: bool | None) -> None:
        value = APPLIES_UNKNOWN if applies is None else (APPLIES_YES if applies else APPLIES_NO)
        self.applies_combo.setCurrentIndex(self.applies_combo.findData(value))

    def set_state(self, state: MaterialState) -> None:
        if state is MaterialState.NOT_APPLICABLE:
            self.set_applies(False)
            return
        if not self.line.required and not self.line.condition_applies:
            self.set_applies(True)
        self.state_combo.setCurrentIndex(self.state_combo.findData(state.value))

    def mark_received(self) -> None:
        """Received in the form the item asks for, all copies."""
        self.set_state(self.line.expected_state())
        if self.copies_spin.value() < self.line.copies_required:
            self.copies_spin.setValue(self.line.copies_required)

    def set_reason(self, text: str) -> None:
        self.reason_edit.setText(text)

    def status(self) -> str:
        ln = self.line
        if not ln.required and ln.condition_applies is False:
            return "na"
        if not ln.required and ln.condition_applies is None:
            return "pending"
        if ln.state is MaterialState.PENDING:
            return "pending"
        return "problem" if line_problem(ln) else "ok"

    def set_read_only(self, read_only: bool) -> None:
        for w in (self.applies_combo, self.state_combo, self.copies_spin):
            w.setEnabled(not read_only)
        self.reason_edit.setReadOnly(read_only)
        if not read_only:
            self._refresh()

    # -- events --------------------------------------------------------------------------

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.KeyPress and obj in (self.applies_combo,
                                                                    self.state_combo):
            key = event.key()
            if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                return False
            if key == Qt.Key.Key_1:
                self.mark_received()
                self.advance.emit()
                return True
            if key == Qt.Key.Key_2:
                self.set_state(MaterialState.MISSING)
                self.advance.emit()
                return True
            if key == Qt.Key.Key_3:
                self.set_state(MaterialState.WRONG)
                self.reason_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return True
            if key == Qt.Key.Key_0 and not self.line.required:
                self.set_applies(False)
                self.advance.emit()
                return True
        return super().eventFilter(obj, event)

    # -- slots ---------------------------------------------------------------------------

    def _on_applies_changed(self, _index: int) -> None:
        if self._updating:
            return
        value = self.applies_combo.currentData()
        ln = self.line
        ln.condition_applies = None if value == APPLIES_UNKNOWN else value == APPLIES_YES
        if ln.condition_applies is False:
            ln.state = MaterialState.NOT_APPLICABLE
            ln.copies_received = 0
        elif ln.state is MaterialState.NOT_APPLICABLE:
            ln.state = MaterialState.PENDING
        self._refresh()
        self.changed.emit()

    def _on_state_changed(self, _index: int) -> None:
        if self._updating:
            return
        state = MaterialState(self.state_combo.currentData())
        ln = self.line
        ln.state = state
        self._updating = True
        try:
            if state.received and ln.copies_received == 0:
                ln.copies_received = ln.copies_required
                self.copies_spin.setValue(ln.copies_received)
            elif state in (MaterialState.MISSING, MaterialState.PENDING):
                ln.copies_received = 0
                self.copies_spin.setValue(0)
        finally:
            self._updating = False
        self._refresh()
        self.changed.emit()

    def _on_copies_changed(self, value: int) -> None:
        if self._updating:
            return
        self.line.copies_received = value
        self._refresh()
        self.changed.emit()

    def _on_reason_changed(self, text: str) -> None:
        if self._updating:
            return
        self.line.problem = text.strip()
        self._refresh()
        self.changed.emit()

    def _on_reason_return(self) -> None:
        if self.line.problem:
            self.advance.emit()

    # -- internals -----------------------------------------------------------------------

    def _load(self) -> None:
        self._updating = True
        try:
            ln = self.line
            value = (APPLIES_UNKNOWN if ln.condition_applies is None
                     else APPLIES_YES if ln.condition_applies else APPLIES_NO)
            self.applies_combo.setCurrentIndex(self.applies_combo.findData(value))
            state = ln.state if ln.state in STATE_CHOICES else MaterialState.PENDING
            self.state_combo.setCurrentIndex(self.state_combo.findData(state.value))
            self.copies_spin.setValue(ln.copies_received)
            self.reason_edit.setText(ln.problem if ln.state is MaterialState.WRONG else "")
        finally:
            self._updating = False
        self._refresh()

    def _refresh(self) -> None:
        ln = self.line
        not_applicable = not ln.required and ln.condition_applies is False
        unanswered = not ln.required and ln.condition_applies is None
        self.state_combo.setEnabled(not not_applicable and not unanswered)
        self.copies_spin.setEnabled(ln.state.received)
        wrong = ln.state is MaterialState.WRONG
        self.reason_edit.setVisible(wrong)
        status, colour = "", "#64748b"
        if not_applicable:
            status = _("不适用，无需提交")
        elif unanswered:
            status, colour = _("请先询问是否适用"), "#8a6100"
        elif wrong and not ln.problem:
            status, colour = _("请写明有误的原因"), "#c62828"
        elif wrong:
            status, colour = _("有误（原因写在下面，会写进告知书）"), "#c62828"
        elif ln.state is not MaterialState.PENDING:
            problem = line_problem(ln)
            if problem:
                status, colour = problem, "#c62828"
        parts = []
        if self.condition_text:
            parts.append(f'<span style="color:#6b7280">{_esc(self.condition_text)}</span>')
        if status:
            parts.append(f'<span style="color:{colour}">{_esc(status)}</span>')
        self.problem_text.setText(_("　·　").join(parts))
        self.problem_text.setVisible(bool(parts))
        bar, bg = _ROW_COLOURS[self.status()]
        if self.highlighted and self.status() != "ok":
            bg = "#fff4e0"
        self.setStyleSheet(
            f"QFrame#ChecklistRow {{ background: {bg}; border: 1px solid #e2e6ec;"
            f" border-left: 5px solid {bar}; border-radius: 3px; }}"
            "QFrame#ChecklistRow QComboBox, QFrame#ChecklistRow QSpinBox,"
            " QFrame#ChecklistRow QLineEdit { min-height: 0; padding-top: 2px;"
            " padding-bottom: 2px; }")


class ChecklistWidget(QtWidgets.QWidget):
    """All rows, a header, quick-key help and the live list of what is still outstanding."""

    changed = Signal()
    #: quick keys went past the last row
    finished = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ChecklistWidget")
        self.rows: list[ChecklistRow] = []
        outer = QtWidgets.QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(14)
        left = QtWidgets.QVBoxLayout()
        left.setSpacing(4)
        outer.addLayout(left, 1)

        header = QtWidgets.QWidget(self)
        hl = QtWidgets.QHBoxLayout(header)
        hl.setContentsMargins(17, 0, 14, 0)
        hl.setSpacing(10)
        self.widths = COL_WIDTHS
        self.header_labels: dict[str, QtWidgets.QLabel] = {}
        for key, text in (("", _("材料")), ("form", _("要求")), ("applies", _("是否适用")),
                          ("state", _("核对结果")), ("copies", _("收到"))):
            label = QtWidgets.QLabel(text, header)
            label.setStyleSheet("color: #475569; font-weight: bold;")
            if key:
                label.setFixedWidth(self.widths[key])
                self.header_labels[key] = label
                hl.addWidget(label)
            else:
                hl.addWidget(label, 1)
        left.addWidget(header)

        self.scroll = QtWidgets.QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body = QtWidgets.QWidget()
        self.body.setObjectName("checklistBody")
        self.rows_layout = QtWidgets.QVBoxLayout(self.body)
        self.rows_layout.setContentsMargins(0, 0, 4, 0)
        self.rows_layout.setSpacing(4)
        self.rows_layout.addStretch(1)
        self.scroll.setWidget(self.body)
        left.addWidget(self.scroll, 1)

        self.empty_label = hint_label(_("这个事项的清单没有列出申请材料。"), self)
        self.empty_label.hide()
        left.addWidget(self.empty_label)

        # the side panel: one button for the usual case, what is outstanding, the keys
        side = QtWidgets.QVBoxLayout()
        side.setSpacing(8)
        self.all_received_button = QtWidgets.QPushButton(_("其余材料全部收齐(&A)"), self)
        self.all_received_button.setObjectName("allReceivedButton")
        self.all_received_button.setAutoDefault(False)
        self.all_received_button.setToolTip(
            _("把还没核对的必需材料（和已确认适用的条件材料）标为按要求收到；"
              "已标的缺少、有误不变，条件材料仍需逐项询问"))
        self.all_received_button.clicked.connect(self.mark_all_received)
        side.addWidget(self.all_received_button)
        self.summary = QtWidgets.QLabel(self)
        self.summary.setObjectName("checklistSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet(
            "QLabel#checklistSummary { background: #f8fafc; border: 1px solid #e2e6ec;"
            " border-radius: 4px; padding: 8px 10px; }")
        summary_scroll = QtWidgets.QScrollArea(self)
        summary_scroll.setWidgetResizable(True)
        summary_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        summary_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        summary_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        summary_scroll.setWidget(self.summary)
        side.addWidget(summary_scroll, 1)
        self.keys_label = hint_label(
            _("在选择框上按键：1 收到　2 缺少　3 有误　0 不适用；按后自动跳到下一项"), self)
        self.keys_label.setObjectName("checklistKeys")
        side.addWidget(self.keys_label)
        panel = QtWidgets.QWidget(self)
        panel.setLayout(side)
        panel.setFixedWidth(SIDE_PANEL_WIDTH)
        outer.addWidget(panel)
        self._update_summary()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        widths = WIDE_COL_WIDTHS if self.width() >= WIDE_FROM else COL_WIDTHS
        if widths is not self.widths:
            self.widths = widths
            for key, label in self.header_labels.items():
                label.setFixedWidth(widths[key])
            for row in self.rows:
                row.set_widths(widths)

    # -- public --------------------------------------------------------------------------

    def set_lines(self, lines: list[ChecklistLine], highlighted: set[str] | None = None) -> None:
        highlighted = highlighted or set()
        for row in self.rows:
            self.rows_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows = []
        for i, line in enumerate(lines):
            row = ChecklistRow(i, line, line.name in highlighted, self.body)
            row.set_widths(self.widths)
            row.changed.connect(self._on_row_changed)
            row.advance.connect(self._on_row_advance)
            self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
            self.rows.append(row)
        self.empty_label.setVisible(not lines)
        self.all_received_button.setEnabled(bool(lines))
        self._set_tab_order()
        self._update_summary()

    def lines(self) -> list[ChecklistLine]:
        return [replace(r.line) for r in self.rows]

    def row_named(self, name: str) -> ChecklistRow:
        for r in self.rows:
            if r.line.name == name:
                return r
        raise KeyError(name)

    def mark_all_received(self) -> None:
        """Every material not yet checked that is needed: received as the item asks.

        What the clerk already decided (缺少, 有误, a form of their own) stays as it is, and
        conditional materials are still asked one by one.
        """
        for r in self.rows:
            ln = r.line
            if (ln.required or ln.condition_applies) and ln.state is MaterialState.PENDING:
                r.mark_received()
        self._update_summary()

    def focus_first(self) -> None:
        for r in self.rows:
            if r.status() in ("pending", "problem"):
                self._focus_row(r)
                return
        if self.rows:
            self._focus_row(self.rows[0])

    def outstanding(self) -> list[tuple[ChecklistLine, str]]:
        return outstanding(self.lines())

    def unanswered(self) -> list[ChecklistLine]:
        return unanswered_conditions(self.lines())

    def wrong_without_reason(self) -> list[ChecklistLine]:
        return [ln for ln in self.lines() if ln.state is MaterialState.WRONG and not ln.problem]

    def pending(self) -> list[ChecklistLine]:
        return [ln for ln in self.lines() if ln.needed and ln.state is MaterialState.PENDING]

    def set_read_only(self, read_only: bool) -> None:
        for r in self.rows:
            r.set_read_only(read_only)
        self.all_received_button.setEnabled(not read_only and bool(self.rows))

    def summary_text(self) -> str:
        return QtGui.QTextDocumentFragment.fromHtml(self.summary.text()).toPlainText()

    # -- slots ---------------------------------------------------------------------------

    def _on_row_changed(self) -> None:
        self._update_summary()
        self.changed.emit()

    def _on_row_advance(self) -> None:
        row = self.sender()
        index = self.rows.index(row) if row in self.rows else -1
        if 0 <= index < len(self.rows) - 1:
            self._focus_row(self.rows[index + 1])
        else:
            self.finished.emit()

    # -- internals -----------------------------------------------------------------------

    def _focus_row(self, row: ChecklistRow) -> None:
        widget = row.first_focus()
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        self.scroll.ensureWidgetVisible(row, 0, 20)

    def _set_tab_order(self) -> None:
        chain: list[QtWidgets.QWidget] = [self.all_received_button]
        for r in self.rows:
            chain += r.focus_widgets()
        for a, b in zip(chain, chain[1:]):
            QtWidgets.QWidget.setTabOrder(a, b)

    def _update_summary(self) -> None:
        lines = self.lines()
        if not lines:
            self.summary.setText(_("没有需要核对的材料。"))
            return
        unanswered = unanswered_conditions(lines)
        pending = [ln for ln in lines if ln.needed and ln.state is MaterialState.PENDING]
        problems = [(ln, why) for ln, why in outstanding(lines)
                    if ln.state is not MaterialState.PENDING]
        no_reason = [ln for ln in lines if ln.state is MaterialState.WRONG and not ln.problem]
        ok = sum(1 for ln in lines if ln.needed and ln.state.received and not line_problem(ln))
        needed = sum(1 for ln in lines if ln.needed)
        parts = [_("<b>已收齐 {ok} / {needed} 项</b>").format(ok=ok, needed=needed)]
        if unanswered:
            parts.append(_('<span style="color:#8a6100">尚未询问是否适用 {n} 项：{names}</span>').format(
                n=len(unanswered), names=_esc(LIST_SEP.join(ln.name for ln in unanswered))))
        if pending:
            parts.append(_('<span style="color:#475569">未核对 {n} 项：{names}</span>').format(
                n=len(pending), names=_esc(LIST_SEP.join(ln.name for ln in pending))))
        if problems:
            items = "".join(
                f"<li><b>{_esc(ln.name)}</b><br>{_esc(why)}</li>" for ln, why in problems)
            parts.append(_('<span style="color:#c62828">缺少或有误 {n} 项：</span>'
                           '<ul style="margin:0; -qt-list-indent: 1">{items}</ul>').format(
                n=len(problems), items=items))
        if no_reason:
            parts.append(_('<span style="color:#c62828">有误的材料要写明原因：{names}</span>').format(
                names=_esc(LIST_SEP.join(ln.name for ln in no_reason))))
        if not (unanswered or pending or problems):
            parts.append(_('<span style="color:#2e7d32">材料已齐全，可以受理。</span>'))
        self.summary.setText("<br>".join(parts))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

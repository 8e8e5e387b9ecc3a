"""The supervisor's dialogs: operators, catalog import, working-day calendar, audit log.

Every change goes through the task runner's database worker; the dialogs only show what the
services answer. The services check the supervisor role themselves, so a dialog opened by
mistake by a clerk cannot change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from clerk_app.domain import labels
from clerk_app.domain.status import Role
from clerk_app.i18n import _
from clerk_app.services import audit, auth, calendar, catalog
from clerk_app.services.common import Actor, Context
from clerk_app.store.models import CalendarOverride, CalendarYear, Operator
from clerk_app.ui import file_dialogs
from clerk_app.ui.qt import QtCore, QtWidgets, Qt, Signal, Slot
from clerk_app.ui.style import make_primary
from clerk_app.ui.tasks import TaskRunner, error_text

TABLE_FILTER = _("表格文件 (*.csv *.xlsx *.xlsm);;所有文件 (*)")


def _readonly_table(headers: list[str]) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cell(text: str, data: object = None) -> QtWidgets.QTableWidgetItem:
    cell = QtWidgets.QTableWidgetItem(text)
    if data is not None:
        cell.setData(Qt.ItemDataRole.UserRole, data)
    return cell


def _message_label() -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # messages quote names as they were typed
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _show(label: QtWidgets.QLabel, text: str, kind: str = "errorText") -> None:
    label.setObjectName(kind)
    label.style().unpolish(label)
    label.style().polish(label)
    label.setText(text)
    label.setVisible(bool(text))


# ------------------------------------------------------------------------------------------
# operators
# ------------------------------------------------------------------------------------------


class PasswordFields(QtWidgets.QWidget):
    """A password typed twice, checked with the same rule as the service."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        form = QtWidgets.QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.first = QtWidgets.QLineEdit()
        self.second = QtWidgets.QLineEdit()
        for edit in (self.first, self.second):
            edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.first.setPlaceholderText(_("至少 {n} 位，含字母和数字").format(n=auth.MIN_PASSWORD_LENGTH))
        form.addRow(_("密码"), self.first)
        form.addRow(_("再输一次"), self.second)

    def problem(self) -> str:
        problem = auth.password_problem(self.first.text())
        if problem:
            return problem
        if self.first.text() != self.second.text():
            return _("两次输入的密码不一致。")
        return ""

    def password(self) -> str:
        return self.first.text()


class AddOperatorDialog(QtWidgets.QDialog):
    added = Signal(object)  # Actor of the new operator

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.actor = ctx, runner, actor
        self.setWindowTitle(_("新增操作员"))
        self.setMinimumWidth(440)
        layout = QtWidgets.QVBoxLayout(self)
        form = QtWidgets.QFormLayout()
        self.username_edit = QtWidgets.QLineEdit()
        self.username_edit.setPlaceholderText(_("字母或数字，例如 wangfang"))
        self.name_edit = QtWidgets.QLineEdit()
        self.role_combo = QtWidgets.QComboBox()
        for role in (Role.CLERK, Role.SUPERVISOR, Role.AGENT):
            self.role_combo.addItem(role.label, role.value)
        form.addRow(_("用户名"), self.username_edit)
        form.addRow(_("姓名"), self.name_edit)
        form.addRow(_("角色"), self.role_combo)
        layout.addLayout(form)
        self.passwords = PasswordFields()
        layout.addWidget(self.passwords)
        self.message = _message_label()
        layout.addWidget(self.message)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("新增"))
        make_primary(self.ok_button)
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel).setText(_("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    @Slot()
    def submit(self) -> None:
        username = self.username_edit.text().strip()
        name = self.name_edit.text().strip()
        if not auth.USERNAME_RE.match(username):
            _show(self.message, _("用户名只能用 2 到 40 位字母、数字或 _ . -，例如 zhangsan。"))
            self.username_edit.setFocus()
            return
        problem = auth.display_name_problem(name)
        if problem:
            _show(self.message, problem)
            self.name_edit.setFocus()
            return
        problem = self.passwords.problem()
        if problem:
            _show(self.message, problem)
            self.passwords.first.setFocus()
            return
        self.ok_button.setEnabled(False)
        self.runner.run(auth.add_operator, self.ctx, self.actor, username, name,
                        self.role_combo.currentData(), self.passwords.password(),
                        on_success=self._on_added, on_failure=self._on_failed)

    def _on_added(self, new: Actor) -> None:
        self.ok_button.setEnabled(True)
        self.added.emit(new)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        _show(self.message, error_text(error))


class ResetPasswordDialog(QtWidgets.QDialog):
    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, operator_id: int,
                 operator_label: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.actor, self.operator_id = ctx, runner, actor, operator_id
        self.setWindowTitle(_("重置密码"))
        self.setMinimumWidth(420)
        layout = QtWidgets.QVBoxLayout(self)
        self.who_label = QtWidgets.QLabel(_("为 {who} 设置新密码：").format(who=operator_label))
        self.who_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.who_label)
        self.passwords = PasswordFields()
        layout.addWidget(self.passwords)
        self.message = _message_label()
        layout.addWidget(self.message)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("确定"))
        buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel).setText(_("取消"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @Slot()
    def submit(self) -> None:
        problem = self.passwords.problem()
        if problem:
            _show(self.message, problem)
            return
        self.ok_button.setEnabled(False)
        self.runner.run(auth.reset_password, self.ctx, self.actor, self.operator_id,
                        self.passwords.password(), on_success=self._on_done, on_failure=self._on_failed)

    def _on_done(self, _result: object) -> None:
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        _show(self.message, error_text(error))


def operator_state(op: Operator, now: dt.datetime) -> str:
    if not op.active:
        return _("已停用")
    if op.locked_until and op.locked_until > now:
        return _("已锁定至 {time}").format(time=op.locked_until.strftime("%H:%M"))
    return _("正常")


class OperatorsDialog(QtWidgets.QDialog):
    """操作员管理: list, add, disable/enable, unlock, reset password."""

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.actor = ctx, runner, actor
        self.operators: list[Operator] = []
        self.setWindowTitle(_("操作员管理"))
        self.resize(760, 460)
        layout = QtWidgets.QVBoxLayout(self)
        self.table = _readonly_table([_("用户名"), _("姓名"), _("角色"), _("状态")])
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.message = _message_label()
        layout.addWidget(self.message)
        row = QtWidgets.QHBoxLayout()
        self.add_button = make_primary(QtWidgets.QPushButton(_("新增操作员…")))
        self.toggle_button = QtWidgets.QPushButton(_("停用"))
        self.unlock_button = QtWidgets.QPushButton(_("解锁"))
        self.reset_button = QtWidgets.QPushButton(_("重置密码…"))
        self.close_button = QtWidgets.QPushButton(_("关闭"))
        for b in (self.add_button, self.toggle_button, self.unlock_button, self.reset_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)

        self.add_button.clicked.connect(self.open_add)
        self.toggle_button.clicked.connect(self._on_toggle)
        self.unlock_button.clicked.connect(self._on_unlock)
        self.reset_button.clicked.connect(self._on_reset)
        self.close_button.clicked.connect(self.accept)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.add_dialog: AddOperatorDialog | None = None
        self.refresh()

    def refresh(self) -> None:
        self.runner.run(auth.list_operators, self.ctx, on_success=self._fill)

    def _fill(self, operators: list[Operator]) -> None:
        selected = self.selected_operator()
        keep = selected.id if selected else None
        self.operators = operators
        now = self.ctx.clock()
        self.table.setRowCount(len(operators))
        for r, op in enumerate(operators):
            self.table.setItem(r, 0, _cell(op.username, op.id))
            self.table.setItem(r, 1, _cell(op.display_name))
            self.table.setItem(r, 2, _cell(Role(op.role).label))
            self.table.setItem(r, 3, _cell(operator_state(op, now)))
            if op.id == keep:
                self.table.selectRow(r)
        self._update_buttons()

    def selected_operator(self) -> Operator | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        row = rows[0].row()
        return self.operators[row] if 0 <= row < len(self.operators) else None

    def select_username(self, username: str) -> None:
        for r, op in enumerate(self.operators):
            if op.username == username:
                self.table.selectRow(r)
                return

    @Slot()
    def _update_buttons(self) -> None:
        op = self.selected_operator()
        for b in (self.toggle_button, self.unlock_button, self.reset_button):
            b.setEnabled(op is not None)
        if op is not None:
            self.toggle_button.setText(_("停用") if op.active else _("启用"))
            self.unlock_button.setEnabled(bool(op.locked_until and op.locked_until > self.ctx.clock())
                                          or op.failed_attempts > 0)

    @Slot()
    def open_add(self) -> None:
        self.add_dialog = AddOperatorDialog(self.ctx, self.runner, self.actor, self)
        self.add_dialog.added.connect(self._on_added)
        self.add_dialog.open()

    def _on_added(self, new: Actor) -> None:
        _show(self.message, _("已新增操作员 {username}（{name}）。").format(
            username=new.username, name=new.name), "okText")
        self.refresh()

    @Slot()
    def _on_toggle(self) -> None:
        op = self.selected_operator()
        if op is None:
            return
        self.runner.run(auth.set_operator_active, self.ctx, self.actor, op.id, not op.active,
                        on_success=self._on_changed, on_failure=self._on_failed)

    @Slot()
    def _on_unlock(self) -> None:
        op = self.selected_operator()
        if op is None:
            return
        self.runner.run(auth.unlock_operator, self.ctx, self.actor, op.id,
                        on_success=self._on_changed, on_failure=self._on_failed)

    @Slot()
    def _on_reset(self) -> None:
        op = self.selected_operator()
        if op is None:
            return
        dialog = ResetPasswordDialog(self.ctx, self.runner, self.actor, op.id,
                                     _("{name}（{username}）").format(name=op.display_name, username=op.username),
                                     self)
        dialog.accepted.connect(self._on_password_reset)
        dialog.open()

    @Slot()
    def _on_password_reset(self) -> None:
        _show(self.message, _("密码已重置。"), "okText")
        self.refresh()

    def _on_changed(self, _result: object) -> None:
        _show(self.message, "")
        self.refresh()

    def _on_failed(self, error: BaseException) -> None:
        _show(self.message, error_text(error))


# ------------------------------------------------------------------------------------------
# catalog import
# ------------------------------------------------------------------------------------------


class FileField(QtWidgets.QWidget):
    """A path with a 浏览… button."""

    changed = Signal()

    def __init__(self, caption: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = caption
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.edit = QtWidgets.QLineEdit()
        self.edit.setPlaceholderText(_("CSV 或 xlsx 文件"))
        self.browse_button = QtWidgets.QPushButton(_("浏览…"))
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse_button)
        self.browse_button.clicked.connect(self._on_browse)
        self.edit.textChanged.connect(self._on_text_changed)

    @Slot()
    def _on_browse(self) -> None:
        path = file_dialogs.open_file(self, self.caption, self.edit.text(), TABLE_FILTER)
        if path:
            self.edit.setText(path)

    @Slot(str)
    def _on_text_changed(self, _text: str) -> None:
        self.changed.emit()

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text) if text else None

    def set_path(self, path: Path | str | None) -> None:
        self.edit.setText(str(path) if path else "")


def error_lines(error: BaseException) -> list[str]:
    """Each problem of a failed import on its own line (row and column first)."""
    errors = getattr(error, "errors", None)
    if errors:
        return [str(e) for e in errors]
    return [error_text(error)]


class CatalogImportDialog(QtWidgets.QDialog):
    """导入事项清单: items file and optional materials file, or one workbook with both
    sheets; all or nothing."""

    imported = Signal(object)  # catalog.ImportResult

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.actor = ctx, runner, actor
        self.result_value: catalog.ImportResult | None = None
        self.setWindowTitle(_("导入事项清单"))
        self.resize(780, 520)
        layout = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel(_(
            "选择县里导出的事项清单（CSV 或 xlsx）。材料表按「实施编码」对应事项，可不选"
            "（不选时已有事项保留原来的材料，新事项按「申请材料」列生成）。"
            "事项和材料在同一个 xlsx 工作簿的两张工作表中时，只选这一个工作簿即可。"
            "清单先整体检查，有任何错误都不会导入。"))
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        layout.addWidget(intro)
        form = QtWidgets.QFormLayout()
        self.items_field = FileField(_("选择事项表或工作簿"))
        self.items_field.edit.setPlaceholderText(_("CSV 或 xlsx 文件；也可以是含事项、材料两张工作表的工作簿"))
        self.materials_field = FileField(_("选择材料表"))
        self.materials_field.edit.setPlaceholderText(_("CSV 或 xlsx 文件；工作簿中已有材料工作表时不必选"))
        form.addRow(_("事项表或工作簿"), self.items_field)
        form.addRow(_("材料表（可选）"), self.materials_field)
        layout.addLayout(form)
        self.remove_missing_box = QtWidgets.QCheckBox(_("停用新清单中没有的事项（导入前会列出并请您确认）"))
        layout.addWidget(self.remove_missing_box)

        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setFormat(_("正在检查并导入…"))
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.summary_label = _message_label()
        layout.addWidget(self.summary_label)
        self.error_list = QtWidgets.QListWidget()
        self.error_list.setObjectName("importErrors")
        self.error_list.setWordWrap(True)
        self.error_list.hide()
        layout.addWidget(self.error_list, 1)
        layout.addStretch(0)

        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        self.import_button = make_primary(QtWidgets.QPushButton(_("检查并导入")))
        self.close_button = QtWidgets.QPushButton(_("关闭"))
        row.addWidget(self.import_button)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.reject)
        self.items_field.changed.connect(self._update_buttons)
        self._running = False
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        self.import_button.setEnabled(not self._running and self.items_field.path() is not None)
        self.close_button.setEnabled(not self._running)

    @Slot()
    def start_import(self) -> None:
        items = self.items_field.path()
        if items is None or self._running:
            return
        self._running = True
        self.progress.show()
        self.error_list.clear()
        self.error_list.hide()
        _show(self.summary_label, "")
        self._update_buttons()
        if self.remove_missing_box.isChecked():  # first see what would be retired, then ask
            self.runner.run(catalog.import_catalog, self.ctx, self.actor, items,
                            self.materials_field.path(), remove_missing=True, dry_run=True,
                            on_success=self._on_previewed, on_failure=self._on_failed)
        else:
            self._run_import(remove_missing=False)

    def _run_import(self, remove_missing: bool) -> None:
        self.runner.run(catalog.import_catalog, self.ctx, self.actor, self.items_field.path(),
                        self.materials_field.path(), remove_missing=remove_missing,
                        on_success=self._on_imported, on_failure=self._on_failed)

    def _on_previewed(self, preview: catalog.ImportResult) -> None:
        if not preview.removed:
            self._run_import(remove_missing=True)
            return
        names = catalog.item_names(self.ctx, preview.removed)
        shown = "\n".join(names[:15]) + ("\n……" if len(names) > 15 else "")
        if self.confirm_removal(len(names), shown):
            self._run_import(remove_missing=True)
        else:
            self._running = False
            self.progress.hide()
            _show(self.summary_label, _("已取消，没有导入任何内容。"))
            self._update_buttons()

    def confirm_removal(self, count: int, names: str) -> bool:
        """Ask before retiring items (tests replace this instead of answering a dialog)."""
        answer = QtWidgets.QMessageBox.question(
            self, _("停用事项"),
            _("新清单中没有以下 {n} 项，导入后它们将停用（已有办件不受影响）：\n\n{names}\n\n确定继续吗？").format(
                n=count, names=names))
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def _on_imported(self, result: catalog.ImportResult) -> None:
        self._running = False
        self.progress.hide()
        self.result_value = result
        _show(self.summary_label, result.summary(), "okText")
        self.close_button.setText(_("完成"))
        self._update_buttons()
        self.imported.emit(result)

    def _on_failed(self, error: BaseException) -> None:
        self._running = False
        self.progress.hide()
        lines = error_lines(error)
        head = (_("清单有 {n} 处错误，没有导入任何内容。请在表格中改正以下各处后重新导入：").format(n=len(lines))
                if getattr(error, "errors", None) else _("没有导入任何内容："))
        _show(self.summary_label, head)
        self.error_list.clear()
        self.error_list.addItems(lines)
        self.error_list.show()
        self._update_buttons()

    def errors(self) -> list[str]:
        return [self.error_list.item(i).text() for i in range(self.error_list.count())]

    def reject(self) -> None:  # Qt override: not while an import runs
        if not self._running:
            super().reject()


# ------------------------------------------------------------------------------------------
# calendar
# ------------------------------------------------------------------------------------------


@dataclass
class CalendarInfo:
    overrides: list[CalendarOverride]
    covered_until: dt.date
    warning: str
    complete_years: list[CalendarYear]


def load_calendar_info(ctx: Context) -> CalendarInfo:
    cal = calendar.calendar(ctx)
    return CalendarInfo(calendar.list_overrides(ctx), cal.covered_until(), cal.coverage_warning(ctx.today()),
                        calendar.list_complete_years(ctx))


def _moved_text(moved: int) -> str:
    return _("已重新计算 {n} 件在办办件的办理期限，详见各办件的办理记录。").format(n=moved) if moved else ""


class CalendarDialog(QtWidgets.QDialog):
    """工作日历调整: the overrides on top of the national holiday data."""

    changed = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.actor = ctx, runner, actor
        self.overrides: list[CalendarOverride] = []
        self.setWindowTitle(_("工作日历调整"))
        self.resize(760, 540)
        layout = QtWidgets.QVBoxLayout(self)
        self.coverage_label = QtWidgets.QLabel(_("正在读取日历…"))
        self.coverage_label.setWordWrap(True)
        layout.addWidget(self.coverage_label)
        self.warning_label = _message_label()
        layout.addWidget(self.warning_label)
        self.table = _readonly_table([_("日期"), _("星期"), _("调整为"), _("原因"), _("来源")])
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setStretchLastSection(False)
        layout.addWidget(self.table, 1)

        box = QtWidgets.QGroupBox(_("新增调整"))
        add = QtWidgets.QHBoxLayout(box)
        self.date_edit = QtWidgets.QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        today = ctx.today()
        self.date_edit.setDate(QtCore.QDate(today.year, today.month, today.day))
        self.kind_combo = QtWidgets.QComboBox()
        self.kind_combo.addItem(_("休息日"), False)
        self.kind_combo.addItem(_("工作日"), True)
        self.note_edit = QtWidgets.QLineEdit()
        self.note_edit.setPlaceholderText(_("原因，例如：2027 年春节调休"))
        self.add_button = make_primary(QtWidgets.QPushButton(_("添加")))
        add.addWidget(self.date_edit)
        add.addWidget(self.kind_combo)
        add.addWidget(self.note_edit, 1)
        add.addWidget(self.add_button)
        layout.addWidget(box)

        # a year whose holidays are all entered above: its other days are no longer estimates
        year_box = QtWidgets.QGroupBox(_("全年节假日安排"))
        year_row = QtWidgets.QHBoxLayout(year_box)
        self.year_spin = QtWidgets.QSpinBox()
        self.year_spin.setRange(calendar.FIRST_YEAR, calendar.LAST_YEAR)
        self.year_spin.setValue(today.year + 1)
        self.year_spin.setSuffix(_(" 年"))
        self.year_spin.setAccessibleName(_("年份"))
        self.year_complete_button = QtWidgets.QPushButton(_("标记该年节假日安排已全部录入"))
        self.year_complete_button.setToolTip(_(
            "该年的节假日和调休上班日都已在上表逐日录入后再标记：该年其余日期按周一至周五计算，"
            "期限不再标「估」。"))
        self.year_incomplete_button = QtWidgets.QPushButton(_("取消该年标记"))
        self.years_label = QtWidgets.QLabel()
        self.years_label.setWordWrap(True)
        year_row.addWidget(self.year_spin)
        year_row.addWidget(self.year_complete_button)
        year_row.addWidget(self.year_incomplete_button)
        year_row.addWidget(self.years_label, 1)
        layout.addWidget(year_box)

        self.message = _message_label()
        layout.addWidget(self.message)
        row = QtWidgets.QHBoxLayout()
        self.remove_button = QtWidgets.QPushButton(_("删除所选调整"))
        self.close_button = QtWidgets.QPushButton(_("关闭"))
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)

        self.add_button.clicked.connect(self.add_override)
        self.note_edit.returnPressed.connect(self.add_override)
        self.remove_button.clicked.connect(self.remove_selected)
        self.close_button.clicked.connect(self.accept)
        self.year_complete_button.clicked.connect(lambda: self.set_year_complete(True))
        self.year_incomplete_button.clicked.connect(lambda: self.set_year_complete(False))
        self.year_spin.valueChanged.connect(self._update_buttons)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.complete_years: list[CalendarYear] = []
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        self.runner.run(load_calendar_info, self.ctx, on_success=self._fill, on_failure=self._on_failed)

    def _fill(self, info: CalendarInfo) -> None:
        if info.covered_until == dt.date.min:
            self.coverage_label.setText(_("没有节假日数据：期限按周一至周五估算。"))
        else:
            self.coverage_label.setText(_("节假日数据（含本机调整）覆盖到 {day}。").format(
                day=info.covered_until.isoformat()))
        _show(self.warning_label, info.warning, "warningText")
        weekdays = (_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日"))
        self.overrides = info.overrides
        self.table.setRowCount(len(info.overrides))
        for r, o in enumerate(info.overrides):
            self.table.setItem(r, 0, _cell(o.day.isoformat(), o.day.isoformat()))
            self.table.setItem(r, 1, _cell(weekdays[o.day.weekday()]))
            self.table.setItem(r, 2, _cell(_("工作日") if o.is_workday else _("休息日")))
            self.table.setItem(r, 3, _cell(o.note))
            self.table.setItem(r, 4, _cell(_("县中心") if o.source == "county" else _("本机")))
        self.complete_years = info.complete_years
        if info.complete_years:
            self.years_label.setText(_("已全部录入：{years}").format(years=_("、").join(
                _("{year} 年（{source}）").format(
                    year=y.year, source=_("县中心") if y.source == "county" else _("本机"))
                for y in info.complete_years)))
        else:
            self.years_label.setText(_("尚未标记任何年份。"))
        self._update_buttons()
        self.changed.emit()

    @Slot()
    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
        marked = self.year_spin.value() in {y.year for y in self.complete_years}
        self.year_complete_button.setEnabled(not marked)
        self.year_incomplete_button.setEnabled(marked)

    def set_year_complete(self, complete: bool) -> None:
        year = self.year_spin.value()
        self.runner.run(calendar.set_year_complete, self.ctx, self.actor, year, complete,
                        on_success=lambda moved: self._on_year_set(year, complete, moved),
                        on_failure=self._on_failed)

    def _on_year_set(self, year: int, complete: bool, moved: int) -> None:
        done = (_("已标记 {year} 年节假日安排已全部录入。") if complete
                else _("已取消 {year} 年的标记，该年未录入的日期重新按周一至周五估算。")).format(year=year)
        _show(self.message, " ".join(filter(None, [done, _moved_text(moved)])), "okText")
        self.refresh()

    @Slot()
    def add_override(self) -> None:
        note = self.note_edit.text().strip()
        if not note:
            _show(self.message, _("请写明调整原因，例如「2027 年春节调休」。"))
            self.note_edit.setFocus()
            return
        qd = self.date_edit.date()
        day = dt.date(qd.year(), qd.month(), qd.day())
        self.runner.run(calendar.set_override, self.ctx, self.actor, day,
                        bool(self.kind_combo.currentData()), note,
                        on_success=self._on_added, on_failure=self._on_failed)

    def _on_added(self, moved: int) -> None:
        self.note_edit.clear()
        _show(self.message, _moved_text(moved or 0), "okText")
        self.refresh()

    @Slot()
    def remove_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        day = dt.date.fromisoformat(self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole))
        self.runner.run(calendar.remove_override, self.ctx, self.actor, day,
                        on_success=self._on_added, on_failure=self._on_failed)

    def _on_failed(self, error: BaseException) -> None:
        _show(self.message, error_text(error))


# ------------------------------------------------------------------------------------------
# audit log
# ------------------------------------------------------------------------------------------

def format_detail(detail: dict, action: str = "", entity: str = "") -> str:
    """An audit record's details as a clerk reads them: 「用户名：liqiang，角色：窗口人员」."""
    return _("，").join(_("{label}：{value}").format(label=label, value=value)
                       for label, value in labels.details(detail, action, entity))


class AuditLogModel(QtCore.QAbstractTableModel):
    """The audit log, newest first, fetched a page at a time as the view scrolls."""

    HEADERS = (_("时间"), _("操作员"), _("操作"), _("对象"), _("编号"), _("详情"))
    PAGE = 200

    def __init__(self, ctx: Context, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._rows: list[audit.AuditRow] = []
        self._exhausted = False

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._exhausted = False
        self.endResetModel()
        if self.canFetchMore(QtCore.QModelIndex()):
            self.fetchMore(QtCore.QModelIndex())

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # Qt override
        return 0 if parent.isValid() else len(self.HEADERS)

    def canFetchMore(self, parent: QtCore.QModelIndex) -> bool:  # Qt override
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QtCore.QModelIndex) -> None:  # Qt override
        if parent.isValid() or self._exhausted:
            return
        before = self._rows[-1].id if self._rows else None
        page = audit.recent(self.ctx, before, self.PAGE)
        if len(page) < self.PAGE:
            self._exhausted = True
        if page:
            start = len(self._rows)
            self.beginInsertRows(QtCore.QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def row_at(self, row: int) -> audit.AuditRow:
        return self._rows[row]

    def data(self, index: QtCore.QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # Qt override
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == 0:
                return r.at.strftime("%Y-%m-%d %H:%M:%S")
            if col == 1:
                return r.operator
            if col == 2:
                return labels.audit_action_label(r.action)
            if col == 3:
                return labels.entity_label(r.entity)
            if col == 4:
                return r.entity_id
            if col == 5:
                return format_detail(r.detail, r.action, r.entity)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):  # Qt override
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.HEADERS):
                return self.HEADERS[section]
        return None


class AuditLogDialog(QtWidgets.QDialog):
    """审计日志: read only, newest first."""

    def __init__(self, ctx: Context, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("审计日志"))
        self.resize(980, 600)
        layout = QtWidgets.QVBoxLayout(self)
        hint = QtWidgets.QLabel(_("本机所有登录和改动的记录，最新的在最上面；记录不能修改或删除。"))
        hint.setObjectName("hint")
        layout.addWidget(hint)
        self.model = AuditLogModel(ctx, self)
        self.view = QtWidgets.QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in enumerate((170, 160, 130, 90, 90)):
            header.resizeSection(col, width)
        layout.addWidget(self.view, 1)
        row = QtWidgets.QHBoxLayout()
        self.refresh_button = QtWidgets.QPushButton(_("刷新"))
        close = QtWidgets.QPushButton(_("关闭"))
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.refresh_button.clicked.connect(self.model.reload)
        close.clicked.connect(self.accept)
        self.model.reload()

"""Sync dialogs: settings and enrolment, refused records (fix and resend), conflicts, USB.

Constructors (all run their work through the given ``TaskRunner``, never on the UI thread):

    SyncSettingsDialog(ctx, actor, runner, credentials=None, transport=None, parent=None)
    RejectedRecordsDialog(ctx, actor, runner, parent=None)
    ConflictsDialog(ctx, actor, runner, parent=None)
    UsbSyncDialog(ctx, actor, runner, credentials=None, parent=None)

Each emits ``changed`` after it changed something, so the status widget can refresh
(connect it to ``SyncController.refresh``).
"""

from __future__ import annotations

from pathlib import Path

from clerk_app import settings as SETTINGS
from clerk_app.credentials import Credentials
from clerk_app.i18n import _
from clerk_app.services import sync_admin
from clerk_app.services.common import Actor, Context
from clerk_app.ui import file_dialogs
from clerk_app.ui.qt import QtCore, QtWidgets, Qt, Signal
from clerk_app.ui.tasks import TaskRunner, error_text
from clerk_app.ui.widgets import WrapLabel

TLS_OFF_WARNING = _("已关闭 TLS 证书校验：数据可能被冒充的服务器截获，仅限测试使用。")


def _message() -> QtWidgets.QLabel:
    label = WrapLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _say(label: QtWidgets.QLabel, text: str, error: bool = False) -> None:
    label.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
    label.setText(text)
    label.setVisible(bool(text))
    fit = getattr(label.window(), "fit_height", None)
    if fit is not None:
        fit()


def _table(headers: list[str]) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class SyncSettingsDialog(QtWidgets.QDialog):
    """County URL, interval, TLS verification and CA bundle; enrolment with a one-time code."""

    changed = Signal()

    def __init__(self, ctx: Context, actor: Actor | None, runner: TaskRunner,
                 credentials: Credentials | None = None, transport=None,  # noqa: ANN001
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.actor, self.runner = ctx, actor, runner
        self.credentials, self.transport = credentials, transport
        self.setWindowTitle(_("同步设置"))
        form = QtWidgets.QFormLayout()
        self.url_edit = QtWidgets.QLineEdit()
        self.url_edit.setPlaceholderText("https://")
        self.interval_spin = QtWidgets.QSpinBox()
        self.interval_spin.setRange(1, 1440)
        self.interval_spin.setSuffix(_(" 分钟"))
        self.verify_check = QtWidgets.QCheckBox(_("校验县级中心的 TLS 证书（建议始终开启）"))
        self.ca_edit = QtWidgets.QLineEdit()
        self.ca_edit.setPlaceholderText(_("县级中心使用内部证书时，选择其 CA 证书（PEM）"))
        ca_row = QtWidgets.QHBoxLayout()
        ca_row.addWidget(self.ca_edit)
        browse = QtWidgets.QPushButton(_("选择…"))
        browse.clicked.connect(self._browse_ca)
        ca_row.addWidget(browse)
        # wrapped texts are WrapLabels (their height at the width they get) and the dialog
        # grows to fit them: a plain wrapped QLabel let the form rows overlap
        self.tls_warning = WrapLabel(TLS_OFF_WARNING)
        self.tls_warning.setStyleSheet("color: #b00020; font-weight: bold;")
        self.tls_warning.hide()
        form.addRow(_("县级中心地址"), self.url_edit)
        form.addRow(_("自动同步间隔"), self.interval_spin)
        form.addRow("", self.verify_check)
        form.addRow(_("CA 证书"), ca_row)
        form.addRow("", self.tls_warning)
        self.state_label = WrapLabel()
        self.last_error_label = WrapLabel()
        self.last_error_label.setObjectName("lastSyncError")
        self.last_error_label.setStyleSheet("color: #b00020;")
        self.last_error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_edit = QtWidgets.QLineEdit()
        self.code_edit.setPlaceholderText("ABCD-EFGH-JKMN")
        self.enrol_button = QtWidgets.QPushButton(_("用注册码注册本机"))
        self.enrol_button.clicked.connect(self.enrol)
        enrol_row = QtWidgets.QHBoxLayout()
        enrol_row.addWidget(self.code_edit)
        enrol_row.addWidget(self.enrol_button)
        form.addRow(_("注册状态"), self.state_label)
        form.addRow(_("上次同步"), self.last_error_label)
        self._last_error_row = form.rowCount() - 1
        form.setRowVisible(self._last_error_row, False)
        self.form = form
        form.addRow(_("注册码"), enrol_row)
        self.message = _message()
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Save
                                             | QtWidgets.QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setSizeConstraint(QtWidgets.QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(560, 0)  # the layout gives the height
        self.verify_check.toggled.connect(self._verify_toggled)
        self.runner.run(self._load, background=True, on_success=self._loaded,
                        on_failure=self._failed)

    def _load(self) -> tuple[dict, sync_admin.SyncOverview]:
        return sync_admin.settings_values(self.ctx), sync_admin.overview(self.ctx)

    def _loaded(self, data: tuple[dict, sync_admin.SyncOverview]) -> None:
        values, ov = data
        self.url_edit.setText(values[SETTINGS.SYNC_URL.key])
        self.interval_spin.setValue(max(1, values[SETTINGS.SYNC_INTERVAL.key] // 60))
        self.verify_check.setChecked(values[SETTINGS.SYNC_TLS_VERIFY.key])
        self.ca_edit.setText(values[SETTINGS.SYNC_CA_BUNDLE.key])
        self._verify_toggled(self.verify_check.isChecked())
        self._show_state(ov)

    def _show_state(self, ov: sync_admin.SyncOverview) -> None:
        if not ov.enrolled:
            text = _("未注册。请向县级中心索取一次性注册码。")
        elif ov.blocked == "auth":
            text = _("凭据已失效，同步已停止：请输入新的注册码重新注册。")
        else:
            text = _("已注册：{name}（设备 {id}）").format(name=ov.service_point_name,
                                                    id=ov.device_id[:8])
        self.state_label.setText(text)
        error = ov.last_error if ov.enrolled else ""
        self.last_error_label.setText(_("失败：{error}").format(error=error) if error else "")
        self.form.setRowVisible(self._last_error_row, bool(error))
        self.fit_height()

    def _verify_toggled(self, on: bool) -> None:
        self.tls_warning.setVisible(not on)
        self.fit_height()

    def fit_height(self) -> None:
        """Grow (never shrink) to the height the wrapped texts need at the current width."""
        QtCore.QTimer.singleShot(0, self, self._fit_height)

    def _fit_height(self) -> None:
        layout = self.layout()
        layout.activate()
        need = layout.heightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        need = max(need, layout.minimumSize().height())
        if need > self.height():
            self.resize(self.width(), need)

    def _browse_ca(self) -> None:
        path = file_dialogs.open_file(
            self, _("选择 CA 证书"), "", _("证书 (*.pem *.crt *.cer);;所有文件 (*)"))
        if path:
            self.ca_edit.setText(path)

    def save(self) -> None:
        self.runner.run(sync_admin.save_settings, self.ctx, self.actor, url=self.url_edit.text(),
                        interval_seconds=self.interval_spin.value() * 60,
                        verify=self.verify_check.isChecked(), ca_bundle=self.ca_edit.text(),
                        on_success=self._saved, on_failure=self._failed)

    def _saved(self, _result: object) -> None:
        _say(self.message, _("设置已保存。"))
        self.changed.emit()

    def enrol(self) -> None:
        self.enrol_button.setEnabled(False)
        _say(self.message, _("正在注册……"))
        self.runner.run(sync_admin.enrol, self.ctx, self.actor, self.url_edit.text(),
                        self.code_edit.text(), verify=self.verify_check.isChecked(),
                        ca_bundle=self.ca_edit.text(), credentials=self.credentials,
                        transport=self.transport, background=True,
                        on_success=self._enrolled, on_failure=self._enrol_failed)

    def _enrolled(self, result: sync_admin.EnrolResult) -> None:
        self.enrol_button.setEnabled(True)
        self.code_edit.clear()
        _say(self.message, _("注册成功：{name}。同步将自动进行。").format(name=result.service_point_name))
        self.runner.run(sync_admin.overview, self.ctx, background=True, on_success=self._show_state)
        self.changed.emit()

    def _enrol_failed(self, error: BaseException) -> None:
        self.enrol_button.setEnabled(True)
        self._failed(error)

    def _failed(self, error: BaseException) -> None:
        _say(self.message, error_text(error), error=True)


class RejectedRecordsDialog(QtWidgets.QDialog):
    """Records the county refused, with the reason; the clerk fixes a field and resends, or a
    supervisor gives a record up (放弃上报) after a confirmation."""

    changed = Signal()

    def __init__(self, ctx: Context, actor: Actor | None, runner: TaskRunner,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.actor, self.runner = ctx, actor, runner
        self.records: list[sync_admin.RejectedRecord] = []
        self.setWindowTitle(_("被县级中心拒收的记录"))
        self.resize(860, 480)
        self.table = _table([_("办件编号"), _("申请人"), _("事项"), _("原因")])
        self.table.itemSelectionChanged.connect(self._selected)
        self.edits: dict[str, QtWidgets.QLineEdit] = {}
        form = QtWidgets.QFormLayout()
        for key, label in sync_admin.FIXABLE_FIELDS.items():
            edit = QtWidgets.QLineEdit()
            self.edits[key] = edit
            form.addRow(label, edit)
        self.reason_label = QtWidgets.QLabel()
        self.reason_label.setWordWrap(True)
        self.resend_button = QtWidgets.QPushButton(_("修改并重新上传"))
        self.resend_button.setEnabled(False)
        self.resend_button.clicked.connect(self.resend_selected)
        # giving a record up is a supervisor's decision; a clerk gets no such button
        self.discard_button = QtWidgets.QPushButton(_("放弃上报"))
        self.discard_button.setToolTip(_("县级中心无法接收、也无法通过修改解决的记录（例如设备号或服务点不符），"
                                         "由负责人决定不再上报。"))
        self.discard_button.setEnabled(False)
        self.discard_button.setVisible(bool(actor and actor.is_supervisor))
        self.discard_button.clicked.connect(self.discard_selected)
        self.message = _message()
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.resend_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reason_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.reload()

    def reload(self) -> None:
        self.runner.run(sync_admin.rejected_records, self.ctx, background=True,
                        on_success=self._show, on_failure=self._failed)

    def _show(self, records: list[sync_admin.RejectedRecord]) -> None:
        self.records = records
        self.table.setRowCount(len(records))
        for row, rec in enumerate(records):
            for col, text in enumerate((rec.case_no, rec.applicant_name, rec.item_name,
                                        f"{rec.reason_title}：{rec.reason}")):
                self.table.setItem(row, col, QtWidgets.QTableWidgetItem(text))
        if records:
            self.table.selectRow(0)
        else:
            self.resend_button.setEnabled(False)
            self.discard_button.setEnabled(False)
            self.reason_label.setText(_("没有被拒收的记录。"))
            for edit in self.edits.values():
                edit.clear()

    def _selected(self) -> None:
        rec = self.current()
        self.resend_button.setEnabled(rec is not None)
        self.discard_button.setEnabled(rec is not None)
        if rec is None:
            return
        held = _("；其后还有 {n} 条本办件的改动在等它").format(n=rec.held_behind) if rec.held_behind else ""
        self.reason_label.setText(_("拒收原因：{reason}{held}").format(reason=rec.reason, held=held))
        for key, edit in self.edits.items():
            edit.setText(rec.fixable.get(key, ""))

    def current(self) -> sync_admin.RejectedRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.records):
            return None
        return self.records[rows[0].row()]

    def resend_selected(self) -> None:
        rec = self.current()
        if rec is None:
            return
        fixes = {k: e.text() for k, e in self.edits.items() if e.text().strip() != rec.fixable.get(k, "")}
        self.runner.run(sync_admin.resend, self.ctx, self.actor, rec.record_id, fixes,
                        on_success=self._resent, on_failure=self._failed)

    @staticmethod
    def discard_question(rec: sync_admin.RejectedRecord) -> str:
        later = (_("本办件其后的 {n} 条改动不受影响，会接着上传。").format(n=rec.held_behind)
                 if rec.held_behind else "")
        return _("确定放弃上报办件 {no} 的这条改动吗？\n\n拒收原因：{reason}\n\n"
                 "放弃后县级中心将不会收到这次改动；办件仍按现状保留在本机，不会删除。{later}\n\n"
                 "此操作记入操作日志，不能撤销。").format(
            no=rec.case_no, reason=f"{rec.reason_title}（{rec.reason}）", later=later)

    def confirm_discard(self, rec: sync_admin.RejectedRecord) -> bool:
        answer = QtWidgets.QMessageBox.question(
            self, _("放弃上报"), self.discard_question(rec),
            QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.No,
            QtWidgets.QMessageBox.StandardButton.No)
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def discard_selected(self) -> None:
        rec = self.current()
        if rec is None or not (self.actor and self.actor.is_supervisor):
            return
        if not self.confirm_discard(rec):
            _say(self.message, _("已取消，这条记录仍在被拒收的记录中。"))
            return
        self.runner.run(sync_admin.discard, self.ctx, self.actor, rec.record_id,
                        on_success=lambda _n: self._discarded(rec), on_failure=self._failed)

    def _discarded(self, rec: sync_admin.RejectedRecord) -> None:
        _say(self.message, _("已放弃上报办件 {no} 的这条改动，县级中心不会收到它。").format(no=rec.case_no))
        self.changed.emit()
        self.reload()

    def _resent(self, n: int) -> None:
        _say(self.message, _("已重新放入上传队列（{n} 条），下次同步时上传。").format(n=n))
        self.changed.emit()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        _say(self.message, error_text(error), error=True)


class ConflictsDialog(QtWidgets.QDialog):
    """Open conflicts between the county's data and unsent local changes, and their rule."""

    changed = Signal()

    def __init__(self, ctx: Context, actor: Actor | None, runner: TaskRunner,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.actor, self.runner = ctx, actor, runner
        self.items: list[sync_admin.ConflictView] = []
        self.setWindowTitle(_("同步冲突"))
        self.resize(760, 400)
        rule = QtWidgets.QLabel(_("规则：办件报送后以县级决定为准；本机尚未被县级接收的改动不会被覆盖，"
                                  "待县级答复后按规则处理。日历冲突由负责人选择。"))
        rule.setWordWrap(True)
        self.table = _table([_("类型"), _("办件/日期"), _("内容")])
        self.county_button = QtWidgets.QPushButton(_("采用县级结果"))
        self.local_button = QtWidgets.QPushButton(_("保留本机（仅日历）"))
        self.county_button.clicked.connect(self.take_county)
        self.local_button.clicked.connect(self.keep_local)
        self.message = _message()
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.county_button)
        row.addWidget(self.local_button)
        row.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(rule)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.reload()

    def reload(self) -> None:
        self.runner.run(sync_admin.conflicts, self.ctx, background=True, on_success=self._show,
                        on_failure=self._failed)

    def _show(self, items: list[sync_admin.ConflictView]) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        kinds = {"case_status": _("办件"), "calendar": _("日历")}
        for row, c in enumerate(items):
            for col, text in enumerate((kinds.get(c.kind, c.kind), c.key, c.summary)):
                self.table.setItem(row, col, QtWidgets.QTableWidgetItem(text))
        if items:
            self.table.selectRow(0)
        self.county_button.setEnabled(bool(items))
        self.local_button.setEnabled(bool(items))

    def current(self) -> sync_admin.ConflictView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.items):
            return None
        return self.items[rows[0].row()]

    def take_county(self) -> None:
        self._resolve("county")

    def keep_local(self) -> None:
        self._resolve("local")

    def _resolve(self, take: str) -> None:
        c = self.current()
        if c is None:
            return
        self.runner.run(sync_admin.resolve_conflict, self.ctx, self.actor, c.id, take,
                        on_success=self._resolved, on_failure=self._failed)

    def _resolved(self, _result: object) -> None:
        _say(self.message, _("已处理。"))
        self.changed.emit()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        _say(self.message, error_text(error), error=True)


class UsbSyncDialog(QtWidgets.QDialog):
    """No network for weeks: export the waiting records to a file, import the county's receipt."""

    changed = Signal()

    def __init__(self, ctx: Context, actor: Actor | None, runner: TaskRunner,
                 credentials: Credentials | None = None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.actor, self.runner, self.credentials = ctx, actor, runner, credentials
        self.setWindowTitle(_("用 U 盘同步"))
        steps = QtWidgets.QLabel(_("1. 导出待上传记录到 U 盘；2. 带到县级中心导入（county-center import-usb）；"
                                   "3. 把县级中心给的回执文件带回，在这里导入。"))
        steps.setWordWrap(True)
        self.export_button = QtWidgets.QPushButton(_("导出待上传记录…"))
        self.import_button = QtWidgets.QPushButton(_("导入回执文件…"))
        self.export_button.clicked.connect(self._choose_export)
        self.import_button.clicked.connect(self._choose_import)
        self.message = _message()
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(steps)
        layout.addWidget(self.export_button)
        layout.addWidget(self.import_button)
        layout.addWidget(self.message)

    def _choose_export(self) -> None:
        path = file_dialogs.save_file(self, _("导出到"), "outbox.json", _("同步文件 (*.json)"))
        if path:
            self.export_to(Path(path))

    def _choose_import(self) -> None:
        path = file_dialogs.open_file(self, _("选择回执文件"), "", _("同步文件 (*.json)"))
        if path:
            self.import_from(Path(path))

    def export_to(self, path: Path) -> None:
        self.runner.run(sync_admin.export_outbox, self.ctx, self.actor, path, self.credentials,
                        background=True, on_success=self._exported, on_failure=self._failed)

    def import_from(self, path: Path) -> None:
        self.runner.run(sync_admin.import_acks, self.ctx, self.actor, path, self.credentials,
                        background=True, on_success=self._imported, on_failure=self._failed)

    def _exported(self, n: int) -> None:
        _say(self.message, _("已导出 {n} 条待上传记录。请带到县级中心导入。").format(n=n))

    def _imported(self, report: sync_admin.SyncReport) -> None:
        text = _("回执已导入：县级已接收 {a} 条，拒收 {r} 条，下发信息 {p} 条。").format(
            a=report.pushed, r=report.rejected, p=report.pulled)
        if report.stale:
            text += _("另有 {n} 条答复针对的是记录修改或重新上传之前的版本，已忽略，这些记录照常等待上传。").format(
                n=report.stale)
        _say(self.message, text)
        self.changed.emit()

    def _failed(self, error: BaseException) -> None:
        _say(self.message, error_text(error), error=True)

"""Dialogs of the proxy agents (代办).

Registry (township supervisor): :class:`AgentsDialog` lists the agents; :class:`AgentEditDialog`
registers or edits one (villages from the division data, optional photo);
:class:`AgentStatusDialog` suspends, restores or ends one (reason and date);
:func:`export_provisioning` writes the laptop's provisioning file and shows its code;
:class:`ImportProvisioningDialog` sets up an agent's laptop from that file.

The agent's work: :class:`CommissionDialog` (a new commission), :class:`CollectDialog`
(the materials checklist, at the citizen's home or the village room; prints the one-time
notice when something is missing), :class:`HandoverSheetDialog` (sign and print handover
sheets), :class:`OutcomeDialog` (what the township's paper says), :class:`StepDialog`
(回交, the citizen's confirmation).

The township: :class:`HandoverReceiveDialog` (a USB scanner types the QR text, or the clerk
types the sheet number; check the materials; receive), :class:`CounterHandoverDialog`
(已在窗口交件: a commission recorded on a counter, its materials brought in person and checked
on the same :class:`HandoverChecklist`), :class:`ProxyAcceptDialog` (accept, notify or refuse a
handed-over commission through the intake service).

:class:`PdfPreviewDialog` shows and prints any of the agents' documents. Every service call
goes through the task runner; the services check who may do what.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clerk_app import paths
from clerk_app.domain import ids
from clerk_app.domain.agents import (
    DEFAULT_HANDOVER_LIMIT,
    DEFAULT_SCOPES,
    DEFAULT_VALIDITY_DAYS,
    PLACES,
    SCOPES,
    AgentStatus,
    CommissionState,
)
from clerk_app.domain.checklist import ChecklistLine, line_problem
from clerk_app.domain.status import MaterialState, Role
from clerk_app.i18n import _
from clerk_app.services import agents, catalog, commissions, handover, intake
from clerk_app.services.common import Actor, Context
from clerk_app.ui import file_dialogs
from clerk_app.ui.printing import page_image, paint_pages, print_shortcuts, rasterize, safe_file_name
from clerk_app.ui.qt import QtCore, QtGui, QtPrintSupport, QtWidgets, Qt, Signal, Slot
from clerk_app.ui.style import make_primary
from clerk_app.ui.app import while_alive
from clerk_app.ui.tasks import TaskRunner, error_text
from clerk_app.ui.widgets import FormScroll, MessageBanner, cap_to_screen, fit_to_screen

log = logging.getLogger(__name__)
S = CommissionState
PREVIEW_DPI = 100.0
PRINT_DPI = 300.0
PHOTO_SIZE = QtCore.QSize(300, 400)


def _date(edit: QtWidgets.QDateEdit) -> dt.date:
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())


def _qdate(value: dt.date) -> QtCore.QDate:
    return QtCore.QDate(value.year, value.month, value.day)


def _date_edit(value: dt.date) -> QtWidgets.QDateEdit:
    edit = QtWidgets.QDateEdit(_qdate(value))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _buttons(dialog: QtWidgets.QDialog, ok_text: str) -> tuple[QtWidgets.QDialogButtonBox, QtWidgets.QPushButton]:
    box = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                     | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
    ok = box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setObjectName("okButton")
    make_primary(ok)
    box.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel).setText(_("取消"))
    box.rejected.connect(dialog.reject)
    return box, ok


def _place_combo(default: str = "") -> QtWidgets.QComboBox:
    combo = QtWidgets.QComboBox()
    combo.setEditable(True)
    combo.addItems(list(PLACES))
    if default:
        combo.setCurrentText(default)
    return combo


class _Busy:
    """Disable a dialog's OK button while its job runs on the worker."""

    def __init__(self, button: QtWidgets.QPushButton) -> None:
        self.button = button

    def __enter__(self) -> None:
        self.button.setEnabled(False)

    def __exit__(self, *exc: object) -> None:
        return None


class _Job(QtWidgets.QDialog):
    """A dialog that runs one service call and shows its refusal in a banner."""

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.actor = ctx, runner, actor
        self.banner = MessageBanner(self)
        self.result_value: Any = None

    def run(self, fn: Callable[..., Any], *args: Any, on_success: Callable[[Any], None] | None = None,
            button: QtWidgets.QPushButton | None = None, background: bool = False, **kwargs: Any) -> None:
        self._button = button
        if button is not None:
            button.setEnabled(False)
        self.runner.run(fn, *args, background=background,
                        on_success=while_alive(self, self._success(on_success)),
                        on_failure=self._failed, **kwargs)

    def _success(self, cb: Callable[[Any], None] | None) -> Callable[[Any], None]:
        def done(value: Any) -> None:
            if getattr(self, "_button", None) is not None:
                self._button.setEnabled(True)
            if cb is not None:
                cb(value)
        return done

    def _failed(self, error: BaseException) -> None:
        if getattr(self, "_button", None) is not None:
            self._button.setEnabled(True)
        self.banner.show_message(error_text(error), "error")


# =========================================================================== PDF preview


class PdfPreviewDialog(QtWidgets.QDialog):
    """Shows an agents' document as it will print; prints it, or saves it as PDF.

    ``make_pdf`` runs in the background; ``after_output`` (optional) runs on the database
    worker after a print or a saved file (a handover sheet then counts its prints).
    """

    output_done = Signal()

    def __init__(self, runner: TaskRunner, title: str, make_pdf: Callable[[], bytes], file_name: str,
                 parent: QtWidgets.QWidget | None = None,
                 after_output: Callable[[], Any] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PdfPreviewDialog")
        self.runner = runner
        self.make_pdf = make_pdf
        self.file_name = file_name
        self.after_output = after_output
        self.pdf: bytes | None = None
        self.images: list[QtGui.QImage] = []
        self.last_saved_path: Path | None = None
        self.setWindowTitle(title)
        # 900 x 860, or less on a 1366 x 768 screen: the buttons stay on it, the pages scroll
        self.resize(fit_to_screen(self, QtCore.QSize(900, 860)))
        layout = QtWidgets.QVBoxLayout(self)
        self.title_label = QtWidgets.QLabel(title)
        self.title_label.setObjectName("pageTitle")
        layout.addWidget(self.title_label)
        self.banner = MessageBanner(self)
        layout.addWidget(self.banner)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setObjectName("previewScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setStyleSheet("QScrollArea#previewScroll { background: #8a919c; }")
        self.pages = QtWidgets.QWidget()
        self.pages.setObjectName("pagesWidget")
        self.pages.setStyleSheet("QWidget#pagesWidget { background: #8a919c; }")
        self.pages_layout = QtWidgets.QVBoxLayout(self.pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.pages_layout.setSpacing(14)
        self.status_label = QtWidgets.QLabel(_("正在生成…"))
        self.status_label.setStyleSheet("color: white; font-size: 15px; padding: 40px;")
        self.pages_layout.addWidget(self.status_label)
        self.page_labels: list[QtWidgets.QLabel] = []
        self.scroll.setWidget(self.pages)
        layout.addWidget(self.scroll, 1)
        row = QtWidgets.QHBoxLayout()
        self.info_label = QtWidgets.QLabel()
        row.addWidget(self.info_label, 1)
        self.print_button = QtWidgets.QPushButton(_("打印(&P)…"))
        self.print_button.setObjectName("printButton")
        self.print_button.setToolTip(_("选择打印机并打印（Ctrl+P 或 Alt+P）"))
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QtWidgets.QPushButton(_("另存为 PDF(&S)…"))
        self.save_button.setObjectName("savePdfButton")
        self.save_button.setToolTip(_("保存为 PDF 文件（Ctrl+S 或 Alt+S）"))
        self.save_button.clicked.connect(self.save_as_pdf)
        self.shortcuts = print_shortcuts(self, self.print_document, self.save_as_pdf)
        self.close_button = close = QtWidgets.QPushButton(_("关闭(&C)"))
        close.setObjectName("closeButton")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        for b in (self.print_button, self.save_button, close):
            row.addWidget(b)
        make_primary(self.print_button)
        layout.addLayout(row)
        self._enable(False)
        self.refresh()

    def _enable(self, on: bool) -> None:
        self.print_button.setEnabled(on)
        self.save_button.setEnabled(on)

    @property
    def busy(self) -> bool:
        return not self.print_button.isEnabled()

    def refresh(self) -> None:
        self._enable(False)
        make = self.make_pdf

        def job() -> tuple[bytes, list]:
            pdf = make()
            return pdf, rasterize(pdf, PREVIEW_DPI)

        self.runner.run(job, background=True, on_success=self._shown,
                        on_failure=self._failed)

    def _shown(self, result: tuple[bytes, list]) -> None:
        self.pdf, pages = result
        for label in self.page_labels:
            label.deleteLater()
        self.page_labels = []
        self.status_label.hide()
        self.images = []
        for i, page in enumerate(pages):
            image = page_image(page)
            self.images.append(image)
            label = QtWidgets.QLabel(self.pages)
            label.setObjectName(f"page{i + 1}")
            label.setPixmap(QtGui.QPixmap.fromImage(image))
            label.setStyleSheet("background: white; border: 1px solid #5b6270;")
            label.setFixedSize(image.width() + 2, image.height() + 2)
            self.pages_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        self.info_label.setText(_("共 {n} 页").format(n=len(pages)))
        self._enable(True)

    def _failed(self, error: BaseException) -> None:
        self.status_label.setText(_("生成失败。"))
        self.banner.show_message(error_text(error), "error")
        self._enable(bool(self.pdf))

    # hooks that tests replace instead of opening modal dialogs
    def _ask_printer(self) -> QtPrintSupport.QPrinter | None:
        printer = QtPrintSupport.QPrinter(QtPrintSupport.QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
        printer.setDocName(self.file_name)
        dialog = QtPrintSupport.QPrintDialog(printer, self)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        return printer

    def _ask_save_path(self, default: Path) -> str:
        return file_dialogs.save_file(self, _("另存为 PDF"), str(default), _("PDF 文件 (*.pdf)"))

    def print_document(self) -> None:
        if self.pdf is None or self.busy:
            return
        printer = self._ask_printer()
        if printer is None:
            return
        self._printer = printer
        self._enable(False)
        dpi = float(min(max(printer.resolution(), 72), PRINT_DPI))
        self.runner.run(rasterize, self.pdf, dpi, background=True,
                        on_success=self._paint, on_failure=self._failed)

    def _paint(self, pages: list) -> None:
        printer = self._printer
        if not paint_pages(printer, pages):
            self.banner.show_message(_("无法开始打印，请检查打印机是否开机、联机。"), "error")
            self._enable(True)
            return
        self._output(_("已送打印机（{printer}）。").format(printer=printer.printerName() or printer.outputFileName()))

    def save_as_pdf(self) -> None:
        if self.pdf is None or self.busy:
            return
        chosen = self._ask_save_path(paths.documents_dir() / (safe_file_name(self.file_name) + ".pdf"))
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.last_saved_path = path
        pdf = self.pdf

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pdf)

        self._enable(False)
        self.runner.run(write, background=True,
                        on_success=while_alive(self, lambda _r: self._output(
                            _("已另存为 PDF：{path}").format(path=path))),
                        on_failure=self._failed)

    def _output(self, message: str) -> None:
        self.banner.show_message(message, "success")
        if self.after_output is None:
            self._enable(True)
            self.output_done.emit()
            return
        self.runner.run(self.after_output, on_success=self._after_output,
                        on_failure=self._failed)

    def _after_output(self, _result: object) -> None:
        self.output_done.emit()
        self.refresh()  # a handover sheet printed again is a copy


def show_pdf(parent: QtWidgets.QWidget | None, runner: TaskRunner, title: str,
             make_pdf: Callable[[], bytes], file_name: str,
             after_output: Callable[[], Any] | None = None) -> PdfPreviewDialog:
    dialog = PdfPreviewDialog(runner, title, make_pdf, file_name, parent, after_output)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def show_authorization(parent: QtWidgets.QWidget, ctx: Context, runner: TaskRunner, actor: Actor,
                       commission_id: int, commission_no: str) -> PdfPreviewDialog:
    return show_pdf(parent, runner, _("代办委托书 {no}").format(no=commission_no),
                    lambda: commissions.authorization_pdf(ctx, actor, commission_id),
                    _("代办委托书-{no}").format(no=commission_no))


def show_village_notice(parent: QtWidgets.QWidget, ctx: Context, runner: TaskRunner, actor: Actor,
                        commission_id: int, commission_no: str) -> PdfPreviewDialog:
    return show_pdf(parent, runner, _("一次性告知书（代办）{no}").format(no=commission_no),
                    lambda: commissions.village_notice_pdf(ctx, actor, commission_id),
                    _("一次性告知书-{no}").format(no=commission_no))


def show_sheet(parent: QtWidgets.QWidget, ctx: Context, runner: TaskRunner, actor: Actor,
               handover_id: int, sheet_no: str) -> PdfPreviewDialog:
    return show_pdf(parent, runner, _("代办材料交接单 {no}").format(no=sheet_no),
                    lambda: handover.sheet_pdf(ctx, actor, handover_id), sheet_no,
                    after_output=lambda: handover.record_sheet_print(ctx, actor, handover_id))


# =========================================================================== registry


class AgentEditDialog(_Job):
    """Register an agent (with a login) or edit one: villages from the division data."""

    saved = Signal(object)  # the Agent

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, agent_id: int | None = None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.agent_id = agent_id
        self.photo: bytes | None = None
        self.photo_changed = False
        self.setObjectName("AgentEditDialog")
        self.setWindowTitle(_("登记代办员") if agent_id is None else _("编辑代办员"))
        self.setMinimumWidth(720)
        outer = QtWidgets.QVBoxLayout(self)
        outer.addWidget(self.banner)
        # the form scrolls on a low screen; the banner and the buttons stay in view
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QtWidgets.QHBoxLayout()
        form = QtWidgets.QFormLayout()
        self.name_edit = QtWidgets.QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.id_type_combo = QtWidgets.QComboBox()
        for t in (ids.IdType.RESIDENT_ID, ids.IdType.HMT_RESIDENCE, ids.IdType.FOREIGN_PR, ids.IdType.OTHER):
            self.id_type_combo.addItem(t.label, t.value)
        self.id_edit = QtWidgets.QLineEdit()
        self.id_edit.setObjectName("idEdit")
        self.id_edit.setPlaceholderText(_("18 位居民身份证号码，读卡器可直接读入"))
        self.phone_edit = QtWidgets.QLineEdit()
        self.phone_edit.setObjectName("phoneEdit")
        self.start_edit = _date_edit(ctx.today())
        self.grid_edit = QtWidgets.QLineEdit()
        self.grid_edit.setPlaceholderText(_("网格员可填写负责的网格，例如 第三网格"))
        form.addRow(_("姓名"), self.name_edit)
        form.addRow(_("证件类型"), self.id_type_combo)
        form.addRow(_("证件号码"), self.id_edit)
        form.addRow(_("联系电话"), self.phone_edit)
        form.addRow(_("聘用日期"), self.start_edit)
        form.addRow(_("网格"), self.grid_edit)
        self.username_edit = QtWidgets.QLineEdit()
        self.username_edit.setObjectName("usernameEdit")
        self.username_edit.setPlaceholderText(_("代办员登录用的用户名，例如 lixiuying"))
        self.password_edit = QtWidgets.QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(_("初始密码，至少 8 位，含字母和数字"))
        if agent_id is None:
            form.addRow(_("登录用户名"), self.username_edit)
            form.addRow(_("初始密码"), self.password_edit)
        top.addLayout(form, 3)
        photo_col = QtWidgets.QVBoxLayout()
        self.photo_label = QtWidgets.QLabel(_("照片\n（可选）"))
        self.photo_label.setObjectName("photoLabel")
        self.photo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_label.setFixedSize(120, 160)
        self.photo_label.setStyleSheet("border: 1px dashed #9aa4b2; color: #6b7280; background: #fafbfc;")
        choose = QtWidgets.QPushButton(_("选择照片…"))
        choose.clicked.connect(self.choose_photo)
        clear = QtWidgets.QPushButton(_("去掉照片"))
        clear.clicked.connect(self.clear_photo)
        photo_col.addWidget(self.photo_label)
        photo_col.addWidget(choose)
        photo_col.addWidget(clear)
        photo_col.addStretch(1)
        top.addLayout(photo_col)
        layout.addLayout(top)
        layout.addWidget(QtWidgets.QLabel(_("服务的村（社区），可多选：")))
        self.filter_edit = QtWidgets.QLineEdit()
        self.filter_edit.setPlaceholderText(_("输入村名筛选"))
        self.filter_edit.textChanged.connect(self._filter)
        layout.addWidget(self.filter_edit)
        self.village_list = QtWidgets.QListWidget()
        self.village_list.setObjectName("villageList")
        self.village_list.setMinimumHeight(180)
        layout.addWidget(self.village_list, 1)
        self.form_scroll = FormScroll(body, self)
        outer.addWidget(self.form_scroll, 1)
        box, self.ok_button = _buttons(self, _("登记") if agent_id is None else _("保存"))
        box.accepted.connect(self.submit)
        self.button_box = box
        outer.addWidget(box)
        cap_to_screen(self)
        self.runner.run(self._load, on_success=self._loaded,
                        on_failure=self._failed)

    def _load(self) -> tuple[list, Any]:
        villages = agents.villages_here(self.ctx)
        agent = agents.get_agent(self.ctx, self.agent_id) if self.agent_id is not None else None
        return villages, agent

    def _loaded(self, result: tuple[list, Any]) -> None:
        villages, agent = result
        chosen = set(agent.villages or []) if agent else set()
        for v in villages:
            item = QtWidgets.QListWidgetItem(f"{v.name}（{v.code12}）")
            item.setData(Qt.ItemDataRole.UserRole, v.code12)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if v.code12 in chosen else Qt.CheckState.Unchecked)
            self.village_list.addItem(item)
        if agent is not None:
            self.name_edit.setText(agent.name)
            self.id_type_combo.setCurrentIndex(max(0, self.id_type_combo.findData(agent.id_type)))
            self.id_edit.setText(agent.id_number)
            self.phone_edit.setText(agent.phone)
            self.start_edit.setDate(_qdate(agent.start_date))
            self.grid_edit.setText(agent.grid)
            if agent.photo:
                self._show_photo(agent.photo)

    def _filter(self, text: str) -> None:
        for i in range(self.village_list.count()):
            item = self.village_list.item(i)
            item.setHidden(bool(text.strip()) and text.strip() not in item.text())

    def check_village(self, code: str, on: bool = True) -> None:
        for i in range(self.village_list.count()):
            item = self.village_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def villages(self) -> list[str]:
        out = []
        for i in range(self.village_list.count()):
            item = self.village_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def _ask_photo_path(self) -> str:
        path = file_dialogs.open_file(
            self, _("选择照片"), str(Path.home()), _("图片 (*.jpg *.jpeg *.png *.bmp)"))
        return path

    def choose_photo(self) -> None:
        path = self._ask_photo_path()
        if path:
            self.set_photo_file(Path(path))

    def set_photo_file(self, path: Path) -> None:
        image = QtGui.QImage(str(path))
        if image.isNull():
            self.banner.show_message(_("无法读取这张图片，请换一张 JPG 或 PNG 照片。"), "error")
            return
        image = image.scaled(PHOTO_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        data = QtCore.QByteArray()
        buffer = QtCore.QBuffer(data)
        buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "JPEG", 85)
        buffer.close()
        self.photo = bytes(data.data())
        self.photo_changed = True
        self._show_photo(self.photo)

    def clear_photo(self) -> None:
        self.photo = None
        self.photo_changed = True
        self.photo_label.setPixmap(QtGui.QPixmap())
        self.photo_label.setText(_("照片\n（可选）"))

    def _show_photo(self, data: bytes) -> None:
        pix = QtGui.QPixmap()
        pix.loadFromData(data)
        self.photo_label.setPixmap(pix.scaled(self.photo_label.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))

    def agent_input(self) -> agents.AgentInput:
        return agents.AgentInput(
            name=self.name_edit.text(), id_type=str(self.id_type_combo.currentData()),
            id_number=self.id_edit.text(), phone=self.phone_edit.text(), villages=self.villages(),
            grid=self.grid_edit.text(), start_date=_date(self.start_edit),
            username=self.username_edit.text(), password=self.password_edit.text(),
            photo=self.photo if self.photo_changed else None,
            keep_photo=not (self.photo_changed and self.photo is None))

    @Slot()
    def submit(self) -> None:
        inp = self.agent_input()
        if self.agent_id is None:
            self.run(agents.register_agent, self.ctx, self.actor, inp, on_success=self._done,
                     button=self.ok_button)
        else:
            self.run(agents.update_agent, self.ctx, self.actor, self.agent_id, inp, on_success=self._done,
                     button=self.ok_button)

    def _done(self, agent: Any) -> None:
        self.result_value = agent
        self.saved.emit(agent)
        self.accept()


class AgentStatusDialog(_Job):
    """暂停 / 恢复 / 离任, with the reason and the date it takes effect."""

    changed = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, agent_id: int, name: str,
                 current: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.agent_id = agent_id
        self.setObjectName("AgentStatusDialog")
        self.setWindowTitle(_("代办员状态 — {name}").format(name=name))
        self.setMinimumWidth(480)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(QtWidgets.QLabel(_("当前状态：{status}").format(status=AgentStatus(current).label)))
        form = QtWidgets.QFormLayout()
        self.status_combo = QtWidgets.QComboBox()
        self.status_combo.setObjectName("statusCombo")
        for st in AgentStatus:
            if st.value != current:
                self.status_combo.addItem(st.label, st.value)
        self.reason_edit = QtWidgets.QPlainTextEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setPlaceholderText(_("例如：外出务工三个月；本人辞职；违规收费被停止代办资格"))
        self.reason_edit.setFixedHeight(80)
        self.date_edit = _date_edit(ctx.today())
        form.addRow(_("改为"), self.status_combo)
        form.addRow(_("原因"), self.reason_edit)
        form.addRow(_("生效日期"), self.date_edit)
        layout.addLayout(form)
        layout.addWidget(QtWidgets.QLabel(_("暂停：不能接受新委托，可继续办完在办的委托。离任：不能再登录。")))
        box, self.ok_button = _buttons(self, _("确定"))
        box.accepted.connect(self.submit)
        layout.addWidget(box)

    def submit(self) -> None:
        self.run(agents.change_status, self.ctx, self.actor, self.agent_id,
                 str(self.status_combo.currentData()), self.reason_edit.toPlainText(), _date(self.date_edit),
                 on_success=self._done, button=self.ok_button)

    def _done(self, _agent: object) -> None:
        self.changed.emit()
        self.accept()


class HandoverLimitDialog(_Job):
    """交件期限: the county's value in force, or a supervisor's local value that wins over it
    (for a township that must act before the county's setting arrives, or without a network)."""

    changed = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.setObjectName("HandoverLimitDialog")
        self.setWindowTitle(_("代办交件期限"))
        self.setMinimumWidth(500)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.banner)
        self.info = QtWidgets.QLabel(_("正在读取…"))
        self.info.setObjectName("limitInfo")
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self.county_radio = QtWidgets.QRadioButton(_("按县级规定"))
        self.county_radio.setObjectName("countyRadio")
        self.local_radio = QtWidgets.QRadioButton(_("本乡镇自定："))
        self.local_radio.setObjectName("localRadio")
        self.days_spin = QtWidgets.QSpinBox()
        self.days_spin.setObjectName("daysSpin")
        self.days_spin.setRange(1, 30)
        self.days_spin.setSuffix(_(" 个工作日"))
        local_row = QtWidgets.QHBoxLayout()
        local_row.addWidget(self.local_radio)
        local_row.addWidget(self.days_spin)
        local_row.addStretch(1)
        layout.addWidget(self.county_radio)
        layout.addLayout(local_row)
        hint = QtWidgets.QLabel(_("代办员收件后须在期限内把材料交到乡镇；超过期限的委托在代办员首页和代办总览中标红。"
                                  "本乡镇自定的期限不会被县级下发的期限替换，改回“按县级规定”即恢复。"))
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        layout.addWidget(hint)
        self.local_radio.toggled.connect(self.days_spin.setEnabled)
        self.county_radio.setChecked(True)
        self.days_spin.setEnabled(False)
        box, self.ok_button = _buttons(self, _("保存"))
        box.accepted.connect(self.submit)
        layout.addWidget(box)
        self.ok_button.setEnabled(False)
        self.run(agents.handover_limit_state, ctx, on_success=self._loaded)

    def _loaded(self, state: agents.HandoverLimitState) -> None:
        county = (_("县级规定 {n} 个工作日").format(n=state.county_days) if state.county_days is not None
                  else _("县级尚未下发（默认 {n} 个工作日）").format(n=DEFAULT_HANDOVER_LIMIT))
        self.info.setText(_("现行期限：{n} 个工作日　　{county}").format(n=state.days, county=county))
        self.days_spin.setValue(state.days)
        (self.local_radio if state.local else self.county_radio).setChecked(True)
        self.ok_button.setEnabled(True)

    def submit(self) -> None:
        days = self.days_spin.value() if self.local_radio.isChecked() else None
        self.run(agents.set_handover_limit, self.ctx, self.actor, days,
                 on_success=self._done, button=self.ok_button)

    def _done(self, _value: object) -> None:
        self.changed.emit()
        self.accept()


class ProvisioningResultDialog(QtWidgets.QDialog):
    """Shows where the provisioning file went and its extraction code, large."""

    def __init__(self, prov: agents.Provisioning, path: Path, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProvisioningResultDialog")
        self.setWindowTitle(_("代办电脑配置文件"))
        layout = QtWidgets.QVBoxLayout(self)
        text = QtWidgets.QLabel(_(
            "配置文件已保存到：\n{path}\n\n请用 U 盘带到代办员的电脑上导入。导入时需要输入下面的提取码，"
            "请当面告诉代办员，不要写在 U 盘上。").format(path=path))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.code_label = QtWidgets.QLabel(prov.code)
        self.code_label.setObjectName("provisioningCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setStyleSheet("font-size: 26pt; font-weight: bold; letter-spacing: 3px;"
                                      " padding: 12px; background: #fff6dc; border: 1px solid #e3c262;")
        layout.addWidget(self.code_label)
        layout.addWidget(QtWidgets.QLabel(_("代办电脑编号（终端号）：{t}").format(t=prov.terminal)))
        ok = QtWidgets.QPushButton(_("我已记下提取码"))
        make_primary(ok)
        ok.clicked.connect(self.accept)
        layout.addWidget(ok, 0, Qt.AlignmentFlag.AlignRight)


def _ask_provisioning_path(parent: QtWidgets.QWidget, default: Path) -> str:
    path = file_dialogs.save_file(
        parent, _("保存代办电脑配置文件"), str(default), _("代办员配置文件 (*.agent)"))
    return path


class AgentsDialog(QtWidgets.QDialog):
    """The township's agent registry (负责人): register, edit, status, card, provisioning, roster."""

    changed = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.actor = ctx, runner, actor
        self.setObjectName("AgentsDialog")
        self.setWindowTitle(_("代办员管理"))
        self.resize(1080, 620)
        self.ask_path: Callable[[QtWidgets.QWidget, Path], str] = _ask_provisioning_path
        layout = QtWidgets.QVBoxLayout(self)
        self.banner = MessageBanner(self)
        layout.addWidget(self.banner)
        self.table = QtWidgets.QTableWidget(0, 7)
        self.table.setObjectName("agentsTable")
        self.table.setHorizontalHeaderLabels([_("编号"), _("姓名"), _("电话"), _("服务村（社区）"),
                                              _("聘用日期"), _("状态"), _("代办电脑")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.edit_agent)
        layout.addWidget(self.table, 1)
        row = QtWidgets.QHBoxLayout()
        self.add_button = QtWidgets.QPushButton(_("登记代办员…"))
        self.add_button.setObjectName("addAgentButton")
        make_primary(self.add_button)
        self.edit_button = QtWidgets.QPushButton(_("编辑…"))
        self.status_button = QtWidgets.QPushButton(_("暂停 / 恢复 / 离任…"))
        self.card_button = QtWidgets.QPushButton(_("打印代办员证"))
        self.provision_button = QtWidgets.QPushButton(_("导出代办电脑配置…"))
        self.provision_button.setObjectName("provisionButton")
        self.roster_button = QtWidgets.QPushButton(_("打印花名册"))
        self.roster_button.setObjectName("rosterButton")
        self.more_button = QtWidgets.QPushButton(_("名册文件"))
        self.more_button.setObjectName("rosterFileButton")
        self.more_button.setToolTip(_("本乡镇另一台窗口电脑不联网同步时，用名册文件把代办员（含核验交接单的公钥）带过去"))
        menu = QtWidgets.QMenu(self.more_button)
        menu.addAction(_("导出名册文件…"), self.export_roster_file)
        menu.addAction(_("导入名册文件…"), self.import_roster_file)
        self.more_button.setMenu(menu)
        close = QtWidgets.QPushButton(_("关闭"))
        self.add_button.clicked.connect(self.add_agent)
        self.edit_button.clicked.connect(self.edit_agent)
        self.status_button.clicked.connect(self.change_status)
        self.card_button.clicked.connect(self.print_card)
        self.provision_button.clicked.connect(self.export_provisioning)
        self.roster_button.clicked.connect(self.print_roster)
        close.clicked.connect(self.accept)
        for b in (self.add_button, self.edit_button, self.status_button, self.card_button,
                  self.provision_button, self.roster_button, self.more_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.agents: list[Any] = []
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        self.runner.run(agents.list_agents, self.ctx, on_success=self._fill,
                        on_failure=self._failed)

    def _fill(self, rows: list[Any]) -> None:
        self.agents = rows
        self.table.setRowCount(len(rows))
        for r, a in enumerate(rows):
            laptop = _("已配置（{n} 次）").format(n=a.provision_count) if a.provision_count else _("未配置")
            values = [a.agent_no, a.name, a.phone, agents.villages_text(a), a.start_date.isoformat(),
                      AgentStatus(a.status).label, laptop]
            for c, v in enumerate(values):
                item = QtWidgets.QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, a.id)
                if a.status != AgentStatus.ACTIVE.value:
                    item.setForeground(QtGui.QColor("#8a6100" if a.status == "suspended" else "#8a939c"))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.banner.show_message(error_text(error), "error")

    def selected(self) -> Any | None:
        row = self.table.currentRow()
        return self.agents[row] if 0 <= row < len(self.agents) else None

    def select_agent_no(self, agent_no: str) -> None:
        for r, a in enumerate(self.agents):
            if a.agent_no == agent_no:
                self.table.selectRow(r)

    def _update_buttons(self) -> None:
        a = self.selected()
        for b in (self.edit_button, self.status_button, self.card_button):
            b.setEnabled(a is not None)
        self.provision_button.setEnabled(a is not None and a.status != AgentStatus.LEFT.value)

    def add_agent(self) -> None:
        self.edit_dialog = AgentEditDialog(self.ctx, self.runner, self.actor, None, self)
        self.edit_dialog.saved.connect(self._on_saved)
        self.edit_dialog.open()

    def edit_agent(self, *_args: object) -> None:
        a = self.selected()
        if a is None:
            return
        self.edit_dialog = AgentEditDialog(self.ctx, self.runner, self.actor, a.id, self)
        self.edit_dialog.saved.connect(self._on_saved)
        self.edit_dialog.open()

    def _on_saved(self, agent: Any) -> None:
        self.banner.show_message(_("已保存代办员 {name}（编号 {no}）。").format(name=agent.name, no=agent.agent_no),
                                 "success")
        self.changed.emit()
        self.refresh()

    def change_status(self) -> None:
        a = self.selected()
        if a is None:
            return
        self.status_dialog = AgentStatusDialog(self.ctx, self.runner, self.actor, a.id, a.name, a.status, self)
        self.status_dialog.changed.connect(self._on_status)
        self.status_dialog.open()

    def _on_status(self) -> None:
        self.banner.show_message(_("状态已更改。"), "success")
        self.changed.emit()
        self.refresh()

    def print_card(self) -> None:
        a = self.selected()
        if a is None:
            return
        ctx, actor, agent_id = self.ctx, self.actor, a.id
        self.preview = show_pdf(self, self.runner, _("代办员证 {name}").format(name=a.name),
                                lambda: agents.card_pdf(ctx, actor, agent_id),
                                _("代办员证-{no}-{name}").format(no=a.agent_no, name=a.name))

    def print_roster(self) -> None:
        ctx, actor = self.ctx, self.actor
        self.preview = show_pdf(self, self.runner, _("代办员花名册"), lambda: agents.roster_pdf(ctx, actor),
                                _("代办员花名册"))

    def ask_roster_path(self, save: bool) -> str:
        if save:
            path = file_dialogs.save_file(
                self, _("导出代办员名册文件"), str(paths.documents_dir() / "代办员名册.agents.json"),
                _("代办员名册 (*.json)"))
        else:
            path = file_dialogs.open_file(
                self, _("导入代办员名册文件"), str(paths.documents_dir()), _("代办员名册 (*.json)"))
        return path

    def export_roster_file(self) -> None:
        chosen = self.ask_roster_path(True)
        if not chosen:
            return
        path = Path(chosen)
        ctx, actor = self.ctx, self.actor

        def job() -> Path:
            content = agents.export_roster_file(ctx, actor)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            return path

        self.runner.run(job, on_success=while_alive(self, lambda p: self.banner.show_message(
            _("已导出名册文件：{path}").format(path=p), "success")), on_failure=while_alive(self, self._failed))

    def import_roster_file(self) -> None:
        chosen = self.ask_roster_path(False)
        if not chosen:
            return
        path = Path(chosen)
        ctx, actor = self.ctx, self.actor
        self.runner.run(lambda: agents.import_roster_file(ctx, actor, path.read_bytes()),
                        on_success=while_alive(self, self._roster_imported),
                        on_failure=while_alive(self, self._failed))

    def _roster_imported(self, n: int) -> None:
        self.banner.show_message(_("已导入 {n} 位代办员的信息。").format(n=n), "success")
        self.changed.emit()
        self.refresh()

    def export_provisioning(self) -> None:
        a = self.selected()
        if a is None:
            return
        default = paths.documents_dir() / f"代办员配置-{a.agent_no}-{a.name}.agent"
        chosen = self.ask_path(self, default)
        if not chosen:
            return
        path = Path(chosen)
        ctx, actor = self.ctx, self.actor

        def job() -> tuple[agents.Provisioning, Path]:
            prov = agents.export_provisioning(ctx, actor, a.id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(prov.content)
            return prov, path

        self.runner.run(job, on_success=self._exported,
                        on_failure=self._failed)

    def _exported(self, result: tuple[agents.Provisioning, Path]) -> None:
        prov, path = result
        self.last_provisioning = prov
        self.banner.show_message(_("已导出 {name} 的代办电脑配置文件。").format(name=prov.agent_no), "success")
        self.result_dialog = ProvisioningResultDialog(prov, path, self)
        self.result_dialog.open()
        self.refresh()


class ImportProvisioningDialog(_Job):
    """On the agent's own laptop: import the provisioning file with its extraction code."""

    imported = Signal(object)  # agents.ImportedAgent

    def __init__(self, ctx: Context, runner: TaskRunner, parent: QtWidgets.QWidget | None = None,
                 path: Path | None = None) -> None:
        super().__init__(ctx, runner, None, parent)  # type: ignore[arg-type]
        self.setObjectName("ImportProvisioningDialog")
        self.setWindowTitle(_("导入代办员配置文件"))
        self.setMinimumWidth(560)
        self.content: bytes | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.banner)
        intro = QtWidgets.QLabel(_("把乡镇负责人导出的 .agent 文件（U 盘）导入本机，本机即成为您的代办电脑："
                                   "登录账号、事项清单和签名密钥都会设置好，不需要联网。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QtWidgets.QHBoxLayout()
        self.path_edit = QtWidgets.QLineEdit()
        self.path_edit.setObjectName("pathEdit")
        self.path_edit.setReadOnly(True)
        browse = QtWidgets.QPushButton(_("选择文件…"))
        browse.clicked.connect(self.browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.header_label = QtWidgets.QLabel()
        self.header_label.setObjectName("headerLabel")
        self.header_label.setWordWrap(True)
        layout.addWidget(self.header_label)
        form = QtWidgets.QFormLayout()
        self.code_edit = QtWidgets.QLineEdit()
        self.code_edit.setObjectName("codeEdit")
        self.code_edit.setPlaceholderText(_("乡镇负责人告诉您的 12 位提取码，例如 K7MQ-2XHP-9TZA"))
        form.addRow(_("提取码"), self.code_edit)
        layout.addLayout(form)
        box, self.ok_button = _buttons(self, _("导入"))
        box.accepted.connect(self.submit)
        layout.addWidget(box)
        if path is not None:
            self.load_file(path)

    def browse(self) -> None:
        path = file_dialogs.open_file(self, _("选择代办员配置文件"), str(Path.home()),
                                      _("代办员配置文件 (*.agent)"))
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        self.path_edit.setText(str(path))
        try:
            content = path.read_bytes()
            header = agents.read_provisioning_header(content)
        except OSError as exc:
            self.banner.show_message(_("无法读取文件：{error}").format(error=exc.strerror), "error")
            return
        except Exception as exc:  # noqa: BLE001 - ServiceError and friends: show the message
            self.banner.show_message(error_text(exc), "error")
            return
        self.content = content
        self.banner.clear()
        self.header_label.setText(_("代办员：{name}（编号 {no}）　服务点：{point}　导出时间：{at}").format(
            name=header.agent_name, no=header.agent_no, point=header.service_point, at=header.created_at[:16]))

    def submit(self) -> None:
        if self.content is None:
            self.banner.show_message(_("请先选择配置文件。"), "error")
            return
        self.run(agents.import_provisioning, self.ctx, self.content, self.code_edit.text(),
                 on_success=self._done, button=self.ok_button)

    def _done(self, result: agents.ImportedAgent) -> None:
        self.result_value = result
        self.imported.emit(result)
        self.accept()


# =========================================================================== materials


_STATE_CHOICES = (MaterialState.PENDING, MaterialState.ORIGINAL, MaterialState.COPY, MaterialState.BOTH,
                  MaterialState.MISSING, MaterialState.WRONG)


class MaterialsTable(QtWidgets.QTableWidget):
    """The materials checklist: one row a material, what was received, and why not."""

    changed = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setObjectName("materialsTable")
        self.setHorizontalHeaderLabels([_("材料"), _("要求"), _("收取情况"), _("问题或说明")])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.lines: list[ChecklistLine] = []
        self.combos: list[QtWidgets.QComboBox] = []
        self.problems: list[QtWidgets.QLineEdit] = []

    def set_lines(self, lines: list[ChecklistLine]) -> None:
        self.lines = lines
        self.combos, self.problems = [], []
        self.setRowCount(len(lines))
        for r, ln in enumerate(lines):
            name = QtWidgets.QTableWidgetItem(ln.name)
            name.setToolTip(ln.condition or ln.name)
            self.setItem(r, 0, name)
            need = f"{ln.form} {ln.copies_required}份"
            if not ln.required:
                need = _("条件必需：{cond}").format(cond=ln.condition or _("视情况"))
            self.setItem(r, 1, QtWidgets.QTableWidgetItem(need))
            combo = QtWidgets.QComboBox()
            for st in _STATE_CHOICES:
                combo.addItem(st.label, st.value)
            if not ln.required:
                combo.addItem(MaterialState.NOT_APPLICABLE.label, MaterialState.NOT_APPLICABLE.value)
            state = ln.state
            if not ln.required and ln.condition_applies is False:
                state = MaterialState.NOT_APPLICABLE
            combo.setCurrentIndex(max(0, combo.findData(state.value)))
            combo.currentIndexChanged.connect(self._on_changed)
            self.setCellWidget(r, 2, combo)
            problem = QtWidgets.QLineEdit(ln.problem)
            problem.setPlaceholderText(_("有误时写明原因"))
            problem.textChanged.connect(self._on_changed)
            self.setCellWidget(r, 3, problem)
            self.combos.append(combo)
            self.problems.append(problem)
        self.resizeColumnToContents(1)
        self.setColumnWidth(2, 225)
        self.resizeRowsToContents()

    def _on_changed(self, *_args: object) -> None:
        self.changed.emit()

    def set_state(self, row: int, state: MaterialState) -> None:
        self.combos[row].setCurrentIndex(max(0, self.combos[row].findData(state.value)))

    def fill_all(self) -> None:
        """Everything required received as the item asks (conditional ones stay to be asked)."""
        for r, ln in enumerate(self.lines):
            if ln.required:
                self.set_state(r, ln.expected_state())

    def current_lines(self) -> list[ChecklistLine]:
        out = []
        for ln, combo, problem in zip(self.lines, self.combos, self.problems):
            state = MaterialState(str(combo.currentData()))
            applies = ln.condition_applies
            if not ln.required:
                if state is MaterialState.NOT_APPLICABLE:
                    applies = False
                elif state is MaterialState.PENDING:
                    applies = None
                else:
                    applies = True
            copies = ln.copies_required if state.received else 0
            out.append(ChecklistLine(name=ln.name, form=ln.form, copies_required=ln.copies_required,
                                     required=ln.required, condition=ln.condition, condition_applies=applies,
                                     state=state, copies_received=copies, problem=problem.text().strip(),
                                     material_id=ln.material_id, seq=ln.seq))
        return out

    def outstanding_count(self) -> int:
        return sum(1 for ln in self.current_lines() if line_problem(ln))

    def unanswered_rows(self) -> list[int]:
        """Rows of conditional materials not yet asked about (still 未核对): saving waits for them."""
        return [r for r, ln in enumerate(self.current_lines())
                if not ln.required and ln.condition_applies is None]

    def focus_row(self, row: int) -> None:
        """Scroll to a row and put the focus on its 收取情况 box."""
        self.scrollToItem(self.item(row, 0), QtWidgets.QAbstractItemView.ScrollHint.PositionAtCenter)
        self.setCurrentCell(row, 2)
        self.combos[row].setFocus(Qt.FocusReason.OtherFocusReason)


# =========================================================================== the agent's work


class _ItemMatches(QtCore.QSortFilterProxyModel):
    """The item box's rows that match the typed text, in the search index's order."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.ranks: dict[int, int] | None = None  # item id -> rank; None: every row
        self.sort(0)

    def set_ranks(self, ranks: dict[int, int] | None) -> None:
        self.ranks = ranks
        self.invalidate()

    def _rank(self, row: int, parent: QtCore.QModelIndex) -> int | None:
        item_id = self.sourceModel().index(row, 0, parent).data(Qt.ItemDataRole.UserRole)
        if self.ranks is None:
            return row
        return self.ranks.get(item_id)

    def filterAcceptsRow(self, row: int, parent: QtCore.QModelIndex) -> bool:  # noqa: N802 - Qt
        return self._rank(row, parent) is not None

    def lessThan(self, left: QtCore.QModelIndex, right: QtCore.QModelIndex) -> bool:  # noqa: N802 - Qt
        a = self._rank(left.row(), left.parent())
        b = self._rank(right.row(), right.parent())
        return (a if a is not None else 1 << 30) < (b if b is not None else 1 << 30)


class CommissionDialog(_Job):
    """A citizen commissions the agent for one item (only items that allow a proxy)."""

    created = Signal(object)  # the Commission

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None, agent_id: int | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.agent_id = agent_id
        self.setObjectName("CommissionDialog")
        self.setWindowTitle(_("新建代办委托"))
        self.setMinimumWidth(760)
        outer = QtWidgets.QVBoxLayout(self)
        outer.addWidget(self.banner)
        # the form scrolls on a low screen (the agent's laptop); banner and buttons stay in view
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QtWidgets.QFormLayout()
        self.item_combo = QtWidgets.QComboBox()
        self.item_combo.setObjectName("itemCombo")
        self.item_combo.setEditable(True)
        self.item_combo.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        # found as on the intake page: name, pinyin initials (dbsq), full pinyin, code
        self.item_index: Any = None  # CatalogIndex, built on the worker
        self.item_matches = _ItemMatches(self)
        self.item_matches.setSourceModel(self.item_combo.model())
        completer = QtWidgets.QCompleter(self.item_matches, self)
        completer.setCompletionMode(QtWidgets.QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.item_combo.setCompleter(completer)
        self.item_combo.lineEdit().textEdited.connect(self._search_items)
        form.addRow(_("代办事项"), self.item_combo)
        self.name_edit = QtWidgets.QLineEdit()
        self.name_edit.setObjectName("principalName")
        self.id_type_combo = QtWidgets.QComboBox()
        for t in ids.IdType:
            self.id_type_combo.addItem(t.label, t.value)
        self.id_edit = QtWidgets.QLineEdit()
        self.id_edit.setObjectName("principalId")
        self.phone_edit = QtWidgets.QLineEdit()
        self.phone_edit.setObjectName("principalPhone")
        self.village_combo = QtWidgets.QComboBox()
        self.village_combo.setObjectName("villageCombo")
        self.address_edit = QtWidgets.QLineEdit()
        self.address_edit.setPlaceholderText(_("例如 湖口社区3组12号"))
        form.addRow(_("委托人姓名"), self.name_edit)
        form.addRow(_("证件类型"), self.id_type_combo)
        form.addRow(_("证件号码"), self.id_edit)
        form.addRow(_("联系电话"), self.phone_edit)
        form.addRow(_("所在村（社区）"), self.village_combo)
        form.addRow(_("住址"), self.address_edit)
        layout.addLayout(form)
        scope_box = QtWidgets.QGroupBox(_("委托权限"))
        scope_layout = QtWidgets.QVBoxLayout(scope_box)
        self.scope_checks: dict[str, QtWidgets.QCheckBox] = {}
        for sc in SCOPES:
            check = QtWidgets.QCheckBox(sc.label)
            check.setChecked(sc.code in DEFAULT_SCOPES)
            self.scope_checks[sc.code] = check
            scope_layout.addWidget(check)
        layout.addWidget(scope_box)
        row = QtWidgets.QHBoxLayout()
        today = ctx.today()
        self.from_edit = _date_edit(today)
        self.until_edit = _date_edit(today + dt.timedelta(days=DEFAULT_VALIDITY_DAYS))
        self.subdelegation_check = QtWidgets.QCheckBox(_("允许转委托"))
        # the agent takes commissions in the village; a supervisor records them at the counter
        self.place_combo = _place_combo(PLACES[0] if actor.role is Role.AGENT else PLACES[2])
        row.addWidget(QtWidgets.QLabel(_("有效期")))
        row.addWidget(self.from_edit)
        row.addWidget(QtWidgets.QLabel(_("至")))
        row.addWidget(self.until_edit)
        row.addSpacing(16)
        row.addWidget(self.subdelegation_check)
        row.addSpacing(16)
        row.addWidget(QtWidgets.QLabel(_("地点")))
        row.addWidget(self.place_combo, 1)
        layout.addLayout(row)
        self.note_edit = QtWidgets.QLineEdit()
        self.note_edit.setPlaceholderText(_("备注（可选）"))
        layout.addWidget(self.note_edit)
        layout.addStretch(1)
        self.form_scroll = FormScroll(body, self)
        outer.addWidget(self.form_scroll, 1)
        box, self.ok_button = _buttons(self, _("登记委托"))
        box.accepted.connect(self.submit)
        self.button_box = box
        outer.addWidget(box)
        cap_to_screen(self)
        self.runner.run(self._load, on_success=self._loaded,
                        on_failure=self._failed)

    def _load(self) -> tuple[list, list, list[str], Any]:
        from clerk_app.domain.search import CatalogIndex  # pypinyin: on the worker

        items = commissions.proxy_items(self.ctx)
        villages = agents.villages_here(self.ctx)
        mine = agents.my_agent(self.ctx, self.actor)
        index = CatalogIndex(catalog.iter_index_rows(items))
        return items, villages, list(mine.villages or []) if mine else [], index

    def _loaded(self, result: tuple[list, list, list[str], Any]) -> None:
        items, villages, mine, self.item_index = result
        self.item_combo.clear()
        for it in items:
            self.item_combo.addItem(it.name, it.id)
        self.item_combo.setCurrentIndex(-1)
        self.item_combo.lineEdit().setPlaceholderText(_("输入事项名称查找，只列出可代办的事项"))
        ordered = sorted(villages, key=lambda v: (v.code12 not in mine, v.code12))
        self.village_combo.addItem(_("（不选）"), None)
        for v in ordered:
            self.village_combo.addItem(v.name, v.code12)
        if mine:
            self.village_combo.setCurrentIndex(1)

    def select_item(self, name: str) -> None:
        self.item_combo.setCurrentIndex(self.item_combo.findText(name))

    def _search_items(self, text: str) -> None:
        """Offer the items matching what was typed, best first (before the popup updates)."""
        if self.item_index is None:
            self.item_matches.set_ranks(None)
            return
        found = self.item_index.search(text, limit=50)
        self.item_matches.set_ranks({item_id: rank for rank, item_id in enumerate(found)})

    def commission_input(self) -> commissions.CommissionInput:
        principal = intake.ApplicantInput(
            kind="person", name=self.name_edit.text(), id_type=str(self.id_type_combo.currentData()),
            id_number=self.id_edit.text(), phone=self.phone_edit.text(), address=self.address_edit.text(),
            village_code=self.village_combo.currentData())
        return commissions.CommissionInput(
            item_id=int(self.item_combo.currentData() or 0), principal=principal,
            scope=[code for code, check in self.scope_checks.items() if check.isChecked()],
            valid_from=_date(self.from_edit), valid_until=_date(self.until_edit),
            subdelegation=self.subdelegation_check.isChecked(), place=self.place_combo.currentText(),
            note=self.note_edit.text())

    def submit(self) -> None:
        if self.item_combo.currentData() is None:
            self.banner.show_message(_("请选择代办事项（只有事项清单中“可代办”的事项可以选择）。"), "error")
            return
        self.run(commissions.create, self.ctx, self.actor, self.commission_input(), self.agent_id,
                 on_success=self._done, button=self.ok_button)

    def _done(self, c: Any) -> None:
        self.result_value = c
        self.created.emit(c)
        self.accept()


class CollectDialog(_Job):
    """收件: the materials against the item; complete → 已收件; missing → the village notice."""

    collected = Signal(object)  # commissions.Collection

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, commission_id: int,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.commission_id = commission_id
        self.commission_no = ""
        self.setObjectName("CollectDialog")
        self.setWindowTitle(_("收件"))
        self.resize(900, 560)
        layout = QtWidgets.QVBoxLayout(self)
        self.title = QtWidgets.QLabel()
        self.title.setObjectName("sectionHeading")
        layout.addWidget(self.title)
        layout.addWidget(self.banner)
        self.table = MaterialsTable(self)
        self.table.changed.connect(self._update_summary)
        layout.addWidget(self.table, 1)
        row = QtWidgets.QHBoxLayout()
        self.fill_button = QtWidgets.QPushButton(_("必需材料全部收齐"))
        self.fill_button.setObjectName("fillButton")
        self.fill_button.clicked.connect(self.table.fill_all)
        self.summary = QtWidgets.QLabel()
        self.place_combo = _place_combo(PLACES[0])
        row.addWidget(self.fill_button)
        row.addWidget(self.summary, 1)
        row.addWidget(QtWidgets.QLabel(_("收件地点")))
        row.addWidget(self.place_combo)
        layout.addLayout(row)
        box, self.ok_button = _buttons(self, _("保存收件"))
        box.accepted.connect(self.submit)
        self.notice_button = box.addButton(_("打印一次性告知书"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.notice_button.setObjectName("noticeButton")
        self.notice_button.clicked.connect(self.print_notice)
        self.notice_button.setEnabled(False)
        layout.addWidget(box)
        self.runner.run(commissions.get_commission, ctx, actor, commission_id,
                        on_success=self._loaded, on_failure=self._failed)

    def _loaded(self, c: Any) -> None:
        self.commission_no = c.commission_no
        self.title.setText(_("{no}　{name}　{item}").format(no=c.commission_no, name=c.principal_name,
                                                           item=c.item_name))
        self.table.set_lines(commissions.lines_of(c))
        self.notice_button.setEnabled(any(line_problem(ln) for ln in commissions.lines_of(c)
                                          if ln.state is not MaterialState.PENDING))
        self._update_summary()

    def _update_summary(self) -> None:
        # the same rule as saving: complete only once every conditional material was asked about
        n = self.table.outstanding_count()
        ask = len(self.table.unanswered_rows())
        if n and ask:
            text = _("还缺 {n} 项，另有 {ask} 项条件材料未询问是否适用").format(n=n, ask=ask)
        elif n:
            text = _("还缺 {n} 项").format(n=n)
        elif ask:
            text = _("必需材料已收齐，还有 {ask} 项条件材料未询问是否适用").format(ask=ask)
        else:
            text = _("材料已齐全")
        self.summary.setText(text)
        self.summary.setObjectName("warningText" if n or ask else "okText")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)

    def _failed(self, error: BaseException) -> None:
        super()._failed(error)
        unanswered = self.table.unanswered_rows()
        if unanswered:  # refused until they are asked about: show the first one
            self.table.focus_row(unanswered[0])

    def submit(self) -> None:
        self.run(commissions.collect, self.ctx, self.actor, self.commission_id, self.table.current_lines(),
                 self.place_combo.currentText(), on_success=self._done, button=self.ok_button)

    def _done(self, result: commissions.Collection) -> None:
        self.result_value = result
        self.collected.emit(result)
        if result.complete:
            self.accept()
            return
        names = "、".join(name for name, _why in result.missing)
        self.banner.show_message(_("已保存。还缺 {n} 项：{names}。可打印一次性告知书交给群众，一次告知需要补齐的全部材料。").format(
            n=len(result.missing), names=names), "warning")
        self.notice_button.setEnabled(True)

    def print_notice(self) -> None:
        self.preview = show_village_notice(self, self.ctx, self.runner, self.actor, self.commission_id,
                                           self.commission_no)


class HandoverSheetDialog(_Job):
    """Choose collected commissions, sign and print the handover sheet(s)."""

    issued = Signal(object)  # list[Handover]

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.setObjectName("HandoverSheetDialog")
        self.setWindowTitle(_("打印交接单"))
        self.resize(860, 520)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.banner)
        hint = QtWidgets.QLabel(_("勾选要交到乡镇的委托（已收件）。每张交接单最多 {n} 件，二维码里有乡镇需要的全部信息，"
                                  "乡镇扫码即可接收，本机不需要联网。").format(n=handover.MAX_FULL))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.list = QtWidgets.QListWidget()
        self.list.setObjectName("collectedList")
        layout.addWidget(self.list, 1)
        layout.addWidget(QtWidgets.QLabel(_("已签发的交接单：")))
        self.sheets = QtWidgets.QListWidget()
        self.sheets.setObjectName("sheetList")
        self.sheets.setMaximumHeight(150)
        layout.addWidget(self.sheets)
        row = QtWidgets.QHBoxLayout()
        self.reprint_button = QtWidgets.QPushButton(_("重印所选交接单"))
        self.reprint_button.clicked.connect(self.reprint)
        self.delivered_button = QtWidgets.QPushButton(_("所选交接单已交乡镇"))
        self.delivered_button.setObjectName("deliveredButton")
        self.delivered_button.setToolTip(_("乡镇已扫码接收、双方已签字：本机记为已交件"))
        self.delivered_button.clicked.connect(self.mark_delivered)
        row.addWidget(self.reprint_button)
        row.addWidget(self.delivered_button)
        row.addStretch(1)
        layout.addLayout(row)
        box, self.ok_button = _buttons(self, _("签发并打印"))
        box.accepted.connect(self.submit)
        layout.addWidget(box)
        self.sheet_rows: list[Any] = []
        self.sheet_states: dict[str, str] = {}
        self.collected_rows: list[Any] = []
        self.replacing: list[str] = []
        self.refresh()

    def refresh(self) -> None:
        self.runner.run(self._load, on_success=self._loaded,
                        on_failure=self._failed)

    def _load(self) -> tuple[list, list]:
        rows = [r for r in commissions.list_commissions(self.ctx, self.actor) if r.state is S.COLLECTED]
        return rows, handover.list_handovers(self.ctx, self.actor)

    def _loaded(self, result: tuple[list, list]) -> None:
        rows, sheets = result
        self.sheet_states = {h.sheet_no: h.state for h in sheets}
        self.collected_rows = rows
        self.list.clear()
        for r in rows:
            due = _("，应于 {d} 前交件").format(d=r.handover_due.isoformat()) if r.handover_due else ""
            late = _("【已超期】") if r.handover_state == "overdue" else ""
            live = self._live_sheet(r)
            if live:
                on_sheet = _("（已在交接单 {no} 上；再次签发将作废该交接单）").format(no=live)
            elif r.sheet_no:
                on_sheet = _("（原交接单 {no} 已作废，待重新签发）").format(no=r.sheet_no)
            else:
                on_sheet = ""
            item = QtWidgets.QListWidgetItem(f"{late}{r.commission_no}　{r.principal_name}　{r.item_name}{due}{on_sheet}")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if live else Qt.CheckState.Checked)
            if r.handover_state == "overdue":
                item.setForeground(QtGui.QColor("#a61b1b"))
            self.list.addItem(item)
        self.sheet_rows = [h for h in sheets if h.state != "replaced"]
        self.sheets.clear()
        states = {"issued": _("已签发"), "delivered": _("已交乡镇"), "received": _("乡镇已接收")}
        for h in self.sheet_rows:
            self.sheets.addItem(_("{no}　{n} 件　{state}　{at}").format(
                no=h.sheet_no, n=len(h.commission_nos or []), state=states.get(h.state, h.state),
                at=h.created_at.strftime("%Y-%m-%d %H:%M")))
        if not rows:
            self.banner.show_message(_("没有已收件、待交乡镇的委托。"), "info")

    def _live_sheet(self, r: Any) -> str:
        """The printed sheet a commission is on that the township has not received yet."""
        if r.sheet_no and self.sheet_states.get(r.sheet_no, "issued") in ("issued", "delivered"):
            return r.sheet_no
        return ""

    def checked_ids(self) -> list[int]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def submit(self) -> None:
        chosen = self.checked_ids()
        if not chosen:
            self.banner.show_message(_("请勾选要交接的委托。"), "error")
            return
        self.replacing = sorted({self._live_sheet(r) for r in self.collected_rows if r.id in chosen} - {""})
        self.run(handover.create_sheets, self.ctx, self.actor, chosen, on_success=self._done,
                 button=self.ok_button)

    def _done(self, sheets: list[Any]) -> None:
        self.result_value = sheets
        self.issued.emit(sheets)
        self.previews = [show_sheet(self, self.ctx, self.runner, self.actor, h.id, h.sheet_no) for h in sheets]
        text = _("已签发 {n} 张交接单：{nos}").format(n=len(sheets), nos="、".join(h.sheet_no for h in sheets))
        if self.replacing:
            text += _("。原交接单 {old} 已作废，请收回或销毁旧的纸质交接单，只把新的交到乡镇。").format(
                old="、".join(self.replacing))
        self.banner.show_message(text, "warning" if self.replacing else "success")
        self.refresh()

    def _selected_sheet(self) -> Any | None:
        row = self.sheets.currentRow()
        return self.sheet_rows[row] if 0 <= row < len(self.sheet_rows) else None

    def reprint(self) -> None:
        h = self._selected_sheet()
        if h is not None:
            self.previews = [show_sheet(self, self.ctx, self.runner, self.actor, h.id, h.sheet_no)]

    def mark_delivered(self) -> None:
        h = self._selected_sheet()
        if h is not None:
            self.run(handover.mark_delivered, self.ctx, self.actor, h.id, on_success=self._delivered)

    def _delivered(self, h: Any) -> None:
        self.banner.show_message(_("交接单 {no} 已记为交乡镇。").format(no=h.sheet_no), "success")
        self.issued.emit([])
        self.refresh()


class OutcomeDialog(_Job):
    """On the agent's laptop: what the township's paper says (receipt, notice, result)."""

    recorded = Signal(object)

    CHOICES = (S.ACCEPTED, S.SUPPLEMENT, S.REFUSED, S.COMPLETED, S.NOT_APPROVED)

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, commission_id: int, title: str,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.commission_id = commission_id
        self.setObjectName("OutcomeDialog")
        self.setWindowTitle(_("登记乡镇办理情况 — {title}").format(title=title))
        self.setMinimumWidth(520)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.banner)
        form = QtWidgets.QFormLayout()
        self.state_combo = QtWidgets.QComboBox()
        self.state_combo.setObjectName("stateCombo")
        for st in self.CHOICES:
            self.state_combo.addItem(st.label, st.value)
        self.case_edit = QtWidgets.QLineEdit()
        self.case_edit.setObjectName("caseEdit")
        self.case_edit.setPlaceholderText(_("受理回执上的办件编号，例如 101000-01-261203-0001-5"))
        self.result_edit = QtWidgets.QLineEdit()
        self.result_edit.setObjectName("resultEdit")
        self.result_edit.setPlaceholderText(_("办结或不予批准时写明结果"))
        form.addRow(_("乡镇告知"), self.state_combo)
        form.addRow(_("办件编号"), self.case_edit)
        form.addRow(_("办理结果"), self.result_edit)
        layout.addLayout(form)
        box, self.ok_button = _buttons(self, _("登记"))
        box.accepted.connect(self.submit)
        layout.addWidget(box)

    def submit(self) -> None:
        self.run(commissions.record_outcome, self.ctx, self.actor, self.commission_id,
                 str(self.state_combo.currentData()), self.case_edit.text(), self.result_edit.text(),
                 on_success=self._done, button=self.ok_button)

    def _done(self, c: Any) -> None:
        self.recorded.emit(c)
        self.accept()


class StepDialog(_Job):
    """回交 (place and note) or the citizen's confirmation of receipt (how, place)."""

    recorded = Signal(object)

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, commission_id: int, kind: str,
                 title: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.commission_id = commission_id
        self.kind = kind  # "return" | "confirm" | "cancel"
        self.setObjectName("StepDialog")
        heading = {"return": _("结果回交"), "confirm": _("委托人确认收到"), "cancel": _("撤销委托")}[kind]
        self.setWindowTitle(_("{what} — {title}").format(what=heading, title=title))
        self.setMinimumWidth(480)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.banner)
        form = QtWidgets.QFormLayout()
        township = actor.role is not Role.AGENT
        self.place_combo = _place_combo(PLACES[2] if township else PLACES[0])
        self.how_combo = QtWidgets.QComboBox()
        self.how_combo.setObjectName("howCombo")
        self.how_combo.addItems(list(commissions.CONFIRM_WAYS))
        self.note_edit = QtWidgets.QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        if kind == "confirm":
            form.addRow(_("确认方式"), self.how_combo)
        form.addRow(_("地点"), self.place_combo)
        form.addRow(_("原因") if kind == "cancel" else _("说明"), self.note_edit)
        layout.addLayout(form)
        if kind == "confirm":
            tip = QtWidgets.QLabel(_("请委托人在《代办委托书》下方的“结果回交签收”处签字或按手印。"))
            tip.setWordWrap(True)
            layout.addWidget(tip)
        box, self.ok_button = _buttons(self, _("确定"))
        box.accepted.connect(self.submit)
        layout.addWidget(box)

    def submit(self) -> None:
        place, note = self.place_combo.currentText(), self.note_edit.text()
        if self.kind == "return":
            self.run(commissions.return_result, self.ctx, self.actor, self.commission_id, place, note,
                     on_success=self._done, button=self.ok_button)
        elif self.kind == "confirm":
            self.run(commissions.confirm_receipt, self.ctx, self.actor, self.commission_id,
                     self.how_combo.currentText(), place, note, on_success=self._done, button=self.ok_button)
        else:
            self.run(commissions.cancel, self.ctx, self.actor, self.commission_id, note, place,
                     on_success=self._done, button=self.ok_button)

    def _done(self, c: Any) -> None:
        self.recorded.emit(c)
        self.accept()


def device_text(device: str) -> str:
    """Where a step was recorded, in words: the agent's laptop or a counter computer."""
    if device.startswith("laptop:"):
        return _("代办电脑 {no}").format(no=device[len("laptop:"):])
    code, _sep, number = device.rpartition("-")
    if code and number.isdigit():
        return _("窗口电脑 {no} 号（{code}）").format(no=int(number), code=code)
    return device


class CommissionDetailDialog(QtWidgets.QDialog):
    """A commission with every step: who, when, where, on which device."""

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, commission_id: int,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CommissionDetailDialog")
        self.setWindowTitle(_("委托详情"))
        self.resize(900, 560)
        layout = QtWidgets.QVBoxLayout(self)
        self.banner = MessageBanner(self)
        layout.addWidget(self.banner)
        self.info = QtWidgets.QLabel()
        self.info.setObjectName("commissionInfo")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.info)
        self.steps = QtWidgets.QTableWidget(0, 6)
        self.steps.setObjectName("stepsTable")
        self.steps.setHorizontalHeaderLabels([_("时间"), _("环节"), _("经办人"), _("地点"), _("设备"), _("说明")])
        self.steps.verticalHeader().setVisible(False)
        self.steps.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.steps.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.steps, 1)
        close = QtWidgets.QPushButton(_("关闭"))
        close.clicked.connect(self.accept)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        runner.run(commissions.get_commission, ctx, actor, commission_id,
                   on_success=self._loaded,
                   on_failure=while_alive(self, lambda e: self.banner.show_message(error_text(e), "error")))

    def _loaded(self, c: Any) -> None:
        scopes = "、".join(sc.label.split("（")[0] for sc in SCOPES if sc.code in (c.scope or []))
        lines = [
            _("委托编号：{no}　状态：{state}").format(no=c.commission_no, state=S(c.state).label),
            _("委托人：{name}（{id}）　电话：{phone}").format(name=c.principal_name, id=ids.mask_id(c.principal_id_number),
                                                     phone=c.principal_phone),
            _("事项：{item}　代办员：{agent}（{no}）").format(item=c.item_name, agent=c.agent.name, no=c.agent.agent_no),
            _("有效期：{a} 至 {b}　{sub}").format(a=c.valid_from.isoformat(), b=c.valid_until.isoformat(),
                                             sub=_("允许转委托") if c.subdelegation else _("不得转委托")),
            _("权限：{scopes}").format(scopes=scopes),
        ]
        if c.case_no:
            lines.append(_("办件编号：{no}").format(no=c.case_no))
        if c.result_text:
            lines.append(_("办理结果：{text}").format(text=c.result_text))
        self.info.setText("\n".join(lines))
        self.steps.setRowCount(len(c.steps))
        for r, st in enumerate(c.steps):
            when = st.at.strftime("%Y-%m-%d") if (st.detail or {}).get("date_only") else st.at.strftime("%Y-%m-%d %H:%M")
            values = [when, S(st.state).label, st.operator_name, st.place or "—", device_text(st.device),
                      st.note]
            for col, v in enumerate(values):
                self.steps.setItem(r, col, QtWidgets.QTableWidgetItem(v))
        self.steps.resizeColumnsToContents()


# =========================================================================== the township


_BROUGHT_ROLE = Qt.ItemDataRole.UserRole + 1  # on a material row: the agent brought it


class HandoverChecklist(QtWidgets.QTreeWidget):
    """The township's materials check, the same for a scanned sheet and a handover at the
    counter: per commission, each material as the agent collected it, and a tick for what
    the clerk finds (untick what is missing)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels([_("委托 / 材料"), _("代办员收取情况"), _("乡镇核对")])
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 170)
        header.resizeSection(2, 110)
        self.itemChanged.connect(self._on_item_changed)

    def fill(self, scanned: list[handover.ScannedCommission]) -> None:
        self.clear()
        for c in scanned:
            top = QtWidgets.QTreeWidgetItem([
                _("{no}　{name}（{id}）　{item}").format(no=c.commission_no, name=c.principal_name,
                                                      id=c.principal_masked, item=c.item_name), "", ""])
            top.setData(0, Qt.ItemDataRole.UserRole, c.commission_no)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for m in c.materials:
                child = QtWidgets.QTreeWidgetItem([f"{m.name}（{m.form} {m.copies}份）", m.state.label, ""])
                child.setData(0, Qt.ItemDataRole.UserRole, m.seq)
                child.setData(0, _BROUGHT_ROLE, m.brought)
                if m.brought:
                    child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    child.setCheckState(2, Qt.CheckState.Checked)
                    child.setText(2, _("已收到"))
                else:  # not applicable or not collected: nothing for the township to tick
                    child.setFlags(child.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                top.addChild(child)
            self.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            top.setExpanded(True)

    def _on_item_changed(self, item: QtWidgets.QTreeWidgetItem, column: int) -> None:
        if column == 2 and item.parent() is not None:
            text = _("已收到") if item.checkState(2) == Qt.CheckState.Checked else _("缺")
            if item.text(2) != text:
                item.setText(2, text)

    def checks(self) -> dict[str, dict[int, str]]:
        """Per commission number, per material seq: "ok" or "missing" (what the agent brought)."""
        out: dict[str, dict[int, str]] = {}
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            no = top.data(0, Qt.ItemDataRole.UserRole)
            found: dict[int, str] = {}
            for j in range(top.childCount()):
                child = top.child(j)
                # only what the agent brought is checked (a tree item is user-checkable by
                # default, so the flag does not tell a brought material from the others)
                if child.data(0, _BROUGHT_ROLE):
                    found[int(child.data(0, Qt.ItemDataRole.UserRole))] = (
                        "ok" if child.checkState(2) == Qt.CheckState.Checked else "missing")
            out[no] = found
        return out

    def set_missing(self, commission_no: str, seq: int) -> None:
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            if top.data(0, Qt.ItemDataRole.UserRole) != commission_no:
                continue
            for j in range(top.childCount()):
                if top.child(j).data(0, Qt.ItemDataRole.UserRole) == seq:
                    top.child(j).setCheckState(2, Qt.CheckState.Unchecked)


class HandoverReceiveDialog(_Job):
    """The township receives a handover sheet: scan (a USB scanner types the QR text and
    Enter) or type the sheet number; check the materials; receive; then accept each."""

    received = Signal(object)  # handover.Received

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.setObjectName("HandoverReceiveDialog")
        self.setWindowTitle(_("接收代办交接单"))
        self.resize(980, 680)
        self.scan_result: handover.ScanResult | None = None
        self.received_result: handover.Received | None = None
        layout = QtWidgets.QVBoxLayout(self)
        prompt = QtWidgets.QLabel(_("请用扫码枪扫描交接单上的二维码；扫不出时输入交接单编号（J 开头），按回车。"))
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        row = QtWidgets.QHBoxLayout()
        self.scan_edit = QtWidgets.QLineEdit()
        self.scan_edit.setObjectName("scanEdit")
        self.scan_edit.setPlaceholderText(_("扫描二维码或输入交接单编号"))
        self.scan_edit.setClearButtonEnabled(True)
        # the scanner types through the keyboard: keep a Chinese input method out of the way
        # (the service also maps full-width forms back, should one still get in)
        self.scan_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.scan_edit.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly
                                           | Qt.InputMethodHint.ImhNoPredictiveText)
        self.scan_edit.returnPressed.connect(self.scan)
        self.scan_button = QtWidgets.QPushButton(_("核验"))
        self.scan_button.setObjectName("scanButton")
        self.scan_button.clicked.connect(self.scan)
        row.addWidget(self.scan_edit, 1)
        row.addWidget(self.scan_button)
        layout.addLayout(row)
        layout.addWidget(self.banner)
        self.sheet_label = QtWidgets.QLabel()
        self.sheet_label.setObjectName("sheetLabel")
        self.sheet_label.setWordWrap(True)
        layout.addWidget(self.sheet_label)
        self.tree = HandoverChecklist(self)
        self.tree.setObjectName("sheetTree")
        layout.addWidget(self.tree, 1)
        self.accept_row = QtWidgets.QHBoxLayout()
        layout.addLayout(self.accept_row)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        self.receive_button = QtWidgets.QPushButton(_("确认接收（双方签字）"))
        self.receive_button.setObjectName("receiveButton")
        make_primary(self.receive_button)
        self.receive_button.setEnabled(False)
        self.receive_button.clicked.connect(self.receive)
        close = QtWidgets.QPushButton(_("关闭"))
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        buttons.addWidget(self.receive_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.scan_edit.setFocus()

    @Slot()
    def scan(self) -> None:
        text = self.scan_edit.text().strip()
        if not text:
            return
        self.tree.clear()
        self.sheet_label.clear()
        self.scan_result = None
        self.receive_button.setEnabled(False)
        self.banner.show_message(_("正在核验…"), "info")
        self.run(handover.scan, self.ctx, self.actor, text, on_success=self._scanned, button=self.scan_button)

    def _failed(self, error: BaseException) -> None:
        super()._failed(error)
        self.scan_edit.selectAll()
        self.scan_edit.setFocus()

    def _scanned(self, result: handover.ScanResult) -> None:
        self.scan_result = result
        ok = _("交接单核验通过：签名有效，未曾接收。请逐件核对材料，缺的请取消勾选。")
        if result.warnings:
            self.banner.show_message("\n".join([ok, *result.warnings]), "warning")
        else:
            self.banner.show_message(ok, "success")
        self.sheet_label.setText(_("交接单 {no}　代办员 {name}（{agent}）　签发 {at}　共 {n} 件").format(
            no=result.sheet_no, name=result.agent_name, agent=result.agent_no,
            at=result.created_at.strftime("%Y-%m-%d %H:%M"), n=len(result.commissions)))
        self.tree.fill(result.commissions)
        self.scan_edit.setText(result.sheet_no)  # the long QR text is verified; show what it is
        self.receive_button.setEnabled(True)
        self.receive_button.setFocus()

    def checks(self) -> dict[str, dict[int, str]]:
        return self.tree.checks()

    def set_missing(self, commission_no: str, seq: int) -> None:
        self.tree.set_missing(commission_no, seq)

    @Slot()
    def receive(self) -> None:
        if self.scan_result is None:
            return
        self.run(handover.receive, self.ctx, self.actor, self.scan_result.text, self.checks(),
                 on_success=self._received, button=self.receive_button)

    def _received(self, result: handover.Received) -> None:
        self.received_result = result
        self.receive_button.setEnabled(False)
        missing = "；".join(f"{no}：{'、'.join(names)}" for no, names in result.missing.items())
        text = _("已接收交接单 {no}，{n} 件委托已交件。").format(no=result.sheet_no, n=len(result.commission_ids))
        if missing:
            text += _("核对时缺少：{missing}（受理时将出具一次性告知书）。").format(missing=missing)
        self.banner.show_message(text, "success")
        while self.accept_row.count():
            w = self.accept_row.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.accept_row.addWidget(QtWidgets.QLabel(_("逐件受理：")))
        nos = [c.commission_no for c in self.scan_result.commissions] if self.scan_result else []
        self.accept_buttons: list[QtWidgets.QPushButton] = []
        for cid, no in zip(result.commission_ids, nos):
            b = QtWidgets.QPushButton(_("受理 {no}").format(no=no))
            b.setObjectName(f"accept_{cid}")
            b.clicked.connect(lambda _checked=False, cid=cid: self.open_accept(cid))
            self.accept_row.addWidget(b)
            self.accept_buttons.append(b)
        self.accept_row.addStretch(1)
        self.received.emit(result)
        self.scan_edit.clear()
        self.scan_edit.setFocus()

    def open_accept(self, commission_id: int) -> None:
        self.accept_dialog = ProxyAcceptDialog(self.ctx, self.runner, self.actor, commission_id, self)
        self.accept_dialog.open()


class CounterHandoverDialog(_Job):
    """已在窗口交件: the agent brings a collected commission's materials to the counter in
    person (no sheet: it was recorded on a counter computer). The clerk checks the materials
    on the same checklist as a sheet's and records the handover; then accepts it."""

    handed_over = Signal(object)  # handover.CounterHandover

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, commission_id: int, title: str,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.commission_id = commission_id
        self.check_result: handover.CounterCheck | None = None
        self.setObjectName("CounterHandoverDialog")
        self.setWindowTitle(_("窗口交件 — {title}").format(title=title))
        self.resize(820, 520)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.banner)
        hint = QtWidgets.QLabel(_("代办员当面把材料交到窗口，不需要交接单。请逐件核对材料，缺的请取消勾选，"
                                  "再点“确认已在窗口交件”；随后即可受理。"))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.agent_label = QtWidgets.QLabel()
        self.agent_label.setObjectName("agentLabel")
        layout.addWidget(self.agent_label)
        self.tree = HandoverChecklist(self)
        self.tree.setObjectName("counterTree")
        layout.addWidget(self.tree, 1)
        form = QtWidgets.QFormLayout()
        self.note_edit = QtWidgets.QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText(_("可不填，例如：代办员本人送来"))
        form.addRow(_("说明"), self.note_edit)
        layout.addLayout(form)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        self.ok_button = QtWidgets.QPushButton(_("确认已在窗口交件"))
        self.ok_button.setObjectName("counterHandoverButton")
        make_primary(self.ok_button)
        self.ok_button.setEnabled(False)
        self.ok_button.clicked.connect(self.submit)
        self.accept_now_button = QtWidgets.QPushButton(_("受理…"))
        self.accept_now_button.setObjectName("acceptNowButton")
        self.accept_now_button.setVisible(False)
        self.accept_now_button.clicked.connect(self.open_accept)
        close = QtWidgets.QPushButton(_("关闭"))
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        row.addWidget(self.ok_button)
        row.addWidget(self.accept_now_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.run(handover.counter_check, ctx, actor, commission_id, on_success=self._loaded)

    def _loaded(self, check: handover.CounterCheck) -> None:
        self.check_result = check
        self.agent_label.setText(_("代办员 {name}（{no}）").format(name=check.agent_name, no=check.agent_no))
        self.tree.fill([check.commission])
        if check.warnings:
            self.banner.show_message("\n".join(check.warnings), "warning")
        self.ok_button.setEnabled(True)

    def checks(self) -> dict[int, str]:
        return next(iter(self.tree.checks().values()), {})

    def set_missing(self, seq: int) -> None:
        if self.check_result is not None:
            self.tree.set_missing(self.check_result.commission.commission_no, seq)

    def submit(self) -> None:
        if self.check_result is None:
            return
        self.run(handover.hand_over_at_counter, self.ctx, self.actor, self.commission_id, self.checks(),
                 self.note_edit.text(), on_success=self._done, button=self.ok_button)

    def _done(self, result: handover.CounterHandover) -> None:
        self.result_value = result
        self.ok_button.setEnabled(False)
        self.tree.setEnabled(False)
        self.note_edit.setEnabled(False)
        text = _("委托 {no} 已在窗口交件。").format(no=result.commission_no)
        if result.missing:
            text += _("核对时缺少：{names}（受理时将出具一次性告知书）。").format(names="、".join(result.missing))
        self.banner.show_message(text, "success")
        self.accept_now_button.setVisible(True)
        self.accept_now_button.setFocus()
        self.handed_over.emit(result)

    def open_accept(self) -> None:
        self.accept_dialog = ProxyAcceptDialog(self.ctx, self.runner, self.actor, self.commission_id, self)
        self.accept_dialog.open()


class ProxyAcceptDialog(_Job):
    """受理 a handed-over commission at the counter, through the intake service: accept (receipt),
    one-time notice, or refusal -- the case is linked to the commission and its agent."""

    decided = Signal(object)  # intake.Outcome

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, commission_id: int,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(ctx, runner, actor, parent)
        self.commission_id = commission_id
        self.form: intake.IntakeForm | None = None
        self.setObjectName("ProxyAcceptDialog")
        self.setWindowTitle(_("代办件受理"))
        self.resize(940, 640)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.banner)
        self.applicant_label = QtWidgets.QLabel()
        self.applicant_label.setObjectName("applicantLabel")
        self.applicant_label.setWordWrap(True)
        layout.addWidget(self.applicant_label)
        form = QtWidgets.QFormLayout()
        self.phone_edit = QtWidgets.QLineEdit()
        self.phone_edit.setObjectName("phoneEdit")
        self.address_edit = QtWidgets.QLineEdit()
        self.address_edit.setObjectName("addressEdit")
        form.addRow(_("联系电话"), self.phone_edit)
        form.addRow(_("联系地址"), self.address_edit)
        layout.addLayout(form)
        self.table = MaterialsTable(self)
        layout.addWidget(self.table, 1)
        refuse_row = QtWidgets.QHBoxLayout()
        self.reason_edit = QtWidgets.QLineEdit()
        self.reason_edit.setObjectName("refuseReason")
        self.reason_edit.setPlaceholderText(_("不予受理的理由"))
        self.redirect_edit = QtWidgets.QLineEdit()
        self.redirect_edit.setObjectName("refuseRedirect")
        self.redirect_edit.setPlaceholderText(_("应向哪里申请"))
        refuse_row.addWidget(self.reason_edit, 1)
        refuse_row.addWidget(self.redirect_edit, 1)
        layout.addLayout(refuse_row)
        row = QtWidgets.QHBoxLayout()
        self.accept_button = QtWidgets.QPushButton(_("受理并出具回执"))
        self.accept_button.setObjectName("acceptButton")
        make_primary(self.accept_button)
        self.notice_button = QtWidgets.QPushButton(_("出具一次性告知书"))
        self.notice_button.setObjectName("noticeButton")
        self.refuse_button = QtWidgets.QPushButton(_("不予受理"))
        self.refuse_button.setObjectName("refuseButton")
        close = QtWidgets.QPushButton(_("关闭"))
        close.setAutoDefault(False)
        self.accept_button.clicked.connect(lambda: self.decide("accept"))
        self.notice_button.clicked.connect(lambda: self.decide("notice"))
        self.refuse_button.clicked.connect(lambda: self.decide("refuse"))
        close.clicked.connect(self.reject)
        row.addWidget(self.accept_button)
        row.addWidget(self.notice_button)
        row.addWidget(self.refuse_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self._set_enabled(False)
        self.runner.run(commissions.intake_form, ctx, actor, commission_id,
                        on_success=self._loaded, on_failure=self._failed)

    def _set_enabled(self, on: bool) -> None:
        for b in (self.accept_button, self.notice_button, self.refuse_button):
            b.setEnabled(on)

    def _loaded(self, form: intake.IntakeForm) -> None:
        self.form = form
        a = form.applicant
        self.applicant_label.setText(_("申请人（委托人）：{name}　{id}　{note}").format(
            name=a.name, id=ids.mask_id(a.id_number), note=form.note))
        self.phone_edit.setText(a.phone)
        self.address_edit.setText(a.address)
        self.table.set_lines(form.lines)
        self._set_enabled(True)

    def decide(self, how: str) -> None:
        if self.form is None:
            return
        form = self.form
        form.lines = self.table.current_lines()
        form.applicant.phone = self.phone_edit.text()
        form.applicant.address = self.address_edit.text()
        self._set_enabled(False)
        if how == "accept":
            fn, args = intake.accept, (form,)
        elif how == "notice":
            fn, args = intake.issue_notice, (form,)
        else:
            fn, args = intake.refuse, (form, self.reason_edit.text(), self.redirect_edit.text())
        self.runner.run(fn, self.ctx, self.actor, *args, on_success=self._decided,
                        on_failure=self._refused)

    def _refused(self, error: BaseException) -> None:
        self._set_enabled(True)
        self.banner.show_message(error_text(error), "error")

    def _decided(self, outcome: intake.Outcome) -> None:
        self.result_value = outcome
        self.banner.show_message(_("办件 {no}：{status}。").format(no=outcome.case_no, status=outcome.status.label),
                                 "success")
        self.decided.emit(outcome)
        if outcome.document_id is not None:
            from clerk_app.ui.printing import show_document

            self.document_dialog = show_document(self, self.ctx, self.runner, self.actor, outcome.document_id)

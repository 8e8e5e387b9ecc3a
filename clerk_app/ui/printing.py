"""Preview and print issued documents (一次性告知书, 受理回执, 不予受理通知书).

Documents are made as PDF by reportlab (:mod:`clerk_app.forms`); Qt's own PDF output is not
fit for official Chinese documents (STACK-FACTS). The preview shows the very PDF that will be
printed, rasterised with pypdfium2. Printing rasterises each page again at the printer's
resolution and draws it with QPainter, fitted to the printable area, so any installed
printer works (A4 laser or an 80 mm receipt printer) without a PDF-capable driver.

Rendering and rasterising run in the background through the :class:`TaskRunner`; the
recorded print (and so the next copy's "补打" mark) goes through the database worker.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clerk_app import paths
from clerk_app.domain.status import DocKind
from clerk_app.i18n import _
from clerk_app.services import documents
from clerk_app.services.common import Actor, Context
from clerk_app.ui import file_dialogs
from clerk_app.ui.qt import QtCore, QtGui, QtPrintSupport, QtWidgets, Qt, Signal
from clerk_app.ui.tasks import TaskRunner, error_text
from clerk_app.ui.widgets import MessageBanner, fit_to_screen

log = logging.getLogger(__name__)

PAPER_CHOICES = (("a4", _("A4 纸")), ("r80", _("80 mm 小票")))
PREVIEW_DPI = {"a4": 100.0, "r80": 150.0}
MAX_PRINT_DPI = 300.0
MM_PER_POINT = 25.4 / 72.0

# PDFium is not thread-safe: one rasterisation at a time in the whole process.
_pdfium_lock = threading.Lock()
_last_paper = "a4"


@dataclass(frozen=True)
class PageRaster:
    """One rasterised page as plain bytes (RGBX), safe to hand from a worker to the UI."""

    width: int
    height: int
    stride: int
    data: bytes
    width_pt: float
    height_pt: float


def rasterize(pdf: bytes, dpi: float) -> list[PageRaster]:
    """Every page of ``pdf`` at ``dpi``. Plain Python: runs on a worker."""
    import pypdfium2 as pdfium

    out: list[PageRaster] = []
    with _pdfium_lock:
        doc = pdfium.PdfDocument(pdf)
        try:
            for index in range(len(doc)):
                page = doc[index]
                try:
                    width_pt, height_pt = page.get_size()
                    bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True, prefer_bgrx=True)
                    try:
                        out.append(PageRaster(bitmap.width, bitmap.height, bitmap.stride,
                                              bytes(bitmap.buffer), width_pt, height_pt))
                    finally:
                        bitmap.close()
                finally:
                    page.close()
        finally:
            doc.close()
    return out


def paint_pages(printer: QtPrintSupport.QPrinter, pages: list[PageRaster]) -> bool:
    """Draw rasterised pages on a printer, each fitted to the page and centred across it.

    False when the printer cannot be started (off, offline, no paper path).
    """
    painter = QtGui.QPainter()
    if not painter.begin(printer):
        return False
    try:
        for i, page in enumerate(pages):
            if i:
                printer.newPage()
            image = page_image(page)
            area = painter.viewport()
            size = QtCore.QSizeF(image.width(), image.height()).scaled(
                QtCore.QSizeF(area.width(), area.height()), Qt.AspectRatioMode.KeepAspectRatio)
            x = (area.width() - size.width()) / 2.0
            painter.drawImage(QtCore.QRectF(x, 0, size.width(), size.height()), image)
    finally:
        painter.end()
    return True


def page_image(page: PageRaster) -> QtGui.QImage:
    image = QtGui.QImage(page.data, page.width, page.height, page.stride,
                         QtGui.QImage.Format.Format_RGBX8888)
    return image.copy()  # own the pixels: ``page.data`` may go away


def print_shortcuts(window: QtWidgets.QWidget, print_slot: Callable[[], None],
                    save_slot: Callable[[], None]) -> list[QtGui.QShortcut]:
    """Ctrl+P (print) and Ctrl+S (save as PDF) anywhere in ``window``, whatever has the focus.

    Separate shortcuts, so the buttons keep their Alt+letter mnemonics (``setShortcut`` on a
    button would replace them)."""
    out: list[QtGui.QShortcut] = []
    for key, slot in ((QtGui.QKeySequence.StandardKey.Print, print_slot),
                      (QtGui.QKeySequence.StandardKey.Save, save_slot)):
        shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)
        out.append(shortcut)
    return out


@dataclass
class Preview:
    pdf: bytes
    is_copy: bool
    pages: list[PageRaster]
    kind: str
    doc_no: str
    printed_before: int


def build_preview(ctx: Context, doc_id: int, paper: str, dpi: float) -> Preview:
    """Render the document and rasterise it for the screen (background worker)."""
    doc = documents.get_document(ctx, doc_id)
    pdf, is_copy = documents.render(ctx, doc_id, paper)
    return Preview(pdf=pdf, is_copy=is_copy, pages=rasterize(pdf, dpi), kind=doc.kind,
                   doc_no=doc.doc_no, printed_before=int(is_copy))


def kind_label(kind: str) -> str:
    try:
        return DocKind(kind).label
    except ValueError:
        return _("文书")


def safe_file_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "document"


class DocumentPreviewDialog(QtWidgets.QDialog):
    """Shows a document as it will print; prints it, or saves it as PDF."""

    #: (doc_id, is_copy as 0 or 1) after a print or a saved PDF was recorded
    printed = Signal(int, int)

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor, doc_id: int,
                 parent: QtWidgets.QWidget | None = None, paper: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DocumentPreviewDialog")
        self.ctx = ctx
        self.runner = runner
        self.actor = actor
        self.doc_id = doc_id
        self.preview: Preview | None = None
        self.images: list[QtGui.QImage] = []
        self.last_saved_path: Path | None = None
        self._generation = 0
        self._rendering = False
        self._busy = False
        self._print_target: tuple[Any, str, bool, str] | None = None
        self._closed = False
        self.setWindowTitle(_("文书预览"))
        self.setModal(False)
        self.resize(self.first_size())

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)

        # title row
        top = QtWidgets.QHBoxLayout()
        self.title_label = QtWidgets.QLabel(_("正在生成文书…"))
        self.title_label.setObjectName("previewTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.title_label)
        self.copy_badge = QtWidgets.QLabel(_("补打"))
        self.copy_badge.setObjectName("copyBadge")
        self.copy_badge.setToolTip(_("这份文书打印过，再打印的是补打副本，纸上会注明"))
        self.copy_badge.setStyleSheet(
            "QLabel#copyBadge { color: white; background: #c62828; border-radius: 9px;"
            " padding: 2px 10px; font-weight: bold; }")
        self.copy_badge.hide()
        top.addWidget(self.copy_badge)
        top.addStretch(1)
        paper_label = QtWidgets.QLabel(_("纸张(&Z)："))
        self.paper_combo = QtWidgets.QComboBox()
        self.paper_combo.setObjectName("paperCombo")
        for value, label in PAPER_CHOICES:
            self.paper_combo.addItem(label, value)
        paper_label.setBuddy(self.paper_combo)
        self.paper_combo.setCurrentIndex(max(0, self.paper_combo.findData(paper or _last_paper)))
        self.paper_combo.currentIndexChanged.connect(self._on_paper_changed)
        top.addWidget(paper_label)
        top.addWidget(self.paper_combo)
        layout.addLayout(top)

        self.banner = MessageBanner(self)
        layout.addWidget(self.banner)

        # pages
        self.scroll = QtWidgets.QScrollArea(self)
        self.scroll.setObjectName("previewScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll.setStyleSheet("QScrollArea#previewScroll { background: #8a919c; }")
        self.pages_widget = QtWidgets.QWidget()
        self.pages_widget.setObjectName("pagesWidget")
        self.pages_widget.setStyleSheet("QWidget#pagesWidget { background: #8a919c; }")
        self.pages_layout = QtWidgets.QVBoxLayout(self.pages_widget)
        self.pages_layout.setContentsMargins(16, 16, 16, 16)
        self.pages_layout.setSpacing(16)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.status_label = QtWidgets.QLabel(_("正在生成文书…"))
        self.status_label.setObjectName("previewStatus")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label.setStyleSheet("color: white; font-size: 15px; padding: 40px;")
        self.status_label.setWordWrap(True)
        self.pages_layout.addWidget(self.status_label)
        self.page_labels: list[QtWidgets.QLabel] = []
        self.scroll.setWidget(self.pages_widget)
        layout.addWidget(self.scroll, 1)

        # buttons
        buttons = QtWidgets.QHBoxLayout()
        self.info_label = QtWidgets.QLabel()
        self.info_label.setStyleSheet("color: #475569;")
        buttons.addWidget(self.info_label, 1)
        # the buttons keep their Alt+letter mnemonics (setShortcut would replace them);
        # Ctrl+P and Ctrl+S are window-wide shortcuts, whatever has the focus
        self.print_button = QtWidgets.QPushButton(_("打印(&P)…"))
        self.print_button.setObjectName("printButton")
        self.print_button.setToolTip(_("选择打印机并打印（Ctrl+P 或 Alt+P）"))
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QtWidgets.QPushButton(_("另存为 PDF(&S)…"))
        self.save_button.setObjectName("savePdfButton")
        self.save_button.setToolTip(_("保存为 PDF 文件（Ctrl+S 或 Alt+S）"))
        self.save_button.clicked.connect(self.save_as_pdf)
        self.shortcuts = print_shortcuts(self, self.print_document, self.save_as_pdf)
        self.close_button = QtWidgets.QPushButton(_("关闭(&C)"))
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        for b in (self.print_button, self.save_button, self.close_button):
            b.setMinimumHeight(34)
            buttons.addWidget(b)
        self.print_button.setDefault(True)
        layout.addLayout(buttons)

        self._set_actions_enabled(False)
        self.refresh()

    def first_size(self) -> QtCore.QSize:
        """940 x 860, or less where the free screen is smaller (a 1366 x 768 or 1024 x 768
        counter): the buttons stay on the screen and the page view scrolls instead."""
        return fit_to_screen(self, QtCore.QSize(940, 860))

    # -- public --------------------------------------------------------------------------

    @property
    def paper(self) -> str:
        return str(self.paper_combo.currentData())

    @property
    def is_copy(self) -> bool:
        return bool(self.preview and self.preview.is_copy)

    @property
    def busy(self) -> bool:
        return self._rendering or self._busy

    def refresh(self) -> None:
        """Render again (after a paper change, or after a print made the next one a copy)."""
        self._generation += 1
        self._rendering = True
        self._set_actions_enabled(False)
        if not self.page_labels:
            self.status_label.setText(_("正在生成文书…"))
            self.status_label.show()
        dpi = PREVIEW_DPI.get(self.paper, 100.0) * self._pixel_ratio()
        self.runner.run(build_preview, self.ctx, self.doc_id, self.paper, dpi,
                        on_success=self._on_rendered_gen(self._generation),
                        on_failure=self._on_render_failed_gen(self._generation),
                        background=True)

    def print_document(self) -> None:
        """Ask for a printer, rasterise at its resolution and print; then record the print."""
        if self.preview is None or self.busy:
            return
        printer = self._ask_printer()
        if printer is None:
            return
        target = printer.printerName() or printer.outputFileName() or _("打印机")
        dpi = float(min(max(printer.resolution(), 72), MAX_PRINT_DPI))
        self._print_target = (printer, target, self.preview.is_copy, self.paper)
        self._busy = True
        self._set_actions_enabled(False)
        self.info_label.setText(_("正在准备打印…"))
        self.runner.run(rasterize, self.preview.pdf, dpi, background=True,
                        on_success=_Callback(self, "_on_print_rasterized"),
                        on_failure=_Callback(self, "_on_print_failed"))

    def save_as_pdf(self) -> None:
        if self.preview is None or self.busy:
            return
        default = paths.documents_dir() / (safe_file_name(self.preview.doc_no) + ".pdf")
        chosen = self._ask_save_path(default)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self._busy = True
        self._set_actions_enabled(False)
        self.info_label.setText(_("正在保存…"))
        self.last_saved_path = path
        self.runner.run(documents.save_pdf, self.ctx, self.actor, self.doc_id, self.paper, path,
                        on_success=_Callback(self, "_on_saved"),
                        on_failure=_Callback(self, "_on_save_failed"))

    # -- hooks (tests replace these instead of opening modal dialogs) --------------------

    def _ask_printer(self) -> QtPrintSupport.QPrinter | None:
        printer = QtPrintSupport.QPrinter(QtPrintSupport.QPrinter.PrinterMode.HighResolution)
        self._prepare_printer(printer)
        dialog = QtPrintSupport.QPrintDialog(printer, self)
        dialog.setWindowTitle(_("打印{kind}").format(kind=kind_label(self.preview.kind)
                                                     if self.preview else ""))
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        return printer

    def _ask_save_path(self, default: Path) -> str:
        return file_dialogs.save_file(self, _("另存为 PDF"), str(default), _("PDF 文件 (*.pdf)"))

    def _prepare_printer(self, printer: QtPrintSupport.QPrinter) -> None:
        """Paper size of the document: A4, or the 80 mm roll at the page's own height."""
        printer.setDocName(self.preview.doc_no if self.preview else "")
        if self.paper == "r80" and self.preview and self.preview.pages:
            first = self.preview.pages[0]
            size = QtGui.QPageSize(
                QtCore.QSizeF(first.width_pt * MM_PER_POINT, first.height_pt * MM_PER_POINT),
                QtGui.QPageSize.Unit.Millimeter, _("80 mm 小票"),
                QtGui.QPageSize.SizeMatchPolicy.ExactMatch)
            printer.setPageSize(size)
            printer.setPageMargins(QtCore.QMarginsF(0, 0, 0, 0), QtGui.QPageLayout.Unit.Millimeter)
        else:
            printer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QtGui.QPageLayout.Orientation.Portrait)

    # -- results -------------------------------------------------------------------------

    def _on_rendered_gen(self, generation: int):
        return _Callback(self, "_on_rendered", generation)

    def _on_render_failed_gen(self, generation: int):
        return _Callback(self, "_on_render_failed", generation)

    def _on_rendered(self, generation: int, preview: Preview) -> None:
        if generation != self._generation:
            return
        self._rendering = False
        self.preview = preview
        ratio = self._pixel_ratio()
        self.images = []
        for label in self.page_labels:
            self.pages_layout.removeWidget(label)
            label.hide()
            label.deleteLater()
        self.page_labels = []
        self.status_label.hide()
        for i, page in enumerate(preview.pages):
            image = page_image(page)
            image.setDevicePixelRatio(ratio)
            self.images.append(image)
            label = QtWidgets.QLabel(self.pages_widget)
            label.setObjectName(f"page{i + 1}")
            label.setPixmap(QtGui.QPixmap.fromImage(image))
            label.setStyleSheet("background: white; border: 1px solid #5b6270;")
            label.setFixedSize(int(page.width / ratio) + 2, int(page.height / ratio) + 2)
            self.pages_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        title = _("{kind}　{no}").format(kind=kind_label(preview.kind), no=preview.doc_no)
        self.title_label.setText(title)
        self.setWindowTitle(_("文书预览 - {title}").format(title=title))
        self.copy_badge.setVisible(preview.is_copy)
        pages = len(preview.pages)
        if preview.is_copy:
            self.info_label.setText(_("共 {n} 页 · 已打印过，再打印为补打副本（纸上注明“补打”）").format(n=pages))
        else:
            self.info_label.setText(_("共 {n} 页 · 首次打印为原件").format(n=pages))
        if self.banner.level == "error":  # a failed render before this one
            self.banner.clear()
        self._set_actions_enabled(not self._busy)

    def _on_render_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._rendering = False
        self.preview = None
        self.status_label.setText(_("文书生成失败，无法预览和打印。"))
        self.status_label.show()
        self.banner.show_message(
            _("文书生成失败：{error}").format(error=error_text(error)), "error")
        self.banner.add_action(_("重试"), self.refresh, "retryButton")
        self.info_label.setText("")
        self._set_actions_enabled(False)

    def _on_print_rasterized(self, pages: list[PageRaster]) -> None:
        printer, target, is_copy, paper = self._print_target or (None, "", False, self.paper)
        if printer is None:
            return
        if not paint_pages(printer, pages):
            self._print_target = None
            self._finish_busy()
            self.banner.show_message(
                _("无法开始打印（{printer}），请检查打印机是否开机、联机。").format(printer=target),
                "error")
            return
        self.info_label.setText(_("已送打印机，正在登记…"))
        self.runner.run(documents.record_print, self.ctx, self.actor, self.doc_id, paper,
                        target, is_copy, on_success=_Callback(self, "_on_print_recorded"),
                        on_failure=_Callback(self, "_on_print_failed"))

    def _on_print_recorded(self, _result: object) -> None:
        _printer, target, is_copy, _paper = self._print_target or (None, "", False, "")
        self._print_target = None
        self._finish_busy()
        text = (_("已打印补打副本（{printer}）。") if is_copy else _("已打印（{printer}）。")).format(
            printer=target)
        self.banner.show_message(text, "success")
        self.printed.emit(self.doc_id, int(is_copy))
        self.refresh()

    def _on_print_failed(self, error: BaseException) -> None:
        self._print_target = None
        self._finish_busy()
        self.banner.show_message(_("打印失败：{error}").format(error=error_text(error)), "error")

    def _on_saved(self, is_copy: bool) -> None:
        self._finish_busy()
        path = str(self.last_saved_path)
        text = (_("已另存为补打副本：{path}") if is_copy else _("已另存为 PDF：{path}")).format(path=path)
        self.banner.show_message(text, "success")
        self.printed.emit(self.doc_id, int(is_copy))
        self.refresh()

    def _on_save_failed(self, error: BaseException) -> None:
        self._finish_busy()
        self.banner.show_message(_("保存失败：{error}").format(error=error_text(error)), "error")

    def done(self, result: int) -> None:  # Qt override: closing drops late results
        self._closed = True
        self._generation += 1
        super().done(result)

    # -- internals -----------------------------------------------------------------------

    def _on_paper_changed(self, _index: int) -> None:
        global _last_paper
        _last_paper = self.paper
        self.refresh()

    def _finish_busy(self) -> None:
        self._busy = False
        self._set_actions_enabled(self.preview is not None and not self._rendering)
        self.info_label.setText("")

    def _set_actions_enabled(self, enabled: bool) -> None:
        self.print_button.setEnabled(enabled)
        self.save_button.setEnabled(enabled)

    def _pixel_ratio(self) -> float:
        screen = self.screen()
        return float(screen.devicePixelRatio()) if screen is not None else 1.0


class _Callback:
    """Calls ``target.method`` with a result unless the dialog was closed meanwhile; with a
    render generation in front of the result when one is given (late renders are dropped)."""

    def __init__(self, target: DocumentPreviewDialog, method: str,
                 generation: int | None = None) -> None:
        self.target = target
        self.method = method
        self.generation = generation

    def __call__(self, value: Any) -> None:
        if self.target._closed:
            log.debug("preview closed before %s", self.method)
            return
        if self.generation is None:
            getattr(self.target, self.method)(value)
        else:
            getattr(self.target, self.method)(self.generation, value)


def show_document(parent: QtWidgets.QWidget | None, ctx: Context, runner: TaskRunner,
                  actor: Actor, doc_id: int, paper: str | None = None) -> DocumentPreviewDialog:
    """Open the preview of a document, not blocking the page behind it."""
    dialog = DocumentPreviewDialog(ctx, runner, actor, doc_id, parent, paper)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog

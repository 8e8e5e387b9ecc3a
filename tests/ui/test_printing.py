"""The document preview: pages shown, printing to any printer, saving as PDF, 补打 copies."""

from __future__ import annotations

import subprocess

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from clerk_app.domain import ids
from clerk_app.services import catalog, documents, intake
from clerk_app.store.models import PrintRecord
from clerk_app.ui import printing
from clerk_app.ui.printing import DocumentPreviewDialog, rasterize, show_document
from clerk_app.ui.qt import QtPrintSupport, Qt
from tests.ui.conftest import check_preview_fits_and_keys



def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, check=True)
    return "".join(done.stdout.decode("utf-8").split())


@pytest.fixture
def doc_id(demo_ctx, clerk) -> int:
    item = next(it for it in catalog.current_items(demo_ctx) if it.name == "最低生活保障申请")
    lines = intake.checklist_for(item)
    for ln in lines:
        ln.condition_applies = None if ln.required else False
        ln.state = ln.expected_state() if ln.required else ln.state.NOT_APPLICABLE
        ln.copies_received = ln.copies_required if ln.required else 0
    body = "42052819781010" + "135"
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, intake.ApplicantInput(
        name="覃明珠", id_number=body + ids.iso7064_mod11_2(body), phone="13600001234"), lines))
    return out.document_id


@pytest.fixture
def dialog(qtbot, demo_ctx, runner, clerk, doc_id, wait_idle):
    d = DocumentPreviewDialog(demo_ctx, runner, clerk, doc_id, paper="a4")
    qtbot.addWidget(d)
    d.show()
    wait_idle()
    yield d
    wait_idle()


def prints(ctx, doc_id):
    with ctx.tx() as s:
        return list(s.scalars(select(PrintRecord).where(PrintRecord.document_id == doc_id)
                              .order_by(PrintRecord.id)))


def test_preview_shows_the_rendered_pages(dialog, doc_id, demo_ctx):
    assert dialog.preview is not None
    assert len(dialog.page_labels) == len(dialog.preview.pages) >= 1
    image = dialog.images[0]
    assert not image.isNull() and image.height() > image.width()  # A4 portrait
    doc = documents.get_document(demo_ctx, doc_id)
    assert doc.doc_no in dialog.title_label.text()
    assert "受理回执" in dialog.title_label.text()
    assert not dialog.copy_badge.isVisible()
    assert dialog.print_button.isEnabled() and dialog.save_button.isEnabled()
    # a page is not blank: it has dark pixels (text)
    colours = {image.pixelColor(x, y).lightness() for x in range(0, image.width(), 7)
               for y in range(0, image.height() // 3, 7)}
    assert min(colours) < 100


def test_receipt_paper_renders_a_narrow_page(dialog, wait_idle, monkeypatch):
    monkeypatch.setattr(printing, "_last_paper", "a4")
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("r80"))
    wait_idle()
    assert dialog.paper == "r80"
    page = dialog.preview.pages[0]
    assert page.width_pt == pytest.approx(80 / 25.4 * 72, rel=0.02)
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("a4"))
    wait_idle()


def test_save_as_pdf_records_but_leaves_the_original_to_paper(qtbot, dialog, demo_ctx, doc_id,
                                                              tmp_path, monkeypatch, wait_idle):
    targets = iter([tmp_path / "first.pdf", tmp_path / "second"])
    monkeypatch.setattr(dialog, "_ask_save_path", lambda default: str(next(targets)))
    assert not documents.has_been_printed(demo_ctx, doc_id)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    first = tmp_path / "first.pdf"
    assert first.read_bytes().startswith(b"%PDF")
    records = prints(demo_ctx, doc_id)
    assert len(records) == 1 and not records[0].is_copy and records[0].target == str(first)
    assert records[0].medium == "pdf"
    assert "补打" not in pdf_text(first.read_bytes())
    # a PDF for the archive: the citizen's paper will still be the original
    assert not dialog.is_copy and not dialog.copy_badge.isVisible()
    assert "已另存为 PDF" in dialog.banner.text()

    # once printed on paper, a saved PDF is a copy
    documents.record_print(demo_ctx, dialog.actor, doc_id, "a4", "窗口打印机", False)
    dialog.refresh()
    wait_idle()
    assert dialog.is_copy and dialog.copy_badge.isVisible()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    second = tmp_path / "second.pdf"  # the extension is added
    assert "补打" in pdf_text(second.read_bytes())
    records = prints(demo_ctx, doc_id)
    assert [(r.medium, r.is_copy) for r in records] == [("pdf", False), ("paper", False),
                                                        ("pdf", True)]
    assert "补打副本" in dialog.banner.text()


def test_print_rasterises_for_the_printer_and_records(qtbot, dialog, demo_ctx, doc_id, tmp_path,
                                                      monkeypatch, wait_idle):
    out = tmp_path / "printer-output.pdf"

    def fake_printer():
        printer = QtPrintSupport.QPrinter(QtPrintSupport.QPrinter.PrinterMode.HighResolution)
        dialog._prepare_printer(printer)
        printer.setOutputFormat(QtPrintSupport.QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(150)
        return printer

    monkeypatch.setattr(dialog, "_ask_printer", fake_printer)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert out.exists()
    printed = pdfium.PdfDocument(out.read_bytes())
    try:
        assert len(printed) == len(dialog.preview.pages)
        width, height = printed[0].get_size()
        assert width == pytest.approx(595, abs=3) and height == pytest.approx(842, abs=3)
    finally:
        printed.close()
    records = prints(demo_ctx, doc_id)
    assert len(records) == 1 and records[0].target == str(out) and not records[0].is_copy
    assert records[0].paper == "a4"
    assert dialog.copy_badge.isVisible()


def test_cancelled_print_dialog_prints_nothing(qtbot, dialog, demo_ctx, doc_id, monkeypatch,
                                               wait_idle):
    monkeypatch.setattr(dialog, "_ask_printer", lambda: None)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert prints(demo_ctx, doc_id) == []


def test_rendering_failure_is_shown(qtbot, demo_ctx, runner, clerk, wait_idle):
    d = DocumentPreviewDialog(demo_ctx, runner, clerk, 999999)
    qtbot.addWidget(d)
    d.show()
    wait_idle()
    assert d.preview is None
    assert d.banner.isVisible() and d.banner.level == "error"
    assert "找不到该文书" in d.banner.text()
    assert not d.print_button.isEnabled() and not d.save_button.isEnabled()


def test_show_document_opens_without_blocking(qtbot, demo_ctx, runner, clerk, doc_id, wait_idle,
                                             monkeypatch):
    monkeypatch.setattr(printing, "_last_paper", "a4")  # the paper choice is remembered
    d = show_document(None, demo_ctx, runner, clerk, doc_id)
    assert d.isVisible()
    wait_idle()
    assert d.page_labels
    d.paper_combo.setCurrentIndex(d.paper_combo.findData("r80"))  # a render in flight...
    with qtbot.waitSignal(d.destroyed, timeout=5000):
        d.close()  # ...when the dialog goes away (it deletes itself on close)
    wait_idle()


def test_rasterize_every_page(demo_ctx, doc_id):
    pdf, _copy = documents.render(demo_ctx, doc_id, "a4")
    pages = rasterize(pdf, 72)
    assert pages and pages[0].width == pytest.approx(595, abs=2)
    assert len(pages[0].data) == pages[0].stride * pages[0].height


def test_preview_fits_a_small_screen_and_its_keys_work_from_the_paper_box(
        qtbot, dialog, monkeypatch, wait_idle):
    check_preview_fits_and_keys(qtbot, dialog, dialog.paper_combo, monkeypatch)

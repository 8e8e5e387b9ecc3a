"""File dialogs: every label in Chinese, and every dialog of the program made in one place."""

from __future__ import annotations

import re
from pathlib import Path

from clerk_app.ui import file_dialogs
from clerk_app.ui.qt import QtCore, QtWidgets

UI = Path(file_dialogs.__file__).parent


def test_qt_own_dialog_has_no_english_label(qapp, qtbot):
    from clerk_app.ui.app import install_qt_translation

    install_qt_translation(qapp)
    for saving in (True, False):
        dialog = file_dialogs.make_dialog(None, "另存为 PDF", "", "PDF 文件 (*.pdf)", saving)
        qtbot.addWidget(dialog)
        dialog.setOption(QtWidgets.QFileDialog.Option.DontUseNativeDialog, True)
        for label in QtWidgets.QFileDialog.DialogLabel:
            text = dialog.labelText(label).replace("&", "")
            assert text and not re.search(r"[A-Za-z]{2,}", text), (label, text)
        # what the dialog shows, not only what it was told
        shown = " ".join(w.text() for w in dialog.findChildren(QtWidgets.QLabel))
        assert "Look in" not in shown and "Files of type" not in shown


def test_a_cancelled_dialog_answers_nothing(qapp, qtbot, tmp_path):
    dialog = file_dialogs.make_dialog(None, "选择回执文件", str(tmp_path), "同步文件 (*.json)",
                                      saving=False)
    qtbot.addWidget(dialog)
    QtCore.QTimer.singleShot(0, dialog.reject)
    assert file_dialogs._ask(dialog) == ""


def test_no_page_opens_a_file_dialog_of_its_own():
    direct = [p.name for p in UI.glob("*.py") if p.name != "file_dialogs.py"
              and re.search(r"QFileDialog\.get(Open|Save)", p.read_text(encoding="utf-8"))]
    assert direct == [], direct

"""Qt's own texts (standard buttons, wizard buttons, context menus) are Chinese."""

from __future__ import annotations

import re

from clerk_app.ui.qt import QtWidgets

CJK = re.compile(r"[\u4e00-\u9fff]")
BOX = QtWidgets.QDialogButtonBox.StandardButton


def _texts(box: QtWidgets.QDialogButtonBox) -> set[str]:
    return {b.text().replace("&", "") for b in box.buttons()}


def test_start_up_loads_qts_chinese_translation(qapp):
    from clerk_app.ui.app import create_application

    assert create_application() is qapp
    assert qapp.property("clerk_qt_translation")
    box = QtWidgets.QDialogButtonBox(BOX.Save | BOX.Close | BOX.Cancel | BOX.Ok | BOX.Yes | BOX.No)
    assert _texts(box) >= {"保存", "关闭", "取消", "确定"}
    assert all(CJK.search(t) for t in _texts(box)), _texts(box)
    wizard = QtWidgets.QWizard()
    assert "下一步" in wizard.buttonText(QtWidgets.QWizard.WizardButton.NextButton)
    edit = QtWidgets.QLineEdit()
    menu = edit.createStandardContextMenu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts and all(CJK.search(t) for t in texts), texts
    menu.deleteLater()
    # once only, however often it is called
    assert create_application() is qapp


def test_the_sync_settings_dialog_buttons_are_chinese(qtbot, qapp, demo_ctx, supervisor, runner,
                                                      wait_idle):
    from clerk_app.ui.app import create_application
    from clerk_app.ui.sync_dialogs import SyncSettingsDialog

    create_application()
    dialog = SyncSettingsDialog(demo_ctx, supervisor, runner)
    qtbot.addWidget(dialog)
    wait_idle()
    box = dialog.findChild(QtWidgets.QDialogButtonBox)
    assert _texts(box) == {"保存", "关闭"}

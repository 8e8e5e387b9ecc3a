"""Open and save file dialogs with every label in Chinese.

Qt's own file dialog (used where the platform offers none, as on a bare Linux desktop) takes
most of its texts from the Chinese catalog, but asks for "&Look in:" and "Files of &type:"
with a mnemonic that the catalog does not have, so those two stayed English. Every file
dialog of the program goes through here.
"""

from __future__ import annotations

from clerk_app.i18n import _
from clerk_app.ui.qt import QtWidgets

_LABELS = {
    QtWidgets.QFileDialog.DialogLabel.LookIn: _("查找范围(&L)："),
    QtWidgets.QFileDialog.DialogLabel.FileName: _("文件名(&N)："),
    QtWidgets.QFileDialog.DialogLabel.FileType: _("文件类型(&T)："),
}


def make_dialog(parent: QtWidgets.QWidget | None, caption: str, start: str, filters: str,
                saving: bool) -> QtWidgets.QFileDialog:
    dialog = QtWidgets.QFileDialog(parent, caption, start, filters)
    dialog.setAcceptMode(QtWidgets.QFileDialog.AcceptMode.AcceptSave if saving
                         else QtWidgets.QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QtWidgets.QFileDialog.FileMode.AnyFile if saving
                       else QtWidgets.QFileDialog.FileMode.ExistingFile)
    for label, text in _LABELS.items():
        dialog.setLabelText(label, text)
    dialog.setLabelText(QtWidgets.QFileDialog.DialogLabel.Accept, _("保存(&S)") if saving else _("打开(&O)"))
    dialog.setLabelText(QtWidgets.QFileDialog.DialogLabel.Reject, _("取消"))
    return dialog


def _ask(dialog: QtWidgets.QFileDialog) -> str:
    if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
        return ""
    chosen = dialog.selectedFiles()
    return chosen[0] if chosen else ""


def open_file(parent: QtWidgets.QWidget | None, caption: str, start: str = "",
              filters: str = "") -> str:
    """The path the user picked to open, or "" when cancelled."""
    return _ask(make_dialog(parent, caption, start, filters, saving=False))


def save_file(parent: QtWidgets.QWidget | None, caption: str, start: str = "",
              filters: str = "") -> str:
    """The path the user picked to save to, or "" when cancelled (Qt asks before replacing)."""
    return _ask(make_dialog(parent, caption, start, filters, saving=True))

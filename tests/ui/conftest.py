"""UI test helpers: Chinese typed as an input method does, and waiting for background work."""

from __future__ import annotations

import pytest


def type_text(widget, text: str) -> None:
    """Type ``text`` into ``widget`` the way an input method commits it.

    ``qtbot.keyClicks`` aborts the test process on non-Latin-1 text (STACK-FACTS), so
    Chinese goes through a QInputMethodEvent with a commit string.
    """
    from clerk_app.ui.qt import QtCore, QtGui, QtWidgets

    widget.setFocus()
    event = QtGui.QInputMethodEvent("", [])
    event.setCommitString(text)
    QtWidgets.QApplication.sendEvent(widget, event)
    QtCore.QCoreApplication.processEvents()


@pytest.fixture
def runner(qtbot):
    from clerk_app.ui.tasks import TaskRunner

    r = TaskRunner()
    yield r
    qtbot.waitUntil(lambda: r.idle, timeout=10000)
    r.shutdown()


@pytest.fixture
def wait_idle(qtbot, runner):
    def wait(timeout: int = 10000) -> None:
        qtbot.waitUntil(lambda: runner.idle, timeout=timeout)

    return wait


@pytest.fixture
def styled(qapp):
    """The program's own fonts, palette and stylesheet (sizes depend on them); put back after."""
    from clerk_app.ui import style

    old_font, old_sheet, old_palette = qapp.font(), qapp.styleSheet(), qapp.palette()
    style.apply_style(qapp)
    yield qapp
    qapp.setStyleSheet(old_sheet)
    qapp.setFont(old_font)
    qapp.setPalette(old_palette)

"""Operator names are checked when typed, and shown as typed: never as rich text."""

from __future__ import annotations

import dataclasses

import pytest

from clerk_app.services import auth
from clerk_app.ui.qt import QtWidgets, Qt
from tests.ui.conftest import type_text

HTML_NAME = "王<b>五</b><img src=x>"


def _idle(qtbot, runner) -> None:
    qtbot.waitUntil(lambda: runner.idle, timeout=15000)


@pytest.fixture
def operators(qtbot, demo_ctx, supervisor, runner):
    from clerk_app.ui.admin_dialogs import OperatorsDialog

    d = OperatorsDialog(demo_ctx, runner, supervisor)
    qtbot.addWidget(d)
    d.show()
    _idle(qtbot, runner)
    return d


def _add(qtbot, operators, username: str, name: str):
    qtbot.mouseClick(operators.add_button, Qt.MouseButton.LeftButton)
    add = operators.add_dialog
    qtbot.keyClicks(add.username_edit, username)
    type_text(add.name_edit, name)
    qtbot.keyClicks(add.passwords.first, "window2026")
    qtbot.keyClicks(add.passwords.second, "window2026")
    return add


@pytest.mark.parametrize("name, why", [(HTML_NAME, "< 或 >"), ("王" * 300, "最多 30 个字")])
def test_the_add_dialog_refuses_markup_and_overlong_names(qtbot, operators, demo_ctx, runner,
                                                          name, why):
    add = _add(qtbot, operators, "wangwu", name)
    add.submit()
    _idle(qtbot, runner)
    assert why in add.message.text() and add.isVisible()
    assert "wangwu" not in [op.username for op in auth.list_operators(demo_ctx)]


def test_messages_quoting_a_name_are_plain_text(qtbot, operators, demo_ctx, runner):
    # a name that came in some other way (older data, the county's operator list)
    add = _add(qtbot, operators, "wangfang", "王芳")
    with qtbot.waitSignal(add.added, timeout=10000):
        add.submit()
    _idle(qtbot, runner)
    assert operators.message.textFormat() == Qt.TextFormat.PlainText
    assert add.message.textFormat() == Qt.TextFormat.PlainText
    new = next(op for op in auth.list_operators(demo_ctx) if op.username == "wangfang")

    from clerk_app.ui.admin_dialogs import ResetPasswordDialog

    reset = ResetPasswordDialog(demo_ctx, runner, operators.actor, new.id, HTML_NAME + "（wangfang）")
    qtbot.addWidget(reset)
    assert reset.who_label.textFormat() == Qt.TextFormat.PlainText
    assert HTML_NAME in reset.who_label.text()


def test_the_lock_screen_and_status_bar_show_a_name_as_typed(qtbot, demo_ctx, clerk, runner):
    from clerk_app.ui.main_window import MainWindow

    odd = dataclasses.replace(clerk, name=HTML_NAME)
    w = MainWindow(demo_ctx, runner, odd, idle_lock_ms=0)
    qtbot.addWidget(w)
    w.show()
    assert w.operator_label.textFormat() == Qt.TextFormat.PlainText
    assert HTML_NAME in w.operator_label.text()
    assert w.lock_screen.who_label.textFormat() == Qt.TextFormat.PlainText
    assert HTML_NAME in w.lock_screen.who_label.text()
    _idle(qtbot, runner)


def test_the_set_up_summary_is_plain_text_and_the_name_is_checked(qtbot, ctx, runner):
    from clerk_app.ui.setup_wizard import SetupWizard

    w = SetupWizard(ctx, runner)
    qtbot.addWidget(w)
    assert w.summary_page.summary_label.textFormat() == Qt.TextFormat.PlainText
    page = w.supervisor_page
    qtbot.keyClicks(page.username_edit, "wangjh")
    type_text(page.name_edit, HTML_NAME)
    qtbot.keyClicks(page.passwords.first, "window2026")
    qtbot.keyClicks(page.passwords.second, "window2026")
    assert not page.validatePage()
    assert "< 或 >" in page.message_label.text()
    assert isinstance(page.message_label, QtWidgets.QLabel)
    _idle(qtbot, runner)

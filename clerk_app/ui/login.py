"""Logging in, and the idle lock that covers the window when the counter is left alone.

``LoginDialog`` checks the password on the database worker (a login writes the audit log and
counts failures) and emits ``logged_in(actor)``. ``IdleWatcher`` watches the whole
application's input and emits ``idle`` after a quiet spell; ``LockScreen`` then covers the
main window until the same operator types the password again, or someone switches user.
"""

from __future__ import annotations

from clerk_app.i18n import _
from clerk_app.services import auth, setup
from clerk_app.services.common import Actor, Context, get_setting
from clerk_app.ui.qt import QtCore, QtWidgets, Qt, Signal, Slot
from clerk_app.ui.style import make_primary
from clerk_app.ui.tasks import TaskRunner, error_text

DEFAULT_IDLE_LOCK_MINUTES = 10
IDLE_LOCK_SETTING = "idle_lock_minutes"


def idle_lock_minutes(ctx: Context) -> int:
    """The idle-lock delay from the settings (0 turns the lock off), default 10 minutes."""
    with ctx.tx() as s:
        raw = get_setting(s, IDLE_LOCK_SETTING, str(DEFAULT_IDLE_LOCK_MINUTES))
    try:
        return max(0, int(str(raw).strip()))
    except ValueError:
        return DEFAULT_IDLE_LOCK_MINUTES


class LoginDialog(QtWidgets.QDialog):
    """User name and password; Enter logs in."""

    logged_in = Signal(object)  # Actor

    def __init__(self, ctx: Context, runner: TaskRunner, demo: bool = False,
                 parent: QtWidgets.QWidget | None = None, service_point_name: str = "") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.actor: Actor | None = None
        self._pending = False
        self.setWindowTitle(_("登录"))
        self.setObjectName("loginDialog")
        self.setMinimumWidth(460)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        title = QtWidgets.QLabel(_("便民服务窗口受理"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        if service_point_name:
            where = QtWidgets.QLabel(service_point_name)
            where.setObjectName("hint")
            layout.addWidget(where)

        form = QtWidgets.QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.username_edit = QtWidgets.QLineEdit()
        self.username_edit.setPlaceholderText(_("例如 zhangli"))
        self.username_edit.setMaxLength(40)
        self.password_edit = QtWidgets.QLineEdit()
        self.password_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        form.addRow(_("用户名"), self.username_edit)
        form.addRow(_("密码"), self.password_edit)
        layout.addLayout(form)

        self.message_label = QtWidgets.QLabel()
        self.message_label.setObjectName("errorText")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)

        if demo:
            accounts = "\n".join(
                _("{username}　{name}（{role}）").format(username=u, name=n, role=r.label)
                for u, n, r in setup.DEMO_OPERATORS
            )
            self.demo_label = QtWidgets.QLabel(
                _("演示账号（密码均为 {password}）：\n{accounts}").format(
                    password=setup.DEMO_PASSWORD, accounts=accounts)
            )
            self.demo_label.setObjectName("hint")
            self.demo_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(self.demo_label)
        else:
            self.demo_label = None

        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QtWidgets.QPushButton(_("退出"))
        self.login_button = make_primary(QtWidgets.QPushButton(_("登录")))
        self.login_button.setDefault(True)
        self.login_button.setAutoDefault(True)
        self.cancel_button.setAutoDefault(False)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.login_button)
        layout.addLayout(buttons)

        self.login_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.username_edit.returnPressed.connect(self._on_username_return)
        self.password_edit.returnPressed.connect(self.submit)
        self.username_edit.setFocus()

    @Slot()
    def _on_username_return(self) -> None:
        if self.password_edit.text():
            self.submit()
        else:
            self.password_edit.setFocus()

    @Slot()
    def submit(self) -> None:
        if self._pending:
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username:
            self._show_message(_("请输入用户名。"))
            self.username_edit.setFocus()
            return
        if not password:
            self._show_message(_("请输入密码。"))
            self.password_edit.setFocus()
            return
        self._set_pending(True)
        self.runner.run(auth.login, self.ctx, username, password,
                        on_success=self._on_login_ok, on_failure=self._on_login_failed)

    def _on_login_ok(self, actor: Actor) -> None:
        self._set_pending(False)
        self.actor = actor
        self.password_edit.clear()
        self.logged_in.emit(actor)
        self.accept()

    def _on_login_failed(self, error: BaseException) -> None:
        self._set_pending(False)
        self._show_message(error_text(error))
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    def _set_pending(self, pending: bool) -> None:
        self._pending = pending
        self.login_button.setEnabled(not pending)
        self.login_button.setText(_("正在登录…") if pending else _("登录"))

    def message(self) -> str:
        return self.message_label.text() if self.message_label.isVisibleTo(self) else ""


class IdleWatcher(QtCore.QObject):
    """Emits ``idle`` after ``timeout_ms`` without keyboard or mouse input anywhere in the app."""

    idle = Signal()

    _INPUT_EVENTS = frozenset({
        QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.MouseButtonPress,
        QtCore.QEvent.Type.MouseMove, QtCore.QEvent.Type.Wheel,
        QtCore.QEvent.Type.InputMethod, QtCore.QEvent.Type.TouchBegin,
    })

    def __init__(self, timeout_ms: int, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._paused = False
        self.set_timeout(timeout_ms)
        app = QtCore.QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_timeout(self, timeout_ms: int) -> None:
        self._timeout_ms = max(0, int(timeout_ms))
        if self._timeout_ms:
            self._timer.setInterval(self._timeout_ms)
            if not self._paused:
                self._timer.start()
        else:
            self._timer.stop()

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    def pause(self) -> None:
        """Stop counting (while the lock screen shows)."""
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        self._paused = False
        if self._timeout_ms:
            self._timer.start()

    def stop(self) -> None:
        self.pause()
        app = QtCore.QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # Qt override
        if not self._paused and self._timeout_ms and event.type() in self._INPUT_EVENTS:
            self._timer.start()
        return False

    @Slot()
    def _on_timeout(self) -> None:
        if not self._paused:
            self.idle.emit()


class LockScreen(QtWidgets.QWidget):
    """Covers its parent window: the same operator's password, or 切换用户."""

    unlocked = Signal()
    switch_user_requested = Signal()

    def __init__(self, ctx: Context, runner: TaskRunner, actor: Actor,
                 parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.actor = actor
        self._pending = False
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)

        outer = QtWidgets.QVBoxLayout(self)
        outer.addStretch(2)
        card = QtWidgets.QFrame()
        card.setObjectName("lockCard")
        card.setMaximumWidth(520)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(3)

        layout = QtWidgets.QVBoxLayout(card)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(12)
        title = QtWidgets.QLabel(_("窗口已锁定"))
        title.setObjectName("pageTitle")
        title.setStyleSheet("color: #ffffff;")
        layout.addWidget(title)
        self.who_label = QtWidgets.QLabel(
            _("当前操作员：{name}（{username}）。请输入密码继续。").format(
                name=actor.name, username=actor.username))
        self.who_label.setTextFormat(Qt.TextFormat.PlainText)
        self.who_label.setWordWrap(True)
        layout.addWidget(self.who_label)
        self.password_edit = QtWidgets.QLineEdit()
        self.password_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(_("密码"))
        layout.addWidget(self.password_edit)
        self.message_label = QtWidgets.QLabel()
        self.message_label.setObjectName("errorText")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        layout.addWidget(self.message_label)
        buttons = QtWidgets.QHBoxLayout()
        self.switch_button = QtWidgets.QPushButton(_("切换用户"))
        self.unlock_button = make_primary(QtWidgets.QPushButton(_("解锁")))
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)

        self.unlock_button.clicked.connect(self.submit)
        self.password_edit.returnPressed.connect(self.submit)
        self.switch_button.clicked.connect(self._on_switch_clicked)
        self.hide()
        parent.installEventFilter(self)

    def lock(self) -> None:
        self.password_edit.clear()
        self.message_label.hide()
        self._fit()
        self.show()
        self.raise_()
        self.password_edit.setFocus()

    @property
    def locked(self) -> bool:
        return self.isVisible()

    @Slot()
    def submit(self) -> None:
        if self._pending:
            return
        password = self.password_edit.text()
        if not password:
            self._show_message(_("请输入密码。"))
            return
        self._pending = True
        self.unlock_button.setEnabled(False)
        # auth.unlock rather than auth.check_password: its refusal says why (wrong password,
        # or the account locked after too many tries), which the clerk needs to know.
        self.runner.run(auth.unlock, self.ctx, self.actor, password,
                        on_success=self._on_unlock_ok, on_failure=self._on_unlock_failed)

    def _on_unlock_ok(self, actor: Actor) -> None:
        self._pending = False
        self.unlock_button.setEnabled(True)
        self.password_edit.clear()
        self.hide()
        self.unlocked.emit()

    def _on_unlock_failed(self, error: BaseException) -> None:
        self._pending = False
        self.unlock_button.setEnabled(True)
        self._show_message(error_text(error))
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    @Slot()
    def _on_switch_clicked(self) -> None:
        self.switch_user_requested.emit()

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt override
        """Tab and Shift+Tab go round the lock screen's own fields and buttons; the window
        underneath (the status bar's 立即同步, the pages) is not reachable while locked."""
        chain = [w for w in (self.password_edit, self.switch_button, self.unlock_button)
                 if w.isVisible() and w.isEnabled()]
        if not chain:
            return True
        current = QtWidgets.QApplication.focusWidget()
        if current in chain:
            index = (chain.index(current) + (1 if next else -1)) % len(chain)
        else:
            index = 0 if next else len(chain) - 1
        chain[index].setFocus(Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason)
        return True

    def _fit(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # Qt override
        if watched is self.parentWidget() and event.type() == QtCore.QEvent.Type.Resize:
            self._fit()
        return False

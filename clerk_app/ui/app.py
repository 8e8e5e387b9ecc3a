"""Starting the window: fonts and style, the database, then set-up → login → main window.

``run(demo)`` is what ``clerk-app`` calls. :class:`AppController` walks from one screen to the
next with signals (no nested event loops), so tests and the start-up benchmark can drive the
same path the program takes.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

from clerk_app import paths
from clerk_app.i18n import _
from clerk_app.services import setup
from clerk_app.services.common import Actor, Context
from clerk_app.ui.qt import QtCore, QtWidgets, Signal, Slot
from clerk_app.ui.style import apply_style
from clerk_app.ui.tasks import TaskRunner, error_text

log = logging.getLogger(__name__)

APP_NAME = "clerk-app"
ORG_NAME = "clerk-app"
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_ALREADY_RUNNING = 2
LOCK_FILE_NAME = "clerk-app.lock"
QT_CATALOGS = ("qtbase_zh_CN", "qt_zh_CN")  # Qt's own texts: 保存, 关闭, 取消, file dialogs, menus


class _WhileAlive:
    """A runner callback that does nothing once its owner widget has been destroyed.

    Background work can finish after its window was closed and deleted (切换用户, a dialog
    closed early); calling into the deleted widget would raise in the event loop.
    """

    __slots__ = ("alive", "callback", "owner", "__weakref__")

    def __init__(self, owner: QtCore.QObject, callback: Callable[[Any], None]) -> None:
        self.alive = True
        self.callback = callback
        self.owner = owner
        owner.destroyed.connect(self._on_destroyed)

    def _on_destroyed(self, *_args: object) -> None:
        self.alive = False

    def __call__(self, value: Any) -> None:
        if not self.alive:
            return
        try:
            self.owner.destroyed.disconnect(self._on_destroyed)
        except (RuntimeError, TypeError):
            pass
        self.callback(value)


def while_alive(owner: QtCore.QObject, callback: Callable[[Any], None]) -> Callable[[Any], None]:
    """Wrap a ``TaskRunner`` callback so it is skipped if ``owner`` is gone by then.

    The runner already skips methods of deleted Qt objects; this is for lambdas and other
    callables whose owner it cannot see.
    """
    return _WhileAlive(owner, callback)


def warm_up() -> None:
    """Worker side: import what the main window needs but the login dialog does not.

    Runs while the login dialog waits for the password, so logging in does not wait for the
    pinyin tables of the catalog search or reportlab for the documents. Plain Python modules
    only; Qt classes are imported on the UI thread.
    """
    import importlib

    for name in ("clerk_app.domain.search", "clerk_app.services.documents", "clerk_app.forms.fonts",
                 "clerk_app.services.intake", "clerk_app.services.sync_admin"):
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional piece shows up where it is used
            log.exception("warm-up import of %s failed", name)


def create_application(argv: list[str] | None = None, use_data_dir: bool = True) -> QtWidgets.QApplication:
    """The QApplication with its names, fonts, palette and stylesheet.

    ``use_data_dir=False``: nothing of it is kept in the data folder (it may be unusable).
    """
    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(_("便民服务窗口受理"))
    install_qt_translation(app)
    apply_style(app, use_data_dir=use_data_dir)
    return app


def install_qt_translation(app: QtCore.QCoreApplication) -> bool:
    """Qt's own texts in Chinese: standard buttons (Save, Close, Cancel), QFileDialog,
    QWizard, the context menus of text fields. Loads ``qtbase_zh_CN`` from the translations
    PySide6 ships; once per application. False (and English texts) if none is found."""
    if app.property("clerk_qt_translation"):
        return True
    folder = QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)
    for name in QT_CATALOGS:
        translator = QtCore.QTranslator(app)  # owned by the application: lives as long
        if translator.load(name, folder) and app.installTranslator(translator):
            app.setProperty("clerk_qt_translation", name)
            return True
        translator.deleteLater()
    log.warning("no Chinese translation of Qt's own texts in %s", folder)
    return False


def acquire_instance_lock(folder) -> QtCore.QLockFile | None:  # noqa: ANN001 - a Path
    """The data folder's lock, held while the program runs; None if another program holds it.

    A lock left behind by a program that crashed or was killed is taken over: with a stale
    time of 0 a lock is never stale by its age (a long day at the counter), only when the
    process that wrote it no longer runs.
    """
    lock = QtCore.QLockFile(str(folder / LOCK_FILE_NAME))
    lock.setStaleLockTime(0)
    if lock.tryLock(100):
        return lock
    if lock.error() == QtCore.QLockFile.LockError.LockFailedError:
        return None
    # the file cannot be written at all (permissions): no lock to share, let the database say
    log.warning("cannot create the lock file in %s (%s)", folder, lock.error())
    return lock


def already_running_text(folder) -> str:  # noqa: ANN001 - a Path
    return _(
        "程序已在本机运行（数据目录 {folder}）。\n\n"
        "请切换到已经打开的窗口（看一下任务栏）。同一个数据目录只能由一个程序使用，"
        "否则办件编号可能重复。"
    ).format(folder=folder)


def open_context() -> Context:
    """The device's database, migrated to the newest schema. Raises on any problem."""
    from clerk_app.store.db import Database

    return Context(Database(paths.database_path()))


def database_error_text(error: BaseException) -> str:
    message = getattr(error, "message", None)
    if isinstance(message, str) and message:  # DataDirError, DatabaseError: already in words
        return message
    return _(
        "无法打开本机数据库：\n{path}\n\n原因：{error}\n\n"
        "请检查磁盘是否已满、文件是否被其他程序占用或没有权限。"
        "请不要删除该文件（里面有本机的全部办件），并联系县中心技术支持。"
    ).format(path=paths.database_path(), error=f"{type(error).__name__}: {error}")


def fatal_box(text: str) -> QtWidgets.QMessageBox:
    """The start-up error box: the first paragraph as the message, the rest below it, and a
    margin all round (without a window manager there is no title bar above the first line)."""
    first, _sep, rest = text.partition("\n\n")
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Critical, _("无法启动"), first)
    box.setObjectName("fatalBox")
    if rest:
        box.setInformativeText(rest)
    box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Ok)
    layout = box.layout()
    if layout is not None:
        layout.setContentsMargins(20, 20, 20, 14)
    return box


def show_fatal(text: str) -> None:
    fatal_box(text).exec()


def show_startup_error(text: str) -> None:
    """Before anything else exists (the data folder cannot be used): a message box.

    Must not need the data folder itself: that is what may have failed.
    """
    app = QtWidgets.QApplication.instance()
    if app is None:
        app = create_application([], use_data_dir=False)  # noqa: F841 - kept alive for the box
    show_fatal(text)


class AppController(QtCore.QObject):
    """Set-up wizard (first start) → login → main window; 切换用户 goes back to login."""

    wizard_shown = Signal(object)  # SetupWizard
    login_shown = Signal(object)  # LoginDialog
    main_window_shown = Signal(object)  # MainWindow
    quit_requested = Signal(int)  # exit code

    def __init__(self, ctx: Context, runner: TaskRunner, demo: bool = False,
                 parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.demo = demo
        self.wizard = None
        self.login_dialog = None
        self.main_window = None
        self.exit_code: int | None = None
        self._prefill_username = ""
        self._warmed_up = False

    @Slot()
    def start(self) -> None:
        if self.demo:
            self.runner.run(setup.set_up_demo, self.ctx,
                            on_success=self._on_demo_ready, on_failure=self._on_start_failed)
        else:
            self._after_start()

    def _on_demo_ready(self, _created: bool) -> None:
        self._after_start()

    def _on_start_failed(self, error: BaseException) -> None:
        show_fatal(_("演示服务点设置失败：{error}").format(error=error_text(error)))
        self._quit(EXIT_ERROR)

    def _after_start(self) -> None:
        if setup.is_set_up(self.ctx):
            self.show_login()
        else:
            self.show_wizard()

    # -- set-up ---------------------------------------------------------------------------

    def show_wizard(self) -> None:
        from clerk_app.ui.setup_wizard import SetupWizard

        self.wizard = SetupWizard(self.ctx, self.runner)
        self.wizard.set_up_done.connect(self._on_set_up_done)
        self.wizard.rejected.connect(self._on_wizard_rejected)
        self.wizard.show()
        self.wizard_shown.emit(self.wizard)

    @Slot(str)
    def _on_set_up_done(self, username: str) -> None:
        self._prefill_username = username
        wizard, self.wizard = self.wizard, None
        self.show_login()
        if wizard is not None:
            wizard.deleteLater()

    @Slot()
    def _on_wizard_rejected(self) -> None:
        self._quit(EXIT_OK)

    # -- login ----------------------------------------------------------------------------

    def show_login(self) -> None:
        from clerk_app.ui.login import LoginDialog

        try:
            point = setup.service_point(self.ctx).name
        except Exception:
            point = ""
        dialog = LoginDialog(self.ctx, self.runner, demo=setup.is_demo(self.ctx), service_point_name=point)
        if self._prefill_username:
            dialog.username_edit.setText(self._prefill_username)
            dialog.password_edit.setFocus()
        dialog.logged_in.connect(self._on_logged_in)
        dialog.rejected.connect(self._on_login_rejected)
        self.login_dialog = dialog
        if not self._warmed_up:
            self._warmed_up = True
            self.runner.run(warm_up, background=True, on_success=self._on_warmed_up)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.login_shown.emit(dialog)

    def _on_warmed_up(self, _result: object) -> None:
        # the window's own (Qt) modules, on the UI thread, while the password is being typed
        import clerk_app.ui.main_window  # noqa: F401

    @Slot(object)
    def _on_logged_in(self, actor: Actor) -> None:
        dialog, self.login_dialog = self.login_dialog, None
        self.show_main_window(actor)
        if dialog is not None:
            dialog.deleteLater()

    @Slot()
    def _on_login_rejected(self) -> None:
        if self.login_dialog is not None:
            self._quit(EXIT_OK)

    # -- main window ----------------------------------------------------------------------

    def show_main_window(self, actor: Actor) -> None:
        from clerk_app.ui.main_window import MainWindow

        window = MainWindow(self.ctx, self.runner, actor)
        window.closed.connect(self._on_main_closed)
        self.main_window = window
        window.show()
        window.raise_()
        window.activateWindow()
        self.main_window_shown.emit(window)

    @Slot()
    def _on_main_closed(self) -> None:
        window, self.main_window = self.main_window, None
        if window is None:
            return
        switching = window.switching_user
        window.deleteLater()
        if switching:
            self._prefill_username = ""
            self.show_login()
        else:
            self._quit(EXIT_OK)

    def _quit(self, code: int) -> None:
        self.exit_code = code
        self.quit_requested.emit(code)


def _log_uncaught(exc_type, exc, tb) -> None:  # noqa: ANN001 - sys.excepthook signature
    log.error("uncaught exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
    sys.__excepthook__(exc_type, exc, tb)


def run(demo: bool = False) -> int:
    """Start the program; returns the process exit code."""
    sys.excepthook = _log_uncaught
    try:
        folder = paths.data_dir()
    except Exception as exc:  # an unusable data folder: say so, exit non-zero
        log.exception("cannot use the data folder")
        show_startup_error(database_error_text(exc))
        return EXIT_ERROR
    app = create_application()
    lock = acquire_instance_lock(folder)
    if lock is None:  # a second program on the same data folder
        log.error("another clerk-app already runs on %s", folder)
        show_fatal(already_running_text(folder))
        return EXIT_ALREADY_RUNNING
    try:
        return _run_locked(app, demo)
    finally:
        lock.unlock()


def _run_locked(app: QtWidgets.QApplication, demo: bool) -> int:
    try:
        ctx = open_context()
    except Exception as exc:  # a broken, locked or unwritable database: say so, exit non-zero
        log.exception("cannot open the database at %s", paths.database_path())
        show_fatal(database_error_text(exc))
        return EXIT_ERROR

    runner = TaskRunner()
    controller = AppController(ctx, runner, demo=demo)
    app.setQuitOnLastWindowClosed(False)  # the controller decides: login ↔ main window
    controller.quit_requested.connect(app.exit)
    # what no screen handles itself (reads for the status bar and the like) still gets told
    runner.default_failure = _show_background_error
    QtCore.QTimer.singleShot(0, controller.start)
    code = app.exec()
    runner.shutdown()
    ctx.db.dispose()
    return controller.exit_code if controller.exit_code is not None else code


def _show_background_error(error: BaseException) -> None:
    parent = QtWidgets.QApplication.activeWindow()
    QtWidgets.QMessageBox.warning(parent, _("操作未完成"), error_text(error))

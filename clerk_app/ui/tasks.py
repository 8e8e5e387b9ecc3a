"""Background work for the UI: one worker thread owns database writes, others do slow work.

Worker code never touches a widget: results come back to the UI thread through a queued
signal and are handed to ``on_success`` or ``on_failure`` there — unless the callback is a
method of a Qt object that has been deleted meanwhile (a window closed, 切换用户), in which
case there is nobody left to tell and the result is dropped. A ``ServiceError`` is an
expected refusal whose message the user can act on; anything else is logged and reported as
a program error without taking the window down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from clerk_app.services.common import ServiceError
from clerk_app.ui.qt import QtCore, Signal, Slot, is_alive

log = logging.getLogger(__name__)

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]


class TaskRunner(QtCore.QObject):
    """Runs callables off the UI thread and calls back on it."""

    finished = Signal(object, object, object, object)  # on_success, on_failure, result, error
    busy_changed = Signal(bool)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clerk-db")
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="clerk-bg")
        self._pending = 0
        self.finished.connect(self._deliver, QtCore.Qt.ConnectionType.QueuedConnection)
        self.default_failure: Failure | None = None

    @property
    def idle(self) -> bool:
        return self._pending == 0

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_success: Success | None = None,
        on_failure: Failure | None = None,
        background: bool = False,
        **kwargs: Any,
    ) -> Future[Any]:
        """Run ``fn`` on the database worker (or a background worker for PDF and files)."""
        pool = self._background if background else self._db
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        def job() -> Any:
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # reported on the UI thread
                if not isinstance(exc, ServiceError):
                    log.exception("background task %s failed", getattr(fn, "__name__", fn))
                self.finished.emit(on_success, on_failure, None, exc)
                raise
            self.finished.emit(on_success, on_failure, result, None)
            return result

        return pool.submit(job)

    @Slot(object, object, object, object)
    def _deliver(self, on_success: Success | None, on_failure: Failure | None, result: Any,
                 error: BaseException | None) -> None:
        self._pending -= 1
        try:
            if error is None:
                if _receiver_alive(on_success):
                    on_success(result)  # type: ignore[misc]
            elif on_failure is not None:
                if _receiver_alive(on_failure):
                    on_failure(error)
            elif self.default_failure is not None:
                self.default_failure(error)
        finally:
            if self._pending == 0:
                self.busy_changed.emit(False)

    def shutdown(self) -> None:
        self._db.shutdown(wait=True)
        self._background.shutdown(wait=True)


def _receiver_alive(callback: Callable[..., Any] | None) -> bool:
    """False for no callback, or for a method of a Qt object whose C++ side is gone."""
    if callback is None:
        return False
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QtCore.QObject) or is_alive(owner)


def error_text(error: BaseException) -> str:
    """What to tell the user about an error."""
    from clerk_app.i18n import _

    if isinstance(error, ServiceError):
        return error.message
    return _("程序出错：{error}\n已记录到日志，您输入的内容没有丢失，可以重试。").format(
        error=f"{type(error).__name__}: {error}"
    )

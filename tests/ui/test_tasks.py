"""The task runner: work off the UI thread, results on it, nothing delivered to the dead."""

from __future__ import annotations

import threading

from clerk_app.services.common import ServiceError
from clerk_app.ui.qt import QtWidgets, is_alive


class _Receiver(QtWidgets.QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[object] = []
        self.threads: list[str] = []

    def on_result(self, value: object) -> None:
        self.setWindowTitle(str(value))  # raises once the C++ widget is gone
        self.got.append(value)
        self.threads.append(threading.current_thread().name)


def test_results_arrive_on_the_ui_thread(qtbot, runner):
    receiver = _Receiver()
    worker_threads = []

    def work() -> int:
        worker_threads.append(threading.current_thread().name)
        return 42

    runner.run(work, on_success=receiver.on_result)
    qtbot.waitUntil(lambda: runner.idle)
    assert receiver.got == [42]
    assert worker_threads[0].startswith("clerk-db")
    assert receiver.threads == [threading.main_thread().name]


def test_service_errors_reach_on_failure(qtbot, runner):
    failures = []

    def work() -> None:
        raise ServiceError("请填写姓名。")

    runner.run(work, on_failure=failures.append)
    qtbot.waitUntil(lambda: runner.idle)
    assert [f.message for f in failures] == ["请填写姓名。"]


def test_a_deleted_receiver_is_skipped(qtbot, runner):
    receiver = _Receiver()
    gate = threading.Event()
    runner.run(gate.wait, 5, on_success=receiver.on_result)
    receiver.deleteLater()
    qtbot.waitUntil(lambda: not is_alive(receiver))
    gate.set()
    qtbot.waitUntil(lambda: runner.idle)  # delivered without raising into the event loop
    assert not is_alive(receiver)
    assert receiver.got == []  # the Python side still exists; it was not called

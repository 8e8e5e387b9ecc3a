"""One program per data folder: a second start says so and exits non-zero; a lock left by a
killed program does not block the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from clerk_app import paths

HOLD = textwrap.dedent("""
    import sys, time
    from PySide6 import QtCore
    lock = QtCore.QLockFile(sys.argv[1])
    assert lock.tryLock(1000)
    print("locked", flush=True)
    time.sleep(60)
""")


@pytest.fixture
def other_program():
    """Another program holding the data folder's lock, as a real second process."""
    from clerk_app.ui.app import LOCK_FILE_NAME

    started = []

    def start():
        proc = subprocess.Popen([sys.executable, "-c", HOLD, str(paths.data_dir() / LOCK_FILE_NAME)],
                                stdout=subprocess.PIPE, text=True)
        started.append(proc)
        assert proc.stdout.readline().strip() == "locked"
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def test_a_second_program_on_the_same_data_folder_is_refused(qtbot, monkeypatch, other_program):
    from clerk_app.ui import app as app_module

    other_program()
    shown = []
    monkeypatch.setattr(app_module, "show_fatal", shown.append)
    monkeypatch.setattr(app_module, "open_context", lambda: pytest.fail("must not open the database"))
    assert app_module.run(demo=False) == app_module.EXIT_ALREADY_RUNNING != 0
    assert len(shown) == 1 and "程序已在本机运行" in shown[0] and str(paths.data_dir()) in shown[0]


def test_the_lock_of_a_killed_program_is_taken_over(other_program):
    from clerk_app.ui.app import LOCK_FILE_NAME, acquire_instance_lock

    proc = other_program()
    assert acquire_instance_lock(paths.data_dir()) is None  # it runs: refused
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert (paths.data_dir() / LOCK_FILE_NAME).exists()  # left behind
    lock = acquire_instance_lock(paths.data_dir())
    assert lock is not None and lock.isLocked()
    lock.unlock()
    assert not (paths.data_dir() / LOCK_FILE_NAME).exists()


def test_the_lock_is_released_when_the_program_ends(qtbot, monkeypatch):
    from clerk_app.ui import app as app_module
    from clerk_app.ui.app import LOCK_FILE_NAME

    monkeypatch.setattr(app_module, "show_fatal", lambda text: None)
    monkeypatch.setattr(app_module, "open_context", lambda: (_ for _ in ()).throw(OSError("disk")))
    assert app_module.run(demo=False) == app_module.EXIT_ERROR
    lock = app_module.acquire_instance_lock(paths.data_dir())  # a next start is not blocked
    assert lock is not None
    lock.unlock()
    assert LOCK_FILE_NAME not in os.listdir(paths.data_dir())


def test_already_running_box_has_a_margin_above_its_first_line(qtbot, tmp_path):
    from clerk_app.ui import app as app_module
    from clerk_app.ui.qt import QtWidgets

    box = app_module.fatal_box(app_module.already_running_text(tmp_path))
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    label = box.findChild(QtWidgets.QLabel, "qt_msgbox_label")
    assert label.text().startswith("程序已在本机运行") and "请切换到" not in label.text()
    assert "请切换到已经打开的窗口" in box.informativeText()
    assert label.mapTo(box, label.rect().topLeft()).y() >= 16
    box.close()

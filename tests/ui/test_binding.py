"""The Qt binding in use must not drain references to True on every emit (PySide6 6.12.0)."""

from __future__ import annotations

import sys

from clerk_app.ui.qt import QtCore, Signal


class _Pinger(QtCore.QObject):
    ping = Signal(int)


def test_emit_does_not_drain_true(qtbot):
    pinger = _Pinger()
    got = []
    pinger.ping.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(5000):  # more than enough to abort a broken, unguarded binding
        pinger.ping.emit(i)
    assert len(got) == 5000
    # either the binding is sound, or clerk_app.ui.qt gave True its reserve at import
    assert sys.getrefcount(True) >= before - 5000
    assert sys.getrefcount(True) > 10_000 or sys.getrefcount(True) >= before

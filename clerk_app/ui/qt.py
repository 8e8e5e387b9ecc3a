"""The one place that imports PySide6; every UI module takes Qt from here.

Version quirks of the binding get fixed here once.
"""

from __future__ import annotations

import ctypes
import sys

import shiboken6
from PySide6 import QtCore, QtGui, QtNetwork, QtPrintSupport, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

__all__ = ["QtCore", "QtGui", "QtNetwork", "QtPrintSupport", "QtWidgets", "Qt", "Signal", "Slot", "is_alive"]


def is_alive(obj: QtCore.QObject) -> bool:
    """Whether the C++ object behind a Qt wrapper still exists."""
    return shiboken6.isValid(obj)


# --- PySide6 6.12.0: SignalInstance.emit() drops a reference to True -----------------------
# ``emit()`` returns Py_True without taking a reference for it, so every ``signal.emit(...)``
# made from Python code takes one reference away from True. On Python 3.11, where True is
# not immortal, the interpreter aborts after a few thousand emits ("Fatal Python error:
# bool_dealloc: deallocating True or False") -- in a long day at the counter, or at the end
# of a test run. The probe below detects the fault in the installed binding; when present,
# True gets a reserve of references far larger than any process will emit signals (what
# Python 3.12+ does for every built-in singleton). With a fixed binding nothing is changed.


class _EmitProbe(QtCore.QObject):
    ping = Signal()


def _emit_drops_true() -> bool:
    probe = _EmitProbe()
    before = sys.getrefcount(True)
    for _ in range(3):
        probe.ping.emit()
    dropped = before - sys.getrefcount(True)
    probe.deleteLater()
    if dropped > 0:  # give back what the probe itself took
        for _ in range(dropped):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return dropped >= 3


def _pin_true() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return  # True is immortal there: a missing reference does no harm
    if _emit_drops_true():
        refcount = ctypes.c_ssize_t.from_address(id(True))  # ob_refcnt, the first field
        refcount.value += 1 << 40


_pin_true()

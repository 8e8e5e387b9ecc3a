"""The one place that imports PySide6; every UI module takes Qt from here.

Version quirks of the binding get fixed here once.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtPrintSupport, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

__all__ = ["QtCore", "QtGui", "QtPrintSupport", "QtWidgets", "Qt", "Signal", "Slot"]

"""The look of the whole program: the project's own fonts, a calm palette and one stylesheet.

Counter PCs in township halls are often old, with small screens, and the clerk reads the
screen aloud to a citizen across the desk: type is large, contrast is high, and the keyboard
focus is always plainly visible. Deadline colours (预警 yellow, 超期 red) and the calendar
warning colour are exported here so every page uses the same ones.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from clerk_app.forms.font_files import FALLBACK_FAMILY_NAMES, FAMILY_NAME, UI_FONT_FILES
from clerk_app.ui.qt import QtCore, QtGui, QtWidgets

log = logging.getLogger(__name__)

#: Base point size of the UI font.
BASE_POINT_SIZE = 12

# Deadline colours, shared with the case list: background for a row or badge, text on it.
APPROACHING_BG = "#fff3bf"  # 预警: soft yellow
APPROACHING_FG = "#7a5a00"
APPROACHING_STRONG = "#f0b400"  # the yellow of a badge or a status-bar count
OVERDUE_BG = "#ffe0e0"  # 超期: soft red
OVERDUE_FG = "#a61b1b"
OVERDUE_STRONG = "#d62828"
NORMAL_FG = "#2b7a3d"  # 正常
WARNING_ORANGE = "#d9480f"  # the calendar no longer covers the coming weeks

ACCENT = "#1f5fa8"  # government blue: buttons, selection, focus
ACCENT_DARK = "#174a84"
ACCENT_LIGHT = "#e7f0fb"
TEXT = "#1d232b"
MUTED = "#5c6670"
BORDER = "#c5ccd4"
WINDOW_BG = "#f4f6f8"
BASE_BG = "#ffffff"
ERROR_FG = "#b3261e"

# The shipped fonts, the same files the printed documents embed (font_files does not
# import reportlab, which the first window does not need).
UI_FAMILIES = [FAMILY_NAME, *FALLBACK_FAMILY_NAMES]
#: Chinese fonts a machine may have, tried after the shipped ones.
SYSTEM_CJK_FAMILIES = ["Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "SimSun"]

_fonts_loaded: list[str] | None = None


def load_fonts() -> list[str]:
    """Register the shipped font files with Qt (once); return the families to use, in order.

    Without them a machine with only Western fonts shows every Chinese character as a box.
    A missing or broken file is logged and skipped: the system's fonts then stand in.
    """
    global _fonts_loaded
    if _fonts_loaded is not None:
        return _fonts_loaded
    loaded: set[str] = set()
    for path in UI_FONT_FILES:
        font_id = QtGui.QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load font file %s", path)
            continue
        loaded.update(QtGui.QFontDatabase.applicationFontFamilies(font_id))
    families = [name for name in UI_FAMILIES if name in loaded]
    families += SYSTEM_CJK_FAMILIES  # the system's Chinese fonts, if any, after ours
    _fonts_loaded = families
    return families


def ui_font(point_size: int = BASE_POINT_SIZE) -> QtGui.QFont:
    font = QtGui.QFont()
    font.setFamilies(load_fonts())
    font.setPointSize(point_size)
    font.setHintingPreference(QtGui.QFont.HintingPreference.PreferNoHinting)
    return font


def palette() -> QtGui.QPalette:
    pal = QtGui.QPalette()
    role = QtGui.QPalette.ColorRole
    colors = {
        role.Window: WINDOW_BG,
        role.WindowText: TEXT,
        role.Base: BASE_BG,
        role.AlternateBase: "#f7f9fb",
        role.Text: TEXT,
        role.Button: "#eef1f4",
        role.ButtonText: TEXT,
        role.Highlight: ACCENT,
        role.HighlightedText: "#ffffff",
        role.ToolTipBase: "#ffffdc",
        role.ToolTipText: TEXT,
        role.PlaceholderText: "#8a939c",
        role.Link: ACCENT,
    }
    for r, c in colors.items():
        pal.setColor(r, QtGui.QColor(c))
    disabled = QtGui.QPalette.ColorGroup.Disabled
    for r in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(disabled, r, QtGui.QColor("#9aa3ab"))
    return pal


STYLESHEET = f"""
QToolTip {{ color: {TEXT}; background: #ffffdc; border: 1px solid {BORDER}; padding: 4px; }}

QLineEdit, QSpinBox, QDateEdit, QComboBox, QPlainTextEdit, QTextEdit {{
    background: {BASE_BG}; border: 1px solid {BORDER}; border-radius: 4px;
    padding: 5px 7px; min-height: 1.6em;
    selection-background-color: {ACCENT}; selection-color: #ffffff;
}}
QLineEdit:focus, QSpinBox:focus, QDateEdit:focus, QComboBox:focus,
QPlainTextEdit:focus, QTextEdit:focus {{ border: 2px solid {ACCENT}; padding: 4px 6px; }}
QLineEdit:disabled, QComboBox:disabled {{ background: #eceff2; }}
QComboBox {{ padding-right: 26px; }}
QComboBox:focus {{ padding-right: 25px; }}
QComboBox::drop-down, QDateEdit::drop-down {{
    subcontrol-origin: border; subcontrol-position: center right; width: 26px; border: none;
}}
QComboBox::down-arrow, QDateEdit::down-arrow, QSpinBox::down-arrow {{ image: url("@ARROW_DOWN@"); width: 12px; height: 8px; }}
QSpinBox::up-arrow {{ image: url("@ARROW_UP@"); width: 12px; height: 8px; }}
QSpinBox::up-button {{ subcontrol-origin: border; subcontrol-position: top right; width: 22px; border: none; }}
QSpinBox::down-button {{ subcontrol-origin: border; subcontrol-position: bottom right; width: 22px; border: none; }}
QComboBox QAbstractItemView {{
    background: {BASE_BG}; border: 1px solid {BORDER}; selection-background-color: {ACCENT};
    selection-color: #ffffff; outline: none;
}}
QLineEdit[error="true"] {{ border: 2px solid {ERROR_FG}; }}

QPushButton {{
    background: #ffffff; border: 1px solid {BORDER}; border-radius: 4px;
    padding: 6px 16px; min-height: 1.5em;
}}
QPushButton:hover {{ background: {ACCENT_LIGHT}; border-color: {ACCENT}; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; padding: 5px 15px; }}
QPushButton:pressed {{ background: #d5e3f5; }}
QPushButton:disabled {{ color: #9aa3ab; background: #eef0f2; border-color: #d7dce1; }}
QPushButton[primary="true"] {{
    background: {ACCENT}; color: #ffffff; border: 1px solid {ACCENT_DARK}; font-weight: bold;
}}
QPushButton[primary="true"]:hover {{ background: {ACCENT_DARK}; }}
QPushButton[primary="true"]:focus {{ border: 3px solid #f0b400; padding: 4px 14px; }}
QPushButton[primary="true"]:disabled {{ background: #9db6d3; border-color: #9db6d3; color: #f4f6f8; }}

QCheckBox:focus, QRadioButton:focus {{ color: {ACCENT}; background: {ACCENT_LIGHT}; border-radius: 3px; }}

QTableView, QListView, QTreeView {{
    background: {BASE_BG}; alternate-background-color: #f7f9fb;
    border: 1px solid {BORDER}; gridline-color: #e3e7eb;
    selection-background-color: {ACCENT}; selection-color: #ffffff;
}}
QTableView:focus, QListView:focus, QTreeView:focus {{ border: 2px solid {ACCENT}; }}
QTableView::item, QListView::item {{ padding: 4px 6px; }}
QHeaderView::section {{
    background: #e9edf1; color: {TEXT}; border: none; border-right: 1px solid #d5dbe1;
    border-bottom: 1px solid {BORDER}; padding: 5px 6px; font-weight: bold;
}}

QTabWidget::pane {{ border: 1px solid {BORDER}; border-top: 3px solid {ACCENT}; background: {WINDOW_BG}; }}
QTabBar::tab {{
    background: #e4e9ee; color: {TEXT}; border: 1px solid {BORDER}; border-bottom: none;
    padding: 8px 26px; margin-right: 3px; border-top-left-radius: 5px; border-top-right-radius: 5px;
    font-size: 13pt;
}}
QTabBar::tab:selected {{ background: {ACCENT}; color: #ffffff; font-weight: bold; }}
QTabBar::tab:hover:!selected {{ background: {ACCENT_LIGHT}; }}
QTabBar::tab:focus {{ text-decoration: underline; }}

QMenuBar {{ background: #ffffff; border-bottom: 1px solid {BORDER}; }}
QMenuBar::item {{ padding: 5px 12px; }}
QMenuBar::item:selected {{ background: {ACCENT_LIGHT}; }}
QMenu {{ background: #ffffff; border: 1px solid {BORDER}; }}
QMenu::item {{ padding: 6px 28px 6px 20px; }}
QMenu::item:selected {{ background: {ACCENT}; color: #ffffff; }}

QStatusBar {{ background: #ffffff; border-top: 1px solid {BORDER}; }}
QStatusBar::item {{ border: none; }}
QStatusBar QLabel {{ padding: 2px 8px; }}
QLabel#statusApproaching {{ background: {APPROACHING_STRONG}; color: #3d2e00; border-radius: 3px; font-weight: bold; }}
QLabel#statusOverdue {{ background: {OVERDUE_STRONG}; color: #ffffff; border-radius: 3px; font-weight: bold; }}
QLabel#statusQuiet {{ color: {MUTED}; }}
QLabel#statusCalendarWarning {{ background: {WARNING_ORANGE}; color: #ffffff; border-radius: 3px; font-weight: bold; }}

QLabel#pageTitle {{ font-size: 17pt; font-weight: bold; color: {ACCENT_DARK}; }}
QLabel#itemTitle {{ font-size: 18pt; font-weight: bold; color: {ACCENT_DARK}; }}
QLabel#itemBadges {{ color: {NORMAL_FG}; font-weight: bold; }}
QLabel#sectionHeading {{
    font-size: 13pt; font-weight: bold; color: {ACCENT_DARK};
    border-bottom: 1px solid {BORDER}; padding-top: 8px; padding-bottom: 2px;
}}
QLabel#fieldLabel {{ color: {MUTED}; }}
QLabel#hint, QLabel#placeholder {{ color: {MUTED}; }}
QLabel#placeholder {{ font-size: 14pt; padding: 40px; }}
QLabel#errorText {{ color: {ERROR_FG}; font-weight: bold; }}
QLabel#okText {{ color: {NORMAL_FG}; font-weight: bold; }}
QLabel#warningText {{ color: {WARNING_ORANGE}; font-weight: bold; }}
QWidget#itemViewBody {{ background: {BASE_BG}; }}
QFrame#calendarBanner {{ background: #fff0e6; border-bottom: 2px solid {WARNING_ORANGE}; }}
QFrame#calendarBanner QLabel {{ color: #8a2c00; font-weight: bold; }}
QFrame#calendarBanner QPushButton {{ padding: 2px 12px; min-height: 0px; }}
QFrame#card {{ background: {BASE_BG}; border: 1px solid {BORDER}; border-radius: 6px; }}

QWidget#lockScreen {{ background: #22303f; }}
QWidget#lockScreen QLabel {{ color: #ffffff; }}
QWidget#lockScreen QLabel#errorText {{ color: #ffb4ab; }}
QFrame#lockCard {{ background: #2f4256; border-radius: 10px; }}

QProgressBar {{ border: 1px solid {BORDER}; border-radius: 3px; background: #ffffff; text-align: center; }}
QProgressBar::chunk {{ background: {ACCENT}; }}
"""


def _arrow_images(folder: Path | None = None) -> tuple[str, str]:
    """Small arrow images for combo and spin boxes (a styled box loses the native arrow).

    Drawn once into ``folder`` (default: the data folder's cache); Qt's stylesheets take
    images only by path.
    """
    if folder is None:
        from clerk_app import paths

        folder = paths.data_dir() / "cache" / "ui"
    down, up = folder / "arrow-down.png", folder / "arrow-up.png"
    if not (down.exists() and up.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        for path, points in ((down, [(1, 1), (11, 1), (6, 7)]), (up, [(1, 7), (11, 7), (6, 1)])):
            image = QtGui.QImage(24, 16, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(2.0)
            image.fill(QtGui.QColor(0, 0, 0, 0))
            painter = QtGui.QPainter(image)
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
            painter.setPen(QtGui.QPen(QtGui.QColor(MUTED), 0))
            painter.setBrush(QtGui.QColor(MUTED))
            painter.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(x, y) for x, y in points]))
            painter.end()
            image.save(str(path))
    return down.as_posix(), up.as_posix()


def stylesheet(cache_dir: Path | None = None) -> str:
    down, up = _arrow_images(cache_dir)
    return STYLESHEET.replace("@ARROW_DOWN@", down).replace("@ARROW_UP@", up)


def fallback_cache_dir() -> Path:
    """A cache folder outside the data folder, for when the data folder cannot be used."""
    return Path(tempfile.gettempdir()) / f"clerk-app-ui-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def apply_style(app: QtWidgets.QApplication, use_data_dir: bool = True) -> None:
    """Fonts, palette and stylesheet for the whole application.

    ``use_data_dir=False`` (the start-up error box) never touches the data folder: the
    arrow images go to a temporary folder, and without one the box is shown unstyled.
    """
    app.setFont(ui_font())
    app.setPalette(palette())
    if use_data_dir:
        app.setStyleSheet(stylesheet())
        return
    try:
        app.setStyleSheet(stylesheet(fallback_cache_dir()))
    except OSError:
        log.warning("no stylesheet for the start-up error box", exc_info=True)


def mark_error(widget: QtWidgets.QWidget, error: bool) -> None:
    """Outline a field in red (or clear it) through the ``error`` property."""
    if bool(widget.property("error")) == error:
        return
    widget.setProperty("error", error)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def make_primary(button: QtWidgets.QPushButton) -> QtWidgets.QPushButton:
    button.setProperty("primary", True)
    return button

"""Small widgets the intake and printing screens share.

* :class:`MessageBanner` -- a coloured strip with a message and optional action buttons
  (information, success, warning, error), hidden while it has nothing to say.
* :class:`FieldMessage` -- the one-line message under a form field: red for an error that
  blocks, yellow for something to check that does not block, grey for a hint.
* :class:`LabeledField` -- caption, editor and its :class:`FieldMessage` stacked, the unit
  every form on the intake page is built of.
* :class:`StepBar` -- the row of numbered steps at the top of a guided flow.
* :func:`fit_to_screen` -- a window's preferred size, or less where the free screen is
  smaller (a 1366 x 768 or 1024 x 768 counter); :class:`FormScroll` -- a scrolling form body
  that asks for its content's full size, so a dialog opens unscrolled where the screen allows.
"""

from __future__ import annotations

from collections.abc import Callable

from clerk_app.i18n import _
from clerk_app.ui.qt import QtCore, QtGui, QtWidgets, Qt, Signal

LEVELS = ("info", "success", "warning", "error")

_BANNER_COLOURS = {
    # background, border, text
    "info": ("#eaf2fb", "#9cc3ea", "#15406b"),
    "success": ("#e9f6ec", "#8cc79a", "#1d5a2b"),
    "warning": ("#fff6dc", "#e3c262", "#6b4d00"),
    "error": ("#fdecea", "#e8958e", "#8c1d18"),
}

_FIELD_COLOURS = {
    "error": "#c62828",
    "warning": "#8a6100",
    "info": "#2e6b30",
    "hint": "#6b7280",
}


#: the frame and title bar a window manager adds around a top-level window
WINDOW_FRAME = QtCore.QSize(16, 40)


def free_screen_size(widget: QtWidgets.QWidget | None = None) -> QtCore.QSize | None:
    """Room for a window's contents on the widget's screen (the primary one before it is
    shown), less the window frame; None without a screen."""
    screen = (widget.screen() if widget is not None else None) or QtGui.QGuiApplication.primaryScreen()
    if screen is None:
        return None
    return screen.availableGeometry().size() - WINDOW_FRAME


def fit_to_screen(widget: QtWidgets.QWidget | None, wanted: QtCore.QSize) -> QtCore.QSize:
    """``wanted``, or less where the free screen is smaller: the window's buttons stay on the
    screen and its scrolling part scrolls instead."""
    free = free_screen_size(widget)
    return wanted if free is None else wanted.boundedTo(free)


def cap_to_screen(window: QtWidgets.QWidget) -> None:
    """Open ``window`` at its preferred size where the free screen allows, else smaller, and
    never let it grow taller than the screen (a banner shown later takes room from the
    window's scrolling part instead)."""
    window.resize(fit_to_screen(window, window.sizeHint().expandedTo(window.minimumSize())))
    free = free_screen_size(window)
    if free is not None:
        window.setMaximumHeight(max(free.height(), window.minimumHeight()))


class FormScroll(QtWidgets.QScrollArea):
    """A form body that scrolls when the window is lower than the form.

    Unlike a plain scroll area it asks for its content's whole size, so the window opens
    unscrolled where the screen has room."""

    def __init__(self, body: QtWidgets.QWidget, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formScroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(body)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        body = self.widget()
        if body is None:
            return super().sizeHint()
        hint = body.sizeHint().expandedTo(body.minimumSizeHint())
        bar = self.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        frame = 2 * self.frameWidth()
        return QtCore.QSize(hint.width() + bar + frame, hint.height() + frame)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        body = self.widget()
        width = body.minimumSizeHint().width() if body is not None else 0
        bar = self.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        return QtCore.QSize(width + bar + 2 * self.frameWidth(), 3 * bar)


class MessageBanner(QtWidgets.QFrame):
    """A message strip; ``show_message`` shows it, ``clear`` hides it.

    Buttons are added per message with ``add_action(text, slot)``; they go away with the
    next message. The close button hides the banner.
    """

    closed = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None, closable: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBanner")
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self._level = "info"
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(8)
        self.label = QtWidgets.QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding,
                                 QtWidgets.QSizePolicy.Policy.Preferred)
        layout.addWidget(self.label, 1)
        self._actions = QtWidgets.QHBoxLayout()
        self._actions.setSpacing(6)
        layout.addLayout(self._actions)
        self.close_button = QtWidgets.QToolButton(self)
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(_("关闭提示"))
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self._on_close_clicked)
        self.close_button.setVisible(closable)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._apply_style()
        self.hide()

    @property
    def level(self) -> str:
        return self._level

    def text(self) -> str:
        return self.label.text()

    def show_message(self, text: str, level: str = "info") -> None:
        if level not in LEVELS:
            raise ValueError(level)
        self._clear_actions()
        self._level = level
        self.label.setText(text)
        self._apply_style()
        self.show()

    def add_action(self, text: str, slot: Callable[[], None],
                   object_name: str = "") -> QtWidgets.QPushButton:
        button = QtWidgets.QPushButton(text, self)
        if object_name:
            button.setObjectName(object_name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        self._actions.addWidget(button)
        return button

    def action_buttons(self) -> list[QtWidgets.QPushButton]:
        out = []
        for i in range(self._actions.count()):
            w = self._actions.itemAt(i).widget()
            if isinstance(w, QtWidgets.QPushButton):
                out.append(w)
        return out

    def clear(self) -> None:
        self._clear_actions()
        self.label.clear()
        self.hide()

    def _clear_actions(self) -> None:
        while self._actions.count():
            w = self._actions.takeAt(0).widget()
            if w is not None:
                w.hide()
                w.deleteLater()

    def _on_close_clicked(self) -> None:
        self.clear()
        self.closed.emit()

    def _apply_style(self) -> None:
        bg, border, fg = _BANNER_COLOURS[self._level]
        # a type selector: pages give their banners object names of their own
        self.setStyleSheet(
            f"MessageBanner {{ background: {bg}; border: 1px solid {border};"
            f" border-radius: 4px; }}"
            f"MessageBanner QLabel {{ color: {fg}; background: transparent; border: none; }}"
        )


class FieldMessage(QtWidgets.QLabel):
    """The line under a field. Empty and collapsed when there is nothing to say."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self._severity = ""
        font = self.font()
        font.setPointSizeF(max(8.0, font.pointSizeF() * 0.92))
        self.setFont(font)
        self.hide()

    @property
    def severity(self) -> str:
        return self._severity

    def show_message(self, text: str, severity: str = "error") -> None:
        if not text:
            self.clear_message()
            return
        self._severity = severity
        colour = _FIELD_COLOURS.get(severity, _FIELD_COLOURS["hint"])
        prefix = {"error": "✖ ", "warning": "⚠ ", "info": "✔ "}.get(severity, "")
        background = "background: #fff6dc; border-radius: 3px; padding: 1px 4px;" \
            if severity == "warning" else ""
        self.setStyleSheet(f"color: {colour}; {background}")
        self.setText(prefix + text)
        self.show()

    def clear_message(self) -> None:
        self._severity = ""
        self.setText("")
        self.hide()

    def message(self) -> str:
        """The text without its severity mark."""
        text = self.text()
        for prefix in ("✖ ", "⚠ ", "✔ "):
            if text.startswith(prefix):
                return text[len(prefix):]
        return text


class LabeledField(QtWidgets.QWidget):
    """A caption (with a red star when required), an editor and the message under it."""

    def __init__(self, caption: str, editor: QtWidgets.QWidget, required: bool = False,
                 parent: QtWidgets.QWidget | None = None, extra: QtWidgets.QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.editor = editor
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.caption = QtWidgets.QLabel(self)
        star = ' <span style="color:#c62828">*</span>' if required else ""
        self.caption.setText(f"{_html_escape(caption)}{star}")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setBuddy(editor)
        layout.addWidget(self.caption)
        if extra is None:
            layout.addWidget(editor)
        else:
            row = QtWidgets.QHBoxLayout()
            row.setSpacing(6)
            row.addWidget(editor, 1)
            row.addWidget(extra)
            layout.addLayout(row)
        self.message = FieldMessage(self)
        layout.addWidget(self.message)


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class StepBar(QtWidgets.QWidget):
    """Numbered, clickable steps; the current one is highlighted, finished ones ticked."""

    step_clicked = Signal(int)

    def __init__(self, titles: list[str], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StepBar")
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.buttons: list[QtWidgets.QToolButton] = []
        self._done: set[int] = set()
        self._titles = titles
        for i, title in enumerate(titles):
            if i:
                arrow = QtWidgets.QLabel("›", self)
                arrow.setStyleSheet("color: #9aa4b2; font-size: 18px; padding: 0 2px;")
                layout.addWidget(arrow)
            b = QtWidgets.QToolButton(self)
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setProperty("step", i)
            b.setToolTip(f"Alt+{i + 1}")
            b.clicked.connect(self._on_clicked)
            self.buttons.append(b)
            layout.addWidget(b)
        layout.addStretch(1)
        self._current = 0
        self.setStyleSheet(
            "QToolButton { border: 1px solid #cfd6df; border-radius: 14px; padding: 4px 14px;"
            " background: #f5f7fa; color: #334155; font-size: 14px; }"
            "QToolButton:checked { background: #1f5fa8; border-color: #1f5fa8; color: white;"
            " font-weight: bold; }"
            "QToolButton:disabled { color: #a0a8b4; background: #f5f7fa; }"
            "QToolButton[done=\"true\"]:!checked { background: #e9f6ec; border-color: #8cc79a;"
            " color: #1d5a2b; }"
        )
        self._refresh()

    def set_current(self, index: int) -> None:
        self._current = index
        self._refresh()

    def set_done(self, index: int, done: bool) -> None:
        if done:
            self._done.add(index)
        else:
            self._done.discard(index)
        self._refresh()

    def _refresh(self) -> None:
        for i, b in enumerate(self.buttons):
            mark = "✓" if i in self._done and i != self._current else str(i + 1)
            b.setText(f"{mark}  {self._titles[i]}")
            b.setChecked(i == self._current)
            b.setProperty("done", "true" if i in self._done else "false")
            b.style().unpolish(b)
            b.style().polish(b)

    def _on_clicked(self) -> None:
        b = self.sender()
        index = int(b.property("step"))
        self._refresh()  # the page decides whether the step may change
        self.step_clicked.emit(index)


def section_title(text: str, parent: QtWidgets.QWidget | None = None) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text, parent)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    label.setStyleSheet("color: #1e293b; padding: 2px 0 4px 0;")
    return label


def hint_label(text: str, parent: QtWidgets.QWidget | None = None) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: #6b7280;")
    return label


def set_big_font(widget: QtWidgets.QWidget, factor: float, bold: bool = False) -> None:
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)


def mono_font() -> QtGui.QFont:
    font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
    return font


class ElidedLabel(QtWidgets.QLabel):
    """A one-line label that shows '…' when it is too narrow; the full text is the tooltip."""

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setMinimumWidth(40)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QtGui.QFontMetrics(self.font())
        super().setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideRight,
                                           max(10, self.width())))

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        metrics = QtGui.QFontMetrics(self.font())
        return QtCore.QSize(min(400, metrics.horizontalAdvance(self._full) + 4), metrics.height())


class WrapLabel(QtWidgets.QLabel):
    """A word-wrapped label whose size hint is its height at the width it really has.

    A plain wrapped QLabel guesses its width for the size hint, and a layout inside a scroll
    area then reserves two or three lines for one line of text.
    """

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        if self.width() > 20:
            return QtCore.QSize(hint.width(), max(self.heightForWidth(self.width()), 0))
        return hint

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        if self.width() > 20:
            return QtCore.QSize(hint.width(), max(self.heightForWidth(self.width()), 0))
        return hint

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()

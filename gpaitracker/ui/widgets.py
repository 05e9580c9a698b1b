"""Small pieces the pages share: page-local actions and their buttons, message labels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

PROBLEM_COLOUR = "#c62828"
OK_COLOUR = "#2e7d32"


def page_action(
    page: QWidget, text: str, keys: QKeySequence | QKeySequence.StandardKey, *, enabled: bool
) -> QAction:
    """An action whose shortcut works while the focus is inside page (not window-wide, so
    pages may use the same keys)."""
    action = QAction(text, page)
    action.setShortcut(keys)
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setEnabled(enabled)
    page.addAction(action)
    return action


def action_button(parent: QWidget, action: QAction) -> QToolButton:
    button = QToolButton(parent)
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


def error_label() -> QLabel:
    """A hidden, wrapping label for a message about what was refused."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {PROBLEM_COLOUR};")
    label.hide()
    return label


def show_result(label: QLabel, text: str, ok: bool | None) -> None:
    """A result in green (ok), red (a problem) or plain (None: still working)."""
    label.setText(text)
    colour = "" if ok is None else OK_COLOUR if ok else PROBLEM_COLOUR
    label.setStyleSheet(f"color: {colour};" if colour else "")

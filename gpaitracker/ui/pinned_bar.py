"""The bar above the register saying it shows only the items behind a dashboard figure."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class PinnedBar(QFrame):
    """Hidden until the register is narrowed to a set of items; "Show all" ends that."""

    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.clear_button = QPushButton(self.tr("Show &all items"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.clear_button)
        self.clear_button.clicked.connect(self._on_clear)
        self.hide()

    def show_caption(self, caption: str, count: int) -> None:
        self.label.setText(
            self.tr("Showing the %n item(s) behind “%1” on the dashboard.", "", count).replace(
                "%1", caption
            )
        )
        self.show()

    def _on_clear(self) -> None:
        self.hide()
        self.cleared.emit()

"""The main window (its pages arrive with the main-window work)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget


class MainWindow(QMainWindow):
    def __init__(self, title: str = "", summary: str = "") -> None:
        super().__init__()
        self.setWindowTitle(self.tr("GPAI Tracker"))
        self.title_label = QLabel(title or self.tr("GPAI Tracker"))
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.title_label.setFont(font)
        self.summary_label = QLabel(summary)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        for label in (self.title_label, self.summary_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addStretch(2)
        self.setCentralWidget(page)
        self.resize(1100, 700)
        geometry = QSettings().value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)

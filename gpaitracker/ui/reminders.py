"""The "Needs attention" side panel, refreshed at start and every hour, and the tray
notification when something becomes overdue or due (in the window when there is no tray)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.changes import Changes
from gpaitracker.services import agenda
from gpaitracker.ui.context import UiContext

HOUR_MS = 3_600_000
START_DELAY_MS = 1500
DAYS = 7
URGENT = {"overdue", "due", "review", "late_report", "report", "late_request", "request"}
LATE = {"overdue", "late_report", "late_request"}
RECORDS = {"late_report", "report", "late_request", "request"}  # not items: the records page


def _entry_text(e: agenda.Entry) -> str:
    if e.kind in LATE:
        when = f"{e.days} days late" if e.days != 1 else "1 day late"
        if e.kind != "overdue":
            when = f"{agenda.CAPTIONS[e.kind]}, {when}"
    elif e.kind == "evidence":
        when = f"evidence expires in {e.days} days"
    elif e.kind == "review":
        when = "waiting for your review"
    else:
        when = "due today" if e.days == 0 else f"due in {e.days} days"
        if e.kind in RECORDS:
            when = f"{agenda.CAPTIONS[e.kind]}, {when}"
    return f"{e.key} \u2014 {when}\n{e.title}" if e.title else f"{e.key} \u2014 {when}"


class RemindersPanel(QDockWidget):
    """What needs attention, mine or everyone's; double-click opens the item."""

    notified = Signal(str)  # the text of the last notification (tray or in-app)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("reminders")
        self.setWindowTitle(self.tr("Needs attention"))
        self.scope_combo = QComboBox()
        self.scope_combo.addItem(self.tr("My items and reviews"), "mine")
        self.scope_combo.addItem(self.tr("Everyone's"), "all")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setToolTip(self.tr("Double-click to open the item in the register"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.scope_combo)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.setWidget(body)
        self.timer = QTimer(self, interval=HOUR_MS)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
            self.tray.setToolTip(self.tr("GPAI Tracker"))
            self.tray.show()
        self.entries: list[agenda.Entry] = []
        self._seen: set[tuple[str, str]] | None = None  # urgent entries already notified
        self._connect()
        # Soon after start, not during it: the register's own first load comes first.
        QTimer.singleShot(START_DELAY_MS, self._on_timer)
        self.timer.start()

    def _connect(self) -> None:
        self.timer.timeout.connect(self._on_timer)
        self.scope_combo.currentIndexChanged.connect(self._on_scope)
        self.list.itemActivated.connect(self._on_activated)

    def refresh(self, _changes: Changes | None) -> None:
        ws = self.ctx.ws
        person = self.ctx.actor.id if self.scope_combo.currentData() == "mine" else None

        def job(_progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> object:
            return ws.read(agenda.agenda, person_id=person, days=DAYS, records=True)

        self.ctx.worker.start(job, finished=self._on_loaded)

    def _on_timer(self) -> None:
        self.refresh(None)

    def _on_scope(self, *_: object) -> None:
        self._seen = None  # another list: start over without a burst of notifications
        self.refresh(None)

    def _on_loaded(self, entries: list[agenda.Entry]) -> None:
        self.entries = entries
        self.list.clear()
        for e in entries:
            item = QListWidgetItem(_entry_text(e))
            item.setData(Qt.ItemDataRole.UserRole, e.requirement_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, e.kind)
            if e.kind in LATE:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.list.addItem(item)
        counts = {k: sum(e.kind == k for e in entries) for k in agenda.KINDS}
        text = (
            self.tr("%1 overdue, %2 due within %3 days, %4 reviews, %5 evidence expiring")
            .replace("%1", str(counts["overdue"]))
            .replace("%2", str(counts["due"]))
            .replace("%3", str(DAYS))
            .replace("%4", str(counts["review"]))
            .replace("%5", str(counts["evidence"]))
        )
        owed = sum(counts[k] for k in RECORDS)
        if owed:
            late = counts["late_report"] + counts["late_request"]
            text += (
                self.tr("; %1 incident reports or request answers owed (%2 late)")
                .replace("%1", str(owed))
                .replace("%2", str(late))
            )
        self.summary.setText(text)
        self._notify(entries)

    def _notify(self, entries: list[agenda.Entry]) -> None:
        urgent = {(e.kind, e.key) for e in entries if e.kind in URGENT}
        new = urgent if self._seen is None else urgent - self._seen
        self._seen = urgent
        if not new:
            return
        late = sum(1 for kind, _ in new if kind in LATE)
        text = (
            self.tr("%1 item(s) now need attention (%2 overdue)")
            .replace("%1", str(len(new)))
            .replace("%2", str(late))
        )
        if self.tray is not None:
            self.tray.showMessage(self.tr("GPAI Tracker"), text)
        else:
            self.ctx.bus.status_message.emit(text)
        self.notified.emit(text)

    def _on_activated(self, item: QListWidgetItem) -> None:
        rid = item.data(Qt.ItemDataRole.UserRole)
        if item.data(Qt.ItemDataRole.UserRole + 1) in RECORDS:
            self.ctx.bus.show_page.emit("records")
        elif rid is not None:
            self.ctx.bus.show_items.emit((int(rid),), item.text().split(" \u2014 ")[0])

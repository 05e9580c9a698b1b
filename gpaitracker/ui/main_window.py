"""The main window: navigation, pages, menus, toolbar, status bar; notices other writers."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from gpaitracker import __version__
from gpaitracker.changes import Changes
from gpaitracker.ui.context import UiContext

WATCH_INTERVAL_MS = 3000  # how often the window looks for changes made by another program


WIDE_ENOUGH_FOR_REMINDERS = 1500  # pixels of window width


class MainWindow(QMainWindow):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(self.tr("GPAI Tracker"))
        self._token = ctx.ws.change_token()
        self._build_pages()
        self._build_actions()
        self._build_status_bar()
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(WATCH_INTERVAL_MS)
        self._connect()
        self.watch_timer.start()
        self.nav.setCurrentRow(self.PAGES.index("register"))
        self._restore()

    PAGES: ClassVar[list[str]] = [
        "dashboard",
        "register",
        "models",
        "evidence",
        "people",
        "reports",
        "audit",
        "records",
    ]

    def _build_pages(self) -> None:
        from gpaitracker.ui.audit_page import AuditPage
        from gpaitracker.ui.dashboard_page import DashboardPage
        from gpaitracker.ui.detail_panel import DetailPanel
        from gpaitracker.ui.evidence_page import EvidencePage
        from gpaitracker.ui.models_page import ModelsPage
        from gpaitracker.ui.people_page import PeoplePage
        from gpaitracker.ui.records_page import RecordsPage
        from gpaitracker.ui.register_page import RegisterPage
        from gpaitracker.ui.reminders import RemindersPanel
        from gpaitracker.ui.reports_page import ReportsPage

        ctx = self.ctx
        self.register_page = RegisterPage(ctx)
        self.reminders = RemindersPanel(ctx, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.reminders)
        self.detail_panel = DetailPanel(ctx)
        self.reports_page = ReportsPage(ctx)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("register_splitter")
        self.splitter.addWidget(self.register_page)
        self.splitter.addWidget(self.detail_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.pages: dict[str, QWidget] = {
            "dashboard": DashboardPage(ctx),
            "register": self.splitter,
            "models": ModelsPage(ctx),
            "evidence": EvidencePage(ctx),
            "people": PeoplePage(ctx),
            "reports": self.reports_page,
            "audit": AuditPage(ctx),
            "records": RecordsPage(ctx),
        }
        titles = {
            "dashboard": self.tr("Dashboard"),
            "register": self.tr("Register"),
            "models": self.tr("Models"),
            "evidence": self.tr("Evidence"),
            "people": self.tr("People"),
            "reports": self.tr("Reports"),
            "audit": self.tr("Audit log"),
            "records": self.tr("Incidents and requests"),
        }
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        # As wide as the longest page name, so that none is cut short.
        metrics = self.nav.fontMetrics()
        longest = max(metrics.horizontalAdvance(t) for t in titles.values())
        self.nav.setFixedWidth(longest + 4 * self.nav.frameWidth() + metrics.averageCharWidth() * 3)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        for n, name in enumerate(self.PAGES):
            item = QListWidgetItem(titles[name])
            item.setToolTip(f"{titles[name]} (Ctrl+{n + 1})")
            self.nav.addItem(item)
            self.stack.addWidget(self.pages[name])
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_actions(self) -> None:
        undo = self.ctx.undo
        self.undo_action = undo.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = undo.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcuts(
            [QKeySequence("Ctrl+Shift+Z"), *QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)]
        )
        self.refresh_action = QAction(self.tr("&Refresh"), self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.setToolTip(self.tr("Reload everything from the register (F5)"))
        self.find_action = QAction(self.tr("&Find in register"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.about_action = QAction(self.tr("&About GPAI Tracker"), self)
        self.report_action = QAction(self.tr("Export &board report..."), self)
        self.report_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.report_action.setEnabled(self.ctx.may_edit)

        self.team_action = QAction(self.tr("Connect to &team server…"), self)
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addActions([self.report_action, self.team_action])
        file_menu.addSeparator()
        from gpaitracker.ui.interchange_actions import InterchangeActions

        self.interchange = InterchangeActions(self.ctx, self)  # export, import, backup, restore
        self.interchange.install(file_menu)
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.find_action, self.refresh_action])
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.page_actions: list[QAction] = []
        for n in range(len(self.PAGES)):
            item = self.nav.item(n)
            action = QAction(item.text(), self)
            action.setShortcut(QKeySequence(f"Ctrl+{n + 1}"))
            action.setData(n)
            action.triggered.connect(self._on_page_action)
            view_menu.addAction(action)
            self.page_actions.append(action)
        view_menu.addSeparator()
        view_menu.addAction(self.reminders.toggleViewAction())
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)
        # Shortcuts work wherever the focus is in the window, menu bar shown or not.
        self.addActions(
            [
                self.undo_action,
                self.redo_action,
                self.refresh_action,
                self.find_action,
                self.quit_action,
                *self.page_actions,
            ]
        )

        self.toolbar = QToolBar(self.tr("Main"))
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.addActions([self.undo_action, self.redo_action, self.refresh_action])
        self.addToolBar(self.toolbar)
        if not self.ctx.may_edit:
            self.undo_action.setVisible(False)
            self.redo_action.setVisible(False)

    def _build_status_bar(self) -> None:
        actor = self.ctx.actor
        mode = self.tr(" (read-only)") if not self.ctx.may_edit else ""
        self.user_label = QLabel(f"{actor.name} <{actor.email}>, {actor.role.value}{mode}")
        self.overdue_label = QLabel()
        self.statusBar().addPermanentWidget(self.overdue_label)
        self.statusBar().addPermanentWidget(self.user_label)

    def _connect(self) -> None:
        self.nav.currentRowChanged.connect(self._on_nav)
        self.refresh_action.triggered.connect(self._on_refresh)
        self.find_action.triggered.connect(self._on_find)
        self.quit_action.triggered.connect(self.close)
        self.team_action.triggered.connect(self._on_team_server)
        self.about_action.triggered.connect(self._on_about)
        self.report_action.triggered.connect(self.reports_page.open_dialog)
        self.watch_timer.timeout.connect(self._on_watch)
        self.ctx.bus.changed.connect(self._on_changed)
        self.ctx.bus.status_message.connect(self._on_status_message)
        self.ctx.bus.show_items.connect(self._on_show_items)
        self.ctx.bus.show_page.connect(self._on_show_page)
        for page in [*self.pages.values(), self.register_page, self.detail_panel, self.reminders]:
            refresh = getattr(page, "refresh", None)
            if refresh is not None:
                self.ctx.bus.changed.connect(refresh)
        overdue = getattr(self.register_page, "overdue_count_changed", None)
        if overdue is not None:
            overdue.connect(self._on_overdue_count)

    # --- slots ------------------------------------------------------------------------------

    def _on_nav(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)

    def _on_show_items(self, ids: tuple[int, ...], caption: str) -> None:
        self.register_page.show_only(ids, caption)
        self.nav.setCurrentRow(self.PAGES.index("register"))

    def _on_show_page(self, name: str) -> None:
        if name in self.PAGES:
            self.nav.setCurrentRow(self.PAGES.index(name))

    def _on_page_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.nav.setCurrentRow(int(action.data()))

    def _on_refresh(self) -> None:
        self._token = self.ctx.ws.change_token()
        self.ctx.announce(None)

    def _on_team_server(self) -> None:
        from gpaitracker.ui.team_connect import switch_to_team_server

        switch_to_team_server(self)

    def _on_find(self) -> None:
        self.nav.setCurrentRow(self.PAGES.index("register"))
        search = getattr(self.register_page, "search_edit", None)
        if search is not None:
            search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            search.selectAll()

    def _on_watch(self) -> None:
        """Another program (the command line, a second window) may have changed the register."""
        try:
            token = self.ctx.ws.change_token()
        except Exception as exc:  # a server gone away: say so, keep trying
            self.statusBar().showMessage(str(exc), WATCH_INTERVAL_MS)
            return
        if token != self._token:
            self._token = token
            self.ctx.announce(None)

    def _on_changed(self, changes: Changes | None) -> None:
        if changes is not None:
            # Our own edit: remember the new state so the watcher does not reload it again.
            self._token = self.ctx.ws.change_token()

    def _on_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def _on_overdue_count(self, count: int) -> None:
        self.overdue_label.setText(self.tr("%n overdue", "", count))

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About GPAI Tracker"),
            self.tr(
                "GPAI Tracker {version}\n\nA register of the obligations of providers of "
                "general-purpose AI models under the EU AI Act and the GPAI Code of Practice.\n\n"
                "Register: {url}"
            ).format(version=__version__, url=self.ctx.ws.url),
        )

    # --- window state -----------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self._on_watch()  # coming back to the window: look for changes at once
        super().changeEvent(event)

    def _restore(self) -> None:
        settings = QSettings()
        screen = self.screen().availableGeometry()
        width, height = min(1700, screen.width() * 9 // 10), min(950, screen.height() * 9 // 10)
        self.resize(width, height)
        self.splitter.setSizes([width * 13 // 20, width * 7 // 20])
        # First run on a laptop screen: the register and its detail need the width; the
        # "Needs attention" panel starts closed there (View menu), its notices still arrive.
        self.reminders.setVisible(width >= WIDE_ENOUGH_FOR_REMINDERS)
        for key, restore in (
            ("main_window/geometry", self.restoreGeometry),
            ("main_window/state", self.restoreState),
            ("main_window/register_splitter", self.splitter.restoreState),
        ):
            value = settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        page = settings.value("main_window/page")
        if isinstance(page, str) and page in self.PAGES:
            self.nav.setCurrentRow(self.PAGES.index(page))

    def save_state(self) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        settings.setValue("main_window/register_splitter", self.splitter.saveState())
        settings.setValue("main_window/page", self.PAGES[max(0, self.nav.currentRow())])

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.watch_timer.stop()
        self.ctx.worker.cancel_all()
        self.ctx.worker.wait_all(5000)
        super().closeEvent(event)

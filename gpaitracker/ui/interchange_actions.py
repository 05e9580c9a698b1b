"""File menu: Export…, Import…, Back up…, Restore…; long work runs on the worker with progress.

Each action asks for its file with a standard dialog, then calls a method that takes the path
(`export_to`, `import_file`, `backup_to`, `restore_from`), so tests drive the same code. The
automatic daily backup starts a few seconds after the window opens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from gpaitracker.errors import ValidationError
from gpaitracker.interchange.fields import ColumnsError
from gpaitracker.services import (
    ai_models,
    backup,
    backup_auto,
    interchange_export,
    interchange_import,
    interchange_reads,
    register_json,
)
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.export_dialog import ExportDialog
from gpaitracker.ui.import_dialogs import ColumnMappingDialog, ImportPreviewDialog
from gpaitracker.ui.messages import show_error
from gpaitracker.ui.progress import ProgressDialog
from gpaitracker.ui.worker import Task

AUTO_BACKUP_DELAY_MS = 5000


class InterchangeActions(QObject):
    """The four File menu actions and the flows behind them."""

    done = Signal(str)  # what was done, also shown in the status bar

    def __init__(self, ctx: UiContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx, self.window = ctx, window
        self.task: Task | None = None
        self.preview: ImportPreviewDialog | None = None
        self.last_result: object = None
        self._import: dict[str, Any] = {}
        self.export_action = QAction(self.tr("&Export..."), self)
        self.import_action = QAction(self.tr("&Import..."), self)
        self.backup_action = QAction(self.tr("Back &up..."), self)
        self.restore_action = QAction(self.tr("&Restore..."), self)
        self.import_action.setEnabled(ctx.may_edit)
        self.auto_timer = QTimer(self)
        self.auto_timer.setSingleShot(True)
        self.auto_timer.setInterval(AUTO_BACKUP_DELAY_MS)
        self._connect()
        self.auto_timer.start()

    def install(self, menu: QMenu) -> None:
        menu.addActions([self.export_action, self.import_action])
        menu.addSeparator()
        menu.addActions([self.backup_action, self.restore_action])
        menu.addSeparator()

    def _connect(self) -> None:
        self.export_action.triggered.connect(self._on_export)
        self.import_action.triggered.connect(self._on_import)
        self.backup_action.triggered.connect(self._on_backup)
        self.restore_action.triggered.connect(self._on_restore)
        self.auto_timer.timeout.connect(self._on_auto_backup)
        self.done.connect(self.ctx.bus.status_message)

    def _run(self, job: Any, label: str, finished: Any) -> Task:
        self.task = self.ctx.worker.start(job, finished=finished, failed=self._on_failed)
        ProgressDialog(self.task, label, self.tr("GPAI Tracker"), self.window)
        return self.task

    def _on_failed(self, exc: BaseException) -> None:
        show_error(self.window, exc, self.tr("Not done"))

    # --- export -------------------------------------------------------------------------

    def _on_export(self) -> None:
        models = [(m.id, m.name) for m in self.ctx.ws.read(ai_models.list_models)]
        dialog = ExportDialog(models, Path.home(), self.window)
        if dialog.exec():
            self.export_to(dialog.path, dialog.fmt, mine=dialog.mine, model_id=dialog.model_id)

    def export_to(
        self, path: Path, fmt: str, *, mine: bool = False, model_id: int | None = None
    ) -> Task:
        ws = self.ctx.ws
        owner_id = self.ctx.actor.id if mine else None

        def job(progress: Any, cancelled: Any) -> str:
            if fmt == "json":
                register_json.write_json(ws.read(register_json.document), path)
                return str(path)
            data = ws.read(interchange_reads.snapshot, with_evidence=fmt == "xlsx")
            if fmt == "ics":
                interchange_export.write_ics(data, path, owner_id=owner_id, model_id=model_id)
            elif fmt == "xlsx":
                interchange_export.write_xlsx(data, path, progress, cancelled)
            else:
                interchange_export.write_csv(data, path, progress, cancelled)
            return str(path)

        return self._run(job, self.tr("Exporting…"), self._on_exported)

    def _on_exported(self, path: str) -> None:
        self.done.emit(self.tr("Exported to {path}").format(path=path))

    # --- import -------------------------------------------------------------------------

    def _on_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Import"), str(Path.home()), self.tr("Spreadsheets (*.xlsx *.csv)")
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path, mapping: dict[str, str] | None = None) -> Task:
        """Read the file and preview it; the preview dialog then applies it or not."""
        from gpaitracker.interchange.readers import read_table

        self._import = {"path": path, "mapping": mapping or {}, "sheets": None}

        def job(progress: Any, cancelled: Any) -> object:
            sheets = read_table(path, progress=progress, cancelled=cancelled)
            self._import["sheets"] = sheets
            return self._preview_job(sheets, mapping or {}, progress, cancelled)

        return self._run(job, self.tr("Reading {name}…").format(name=path.name), self._on_preview)

    def _preview_job(
        self, sheets: Any, mapping: dict[str, str], progress: Any, cancelled: Any
    ) -> object:
        try:
            return self.ctx.ws.write(
                interchange_import.import_sheets,
                sheets=sheets,
                mapping=mapping,
                apply=False,
                progress=progress,
                cancelled=cancelled,
            )
        except ColumnsError as exc:
            return exc  # columns that need matching: the dialog asks on the GUI thread

    def _on_preview(self, result: object) -> None:
        if isinstance(result, ColumnsError):
            self.ask_mapping(str(result))
            return
        assert isinstance(result, interchange_import.ImportResult)
        self.preview = ImportPreviewDialog(result, self._import["path"].name, self.window)
        self.preview.accepted.connect(self._on_preview_accepted)
        self.preview.rejected.connect(self._on_preview_rejected)
        self.preview.open()

    def ask_mapping(self, problem: str = "") -> ColumnMappingDialog | None:
        sheets = self._import.get("sheets")
        if not sheets:
            show_error(self.window, ValidationError(problem), self.tr("Not imported"))
            return None
        items, _people = interchange_import.choose_sheets(sheets)
        self.mapping_dialog = ColumnMappingDialog(
            items.headers, self._import["mapping"], self.window
        )
        self.mapping_dialog.accepted.connect(self._on_mapped)
        self.mapping_dialog.open()
        return self.mapping_dialog

    def _on_mapped(self) -> None:
        mapping = self.mapping_dialog.mapping()
        self._import["mapping"] = mapping
        sheets = self._import["sheets"]

        def job(progress: Any, cancelled: Any) -> object:
            return self._preview_job(sheets, mapping, progress, cancelled)

        self._run(job, self.tr("Checking the rows…"), self._on_preview)

    def _on_preview_rejected(self) -> None:
        if self.preview is not None and self.preview.remap:
            self.ask_mapping()

    def _on_preview_accepted(self) -> None:
        assert self.preview is not None
        skip = self.preview.skip_invalid.isChecked()
        sheets, mapping = self._import["sheets"], self._import["mapping"]

        def job(progress: Any, cancelled: Any) -> object:
            return self.ctx.ws.write(
                interchange_import.import_sheets,
                sheets=sheets,
                mapping=mapping,
                apply=True,
                skip_invalid=skip,
                progress=progress,
                cancelled=cancelled,
            )

        self._run(job, self.tr("Importing…"), self._on_imported)

    def _on_imported(self, result: interchange_import.ImportResult) -> None:
        self.last_result = result
        if not result.applied:
            QMessageBox.warning(
                self.window,
                self.tr("Not imported"),
                self.tr(
                    "The register changed meanwhile and some rows are now refused; nothing "
                    "was changed. Import the file again to see why."
                ),
            )
            return
        self.ctx.announce(result.changes)
        self.done.emit(self.tr("Imported: {summary}").format(summary=result.summary()))

    # --- backup and restore --------------------------------------------------------------

    def _on_backup(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Back up to"),
            str(Path.home() / "gpaitracker-backup.zip"),
            self.tr("Backups (*.zip)"),
        )
        if name:
            self.backup_to(Path(name))

    def backup_to(self, path: Path) -> Task:
        register = self.ctx.ws.register

        def job(progress: Any, cancelled: Any) -> object:
            return backup.make_backup(register, path, progress, cancelled)

        return self._run(job, self.tr("Backing up…"), self._on_backed_up)

    def _on_backed_up(self, info: backup.BackupInfo) -> None:
        self.done.emit(self.tr("Backed up to {path}").format(path=info.path))

    def _on_restore(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Restore a backup"), str(Path.home()), self.tr("Backups (*.zip)")
        )
        if not name:
            return
        folder = QFileDialog.getExistingDirectory(
            self.window, self.tr("Restore into an empty folder"), str(Path.home())
        )
        if folder:
            self.restore_from(Path(name), Path(folder))

    def restore_from(self, archive: Path, folder: Path) -> Task:
        """Restore into an empty folder; the open register is never replaced from the window."""

        def job(progress: Any, cancelled: Any) -> object:
            if folder.resolve() == self.ctx.ws.home.resolve():
                raise ValidationError(
                    "the open register cannot be replaced from the window; choose an empty folder"
                )
            return backup.restore(archive, folder, progress=progress, cancelled=cancelled)

        return self._run(job, self.tr("Restoring…"), self._on_restored)

    def _on_restored(self, info: backup.RestoreInfo) -> None:
        text = self.tr(
            'Restored into {folder}. Open it with: gpaitracker --home "{folder}"'
        ).format(folder=info.home)
        self.done.emit(text)
        QMessageBox.information(self.window, self.tr("Restored"), text)

    def _on_auto_backup(self) -> None:
        register = self.ctx.ws.register
        config = self.ctx.ws.read(backup_auto.settings)

        def job(progress: Any, cancelled: Any) -> object:
            return backup_auto.run_if_due(register, config, progress=progress, cancelled=cancelled)

        self.ctx.worker.start(job, finished=self._on_auto_done)

    def _on_auto_done(self, path: object) -> None:
        if path is not None:
            self.done.emit(self.tr("Daily backup written to {path}").format(path=path))

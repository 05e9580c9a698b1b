"""Filing dropped files and folders as evidence of one item: one cancellable worker job.

Folders expand to the files inside them (hidden entries skipped, symlinked folders followed
once, so a link loop ends). Every file goes through evidence_import.import_file, which
copies it into the store outside any transaction; the job reports progress over the bytes
of all files. At the end the combined change set is announced and the user is told, file by
file, what was added, what the store already held, and what was refused and why.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QMimeData, QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from gpaitracker.changes import Changes
from gpaitracker.errors import UserError
from gpaitracker.evidence_store import Cancelled, shown_path
from gpaitracker.services import evidence_import, queries
from gpaitracker.services.workspace import Workspace
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.messages import CrashDialog, show_error
from gpaitracker.ui.progress import SCALE, ProgressDialog
from gpaitracker.ui.worker import Task

ASK_ABOVE = 200  # more files than this: ask before importing
MAX_FILES = 10_000  # a drop holding more is refused: the user likely dropped the wrong folder
REPORT_LINES = 25
_RUNNING: set[QObject] = set()  # keeps each ImportRun alive until its task ends

ADDED, SAME_BYTES, REFUSED, CANCELLED, NOT_STARTED = (
    "added",
    "same_bytes",
    "refused",
    "cancelled",
    "not_started",
)


def tr(text: str) -> str:
    return QCoreApplication.translate("evidence_drop", text)


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: str  # one of ADDED, SAME_BYTES, REFUSED, CANCELLED, NOT_STARTED
    reason: str = ""


@dataclass(frozen=True)
class ImportResult:
    changes: Changes
    files: tuple[FileResult, ...]

    def count(self, *outcomes: str) -> int:
        return sum(1 for f in self.files if f.outcome in outcomes)

    @property
    def cancelled(self) -> bool:
        return any(f.outcome == CANCELLED for f in self.files)


@dataclass
class Expansion:
    files: list[Path] = field(default_factory=list)
    skipped: int = 0  # hidden entries and entries that are not regular files, inside folders
    too_many: bool = False


def paths_from_mime(mime: QMimeData) -> list[Path]:
    """The local files and folders a drag carries (anything else is ignored)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def _hidden(entry: os.DirEntry[str]) -> bool:
    if entry.name.startswith("."):
        return True
    attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    return bool(attributes & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0))


class _Walk:
    """Collects files under folders; each folder once (by device and inode), so loops end."""

    def __init__(self, limit: int) -> None:
        self.out = Expansion()
        self.limit = limit
        self.seen: set[tuple[int, int]] = set()

    def add(self, path: Path) -> bool:
        if len(self.out.files) >= self.limit:
            self.out.too_many = True
            return False
        self.out.files.append(path)
        return True

    def folder(self, folder: Path) -> bool:
        """Walk folder; False once the limit is reached."""
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in self.seen:  # a symlink back up the tree
                return True
            self.seen.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            self.out.skipped += 1
            return True
        return all(self.entry(entry) for entry in entries)

    def entry(self, entry: os.DirEntry[str]) -> bool:
        try:
            if _hidden(entry):
                self.out.skipped += 1
            elif entry.is_dir():
                return self.folder(Path(entry.path))
            elif entry.is_file():
                return self.add(Path(entry.path))
            else:
                self.out.skipped += 1  # pipes, devices, sockets, dangling links
        except OSError:
            self.out.skipped += 1
        return True


def expand(paths: Iterable[Path], limit: int = MAX_FILES) -> Expansion:
    """Files to import: files as given, folders walked (sorted, hidden entries skipped)."""
    walk = _Walk(limit)
    for path in paths:
        # A file given on purpose is kept whatever it is: import_file judges and explains.
        if not (walk.folder(path) if path.is_dir() else walk.add(path)):
            break
    return walk.out


def _size(path: Path) -> int:
    try:
        st = path.stat()
    except OSError:
        return 0
    return st.st_size if stat.S_ISREG(st.st_mode) else 0


class ImportJob:
    """The worker job: import each file in turn, noting how far it got for the dialog to poll.

    It does not report progress through the task's signal: a copy reports every megabyte,
    and the dialog reads the counters a few times a second instead.
    """

    def __init__(self, ws: Workspace, requirement_id: int, files: Sequence[Path]) -> None:
        self.ws, self.requirement_id, self.files = ws, requirement_id, list(files)
        self.sizes = [_size(p) for p in self.files]
        self.total = sum(self.sizes)
        self.done = 0  # bytes copied so far, over all files (written by the worker thread)
        self.number = 0  # the file being copied, from 1

    def progress_now(self) -> tuple[int, int]:
        """Bytes done and total, scaled to the range a progress bar takes."""
        total = max(self.total, 1)
        return min(self.done, total) * SCALE // total, SCALE

    def __call__(
        self, _progress: Callable[[int, int], None], cancelled: Callable[[], bool]
    ) -> ImportResult:
        changes = Changes()
        results: list[FileResult] = []
        before = 0

        def copied(done: int, _file_total: int) -> None:
            self.done = before + done

        for number, (path, size) in enumerate(zip(self.files, self.sizes, strict=True), 1):
            if cancelled():
                results.append(FileResult(path, NOT_STARTED))
                continue
            self.number = number
            try:
                added, obj = evidence_import.import_file(
                    self.ws,
                    requirement_id=self.requirement_id,
                    path=path,
                    progress=copied,
                    cancel=cancelled,
                )
            except Cancelled as exc:
                results.append(FileResult(path, CANCELLED, str(exc)))
            except UserError as exc:
                results.append(FileResult(path, REFUSED, str(exc)))
            else:
                changes |= added
                results.append(FileResult(path, SAME_BYTES if obj.deduplicated else ADDED))
            before += size
            self.done = before
        return ImportResult(changes, tuple(results))


def report_text(result: ImportResult, key: str) -> tuple[str, str]:
    """A one-line summary and the per-file lines of an import."""
    added = result.count(ADDED, SAME_BYTES)
    refused = result.count(REFUSED)
    summary = tr("{key}: {added} of {total} files added").format(
        key=key, added=added, total=len(result.files)
    )
    if refused:
        summary += tr(", {n} refused").format(n=refused)
    if result.cancelled:
        summary += tr("; import cancelled")
    lines = []
    for item in result.files:
        name = shown_path(item.path)
        if item.outcome == ADDED:
            lines.append(tr("added: {name}").format(name=name))
        elif item.outcome == SAME_BYTES:
            lines.append(tr("added (same bytes already stored): {name}").format(name=name))
        elif item.outcome == REFUSED:
            lines.append(tr("refused: {reason}").format(reason=item.reason))
        elif item.outcome == CANCELLED:
            lines.append(tr("cancelled, nothing kept: {name}").format(name=name))
        else:
            lines.append(tr("not started: {name}").format(name=name))
    if len(lines) > REPORT_LINES:
        more = len(lines) - REPORT_LINES
        lines = [*lines[:REPORT_LINES], tr("… and {n} more").format(n=more)]
    return summary, "\n".join(lines)


class ImportRun(QObject):
    """Follows one import task on the GUI thread: progress, announcement and the final report."""

    done = Signal(object)  # the ImportResult

    def __init__(self, ctx: UiContext, key: str, parent: QWidget | None) -> None:
        super().__init__()
        self.ctx, self.key, self.widget = ctx, key, parent
        self.job: ImportJob | None = None
        self.task: Task | None = None

    def start(self, job: ImportJob) -> Task:
        self.job = job
        # The slots are connected by start(), before the job runs: one that fails at once
        # (every file refused) is heard too.
        self.task = self.ctx.worker.start(
            job, finished=self._on_finished, failed=self._on_failed, crashed=self._on_crashed
        )
        label = tr("Adding {n} files to {key}").format(n=len(job.files), key=self.key)
        ProgressDialog(self.task, label, tr("Adding evidence"), self.widget, poll=self._poll)
        _RUNNING.add(self)
        return self.task

    def _poll(self) -> tuple[int, int, str]:
        job = self.job
        assert job is not None
        done, total = job.progress_now()
        number = job.number
        if not number:
            return done, total, ""
        name = shown_path(job.files[number - 1])
        label = tr("Adding file {number} of {count} to {key}:\n{name}").format(
            number=number, count=len(job.files), key=self.key, name=name
        )
        return done, total, label

    @Slot(object)
    def _on_finished(self, result: ImportResult) -> None:
        if result.changes:
            self.ctx.announce(result.changes)
        summary, details = report_text(result, self.key)
        self.ctx.bus.status_message.emit(summary)
        only = result.files[0].outcome if len(result.files) == 1 else None
        if only in (ADDED, CANCELLED):
            pass  # the list (or the status bar) says it all
        elif result.count(REFUSED, CANCELLED, NOT_STARTED):
            QMessageBox.warning(
                self.parent_widget, tr("Adding evidence"), f"{summary}\n\n{details}"
            )
        else:
            QMessageBox.information(
                self.parent_widget, tr("Evidence added"), f"{summary}\n\n{details}"
            )
        self.done.emit(result)
        self._end()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.ctx.announce(None)  # some files may have been added before the failure
        show_error(self.parent_widget, exc, tr("Adding evidence"))
        self._end()

    @Slot(str)
    def _on_crashed(self, report: str) -> None:
        self.ctx.announce(None)
        CrashDialog.show_for(self.parent_widget, report)
        self._end()

    @property
    def parent_widget(self) -> QWidget | None:
        """The widget to report over, unless it was closed while the import ran."""
        return self.widget if self.widget is not None and shiboken6.isValid(self.widget) else None

    def _end(self) -> None:
        _RUNNING.discard(self)
        self.deleteLater()


def import_files(
    ctx: UiContext, requirement_id: int, paths: list[Path], parent: QWidget | None = None
) -> Task | None:
    """Add files (folders: the files in them) as evidence of one item, off the GUI thread.

    Returns the running task, or None if nothing was started (nothing to add, the user
    declined, or a refusal already shown).
    """
    if not ctx.may_edit:
        QMessageBox.warning(parent, tr("Adding evidence"), tr("You can only read this register."))
        return None
    try:
        key = ctx.ws.read(queries.row, requirement_id=requirement_id).key
    except UserError as exc:
        show_error(parent, exc, tr("Adding evidence"))
        return None
    found = expand(paths)
    if found.too_many:
        QMessageBox.warning(
            parent,
            tr("Adding evidence"),
            tr("The folders hold more than {n} files; drop a smaller folder.").format(n=MAX_FILES),
        )
        return None
    if not found.files:
        QMessageBox.information(
            parent,
            tr("Adding evidence"),
            tr("Nothing to add: the dropped folders hold no files (hidden files are skipped)."),
        )
        return None
    job = ImportJob(ctx.ws, requirement_id, found.files)
    if len(found.files) > ASK_ABOVE:
        answer = QMessageBox.question(
            parent,
            tr("Adding evidence"),
            tr("Add {n} files ({mb:,.1f} MB) as evidence of {key}?").format(
                n=len(found.files), mb=job.total / 1e6, key=key
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return ImportRun(ctx, key, parent).start(job)

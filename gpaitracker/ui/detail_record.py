"""The detail panel's record of an item: its comment thread and its audit history."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import (
    Qt,
    Slot,
)
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.errors import UserError
from gpaitracker.services import register
from gpaitracker.services.item_detail import ItemDetail
from gpaitracker.services.queries import CommentRow
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.detail_models import HistoryModel, local_time
from gpaitracker.ui.messages import show_error


class CommentsBox(QGroupBox):
    """The append-only comment thread and a box to add to it."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: ItemDetail | None = None
        self.setTitle(self.tr("Comments"))
        self.thread_view = QTextBrowser()
        self.thread_view.setOpenLinks(False)
        self.thread_view.setMinimumHeight(60)
        self.thread_view.setMaximumHeight(180)
        self.thread_view.setAccessibleName(self.tr("Comment thread"))
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setPlaceholderText(self.tr("Add a comment…"))
        self.comment_edit.setMaximumHeight(64)
        self.comment_edit.setAccessibleName(self.tr("New comment"))
        self.add_button = QPushButton(self.tr("Add comment"))
        self.add_button.setToolTip(
            self.tr(
                "Comments are permanent: adding one cannot be undone, edited or removed "
                "(Ctrl+Enter)"
            )
        )
        self.add_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self.comment_edit)
        self.add_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        layout = QVBoxLayout(self)
        layout.addWidget(self.thread_view)
        row = QHBoxLayout()
        row.addWidget(self.comment_edit, 1)
        row.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(row)
        self._connect()
        self.set_detail(None)

    def _connect(self) -> None:
        self.add_button.clicked.connect(self._on_add)
        self.comment_edit.textChanged.connect(self._on_text_changed)
        self.add_shortcut.activated.connect(self._on_add)

    def focus_chain(self) -> list[QWidget]:
        return [self.thread_view, self.comment_edit, self.add_button]

    def set_detail(self, detail: ItemDetail | None) -> None:
        self.detail = detail
        editing = detail is not None and self.ctx.may_edit
        self.comment_edit.setVisible(editing)
        self.add_button.setVisible(editing)
        self.thread_view.setHtml(self._thread_html(detail.comments if detail else ()))
        self.thread_view.moveCursor(QTextCursor.MoveOperation.End)
        self._on_text_changed()

    def _thread_html(self, comments: Sequence[CommentRow]) -> str:
        if not comments:
            return f"<p><i>{html.escape(self.tr('No comments yet.'))}</i></p>"
        kinds = {
            "status": self.tr("with a status change"),
            "migrated": self.tr("from the old notes"),
            "merged": self.tr("merged"),
        }
        parts = []
        for comment in comments:
            who = comment.author_name or comment.author or self.tr("GPAI Tracker")
            when = local_time(comment.at)
            kind = kinds.get(comment.kind, "")
            head = f"<b>{html.escape(who)}</b> · {when}" + (
                f" · <i>{html.escape(kind)}</i>" if kind else ""
            )
            body = html.escape(comment.text).replace("\n", "<br>")
            parts.append(f"<p>{head}<br>{body}</p>")
        return "".join(parts)

    @Slot()
    def _on_text_changed(self) -> None:
        self.add_button.setEnabled(bool(self.comment_edit.toPlainText().strip()))

    @Slot()
    def _on_add(self) -> None:
        detail, text = self.detail, self.comment_edit.toPlainText().strip()
        if detail is None or not text:
            return
        try:
            changes = self.ctx.ws.write(
                register.add_comment, requirement_id=detail.row.id, text=text
            )
        except UserError as exc:
            show_error(self, exc)
            return
        self.comment_edit.clear()
        self.ctx.announce(changes)


class HistoryBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("History"))
        self.model = HistoryModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Audit history of this item"))
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setMinimumHeight(120)
        self.view.setMaximumHeight(260)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)

    def focus_chain(self) -> list[QWidget]:
        return [self.view]

    def set_detail(self, detail: ItemDetail | None) -> None:
        self.model.set_rows(detail.history if detail is not None else ())
        self.view.scrollToBottom()

"""Importing a spreadsheet: a preview of what it adds, changes and rejects, then applying it.

Every change goes through the same write services as an edit in the window (roles, workflow,
four-eyes, audit), each row in its own savepoint: a row a service refuses is rejected with the
service's own message and leaves nothing behind. The preview is the same run rolled back, so
it says exactly what applying would do. A file with rejected rows changes nothing unless the
caller asks to skip them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from gpaitracker import audit, workflow
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Priority, Role, Status
from gpaitracker.errors import Cancelled, UserError, ValidationError
from gpaitracker.interchange import rows as parse_rows
from gpaitracker.interchange.readers import Sheet
from gpaitracker.interchange.rows import Edit, Rejected
from gpaitracker.interchange.writers import xlsx_text
from gpaitracker.services import people, register
from gpaitracker.services.interchange_reads import Snapshot, snapshot

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Outcome:
    """One row of the preview: added, changed or rejected, with what or why."""

    sheet: str
    row: int
    label: str
    kind: str  # "added", "changed", "rejected"
    detail: str


@dataclass(frozen=True)
class ImportResult:
    outcomes: tuple[Outcome, ...]
    unchanged: int
    applied: bool
    changes: Changes = field(default_factory=Changes)

    def of_kind(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    @property
    def rejected(self) -> list[Outcome]:
        return self.of_kind("rejected")

    def summary(self) -> str:
        counts = {k: len(self.of_kind(k)) for k in ("added", "changed", "rejected")}
        return (
            f"{counts['added']} added, {counts['changed']} changed, "
            f"{counts['rejected']} rejected, {self.unchanged} unchanged"
        )


def choose_sheets(sheets: Mapping[str, Sheet]) -> tuple[Sheet, Sheet | None]:
    """The items table (the 'items' sheet, else the first) and the people sheet, if any."""
    items = sheets.get("items") or next(iter(sheets.values()))
    return items, sheets.get("people")


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Status | Priority):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Run:
    """One import in one transaction."""

    def __init__(
        self, session: Session, actor: Actor, data: Snapshot, progress: Progress | None
    ) -> None:
        self.session, self.actor, self.progress = session, actor, progress
        self.items = {r.key: r for r in data.items}
        self.notes = data.notes
        self.people = {p.email: p for p in data.people}
        self.outcomes: list[Outcome] = []
        self.unchanged = 0

    def reject(self, sheet: str, row: int, label: str, reason: str) -> None:
        self.outcomes.append(Outcome(sheet, row, label, "rejected", reason))

    def savepoint(self, edit: Edit, kind: str, apply: Callable[[], str]) -> None:
        """Run apply() in a savepoint; a refusal rolls the row back and rejects it.

        The row's services record their change set afresh (each service returns the whole
        set so far, which would make a long import quadratic); it is merged in when kept.
        """
        info = self.session.info
        saved = (info.pop(audit.CHANGES_KEY, set()), info.pop(audit.CREATED_KEY, []))
        nested = self.session.begin_nested()
        try:
            detail = apply()
        except UserError as exc:
            nested.rollback()
            info[audit.CHANGES_KEY], info[audit.CREATED_KEY] = saved
            if isinstance(exc, Cancelled):
                raise
            self.reject(edit.sheet, edit.row, edit.label, str(exc))
            return
        nested.commit()
        saved[0].update(info.pop(audit.CHANGES_KEY, set()))
        saved[1].extend(c for c in info.pop(audit.CREATED_KEY, []) if c not in saved[1])
        info[audit.CHANGES_KEY], info[audit.CREATED_KEY] = saved
        self.outcomes.append(Outcome(edit.sheet, edit.row, edit.label, kind, detail))

    # People ---------------------------------------------------------------------------
    def person(self, edit: Edit) -> None:
        v = edit.values
        current = self.people.get(edit.label)
        if current is None:
            if "name" not in v:
                self.reject(edit.sheet, edit.row, edit.label, "a new person needs a name")
                return
            self.savepoint(edit, "added", lambda: self._add_person(edit))
            return
        wanted = {k: v[k] for k in ("name", "role", "active") if k in v}
        diff: dict[str, Any] = {k: x for k, x in wanted.items() if getattr(current, k) != x}
        if not diff:
            self.unchanged += 1
            return

        def update() -> str:
            people.update_person(
                session=self.session,
                actor=self.actor,
                person_id=current.id,
                expected_version=current.version,
                **diff,
            )
            return "; ".join(
                f"{k}: {_text(getattr(current, k))} -> {_text(x)}" for k, x in diff.items()
            )

        self.savepoint(edit, "changed", update)

    def _add_person(self, edit: Edit) -> str:
        v = edit.values
        role = Role(str(v.get("role") or Role.OFFICER))
        changes = people.add_person(
            session=self.session, actor=self.actor, name=str(v["name"]), email=edit.label, role=role
        )
        if v.get("active") is False:
            person_id = changes.created_id(people.PERSON)
            people.update_person(
                session=self.session, actor=self.actor, person_id=person_id, active=False
            )
        self.people[edit.label] = people.get(
            session=self.session, person_id=changes.created_id(people.PERSON)
        )
        return f"new {_text(role)}: {v['name']}"

    # Items ----------------------------------------------------------------------------
    def item(self, edit: Edit) -> None:
        row = self.items.get(edit.label)
        if row is None:
            self.reject(
                edit.sheet, edit.row, edit.label, f"key {edit.label} is not in the register"
            )
            return
        note = self.notes.get(row.id, "")
        current: dict[str, object] = {
            "owner": row.owner,
            "reviewer": row.reviewer,
            "due": row.due,
            "status": row.status,
            "priority": row.priority,
        }
        diff: dict[str, Any] = {}
        for name, value in edit.values.items():
            if name == "note":
                if value not in (note, xlsx_text(note)):
                    diff[name] = value
            elif value != current[name]:
                diff[name] = value
        if not diff:
            self.unchanged += 1
            return
        for name in ("owner", "reviewer"):
            email = diff.get(name)
            if email is not None and email not in self.people:
                self.reject(
                    edit.sheet, edit.row, edit.label, f"{name} {email} is not in the register"
                )
                return
        self.savepoint(edit, "changed", lambda: self._apply_item(row, current, note, diff))

    def _apply_item(
        self, row: Any, current: dict[str, object], note: str, diff: dict[str, Any]
    ) -> str:
        s, a, rid = self.session, self.actor, row.id
        said: list[str] = []
        status: Status | None = diff.get("status")
        reopen_first = status is not None and row.status in workflow.CLOSED
        if reopen_first and status is not None:
            said.append(self._status(rid, row.status, status, diff.pop("note", "")))
        if "owner" in diff or "reviewer" in diff:
            ids = {
                f"{k}_id": (self.people[diff[k]].id if diff[k] is not None else None)
                for k in ("owner", "reviewer")
                if k in diff
            }
            register.assign(session=s, actor=a, requirement_id=rid, **ids)
        if "due" in diff:
            register.set_due(session=s, actor=a, requirement_id=rid, due=diff["due"])
        if "priority" in diff:
            register.set_priority(session=s, actor=a, requirement_id=rid, priority=diff["priority"])
        for name in ("owner", "reviewer", "due", "priority"):
            if name in diff:
                said.append(f"{name}: {_text(current[name])} -> {_text(diff[name])}")
        if status is not None and not reopen_first:
            said.append(self._status(rid, row.status, status, diff.pop("note", "")))
        if "note" in diff:
            register.add_comment(session=s, actor=a, requirement_id=rid, text=diff["note"])
            said.append("note added")
        return "; ".join(said)

    def _status(self, rid: int, old: Status, new: Status, note: str) -> str:
        register.change_status(
            session=self.session, actor=self.actor, requirement_id=rid, status=new, note=note
        )
        now = register.get_item(self.session, rid).status
        shown = f"status: {old.value} -> {new.value}"
        if Status(now) != new:
            shown += f" (now {Status(now).value}: another person approves it)"
        return shown + (" with the note" if note else "")


@write_service(Permission.EDIT)
def import_sheets(
    *,
    session: Session,
    actor: Actor,
    sheets: Mapping[str, Sheet],
    mapping: Mapping[str, str] | None = None,
    apply: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportResult:
    """Preview (apply=False) or apply an import; see the module docstring."""
    if not sheets:
        raise ValidationError("the file holds no table")
    items_sheet, people_sheet = choose_sheets(sheets)
    item_edits, item_rejects = parse_rows.item_edits(items_sheet, mapping, cancelled)
    person_edits: list[Edit] = []
    person_rejects: list[Rejected] = []
    if people_sheet is not None and people_sheet.headers:
        person_edits, person_rejects = parse_rows.person_edits(people_sheet)
    run = _Run(session, actor, snapshot(session=session, with_evidence=False), progress)
    for r in (*person_rejects, *item_rejects):
        run.reject(r.sheet, r.row, r.label, r.reason)
    outer = session.begin_nested()
    work = [(run.person, e) for e in person_edits] + [(run.item, e) for e in item_edits]
    total = len(work)
    for done, (step, edit) in enumerate(work, start=1):
        if done % 500 == 0:
            if cancelled is not None and cancelled():
                outer.rollback()
                raise Cancelled("the import was cancelled; nothing was changed")
            if progress is not None:
                progress(done, total)
        step(edit)
    outcomes = tuple(sorted(run.outcomes, key=lambda o: (o.sheet != "people", o.row)))
    keep = apply and (skip_invalid or not any(o.kind == "rejected" for o in outcomes))
    if keep:
        outer.commit()
        changes = audit.change_set(session)
    else:
        outer.rollback()
        session.info.pop(audit.CHANGES_KEY, None)
        session.info.pop(audit.CREATED_KEY, None)
        changes = Changes()
    return ImportResult(outcomes, run.unchanged, keep, changes)

"""What a board report says, read from the register, and the record of a report once issued.

`report_data` fills a ReportData from the metrics and the register; `record_report` keeps the
issued report (its PDF's SHA-256, the audit head it stands on and each item's status and due
date) so that the next report can say what changed and a check can prove the trail kept.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlalchemy.orm import Session
from sqlmodel import select

from gpaitracker import audit, metrics
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import ConflictError
from gpaitracker.metrics import history
from gpaitracker.models import (
    AIModel,
    AuditEvent,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    Organisation,
    Person,
    ReportRecord,
)
from gpaitracker.reports.data import (
    AuditAnchor,
    Breakdown,
    ChangesSince,
    EvidenceLine,
    Headline,
    ItemLine,
    ItemTable,
    MovedDeadline,
    RecordLine,
    ReportData,
    TrendPoint,
)
from gpaitracker.services import evidence, records_owed
from gpaitracker.services.queries import natural_key

CLOSED = ("done", "not_applicable")
MODEL_BARS = 20  # a chart of more models than this no longer fits on one page
Snapshot = dict[str, list[Any]]  # item key -> [status, due ISO date or None]


def report_data(
    *,
    session: Session,
    as_of: dt.date,
    model_ids: tuple[int, ...] | None,
    prepared_by: str,
    today: dt.date | None = None,
    cache_dir: Path | None = None,
) -> ReportData:
    """Everything the board report shows on as_of, for some models or all."""
    return report_inputs(
        session=session,
        as_of=as_of,
        model_ids=model_ids,
        prepared_by=prepared_by,
        today=today,
        cache_dir=cache_dir,
    )[0]


def report_inputs(
    *,
    session: Session,
    as_of: dt.date,
    model_ids: tuple[int, ...] | None,
    prepared_by: str,
    today: dt.date | None = None,
    cache_dir: Path | None = None,
) -> tuple[ReportData, dict[str, Any]]:
    """report_data and the figures behind it (Figures.as_dict()), to keep with the record.

    The item tables show the register as it stood on as_of (played back from the trail, like
    the figures); cache_dir keeps the weekly trend between reports (metrics.figures).
    """
    today = today or dt.date.today()
    reported: list[_Reported] = []
    figs = metrics.figures(
        session=session,
        as_of=as_of,
        model_ids=model_ids,
        today=today,
        cache_dir=cache_dir,
        on_day=lambda reg: reported.extend(_reported(reg, as_of, model_ids)),
    )
    lines = {r.line.key: r.line for r in reported}
    records = _records(session, as_of, model_ids)
    org = session.execute(select(Organisation.name).limit(1)).scalar()
    models = sorted({r.model for r in reported} | {g.name for g in figs.by_model})
    data = ReportData(
        organisation=org or "",
        number=next_number(session),
        as_of=as_of,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        models=models,
        prepared_by=prepared_by,
        approved_by=None,
        headline=Headline(
            total=figs.total,
            done=figs.done,
            overdue=figs.overdue,
            due_30=figs.due_30,
            percent_done=figs.percent_done,
            evidence_coverage=figs.evidence_coverage,
            rag=dict(figs.rag),
        ),
        key_messages=key_messages(figs, sum(1 for r in records if r.days_late)),
        by_chapter=[Breakdown(g.name, dict(g.by_status), g.overdue) for g in figs.by_chapter],
        by_model=_fold([Breakdown(g.name, dict(g.by_status), g.overdue) for g in figs.by_model]),
        trend=[TrendPoint(p.week_end, p.done, p.overdue) for p in figs.history],
        changes=_changes_since(session, lines),
        overdue=[_figure_line(f) for f in figs.overdue_items],
        next_90=[_figure_line(f)._replace(days_late=0) for f in figs.upcoming],
        tables=_tables(reported),
        evidence=_evidence(session, {r.id for r in reported}, as_of, today),
        audit_head=_audit_head(session, as_of, today),
        records=records,
    )
    return data, figs.as_dict()


def key_messages(figs: metrics.Figures, late_records: int = 0) -> list[str]:
    """The three things the board must know, in plain words."""
    if figs.overdue:
        worst = max(figs.by_chapter, key=lambda g: g.overdue)
        first = (
            f"{figs.overdue} of {figs.total} items are overdue; the most are in "
            f"{worst.name} ({worst.overdue})."
        )
    else:
        first = f"No item is overdue; {figs.due_30} fall due within 30 days."
    if late_records:
        first += f" {late_records} incident report(s) or request answer(s) are late: see Deadlines."
    base = figs.total - figs.not_applicable
    second = f"{figs.percent_done:.0f}% of the items that apply are done ({figs.done} of {base})"
    past = figs.history[-5] if len(figs.history) >= 5 else None
    if past is not None and past.total:
        before = 100.0 * past.done / past.total
        now = 100.0 * figs.done / figs.total if figs.total else 0.0
        word = "up" if now > before else "down" if now < before else "unchanged"
        second += f", {word} from {before:.0f}% four weeks ago."
    else:
        second += "."
    third = (
        f"{figs.evidence_coverage:.0f}% of items have valid evidence "
        f"({figs.evidence_covered} of {figs.evidence_base})"
    )
    third += f"; {len(figs.expiring)} pieces expire within 30 days." if figs.expiring else "."
    return [first, second, third]


def next_number(session: Session) -> int:
    last = session.execute(select(func.max(ReportRecord.number))).scalar()
    return int(last or 0) + 1


def snapshot(data: ReportData) -> Snapshot:
    """Each reported item's status and due date, as kept with the record."""
    return {
        line.key: [line.status, line.due.isoformat() if line.due else None]
        for table in data.tables
        for line in table.items
    }


@write_service(Permission.EDIT)
def record_report(
    *,
    session: Session,
    actor: Actor,
    data: ReportData,
    model_ids: tuple[int, ...] | None,
    signer: str,
    pdf_sha256: str,
    figures: dict[str, Any],
) -> Changes:
    """Keep an issued report: its number, hash, audit head and item snapshot."""
    if next_number(session) != data.number:
        raise ConflictError(
            f"report {data.number} was issued by someone else meanwhile: make the report again"
        )
    head = data.audit_head
    rec = ReportRecord(
        number=data.number,
        author_id=actor.id,
        as_of=data.as_of,
        model_ids=list(model_ids or ()),
        signer=signer,
        pdf_sha256=pdf_sha256,
        audit_head_id=head.event_id if head else None,
        audit_head_hash=head.hash if head else None,
        metrics={**figures, "items": snapshot(data)},
    )
    session.add(rec)
    session.flush()
    label = f"report {data.number}"
    audit.record(
        session,
        actor,
        [
            Change("create", Entity.REPORT, rec.id, label, "as_of", None, data.as_of),
            Change("create", Entity.REPORT, rec.id, label, "pdf_sha256", None, pdf_sha256),
            Change("create", Entity.REPORT, rec.id, label, "signer", None, signer or None),
        ],
    )
    return audit.change_set(session)


def _fold(rows: list[Breakdown]) -> list[Breakdown]:
    """The largest models, and the rest as one "N other models" bar, so the chart fits."""
    if len(rows) <= MODEL_BARS:
        return rows
    by_size = sorted(rows, key=lambda b: (-b.total, b.name))
    shown, rest = by_size[: MODEL_BARS - 1], by_size[MODEL_BARS - 1 :]
    merged: dict[str, int] = defaultdict(int)
    for b in rest:
        for status, n in b.by_status.items():
            merged[status] += n
    other = Breakdown(f"{len(rest)} other models", dict(merged), sum(b.overdue for b in rest))
    return [*sorted(shown, key=lambda b: b.name), other]


class _Reported(NamedTuple):
    id: int
    model: str
    chapter: str
    line: ItemLine


def _records(
    session: Session, as_of: dt.date, model_ids: tuple[int, ...] | None
) -> tuple[RecordLine, ...]:
    """Incident reports and request answers owed within 90 days of as_of (late ones too)."""
    owed = records_owed.owed(session=session, today=as_of, until=as_of + dt.timedelta(days=90))
    if model_ids is not None:
        m = AIModel.__table__.c  # type: ignore[attr-defined]
        slugs: set[str] = set(session.scalars(core_select(m.slug).where(m.id.in_(model_ids))))
        owed = [o for o in owed if o.model in slugs]
    return tuple(
        RecordLine(o.label, o.title, o.model, o.owner, o.due, o.days if o.late else 0) for o in owed
    )


def _reported(
    reg: metrics.Register, as_of: dt.date, model_ids: tuple[int, ...] | None
) -> list[_Reported]:
    """The items the figures count, as they stood on as_of."""
    chosen = set(model_ids) if model_ids is not None else None
    out = []
    for i in reg.items.values():
        if not reg.active(i) or (chosen is not None and i.model_id not in chosen):
            continue
        late = (as_of - i.due).days if i.due and i.due < as_of and i.status not in CLOSED else 0
        line = ItemLine(
            reg.key(i), reg.titles.get(i.entry_id, ""), reg.owner(i.owner_id), i.due, i.status, late
        )
        out.append(_Reported(i.id, reg.models[i.model_id].name, metrics.chapter_of(i.code), line))
    return out


def _figure_line(f: metrics.ItemFigure) -> ItemLine:
    return ItemLine(f.key, f.title, f.owner, f.due, f.status, f.days_late)


def _tables(reported: list[_Reported]) -> list[ItemTable]:
    grouped: dict[tuple[str, str], list[ItemLine]] = defaultdict(list)
    for r in reported:
        grouped[r.model, r.chapter].append(r.line)
    order = {c: n for n, c in enumerate(metrics.CHAPTER_ORDER)}
    keys = sorted(grouped, key=lambda k: (k[0], order.get(k[1], len(order)), k[1]))
    return [
        ItemTable(model, chapter, sorted(grouped[model, chapter], key=lambda x: natural_key(x.key)))
        for model, chapter in keys
    ]


def _evidence(
    session: Session, reported: set[int], as_of: dt.date, today: dt.date
) -> list[EvidenceLine]:
    """The evidence linked to the reported items, each at its revision on as_of."""
    if as_of >= today:
        out = []
        for ev in evidence.list_evidence(session=session):
            count = sum(1 for i in ev.requirement_ids if i in reported)
            if count:
                out.append(
                    EvidenceLine(ev.title, ev.revision or 0, ev.sha256 or "", ev.valid_until, count)
                )
        return out
    # An earlier day: the evidence that existed at its end, at the revision it then had.
    end = history.moment(as_of).replace(tzinfo=dt.UTC)  # the next day's first moment
    e, rev = Evidence.__table__.c, EvidenceRevision.__table__.c  # type: ignore[attr-defined]
    link = EvidenceLink.__table__.c  # type: ignore[attr-defined]
    counts: dict[int, int] = defaultdict(int)
    pairs: Any = session.execute(core_select(link.evidence_id, link.requirement_id))
    for eid, rid in pairs:
        if rid in reported:
            counts[eid] += 1
    latest = (
        core_select(rev.evidence_id, func.max(rev.number).label("number"))
        .where(rev.added_at < end)
        .group_by(rev.evidence_id)
        .subquery()
    )
    query = (
        core_select(e.id, e.title, e.valid_until, latest.c.number, rev.sha256)
        .join_from(Evidence, latest, latest.c.evidence_id == e.id, isouter=True)
        .join(
            EvidenceRevision,
            (rev.evidence_id == e.id) & (rev.number == latest.c.number),
            isouter=True,
        )
        .where(e.created_at < end)
        .order_by(e.id)
    )
    rows: Any = session.execute(query)
    return [
        EvidenceLine(title, number or 0, sha or "", until, counts[eid])
        for eid, title, until, number, sha in rows
        if counts.get(eid)
    ]


def _audit_head(session: Session, as_of: dt.date, today: dt.date) -> AuditAnchor | None:
    if as_of >= today:
        head = audit.head(session)
        found = (head.id, head.hash) if head else None
    else:
        anchor = history.anchor(session, history.moment(as_of))
        found = (anchor.event_id, anchor.hash) if anchor.event_id else None
    if found is None:
        return None
    at = session.execute(select(AuditEvent.at).where(AuditEvent.id == found[0])).scalar_one()
    return AuditAnchor(found[0], found[1], at)


def _changes_since(session: Session, lines: dict[str, ItemLine]) -> ChangesSince | None:
    prev = session.execute(
        select(ReportRecord).order_by(ReportRecord.number.desc()).limit(1)  # type: ignore[attr-defined]
    ).scalar()
    if prev is None:
        return None
    before: Snapshot = prev.metrics.get("items", {})
    moved, done, late, new = [], [], [], []
    for key, line in lines.items():
        old = before.get(key)
        if old is None:
            new.append(line)
            continue
        old_status, old_due = old[0], dt.date.fromisoformat(old[1]) if old[1] else None
        was_late = old_due is not None and old_due < prev.as_of and old_status not in CLOSED
        if line.status == "done" and old_status != "done":
            done.append(line)
        if line.days_late > 0 and not was_late:
            late.append(line)
        if old_due != line.due:
            moved.append(MovedDeadline(line, old_due, line.due))
    late.sort(key=lambda line: -line.days_late)
    return ChangesSince(prev.number, prev.as_of, done, late, new, moved)


class ReportMatch(NamedTuple):
    number: int
    as_of: dt.date
    audit_head_id: int | None
    head_held: bool  # the trail still holds the report's audit head with the same hash


def find_report(*, session: Session, sha256: str) -> ReportMatch | None:
    """The issued report whose PDF has this SHA-256, if this register issued it."""
    rec = session.execute(
        select(ReportRecord).where(ReportRecord.pdf_sha256 == sha256.lower()).limit(1)
    ).scalar()
    if rec is None:
        return None
    held = rec.audit_head_id is None or (
        audit.event_hash_at(session, rec.audit_head_id) == rec.audit_head_hash
    )
    return ReportMatch(rec.number, rec.as_of, rec.audit_head_id, held)


class IssuedReport(NamedTuple):
    number: int
    created_at: dt.datetime
    as_of: dt.date
    author: str  # the person's name, "" when unknown
    signer: str  # "" when unsigned
    pdf_sha256: str
    audit_head_id: int | None


def list_reports(*, session: Session) -> list[IssuedReport]:
    """Every report this register issued, newest first."""
    r, p = ReportRecord.__table__.c, Person.__table__.c  # type: ignore[attr-defined]
    query = (
        core_select(
            r.number, r.created_at, r.as_of, p.name, r.signer, r.pdf_sha256, r.audit_head_id
        )
        .join_from(ReportRecord, Person, p.id == r.author_id, isouter=True)
        .order_by(r.number.desc())
    )
    rows: Any = session.execute(query)
    return [
        IssuedReport(number, at, as_of, name or "", signer or "", sha, head)
        for number, at, as_of, name, signer, sha, head in rows
    ]

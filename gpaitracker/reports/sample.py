"""A made-up but realistic board report, the same for the same arguments: for tests, docs and
trying the layout without a register."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter, defaultdict

from gpaitracker.reports.data import (
    STATUSES,
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

AS_OF = dt.date(2026, 6, 30)
MODELS = ("atlas-2", "atlas-3-mini", "borealis-1")
# chapter -> code prefix and titles of the obligations it holds
CHAPTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "AI Act articles": (
        "AIA",
        (
            "Draw up and keep up to date the technical documentation of the model",
            "Give downstream providers the information they need to integrate the model",
            "Put in place a policy to comply with Union copyright law",
            "Publish a sufficiently detailed summary of the training content",
            "Appoint an authorised representative established in the Union",
            "Notify the Commission that the model meets the systemic-risk threshold",
        ),
    ),
    "Transparency": (
        "COP-TR",
        (
            "Complete the model documentation form",
            "Keep documentation for ten years after the model is placed on the market",
            "Answer information requests from the AI Office within the set time",
            "Publish contact details for downstream providers' requests",
        ),
    ),
    "Copyright": (
        "COP-CR",
        (
            "Respect robots.txt and other machine-readable reservations when crawling",
            "Exclude websites listed for persistent copyright infringement",
            "Mitigate the risk of infringing outputs",
            "Designate a point of contact for rightsholders' complaints",
        ),
    ),
    "Safety and Security": (
        "COP-SS",
        (
            "Create and adopt a safety and security framework",
            "Identify and analyse systemic risks along the whole model lifecycle",
            "Run state-of-the-art model evaluations before release",
            "Report serious incidents to the AI Office without undue delay",
            "Protect model weights against unauthorised release and theft",
            "Allocate responsibility for systemic risk and give it resources",
        ),
    ),
}
OWNERS = (
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing <alan@provider.eu>",
    "Katherine Johnson",
    "Edsger Dijkstra",
    "Barbara Liskov",
    None,
)
STATUS_WEIGHTS = {
    "done": 34,
    "in_review": 10,
    "in_progress": 22,
    "not_started": 20,
    "blocked": 5,
    "not_applicable": 9,
}
EVIDENCE_TITLES = (
    "Model documentation form",
    "Training content summary",
    "Copyright policy",
    "Robots.txt compliance log",
    "Evaluation report",
    "Incident response plan",
    "Safety and security framework",
    "Cybersecurity assessment",
)
CLOSED = ("done", "not_applicable")


def _code(prefix: str, n: int) -> str:
    if prefix == "AIA":  # article, paragraph and point, as the Act numbers them
        return f"AIA-{53 + n // 20}-{n // 4 % 5 + 1}-{'abcd'[n % 4]}"
    return f"{prefix}-{n // 9 + 1}.{n % 9 + 1}"


def _items(count: int, rng: random.Random) -> list[tuple[str, str, ItemLine]]:
    """(model, chapter, item) triples, spread over every model and chapter."""
    chapters = list(CHAPTERS)
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    out = []
    for i in range(count):
        model = MODELS[i % len(MODELS)]
        chapter = chapters[i // len(MODELS) % len(chapters)]
        prefix, titles = CHAPTERS[chapter]
        status = rng.choices(statuses, weights)[0]
        due = None if rng.random() < 0.08 else AS_OF + dt.timedelta(days=rng.randint(-120, 200))
        late = (AS_OF - due).days if due and due < AS_OF and status not in CLOSED else 0
        line = ItemLine(
            key=f"{model}/{_code(prefix, i // (len(MODELS) * len(chapters)))}",
            title=rng.choice(titles),
            owner=rng.choice(OWNERS),
            due=due,
            status=status,
            days_late=late,
        )
        out.append((model, chapter, line))
    return out


def _rag(line: ItemLine) -> str:
    """The register's colours: red overdue or blocked, amber due within 30 days."""
    if line.status == "blocked" or line.days_late:
        return "red"
    if line.status in CLOSED or line.due is None:
        return "green"
    soon = (line.due - AS_OF).days <= 30
    return "amber" if soon and line.status != "in_review" else "green"


def _breakdowns(names: list[str], lines: dict[str, list[ItemLine]]) -> list[Breakdown]:
    return [
        Breakdown(
            name,
            {s: c for s, c in Counter(i.status for i in lines[name]).items()},
            sum(1 for i in lines[name] if i.days_late),
        )
        for name in names
    ]


def _headline(lines: list[ItemLine], covered: int) -> Headline:
    applicable = [i for i in lines if i.status != "not_applicable"]
    done = sum(1 for i in lines if i.status == "done")
    due_30 = sum(
        1 for i in applicable if i.status != "done" and i.due and 0 <= (i.due - AS_OF).days <= 30
    )
    rag = Counter(_rag(i) for i in lines)
    return Headline(
        total=len(lines),
        done=done,
        overdue=sum(1 for i in lines if i.days_late),
        due_30=due_30,
        percent_done=100 * done / len(applicable) if applicable else 0.0,
        evidence_coverage=100 * covered / len(applicable) if applicable else 0.0,
        rag={c: rag.get(c, 0) for c in ("red", "amber", "green")},
    )


def _trend(h: Headline, rng: random.Random) -> list[TrendPoint]:
    points = []
    for k in range(12):  # week 11 is the as-of week and shows today's figures
        share = 0.45 + 0.55 * k / 11
        overdue = h.overdue if k == 11 else round(h.overdue * rng.uniform(0.6, 1.3))
        points.append(
            TrendPoint(AS_OF - dt.timedelta(weeks=11 - k), round(h.done * share), overdue)
        )
    return points


def _changes(lines: list[ItemLine], number: int, rng: random.Random) -> ChangesSince:
    dated = [i for i in lines if i.due]
    return ChangesSince(
        previous_number=number - 1,
        previous_as_of=AS_OF - dt.timedelta(days=28),
        newly_done=[i for i in lines if i.status == "done"][: max(1, len(lines) // 15)],
        newly_overdue=[i for i in lines if 0 < i.days_late <= 28],
        new_obligations=lines[-max(1, len(lines) // 20) :],
        deadlines_moved=[
            MovedDeadline(
                i, i.due - dt.timedelta(days=rng.choice((14, 30, 45))) if i.due else None, i.due
            )
            for i in rng.sample(dated, min(6, len(dated)))
        ],
    )


def _evidence(count: int, seed: int, rng: random.Random) -> list[EvidenceLine]:
    lines = []
    for n in range(count):
        digest = hashlib.sha256(f"sample evidence {seed} {n}".encode()).hexdigest()
        title = f"{EVIDENCE_TITLES[n % len(EVIDENCE_TITLES)]} ({MODELS[n % len(MODELS)]})"
        valid = None if n % 3 == 0 else AS_OF + dt.timedelta(days=rng.randint(30, 700))
        lines.append(EvidenceLine(title, 1 + n % 4, digest, valid, rng.randint(1, 9)))
    return lines


def sample_report(items: int = 60, seed: int = 1) -> ReportData:
    """A report on `items` made-up obligations of three models; the same for the same seed."""
    rng = random.Random(seed)
    triples = _items(items, rng)
    lines = [line for _, _, line in triples]
    by_chapter: dict[str, list[ItemLine]] = defaultdict(list)
    by_model: dict[str, list[ItemLine]] = defaultdict(list)
    grouped: dict[tuple[str, str], list[ItemLine]] = defaultdict(list)
    for model, chapter, line in triples:
        by_chapter[chapter].append(line)
        by_model[model].append(line)
        grouped[model, chapter].append(line)
    covered = sum(1 for i in lines if i.status != "not_applicable" and rng.random() < 0.7)
    headline = _headline(lines, covered)
    open_lines = [i for i in lines if i.status not in CLOSED and i.due]
    number = 4
    generated = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(9, 30), dt.UTC)
    status_order = [s for s, _ in STATUSES]
    return ReportData(
        organisation="Northwind AI Labs B.V.",
        number=number,
        as_of=AS_OF,
        generated_at=generated,
        models=list(MODELS),
        prepared_by="Ada Lovelace <ada@provider.eu>",
        approved_by=None,
        headline=headline,
        key_messages=[
            f"{headline.overdue} obligations are overdue; {headline.rag['red']} items are red.",
            f"{headline.percent_done:.0f}% of the applicable obligations are done.",
            f"{headline.due_30} obligations fall due in the next 30 days.",
        ],
        by_chapter=_breakdowns([c for c in CHAPTERS if c in by_chapter], by_chapter),
        by_model=_breakdowns([m for m in MODELS if m in by_model], by_model),
        trend=_trend(headline, rng),
        changes=_changes(lines, number, rng),
        overdue=sorted((i for i in lines if i.days_late), key=lambda i: -i.days_late),
        next_90=sorted(
            (i for i in open_lines if i.due and 0 <= (i.due - AS_OF).days <= 90),
            key=lambda i: (i.due, i.key),
        ),
        tables=[
            ItemTable(m, c, sorted(grouped[m, c], key=lambda i: status_order.index(i.status)))
            for m in MODELS
            for c in CHAPTERS
            if grouped[m, c]
        ],
        evidence=_evidence(max(3, items // 4), seed, rng),
        records=(
            RecordLine(
                "incident #1",
                "intermediate report: Evaluation harness outage",
                MODELS[0],
                "Ada Lovelace",
                AS_OF - dt.timedelta(days=3),
                3,
            ),
            RecordLine(
                "request #2",
                "downstream provider request: capabilities and limitations",
                MODELS[-1],
                None,
                AS_OF + dt.timedelta(days=9),
                0,
            ),
        ),
        audit_head=AuditAnchor(
            event_id=items * 7 + 13,
            hash=hashlib.sha256(f"sample audit {seed} {items}".encode()).hexdigest(),
            at=generated - dt.timedelta(minutes=4),
        ),
    )

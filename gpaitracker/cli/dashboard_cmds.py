"""Where the register stands: status-summary (the headline figures) and agenda (reminders)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.metrics import Figures
    from gpaitracker.services.agenda import Entry
    from gpaitracker.services.workspace import Workspace


def cmd_status_summary(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import metrics, parse, paths
    from gpaitracker.services import lookup

    model_ids = tuple(ws.read(lookup.model_id, ref=m) for m in args.model) if args.model else None
    as_of = parse.date(args.as_of, "as-of date") if args.as_of else None
    figs = ws.read(
        metrics.figures,
        as_of=as_of,
        model_ids=model_ids,
        cache_dir=paths.cache_dir(ws.home),
    )
    if args.format == "json":
        output.as_json(figs.as_dict())
        return 0
    _print_summary(figs)
    return 0


def _print_summary(figs: Figures) -> None:
    print(f"As of {figs.as_of.isoformat()}: {figs.total} items apply")
    print(
        f"  done {figs.done} ({figs.percent_done:.1f}% of those not justified out), "
        f"overdue {figs.overdue}, due in 30 days {figs.due_30}, in 90 days {figs.due_90}"
    )
    print(
        f"  evidence coverage {figs.evidence_coverage:.1f}% "
        f"({figs.evidence_covered} of {figs.evidence_base}), "
        f"evidence expiring within 30 days {len(figs.expiring)}"
    )
    print("  RAG: " + ", ".join(f"{k} {v}" for k, v in figs.rag.items()))
    print("  by status: " + ", ".join(f"{k} {v}" for k, v in figs.by_status.items()))
    for caption, groups in (("chapter", figs.by_chapter), ("model", figs.by_model)):
        if groups:
            print()
            output.table(
                [caption, "items", "done", "% done", "overdue"],
                [[g.name, g.total, g.done, f"{g.percent_done:.0f}%", g.overdue] for g in groups],
            )


def cmd_agenda(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import agenda

    days = parse.integer(args.days, "days", minimum=0, maximum=3660)
    person = ws.actor().id if getattr(args, "as_user", None) else None
    entries = ws.read(agenda.agenda, person_id=person, days=days, records=True)
    if args.format == "json":
        output.as_json([e.as_dict() for e in entries])
        return 0
    if not entries:
        print(f"Nothing needs attention in the next {days} days.")
        return 0
    output.table(
        ["what", "key", "due", "days", "title"],
        [[agenda.CAPTIONS[e.kind], e.key, e.due, _days(e), e.title] for e in entries],
    )
    return 0


def _days(entry: Entry) -> str:
    from gpaitracker.services import agenda

    return f"{entry.days} late" if entry.kind in agenda.LATE else f"in {entry.days}"


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "status-summary", parents=[common], help="headline figures: done, overdue, coverage"
    )
    p.add_argument("--model", action="append", help="model slug or name (repeatable)")
    p.add_argument("--as-of", metavar="DATE", help="the register as it stood on that day")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_status_summary)

    p = sub.add_parser(
        "agenda",
        parents=[common],
        help="what needs attention: overdue, due soon, expiring evidence, reviews",
        description="Everyone's list, or with --as EMAIL that person's: the items they own "
        "and the reviews waiting for them.",
    )
    p.add_argument("--days", default="7", metavar="N", help="look N days ahead (default 7)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_agenda)

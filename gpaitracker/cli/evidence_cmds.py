"""evidence commands: attach files and links to register items, export, verify, expiry."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.evidence_store import StoredObject
    from gpaitracker.services.workspace import Workspace

EXIT_PROBLEM = 3
MAX_EXPIRING_DAYS = 36_500  # a hundred years: today + that is still a date the register holds
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _progress() -> Callable[[int, int], None] | None:
    """A percentage on stderr when someone is watching; silent in scripts."""
    if not sys.stderr.isatty():
        return None
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = 100 if not total else min(100, done * 100 // total)
        if pct != last[0]:
            last[0] = pct
            print(f"\r{pct:3d}% of {total:,} bytes", end="", file=sys.stderr, flush=True)
            if done >= total:
                print(file=sys.stderr)

    return show


def cmd_add(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.enums import Entity
    from gpaitracker.services import evidence, evidence_import, lookup

    details = {
        "title": args.title,
        "description": args.description,
        "valid_from": parse.optional_date(args.valid_from, "valid-from date"),
        "valid_until": parse.optional_date(args.valid_until, "valid-until date"),
    }
    item_id = ws.read(lookup.requirement_id, key=args.key)
    source = args.source
    key = output.safe(args.key)
    if _SCHEME.match(source) and not os.path.lexists(source):
        changes = ws.write(
            evidence.add_link_evidence,
            requirement_id=item_id,
            url=source,
            **details,
        )
        row = ws.read(evidence.get, evidence_id=changes.created_id(Entity.EVIDENCE))
        print(f"evidence {row.id}: link {output.safe(row.url or '')} added to {key}")
        return 0
    changes, obj = evidence_import.import_file(
        ws,
        requirement_id=item_id,
        path=source,
        progress=_progress(),
        **details,
    )
    print(
        f"evidence {changes.created_id(Entity.EVIDENCE)}: {output.safe(obj.name)} "
        f"({obj.size:,} bytes, sha256 {obj.sha256}) added to {key}{_stored_note(obj)}"
    )
    return 0


def _stored_note(obj: StoredObject) -> str:
    """What the store found under these bytes' name: nothing, the same bytes, or other ones."""
    if obj.repaired:
        return (
            " (the stored copy of these bytes had been altered or damaged; "
            "it was replaced with this file)"
        )
    return " (same bytes already stored)" if obj.deduplicated else ""


def cmd_revise(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.errors import ValidationError
    from gpaitracker.services import evidence, evidence_import, lookup
    from gpaitracker.services.register import KEEP

    eid = ws.read(lookup.evidence_id, ref=args.id)
    start = (
        KEEP if args.valid_from is None else parse.optional_date(args.valid_from, "valid-from date")
    )
    end = (
        KEEP
        if args.valid_until is None
        else parse.optional_date(args.valid_until, "valid-until date")
    )
    if args.file is None:
        if args.note:
            raise ValidationError("--note describes a new revision: give the FILE too")
        if args.title is None and start is KEEP and end is KEEP:
            raise ValidationError(
                "nothing to change: give a FILE, --title, --valid-from or --valid-until"
            )
        ws.write(
            evidence.update_evidence,
            evidence_id=eid,
            title=args.title,
            valid_from=start,
            valid_until=end,
        )
        row = ws.read(evidence.get, evidence_id=eid)
        print(f"evidence {eid}: updated ({output.safe(row.title)})")
        return 0
    _, obj = evidence_import.import_revision(
        ws,
        evidence_id=eid,
        path=args.file,
        note=args.note,
        title=args.title,
        valid_from=start,
        valid_until=end,
        progress=_progress(),
    )
    row = ws.read(evidence.get, evidence_id=eid)
    print(
        f"evidence {eid}: revision {row.revision} {output.safe(obj.name)} "
        f"({obj.size:,} bytes, sha256 {obj.sha256}){_stored_note(obj)}"
    )
    return 0


def cmd_link(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import evidence, lookup

    eid = ws.read(lookup.evidence_id, ref=args.id)
    item_id = ws.read(lookup.requirement_id, key=args.key)
    ws.write(
        evidence.unlink if args.remove else evidence.link, evidence_id=eid, requirement_id=item_id
    )
    done = "unlinked from" if args.remove else "linked to"
    print(f"evidence {eid}: {done} {output.safe(args.key)}")
    return 0


def cmd_list(ws: Workspace, args: argparse.Namespace) -> int:
    import datetime as dt

    from gpaitracker import parse
    from gpaitracker.services import evidence, lookup

    item_id = ws.read(lookup.requirement_id, key=args.key) if args.key else None
    today = dt.date.today()
    if args.expired:
        rows = ws.read(evidence.expired, today=today, requirement_id=item_id)
    elif args.expiring is not None:
        days = parse.integer(args.expiring, "expiring days", maximum=MAX_EXPIRING_DAYS)
        rows = ws.read(evidence.expiring_within, days=days, today=today, requirement_id=item_id)
    else:
        rows = ws.read(evidence.list_evidence, requirement_id=item_id)
    if args.format == "json":
        output.as_json([r.as_dict(today) for r in rows])
        return 0
    headers = ["id", "title", "kind", "state", "valid_until", "revision", "size", "keys"]
    output.table(
        headers,
        [
            [
                r.id,
                r.title,
                r.kind,
                r.state(today),
                r.valid_until,
                r.revision,
                r.size,
                ", ".join(r.keys),
            ]
            for r in rows
        ],
    )
    print(f"{len(rows)} evidence")
    return 0


def cmd_export(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import evidence_export, lookup

    eid = ws.read(lookup.evidence_id, ref=args.id)
    revision = None if args.revision is None else parse.row_id(args.revision, "revision")
    out = ws.read(
        evidence_export.export,
        store=ws.store,
        evidence_id=eid,
        out_path=args.out,
        revision=revision,
        progress=_progress(),
    )
    print(f"exported to {output.safe(str(out))} (SHA-256 verified)")
    return 0


def cmd_verify(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import checks

    result = checks.verify_store(ws.register, _progress())
    shown = checks.SHOWN_PER_KIND
    leftovers = [str(p) for p in result.unreferenced + result.temp_files]
    for path in leftovers[:shown]:
        print(
            f"note: {output.safe(path)} is not used by any evidence "
            "('gpaitracker check --gc' removes it)"
        )
    if len(leftovers) > shown:
        print(f"... and {len(leftovers) - shown} more unused file(s)")
    for problem in result.problems[:shown]:
        print(f"PROBLEM: {output.safe(problem)}", file=sys.stderr)
    if len(result.problems) > shown:
        print(f"... and {len(result.problems) - shown} more evidence problem(s)", file=sys.stderr)
    if result.problems:
        print(f"{len(result.problems)} problem(s) found", file=sys.stderr)
        return EXIT_PROBLEM
    print(f"evidence OK: {result.checked} stored files re-hashed")
    return 0


def cmd_reopen(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.enums import Entity
    from gpaitracker.services import evidence_expiry, queries

    if args.auto is not None:
        ws.write(evidence_expiry.set_reopen_on_expiry, enabled=args.auto == "on")
    if not ws.read(evidence_expiry.reopen_on_expiry):
        for item in ws.read(evidence_expiry.done_with_only_expired):
            print(f"{item.key}: done, but all its evidence has expired")
        setting = evidence_expiry.REOPEN_SETTING
        print(f"not reopened: setting {setting} is off (turn on with --auto on)")
        return 0
    reopened = ws.write(evidence_expiry.reopen_expired).ids(Entity.REQUIREMENT)
    if not reopened:
        print("no done items with only expired evidence")
        return 0
    only = queries.Filters(requirement_ids=tuple(sorted(reopened)), include_inactive=True)
    for row in sorted(ws.read(queries.list_rows, filters=only), key=lambda r: r.key):
        print(f"{row.key}: reopened (in_progress), all its evidence has expired")
    return 0


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    ev = sub.add_parser("evidence", parents=[common], help="evidence files and links")
    ev_sub = ev.add_subparsers(dest="evidence_command", required=True, metavar="COMMAND")

    p = ev_sub.add_parser("add", parents=[common], help="attach a file or http(s) link to an item")
    p.add_argument("key", help="register item, e.g. atlas-2/AIA-53-1-a")
    p.add_argument("source", metavar="FILE|URL", help="file to store, or an http(s) address")
    p.add_argument("--title", help="default: the file name or the address")
    p.add_argument("--description", default="")
    p.add_argument("--valid-from", metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--valid-until", metavar="DATE", help="expiry date, YYYY-MM-DD")
    p.set_defaults(func=cmd_add)

    p = ev_sub.add_parser(
        "revise", parents=[common], help="add a new revision of a file, or change title or validity"
    )
    p.add_argument("id", help="evidence id")
    p.add_argument("file", nargs="?", help="the new revision (none: change only the details)")
    p.add_argument("--note", default="", help="what changed in this revision")
    p.add_argument("--title", help="a new title")
    p.add_argument("--valid-from", metavar="DATE", help="YYYY-MM-DD, or - to clear")
    p.add_argument("--valid-until", metavar="DATE", help="expiry date, YYYY-MM-DD, or - to clear")
    p.set_defaults(func=cmd_revise)

    p = ev_sub.add_parser("link", parents=[common], help="link evidence to another item")
    p.add_argument("id", help="evidence id")
    p.add_argument("key", help="register item")
    p.add_argument("--remove", action="store_true", help="unlink instead")
    p.set_defaults(func=cmd_link)

    p = ev_sub.add_parser("list", parents=[common], help="list evidence")
    p.add_argument("key", nargs="?", help="only evidence of this item")
    p.add_argument("--expiring", metavar="DAYS", help="valid now, expiring within DAYS")
    p.add_argument("--expired", action="store_true", help="only expired evidence")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_list)

    p = ev_sub.add_parser("export", parents=[common], help="copy a stored file out, verified")
    p.add_argument("id", help="evidence id")
    p.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="file, or existing folder (a PATH ending in / is always a folder)",
    )
    p.add_argument("--revision", metavar="N", help="default: the latest")
    p.set_defaults(func=cmd_export)

    p = ev_sub.add_parser(
        "verify", parents=[common], help="re-hash every stored file (exit 3: missing or changed)"
    )
    p.set_defaults(func=cmd_verify)

    p = ev_sub.add_parser(
        "reopen-expired", parents=[common], help="reopen done items whose evidence has all expired"
    )
    p.add_argument("--auto", choices=["on", "off"], help="first turn reopening on expiry on or off")
    p.set_defaults(func=cmd_reopen)

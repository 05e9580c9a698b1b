"""evidence commands: attach files and links to register items, export, verify, expiry."""

from __future__ import annotations

import argparse
import os
import re
import sys

from gpaitracker import checks
from gpaitracker.cli import output
from gpaitracker.cli.context import Context
from gpaitracker.db import session_scope
from gpaitracker.errors import ValidationError
from gpaitracker.evidence_store import EvidenceStore, Progress
from gpaitracker.services import evidence, evidence_expiry, register

EXIT_PROBLEM = 3
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _store(ctx: Context) -> EvidenceStore:
    return EvidenceStore.of_home(ctx.register.home)


def _progress() -> Progress | None:
    """A percentage on stderr when someone is watching; silent in scripts."""
    if not sys.stderr.isatty():
        return None
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = 100 if not total else done * 100 // total
        if pct != last[0]:
            last[0] = pct
            print(f"\r{pct:3d}% of {total:,} bytes", end="", file=sys.stderr, flush=True)
            if done >= total:
                print(file=sys.stderr)

    return show


def _evidence_id(value: str) -> int:
    if not value.isdigit():
        raise ValidationError(f"evidence id {value!r} is not a number")
    return int(value)


def cmd_add(ctx: Context, args: argparse.Namespace) -> int:
    source = args.source
    is_url = bool(_SCHEME.match(source)) and not os.path.lexists(source)
    if is_url:
        with session_scope(ctx.register, write=True) as s:
            ev = evidence.add_link_evidence(
                session=s, actor=ctx.actor(s), key=args.key, url=source, title=args.title,
                description=args.description, valid_from=args.valid_from,
                valid_until=args.valid_until,
            )  # fmt: skip
        print(f"evidence {ev.id}: link {ev.url} added to {args.key}")
        return 0
    # Check what we can before the copy, and copy outside the write transaction so a big
    # file does not hold the register's write lock.
    with session_scope(ctx.register) as s:
        evidence.check_new(
            session=s, actor=ctx.actor(s), key=args.key, title=args.title,
            description=args.description, valid_from=args.valid_from,
            valid_until=args.valid_until,
        )  # fmt: skip
    obj = _store(ctx).import_file(source, _progress())
    with session_scope(ctx.register, write=True) as s:
        ev = evidence.add_file_evidence(
            session=s, actor=ctx.actor(s), store=_store(ctx), key=args.key, path=obj,
            title=args.title, description=args.description, valid_from=args.valid_from,
            valid_until=args.valid_until,
        )  # fmt: skip
    same = " (same bytes already stored)" if obj.deduplicated else ""
    print(f"evidence {ev.id}: {obj.name} ({obj.size:,} bytes, sha256 {obj.sha256}) "
          f"added to {args.key}{same}")  # fmt: skip
    return 0


def cmd_revise(ctx: Context, args: argparse.Namespace) -> int:
    eid = _evidence_id(args.id)
    obj = _store(ctx).import_file(args.file, _progress())
    with session_scope(ctx.register, write=True) as s:
        rev = evidence.add_revision(
            session=s, actor=ctx.actor(s), store=_store(ctx), evidence_id=eid, path=obj,
            note=args.note,
        )  # fmt: skip
    print(f"evidence {eid}: revision {rev.number} {obj.name} ({obj.size:,} bytes, "
          f"sha256 {obj.sha256})")  # fmt: skip
    return 0


def cmd_link(ctx: Context, args: argparse.Namespace) -> int:
    eid = _evidence_id(args.id)
    with session_scope(ctx.register, write=True) as s:
        fn = evidence.unlink if args.remove else evidence.link
        fn(session=s, actor=ctx.actor(s), evidence_id=eid, key=args.key)
    print(f"evidence {eid}: {'unlinked from' if args.remove else 'linked to'} {args.key}")
    return 0


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register) as s:
        if args.expired:
            rows = evidence.expired(session=s)
        elif args.expiring is not None:
            rows = evidence.expiring_within(session=s, days=args.expiring)
        else:
            rows = evidence.list_evidence(session=s)
        if args.key:
            item, model = register.get_by_key(session=s, key=args.key)
            key = register.key_of(item, model)
            rows = [r for r in rows if key in r.keys]
    headers = ["id", "title", "kind", "state", "valid_until", "revision", "size", "keys"]
    data = [
        {"id": r.id, "title": r.title, "kind": r.kind, "state": r.state(), "url": r.url,
         "valid_from": r.valid_from, "valid_until": r.valid_until, "revision": r.revision,
         "sha256": r.sha256, "size": r.size, "name": r.name, "keys": r.keys}
        for r in rows
    ]  # fmt: skip
    if args.format == "json":
        output.as_json(data)
        return 0
    output.table(headers, [[d[h] if h != "keys" else ", ".join(r.keys) for h in headers]
                           for d, r in zip(data, rows, strict=True)])  # fmt: skip
    print(f"{len(rows)} evidence")
    return 0


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register) as s:
        out = evidence.export(
            session=s, store=_store(ctx), evidence_id=_evidence_id(args.id), out_path=args.out,
            revision=args.revision, progress=_progress(),
        )  # fmt: skip
    print(f"exported to {out} (SHA-256 verified)")
    return 0


def cmd_verify(ctx: Context, args: argparse.Namespace) -> int:
    result = checks.verify_store(ctx.register, _progress())
    for path in result.unreferenced + result.temp_files:
        print(f"note: {path} is not used by any evidence ('gpaitracker check --gc' removes it)")
    for problem in result.problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    if result.problems:
        print(f"{len(result.problems)} problem(s) found", file=sys.stderr)
        return EXIT_PROBLEM
    print(f"evidence OK: {result.checked} stored files re-hashed")
    return 0


def cmd_reopen(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register, write=True) as s:
        actor = ctx.actor(s)
        if args.auto is not None:
            evidence_expiry.set_reopen_on_expiry(session=s, actor=actor, enabled=args.auto == "on")
        flagged = evidence_expiry.done_with_only_expired(session=s)
        reopened = evidence_expiry.reopen_expired(session=s, actor=actor)
        enabled = evidence_expiry.reopen_on_expiry(session=s)
    for key in reopened:
        print(f"{key}: reopened (in_progress), all its evidence has expired")
    if not enabled:
        for key in flagged:
            print(f"{key}: done, but all its evidence has expired")
        setting = evidence_expiry.REOPEN_SETTING
        print(f"not reopened: setting {setting} is off (turn on with --auto on)")
    elif not reopened:
        print("no done items with only expired evidence")
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

    p = ev_sub.add_parser("revise", parents=[common], help="add a new revision of a file")
    p.add_argument("id", help="evidence id")
    p.add_argument("file")
    p.add_argument("--note", default="", help="what changed")
    p.set_defaults(func=cmd_revise)

    p = ev_sub.add_parser("link", parents=[common], help="link evidence to another item")
    p.add_argument("id", help="evidence id")
    p.add_argument("key", help="register item")
    p.add_argument("--remove", action="store_true", help="unlink instead")
    p.set_defaults(func=cmd_link)

    p = ev_sub.add_parser("list", parents=[common], help="list evidence")
    p.add_argument("key", nargs="?", help="only evidence of this item")
    p.add_argument("--expiring", type=int, metavar="DAYS", help="valid now, expiring within DAYS")
    p.add_argument("--expired", action="store_true", help="only expired evidence")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_list)

    p = ev_sub.add_parser("export", parents=[common], help="copy a stored file out, verified")
    p.add_argument("id", help="evidence id")
    p.add_argument("--out", required=True, metavar="PATH", help="file or existing folder")
    p.add_argument("--revision", type=int, metavar="N", help="default: the latest")
    p.set_defaults(func=cmd_export)

    p = ev_sub.add_parser(
        "verify", parents=[common], help="re-hash every stored file (exit 3: missing or changed)"
    )
    p.set_defaults(func=cmd_verify)

    p = ev_sub.add_parser("reopen-expired", parents=[common],
                          help="reopen done items whose evidence has all expired")  # fmt: skip
    p.add_argument("--auto", choices=["on", "off"],
                   help="first turn reopening on expiry on or off")  # fmt: skip
    p.set_defaults(func=cmd_reopen)

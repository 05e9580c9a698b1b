"""catalogue list|show|diff|upgrade|import: the obligations the register is built from."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from gpaitracker import catalogue as catalogue_files
from gpaitracker.cli import output
from gpaitracker.cli.context import Context
from gpaitracker.db import session_scope
from gpaitracker.errors import NotFoundError
from gpaitracker.models import Catalogue
from gpaitracker.services import catalogue_upgrade, catalogues

if TYPE_CHECKING:
    from sqlmodel import Session


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    with session_scope(ctx.register) as s:
        rows = []
        query = select(Catalogue).order_by(col(Catalogue.catalogue_id), col(Catalogue.published))
        for cat in s.exec(query).all():
            if not args.all and not cat.active:
                continue
            assert cat.id is not None
            entries = catalogues.entries_of(session=s, catalogue_pk=cat.id)
            tracked = sum(catalogues.is_tracked(e) for e in entries)
            rows.append(
                [
                    cat.catalogue_id,
                    cat.version,
                    cat.published,
                    cat.active,
                    len(entries),
                    tracked,
                    cat.title,
                ]
            )
    headers = ["id", "version", "published", "active", "entries", "tracked", "title"]
    if args.format == "json":
        output.as_json([dict(zip(headers, r, strict=True)) for r in rows])
    else:
        output.table(headers, rows)
    return 0


def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register) as s:
        for cat in catalogues.active_catalogues(session=s):
            assert cat.id is not None
            for e in catalogues.entries_of(session=s, catalogue_pk=cat.id):
                if e.code == args.code:
                    data = {
                        "code": e.code, "catalogue": f"{cat.catalogue_id}@{cat.version}",
                        "kind": e.kind, "parent": e.parent_code, "title": e.title,
                        "reference": e.reference, "summary": e.summary,
                        "applies": json.loads(e.applies), "due": e.due_rule,
                        "recurrence_months": e.recurrence_months,
                        "evidence": json.loads(e.evidence), "kpis": json.loads(e.kpis),
                    }  # fmt: skip
                    if args.format == "json":
                        output.as_json(data)
                    else:
                        for k, v in data.items():
                            if v not in (None, [], ""):
                                shown = "; ".join(v) if isinstance(v, list) else v
                                print(f"{k:18} {shown}")
                    return 0
    raise NotFoundError(f"catalogue code {args.code!r} is not in any catalogue in use")


def cmd_diff(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register) as s:
        for new in _pending(s, args):
            for line in catalogue_upgrade.diff(session=s, new=new).lines():
                print(line)
    return 0


def cmd_upgrade(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register, write=True) as s:
        actor = ctx.actor(s)
        pending = _pending(s, args)
        if not pending:
            print("The register already uses the newest version of every catalogue.")
        for new in pending:
            plan, touched = catalogue_upgrade.upgrade(session=s, actor=actor, new=new)
            for line in plan.lines():
                print(line)
            print(f"  {len(touched)} register items updated")
    return 0


def _pending(session: Session, args: argparse.Namespace) -> list[catalogue_files.CatalogueFile]:
    """The named file (diff() explains if it cannot apply), or the newer built-in versions."""
    if getattr(args, "file", None):
        return [catalogue_files.load_file(Path(args.file))]
    out = []
    for cat in catalogue_files.shipped():
        current = catalogue_upgrade.active_version(session, cat.id)
        if current is None or (current.published, current.version) < (cat.published, cat.version):
            out.append(cat)
    return out


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    cat = sub.add_parser("catalogue", parents=[common], help="obligation catalogues")
    cat_sub = cat.add_subparsers(dest="catalogue_command", required=True, metavar="COMMAND")
    p = cat_sub.add_parser("list", parents=[common], help="catalogues in use")
    p.add_argument("--all", action="store_true", help="include superseded versions")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_list)
    p = cat_sub.add_parser("show", parents=[common], help="one catalogue entry")
    p.add_argument("code", help="e.g. AIA-53-1-a or COP-SS-7.1")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_show)
    p = cat_sub.add_parser(
        "diff", parents=[common], help="what a newer catalogue (FILE or built-in) would change"
    )
    p.add_argument("file", nargs="?", help="catalogue TOML file (default: built-in catalogues)")
    p.set_defaults(func=cmd_diff)
    p = cat_sub.add_parser(
        "upgrade", parents=[common], help="move the register to a newer catalogue, keeping all work"
    )
    p.add_argument("file", nargs="?", help="catalogue TOML file (default: built-in catalogues)")
    p.set_defaults(func=cmd_upgrade)
    p = cat_sub.add_parser(
        "import", parents=[common], help="load your own catalogue file and apply it to every model"
    )
    p.add_argument("file")
    p.set_defaults(func=cmd_upgrade)

"""catalogue list|show|diff|upgrade|import: the obligations the register is built from."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace


def cmd_list(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import catalogue_reads

    headers = ["id", "version", "published", "active", "entries", "tracked", "title"]
    rows = [
        [c.catalogue_id, c.version, c.published, c.active, c.entries, c.tracked, c.title]
        for c in ws.read(catalogue_reads.catalogue_summaries, include_inactive=args.all)
    ]
    output.emit(args.format, headers, rows)
    return 0


def cmd_show(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import catalogue_reads

    data = ws.read(catalogue_reads.entry, code=args.code).as_dict()
    if args.format == "json":
        output.as_json(data)
        return 0
    for k, v in data.items():
        if v not in (None, [], ""):
            shown = "; ".join(v) if isinstance(v, list) else v
            print(f"{k:18} {output.cell(shown)}")
    return 0


def _file(args: argparse.Namespace) -> Path | None:
    return Path(args.file) if getattr(args, "file", None) else None


def cmd_diff(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import catalogue_upgrade

    for new in ws.read(catalogue_upgrade.pending, file=_file(args)):
        for line in ws.read(catalogue_upgrade.diff, new=new).lines():
            print(output.safe(line))
    return 0


def cmd_upgrade(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.enums import Entity
    from gpaitracker.services import catalogue_upgrade

    pending = ws.read(catalogue_upgrade.pending, file=_file(args))
    if not pending:
        print("The register already uses the newest version of every catalogue.")
    for new in pending:
        plan = ws.read(catalogue_upgrade.diff, new=new)
        changes = ws.write(catalogue_upgrade.upgrade, new=new)
        for line in plan.lines():
            print(output.safe(line))
        print(f"  {len(changes.ids(Entity.REQUIREMENT))} register items updated")
    return 0


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

"""catalogue list|show|diff|upgrade|import: the obligations the register is built from."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.catalogue import CatalogueFile
    from gpaitracker.services.catalogue_upgrade import CatalogueDiff
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


NOTHING = "The register already uses the newest version of every catalogue."
NOT_YET = "Nothing changed yet: run again with --yes to apply these changes to the register."


def _foreign_notes(ws: Workspace) -> None:
    """Built-in catalogues whose version in use is not a shipped file (an old bad import)."""
    from gpaitracker.services import catalogue_upgrade

    for cat in ws.read(catalogue_upgrade.reinstalls):
        if cat in ws.read(catalogue_upgrade.pending):
            continue
        print(
            f"note: catalogue {cat.id} in use is not its built-in version {cat.version}; "
            f"'gpaitracker catalogue upgrade --builtin {cat.id}' reinstalls it"
        )


def cmd_diff(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import catalogue_upgrade

    pending = ws.read(catalogue_upgrade.pending, file=_file(args))
    for new in pending:
        for line in ws.read(catalogue_upgrade.diff, new=new).lines():
            print(output.safe(line))
    if not pending:
        print(NOTHING)
    if _file(args) is None:
        _foreign_notes(ws)
    return 0


def _plans(ws: Workspace, args: argparse.Namespace) -> list[tuple[CatalogueFile, CatalogueDiff]]:
    """What the command would apply, each catalogue with its diff (refusals raise here)."""
    from gpaitracker.services import catalogue_upgrade

    reinstall = args.builtin is not None
    if reinstall:
        chosen = None if args.builtin == _EVERY else args.builtin
        found = ws.read(catalogue_upgrade.reinstalls, catalogue_id=chosen)
    else:
        found = ws.read(catalogue_upgrade.pending, file=_file(args))
    return [(new, ws.read(catalogue_upgrade.diff, new=new, reinstall=reinstall)) for new in found]


def cmd_upgrade(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.enums import Entity
    from gpaitracker.errors import ValidationError
    from gpaitracker.services import catalogue_upgrade

    if getattr(args, "builtin", None) is not None and _file(args) is not None:
        raise ValidationError("give either a catalogue file or --builtin, not both")
    plans = _plans(ws, args)
    if not plans:
        print(
            "The register already uses the built-in version of every built-in catalogue."
            if args.builtin is not None
            else NOTHING
        )
        if args.builtin is None and _file(args) is None:
            _foreign_notes(ws)
        return 0
    for _, plan in plans:
        for line in plan.lines():
            print(output.safe(line))
    major = [plan for _, plan in plans if plan.major]
    if major and not args.allow_major:
        raise ValidationError(
            f"catalogue {major[0].catalogue_id} {major[0].to_version} would withdraw or merge "
            f"away {major[0].lost} of the {major[0].tracked_before} tracked entries in use; "
            "add --allow-major to apply a change this large"
        )
    if not args.yes:
        print(NOT_YET)
        return 0
    for new, plan in plans:
        if plan.reinstall:
            changes = ws.write(catalogue_upgrade.reinstall_builtin, catalogue_id=new.id)
        else:
            changes = ws.write(catalogue_upgrade.upgrade, new=new, allow_major=args.allow_major)
        print(
            f"{output.safe(new.id)} {output.safe(new.version)}: "
            f"{len(changes.ids(Entity.REQUIREMENT))} register items updated"
        )
    return 0


_EVERY = "*"


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
        "upgrade",
        parents=[common],
        help="move the register to a newer catalogue, keeping all work (preview, then --yes)",
    )
    p.add_argument("file", nargs="?", help="catalogue TOML file (default: built-in catalogues)")
    p.add_argument(
        "--builtin",
        nargs="?",
        const=_EVERY,
        metavar="ID",
        help="reinstall the newest built-in version of catalogue ID (default: of every "
        "built-in catalogue), whatever version is in use",
    )
    _apply_flags(p)
    p.set_defaults(func=cmd_upgrade)
    p = cat_sub.add_parser(
        "import",
        parents=[common],
        help="load your own catalogue file and apply it to every model (preview, then --yes)",
    )
    p.add_argument("file")
    p.set_defaults(func=cmd_upgrade, builtin=None)
    _apply_flags(p)


def _apply_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--yes", action="store_true", help="apply the changes shown")
    p.add_argument(
        "--allow-major",
        action="store_true",
        help="allow a version that withdraws or merges away more than half of the entries",
    )

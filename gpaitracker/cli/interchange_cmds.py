"""Moving the register in and out: export, import, backup, restore."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.interchange_import import ImportResult
    from gpaitracker.services.workspace import Workspace

EXIT_USER = 1


def cmd_export(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import interchange_export as ex
    from gpaitracker.services import interchange_reads, lookup, register_json

    out = Path(args.out)
    fmt = ex.check_format(args.format or "", out)
    if fmt != "ics" and (args.mine or args.model):
        return _usage("--mine and --model choose calendar events: use them with --format ics")
    if fmt == "json":
        register_json.write_json(ws.read(register_json.document), out)
        print(f"register written to {output.safe(str(out))}")
        return 0
    data = ws.read(interchange_reads.snapshot, with_evidence=fmt == "xlsx")
    if fmt == "ics":
        owner_id = ws.actor().id if args.mine else None
        model_id = ws.read(lookup.model_id, ref=args.model) if args.model else None
        count = ex.write_ics(data, out, owner_id=owner_id, model_id=model_id)
        print(f"{count} deadlines written to {output.safe(str(out))}")
        return 0
    count = (ex.write_xlsx if fmt == "xlsx" else ex.write_csv)(data, out)
    print(f"{count} items written to {output.safe(str(out))}")
    return 0


def _mapping(args: argparse.Namespace) -> dict[str, str]:
    from gpaitracker.errors import ValidationError
    from gpaitracker.interchange import fields

    mapping: dict[str, str] = {}
    if args.mapping:
        try:
            text = Path(args.mapping).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"mapping file {args.mapping!r} cannot be read: {exc}") from None
        mapping.update(fields.parse_map_file(text))
    mapping.update(fields.parse_map_option(args.map or []))
    return mapping


def print_result(result: ImportResult) -> None:
    rows = [
        [o.sheet, o.row, o.label, o.kind, o.detail] for o in result.outcomes if o.kind != "rejected"
    ]
    if rows:
        output.table(["sheet", "row", "item", "change", "what"], rows)
    for o in result.rejected:
        print(
            f"rejected: {o.sheet} row {o.row} ({output.safe(o.label) or '-'}): "
            f"{output.safe(o.detail)}",
            file=sys.stderr,
        )


def cmd_import(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.interchange.readers import read_table
    from gpaitracker.services import interchange_import

    sheets = read_table(Path(args.file))
    result = ws.write(
        interchange_import.import_sheets,
        sheets=sheets,
        mapping=_mapping(args),
        apply=not args.dry_run,
        skip_invalid=args.skip_invalid,
    )
    print_result(result)
    if args.dry_run:
        print(f"preview: {result.summary()}; nothing was changed (--dry-run)")
        return 0
    if not result.applied:
        print(
            f"import refused: {len(result.rejected)} invalid row(s); nothing was changed "
            "(fix them, or apply the rest with --skip-invalid)",
            file=sys.stderr,
        )
        return EXIT_USER
    print(f"imported: {result.summary()}")
    return 0


def cmd_backup(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import backup, backup_auto

    if args.keep is not None or args.daily is not None:
        daily = None if args.daily is None else args.daily == "on"
        ws.write(backup_auto.set_settings, daily=daily, keep=args.keep)
    config = ws.read(backup_auto.settings)
    if args.auto:
        made = backup_auto.run_if_due(ws.register, config)
        print(f"backup written to {output.safe(str(made))}" if made else "no backup due")
        return 0
    if args.out is None:
        state = "on" if config.daily else "off"
        print(f"automatic daily backups: {state}, keeping {config.keep}")
        print(f"folder: {output.safe(str(backup_auto.auto_dir(ws.home)))}")
        return 0
    info = backup.make_backup(ws.register, Path(args.out))
    print(
        f"backup written to {output.safe(str(info.path))}: the register and "
        f"{info.evidence_objects} evidence files, {info.size:,} bytes"
    )
    return 0


def cmd_restore(_ws: object, args: argparse.Namespace) -> int:
    from gpaitracker import paths
    from gpaitracker.services import backup

    home = paths.home_dir(getattr(args, "home", None))
    info = backup.restore(Path(args.file), home, force=args.force)
    if info.replaced is not None:
        print(f"the register that was there is kept as {output.safe(str(info.replaced))}")
    print(
        f"restored into {output.safe(str(info.home))}: the register and "
        f"{info.evidence_objects} evidence files; run `gpaitracker check` to confirm"
    )
    return 0


def _usage(message: str) -> int:
    print(f"gpaitracker: error: {message}", file=sys.stderr)
    return 2


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("export", parents=[common], help="write the register to a file")
    p.add_argument("--format", choices=["xlsx", "csv", "json", "ics"], help="default: from --out")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--mine", action="store_true", help="ics: only the items I own")
    p.add_argument("--model", help="ics: only this model's items (slug or name)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "import", parents=[common], help="apply owners, due dates, status, notes from a file"
    )
    p.add_argument("file", help="an xlsx or CSV file, e.g. one written by export")
    p.add_argument("--dry-run", action="store_true", help="only print what would change")
    p.add_argument(
        "--skip-invalid", action="store_true", help="apply the valid rows, leave the others"
    )
    p.add_argument(
        "--map",
        action="append",
        metavar="COLUMN=FIELD",
        help="read this column as key, model, code, owner, reviewer, due, status, priority or "
        "note (- ignores it); repeat for more",
    )
    p.add_argument("--mapping", metavar="FILE", help="a file of COLUMN=FIELD lines")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("backup", parents=[common], help="back up the register and its evidence")
    p.add_argument("--out", metavar="FILE.zip", help="write a backup here")
    p.add_argument("--auto", action="store_true", help="make the daily backup if one is due")
    p.add_argument("--daily", choices=["on", "off"], help="admins: automatic daily backups")
    p.add_argument("--keep", type=int, metavar="N", help="admins: automatic backups to keep")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common], help="restore a backup into a folder")
    p.add_argument("file", metavar="FILE.zip")
    p.add_argument("--force", action="store_true", help="replace the register already there")
    p.set_defaults(func=cmd_restore, no_workspace=True)

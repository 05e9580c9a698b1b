"""mdf show|edit|freeze|export: a model's Model Documentation Form, per audience."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace


def _model(ws: Workspace, ref: str) -> int:
    from gpaitracker.services import lookup

    return ws.read(lookup.model_id, ref=ref)


def _number(text: str | None) -> int | None:
    from gpaitracker import parse

    return parse.integer(text, "version", minimum=1, maximum=1_000_000) if text else None


def cmd_mdf_show(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import mdf_form
    from gpaitracker.services import mdf

    model_id = _model(ws, args.model)
    audiences = [mdf_form.audience(args.audience)] if args.audience else list(mdf_form.AUDIENCES)
    views = [
        ws.read(mdf.view, model_id=model_id, audience=a, number=_number(args.version))
        for a in audiences
    ]
    if args.format == "json":
        output.as_json([v.as_dict() for v in views] if len(views) > 1 else views[0].as_dict())
        return 0
    first = views[0]
    if first.version == 0:
        print(f"{first.model}: no documentation form yet (gpaitracker mdf edit {first.model} ...)")
    else:
        state = (
            f"frozen {first.frozen_at:%Y-%m-%d} by {first.frozen_by}" if first.frozen else "draft"
        )
        print(f"{first.model} MDF v{first.version} ({state}); keep until {first.keep_until}")
    for v in views:
        need = len(mdf_form.view({}, v.audience))
        done = need - len(v.missing)
        name = mdf_form.AUDIENCE_NAMES[v.audience]
        print(
            f"{v.audience:10} {done}/{need} filled"
            + (f"; missing: {', '.join(v.missing)}" if v.missing else "; complete")
            + f"  ({name})"
        )
    if args.audience:
        for f in mdf_form.FIELDS:
            if f.name in first.fields:
                value = first.fields[f.name]
                print(
                    f"  {f.name:26} {output.safe(output.cell(value)) if value is not None else '-'}"
                )
    return 0


def cmd_mdf_edit(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.errors import ValidationError
    from gpaitracker.services import mdf

    values: dict[str, object] = {}
    for pair in args.set or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationError(f"--set {output.safe(pair)!r} is not like FIELD=VALUE")
        values[name.strip()] = value
    for name in args.clear or []:
        values[name.strip()] = None
    model_id = _model(ws, args.model)
    ws.write(mdf.edit, model_id=model_id, values=values)
    view = ws.read(mdf.view, model_id=model_id, audience="aio")
    print(f"Saved {view.model} MDF v{view.version} (draft): {len(values)} field(s)")
    return 0


def cmd_mdf_freeze(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import mdf

    model_id = _model(ws, args.model)
    ws.write(mdf.freeze, model_id=model_id)
    view = ws.read(mdf.view, model_id=model_id, audience="aio")
    print(f"Froze {view.model} MDF v{view.version}; the next edit starts v{view.version + 1}")
    return 0


def cmd_mdf_export(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import mdf_export

    done = mdf_export.export(
        ws,
        model_id=_model(ws, args.model),
        audience=args.audience,
        out_dir=Path(args.out),
        number=_number(args.version),
    )
    for path in done.files:
        kind = path.suffix.lstrip(".")
        print(f"Wrote {output.safe(str(path))} sha256 {done.sha256[kind]}")
    if done.evidence_ids:
        ids = ", ".join(str(i) for i in done.evidence_ids)
        print(f"Filed as evidence {ids} on {len(done.items)} register item(s)")
    else:
        print("warning: the model has no documentation item to file the export on")
    return 0


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    mdf = sub.add_parser("mdf", parents=[common], help="Model Documentation Form")
    mdf_sub = mdf.add_subparsers(dest="mdf_command", required=True, metavar="COMMAND")
    audience = "aio (AI Office), nca (national authorities) or downstream"
    p = mdf_sub.add_parser("show", parents=[common], help="a version per audience, completeness")
    p.add_argument("model", help="model slug or name")
    p.add_argument("--audience", help=audience)
    p.add_argument("--version", metavar="N", help="version number (default: the newest)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_mdf_show)
    p = mdf_sub.add_parser("edit", parents=[common], help="set fields of the draft version")
    p.add_argument("model", help="model slug or name")
    p.add_argument("--set", action="append", metavar="FIELD=VALUE", help="repeatable")
    p.add_argument("--clear", action="append", metavar="FIELD", help="repeatable")
    p.set_defaults(func=cmd_mdf_edit)
    p = mdf_sub.add_parser("freeze", parents=[common], help="freeze the draft version")
    p.add_argument("model", help="model slug or name")
    p.set_defaults(func=cmd_mdf_freeze)
    p = mdf_sub.add_parser("export", parents=[common], help="JSON and PDF for one audience")
    p.add_argument("model", help="model slug or name")
    p.add_argument("--audience", required=True, help=audience)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the files to")
    p.add_argument("--version", metavar="N", help="frozen version (default: the newest)")
    p.set_defaults(func=cmd_mdf_export)

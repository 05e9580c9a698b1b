"""model add|edit|show|retire|list: the provider's AI models and the facts the rules read."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from gpaitracker.cli import output
from gpaitracker.cli.setup_cmds import NOT_YET

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace

# flag -> (service fact, help); booleans take --x / --no-x
_FLAGS = {
    "open-licence": ("open_source", "released under a free and open-source licence"),
    "weights-public": ("weights_public", "the weights are public (Art. 53(2))"),
    "architecture-public": ("architecture_public", "information on the architecture is public"),
    "usage-public": ("usage_public", "information on model usage is public"),
    "monetised": ("monetised", "offered against a price or otherwise monetised"),
    "not-gpai": ("not_gpai", "recorded decision: not a general-purpose AI model"),
    "most-capable": ("most_capable", "one of the provider's most capable models"),
}
_DATES = {
    "designation-date": ("designation_date", "day of the Commission's designation decision"),
    "rebuttal-accepted": ("rebuttal_accepted", "day the Commission accepted the rebuttal"),
}


def _extra_facts(args: argparse.Namespace) -> dict[str, Any]:
    """The optional facts given on the command line, parsed; those not given are left out."""
    from gpaitracker import parse

    facts: dict[str, Any] = {}
    for flag, (attr, _) in _FLAGS.items():
        value = getattr(args, flag.replace("-", "_"))
        if value is not None:
            facts[attr] = value
    for flag, (attr, _) in _DATES.items():
        value = getattr(args, flag.replace("-", "_"))
        if value is not None:
            facts[attr] = parse.optional_date(value, flag.replace("-", " "))
    if args.modality is not None:
        facts["modality"] = "" if args.modality in ("", "-") else args.modality
    if args.modification_of is not None:
        facts["base_model"] = args.modification_of
    if args.base_flop is not None:
        facts["base_flop"] = parse.flop(args.base_flop, "original model's training compute")
    return facts


def _print_warnings(ws: Workspace, model_id: int) -> None:
    from gpaitracker.services import model_facts

    for line in ws.read(model_facts.assess, model_id=model_id).warnings:
        print(f"warning: {output.safe(line)}")


def cmd_model_add(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.enums import Entity
    from gpaitracker.services import ai_models

    changes = ws.write(
        ai_models.add_model,
        name=args.name,
        placed_on_market=parse.date(args.placed_on_market, "placed-on-market date"),
        version=args.version or "",
        training_flop=parse.flop(args.flop),
        open_source=args.open_source,
        systemic_risk=args.systemic_risk,
        threshold_date=parse.optional_date(args.threshold_date, "threshold date"),
        **_extra_facts(args),
    )
    model = ws.read(ai_models.get, model_id=changes.created_id(Entity.MODEL))
    print(
        f"Added model {output.safe(model.name)} (key {model.slug}) "
        f"with {model.item_count} register items"
    )
    _print_warnings(ws, model.id)
    return 0


def _model_facts(args: argparse.Namespace) -> dict[str, Any]:
    """The facts given on the command line, parsed; those not given are left out."""
    from gpaitracker import parse

    facts: dict[str, Any] = {"open_source": args.open_source, "systemic_risk": args.systemic_risk}
    if args.placed_on_market is not None:
        facts["placed_on_market"] = parse.date(args.placed_on_market, "placed-on-market date")
    if args.flop is not None:
        facts["training_flop"] = parse.flop(args.flop)  # '' clears it
    if args.threshold_date is not None:
        facts["threshold_date"] = parse.optional_date(args.threshold_date, "threshold date")
    facts.update(_extra_facts(args))
    return facts


def cmd_model_edit(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import ai_models, lookup

    facts = _model_facts(args)
    model_id = ws.read(lookup.model_id, ref=args.model)
    plan = ws.read(ai_models.preview_update, model_id=model_id, **facts)
    if not plan.empty:
        for line in plan.lines():
            print(output.safe(line))
        if not args.yes:
            print(NOT_YET)
            return 0
    ws.write(
        ai_models.update_model,
        model_id=model_id,
        confirm=not plan.empty,
        name=args.name,
        version=args.version,
        **facts,
    )
    model = ws.read(ai_models.get, model_id=model_id)
    print(f"Updated model {output.safe(model.name)} (key {model.slug})")
    _print_warnings(ws, model_id)
    return 0


def cmd_model_show(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import ai_models, lookup, model_facts

    model_id = ws.read(lookup.model_id, ref=args.model)
    row = ws.read(ai_models.get, model_id=model_id)
    verdict = ws.read(model_facts.assess, model_id=model_id)
    assert row.facts is not None
    facts = {
        name: getattr(row.facts, name)
        for name in row.facts.__dataclass_fields__
        if name not in ("non_eu", "sme", "signatory", "notified_on")
    }
    if args.format == "json":
        output.as_json({"name": row.name, "slug": row.slug, **facts, **verdict.as_dict()})
        return 0
    print(f"{output.safe(row.name)} (key {row.slug}), {row.item_count} register items")
    for name, value in facts.items():
        print(f"  {name:22} {output.cell(value)}")
    for line in verdict.standing:
        print(f"- {output.safe(line)}")
    for line in verdict.warnings:
        print(f"warning: {output.safe(line)}")
    return 0


def _add_fact_flags(p: argparse.ArgumentParser) -> None:
    for flag, (_, text) in _FLAGS.items():
        p.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction, default=None, help=text)
    for flag, (_, text) in _DATES.items():
        p.add_argument(f"--{flag}", metavar="DATE", help=f"{text} (YYYY-MM-DD, - clears)")
    p.add_argument(
        "--modality",
        help="what it generates: language, text-to-image, text-to-video, other, none (- unknown)",
    )
    p.add_argument("--modification-of", metavar="MODEL", help="the original model it modifies")
    p.add_argument("--base-flop", metavar="N", help="the original model's training compute")


def cmd_model_retire(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import lookup, model_retire

    model_id = ws.read(lookup.model_id, ref=args.model)
    plan = ws.read(model_retire.preview, model_id=model_id)
    retire = not args.undo
    if plan.retired == retire:
        from gpaitracker.errors import ValidationError

        state = "already retired" if retire else "not retired"
        raise ValidationError(f"model {plan.slug} is {state}")
    for line in plan.lines(retire):
        print(output.safe(line))
    if not args.yes:
        print(NOT_YET)
        return 0
    ws.write(model_retire.retire_model, model_id=model_id, retired=retire)
    done = "Retired" if retire else "Brought back"
    hint = " ('gpaitracker list --all' still shows its items)" if retire else ""
    print(f"{done} model {output.safe(plan.name)} (key {plan.slug}){hint}")
    return 0


def cmd_model_list(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import ai_models

    headers = [
        "slug",
        "name",
        "version",
        "placed_on_market",
        "flop",
        "open_source",
        "systemic_risk",
        "retired",
    ]
    rows = [
        [
            m.slug,
            m.name,
            m.version,
            m.placed_on_market,
            m.training_flop,
            m.open_source,
            m.systemic_risk,
            m.retired,
        ]
        for m in ws.read(ai_models.list_models)
    ]
    output.emit(args.format, headers, rows)
    return 0


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    model = sub.add_parser("model", parents=[common], help="AI models")
    model_sub = model.add_subparsers(dest="model_command", required=True, metavar="COMMAND")
    p = model_sub.add_parser("add", parents=[common], help="add a model and fill its register")
    p.add_argument("name")
    p.add_argument(
        "--placed-on-market",
        required=True,
        metavar="DATE",
        help="date placed (or to be placed) on the EU market, YYYY-MM-DD",
    )
    p.add_argument("--version", help="model version label")
    p.add_argument("--flop", metavar="N", help="cumulative training compute in FLOP, e.g. 3e24")
    p.add_argument(
        "--open-source",
        action="store_true",
        help="open-source release: free licence, public weights, architecture and usage info",
    )
    p.add_argument(
        "--systemic-risk", action="store_true", help="designated as a model with systemic risk"
    )
    p.add_argument(
        "--threshold-date",
        metavar="DATE",
        help="when compute met or was foreseen to meet 1e25 FLOP",
    )
    _add_fact_flags(p)
    p.set_defaults(func=cmd_model_add)
    p = model_sub.add_parser("edit", parents=[common], help="change a model's facts (re-scopes)")
    p.add_argument("model", help="model slug or name")
    p.add_argument("--name")
    p.add_argument("--version")
    p.add_argument("--placed-on-market", metavar="DATE")
    p.add_argument("--flop", metavar="N", help="training compute in FLOP ('' if unknown)")
    p.add_argument("--open-source", dest="open_source", action="store_true", default=None)
    p.add_argument("--not-open-source", dest="open_source", action="store_false")
    p.add_argument("--systemic-risk", dest="systemic_risk", action="store_true", default=None)
    p.add_argument("--not-systemic-risk", dest="systemic_risk", action="store_false")
    p.add_argument("--threshold-date", metavar="DATE", help="YYYY-MM-DD, or - to clear")
    _add_fact_flags(p)
    p.add_argument("--yes", action="store_true", help="apply the scope changes shown")
    p.set_defaults(func=cmd_model_edit)
    p = model_sub.add_parser("show", parents=[common], help="a model's facts and what they mean")
    p.add_argument("model", help="model slug or name")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_model_show)
    p = model_sub.add_parser(
        "retire", parents=[common], help="retire a model: its items leave the register list"
    )
    p.add_argument("model", help="model slug or name")
    p.add_argument("--undo", action="store_true", help="bring a retired model back")
    p.add_argument("--yes", action="store_true", help="apply the change shown")
    p.set_defaults(func=cmd_model_retire)
    p = model_sub.add_parser("list", parents=[common], help="list models (retired ones too)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_model_list)

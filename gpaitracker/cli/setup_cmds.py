"""init, demo, org and model commands: creating the register and describing the provider."""

from __future__ import annotations

import argparse
import getpass
import socket
from typing import TYPE_CHECKING, Any

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.scope import ScopePlan
    from gpaitracker.services.workspace import Workspace

NOT_YET = "Nothing changed yet: run again with --yes to apply these changes to the register."


def default_admin() -> tuple[str, str]:
    """The operating-system user, as the register's first admin."""
    user = getpass.getuser() or "admin"
    host = socket.gethostname().split(".")[0] or "localhost"
    return user, f"{user}@{host}.local".lower()


def _pinned(values: list[str] | None) -> dict[str, str]:
    from gpaitracker import parse
    from gpaitracker.errors import ValidationError

    pinned = {}
    for value in values or []:
        cat_id, sep, version = value.partition("=")
        if not sep or not cat_id.strip() or not version.strip():
            raise ValidationError(
                f"catalogue version {parse.show(value)} is not like "
                "ID=VERSION (e.g. gpai-code=draft-3)"
            )
        pinned[cat_id.strip()] = version.strip()
    return pinned


def cmd_init(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import organisation, people

    name, email = default_admin()
    ws.create(
        organisation.create_register,
        name=args.organisation,
        admin_name=args.admin_name or name,
        admin_email=args.admin_email or email,
        non_eu=args.non_eu,
        sme=args.sme,
        signatory=args.signatory,
        pinned_catalogues=_pinned(args.catalogue_version),
    )
    org = ws.read(organisation.get)
    admin_id = ws.read(people.first_admin_id)
    assert admin_id is not None
    admin = ws.read(people.get, person_id=admin_id)
    print(f"Created register for {output.safe(org.name)} at {output.safe(ws.url)}")
    print(f"First admin: {output.safe(admin.name)} <{admin.email}>")
    return 0


def cmd_demo(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import demo, queries

    name, email = default_admin()
    ws.create(demo.create, store=ws.store, admin_name=name, admin_email=email)
    rows = ws.read(queries.list_rows)
    red = sum(r.rag == "red" for r in rows)
    print(f"Created the example register of Northwind AI SA at {output.safe(ws.url)}")
    print(f"3 models, {len(rows)} register items, {red} red. Try: gpaitracker list --overdue")
    return 0


def cmd_org_show(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import organisation

    org = ws.read(organisation.get)
    data = {"name": org.name, "non_eu": org.non_eu, "sme": org.sme, "signatory": org.signatory}
    if args.format == "json":
        output.as_json(data)
    else:
        for k, v in data.items():
            print(f"{k:10} {output.cell(v)}")
    return 0


def _print_plans(plans: list[ScopePlan]) -> None:
    for plan in plans:
        for line in plan.lines():
            print(output.safe(line))


def cmd_org_edit(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import organisation

    flags = {"non_eu": args.non_eu, "sme": args.sme, "signatory": args.signatory}
    plans = ws.read(organisation.preview_update, **flags)
    _print_plans(plans)
    if plans and not args.yes:
        print(NOT_YET)
        return 0
    ws.write(organisation.update, name=args.name, confirm=bool(plans), **flags)
    print(f"Updated organisation {output.safe(ws.read(organisation.get).name)}")
    return 0


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
    )
    model = ws.read(ai_models.get, model_id=changes.created_id(Entity.MODEL))
    print(
        f"Added model {output.safe(model.name)} (key {model.slug}) "
        f"with {model.item_count} register items"
    )
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
    return facts


def cmd_model_edit(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import ai_models, lookup

    facts = _model_facts(args)
    model_id = ws.read(lookup.model_id, ref=args.model)
    plan = ws.read(ai_models.preview_update, model_id=model_id, **facts)
    if not plan.empty:
        _print_plans([plan])
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
    return 0


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
    p = sub.add_parser("init", parents=[common], help="create a register for your organisation")
    p.add_argument("--organisation", required=True, help="the provider's name")
    p.add_argument("--non-eu", action="store_true", help="provider established outside the EU")
    p.add_argument("--sme", action="store_true", help="small or medium-sized enterprise")
    p.add_argument("--signatory", action="store_true", help="signatory of the Code of Practice")
    p.add_argument("--admin-name", help="first admin's name (default: operating-system user)")
    p.add_argument("--admin-email", help="first admin's email (default: user@host.local)")
    p.add_argument(
        "--catalogue-version",
        action="append",
        metavar="ID=VERSION",
        help="start on an older built-in catalogue version (e.g. gpai-code=draft-3)",
    )
    p.set_defaults(func=cmd_init, creates=True)

    p = sub.add_parser("demo", parents=[common], help="create an example register to explore")
    p.set_defaults(func=cmd_demo, creates=True)

    org = sub.add_parser("org", parents=[common], help="the organisation profile")
    org_sub = org.add_subparsers(dest="org_command", required=True, metavar="COMMAND")
    p = org_sub.add_parser("show", parents=[common], help="show the organisation profile")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_org_show)
    p = org_sub.add_parser("edit", parents=[common], help="change the organisation profile")
    p.add_argument("--name")
    p.add_argument(
        "--non-eu",
        dest="non_eu",
        action="store_true",
        default=None,
        help="established outside the EU",
    )
    p.add_argument("--eu", dest="non_eu", action="store_false", help="established in the EU")
    # The first spelling of --eu; kept working for scripts, no longer shown.
    p.add_argument("--not-non-eu", dest="non_eu", action="store_false", help=argparse.SUPPRESS)
    for flag, text in (("sme", "an SME"), ("signatory", "a Code of Practice signatory")):
        p.add_argument(f"--{flag}", dest=flag, action="store_true", default=None, help=text)
        p.add_argument(f"--not-{flag}", dest=flag, action="store_false", help=f"not {text}")
    p.add_argument("--yes", action="store_true", help="apply the scope changes shown")
    p.set_defaults(func=cmd_org_edit)

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
        help="released under a free and open-source licence (Art. 53(2))",
    )
    p.add_argument(
        "--systemic-risk", action="store_true", help="designated as a model with systemic risk"
    )
    p.add_argument(
        "--threshold-date",
        metavar="DATE",
        help="when compute met or was foreseen to meet 1e25 FLOP",
    )
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
    p.add_argument("--yes", action="store_true", help="apply the scope changes shown")
    p.set_defaults(func=cmd_model_edit)
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

"""init, organisation, model and person commands."""

from __future__ import annotations

import argparse
import getpass
import socket

from gpaitracker.cli import output
from gpaitracker.cli.context import Context
from gpaitracker.db import session_scope
from gpaitracker.services import ai_models, catalogues, organisation, people, queries, scope


def default_admin() -> tuple[str, str]:
    """The operating-system user, as the register's first admin."""
    user = getpass.getuser() or "admin"
    host = socket.gethostname().split(".")[0] or "localhost"
    return user, f"{user}@{host}.local".lower()


def cmd_init(ctx: Context, args: argparse.Namespace) -> int:
    name, email = default_admin()
    pinned = dict(p.split("=", 1) for p in args.catalogue_version or [])
    with session_scope(ctx.register, write=True) as s:
        org, admin = organisation.create_register(
            session=s,
            name=args.organisation,
            admin_name=args.admin_name or name,
            admin_email=args.admin_email or email,
            non_eu=args.non_eu,
            sme=args.sme,
            signatory=args.signatory,
            pinned_catalogues=pinned,
        )
        print(f"Created register for {org.name} at {ctx.register.url}")
        print(f"First admin: {admin.name} <{admin.email}>")
    return 0


def cmd_demo(ctx: Context, args: argparse.Namespace) -> int:
    from gpaitracker.evidence_store import EvidenceStore
    from gpaitracker.services import demo

    name, email = default_admin()
    with session_scope(ctx.register, write=True) as s:
        demo.create(session=s, admin_name=name, admin_email=email,
                    store=EvidenceStore.of_home(ctx.register.home))  # fmt: skip
        rows = queries.list_rows(session=s)
    overdue = sum(r.rag == "red" for r in rows)
    print(f"Created the example register of Northwind AI SA at {ctx.register.url}")
    print(f"3 models, {len(rows)} register items, {overdue} red. Try: gpaitracker list --overdue")
    return 0


def cmd_org_show(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register) as s:
        org = organisation.get(session=s)
        data = {
            "name": org.name,
            "non_eu": org.non_eu,
            "sme": org.sme,
            "signatory": org.signatory,
        }
    if args.format == "json":
        output.as_json(data)
    else:
        for k, v in data.items():
            print(f"{k:10} {output._cell(v)}")
    return 0


def cmd_org_edit(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register, write=True) as s:
        org, plans, applied = organisation.update(
            session=s,
            actor=ctx.actor(s),
            confirm=args.yes,
            name=args.name,
            non_eu=args.non_eu,
            sme=args.sme,
            signatory=args.signatory,
        )
        _print_plans(plans, applied)
        if applied:
            print(f"Updated organisation {org.name}")
    return 0


def _print_plans(plans: list[scope.ScopePlan], applied: bool) -> None:
    for plan in plans:
        for line in plan.lines():
            print(line)
    if plans and not applied:
        print("Nothing changed yet: run again with --yes to apply these changes to the register.")


def cmd_model_add(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register, write=True) as s:
        model = ai_models.add_model(
            session=s,
            actor=ctx.actor(s),
            name=args.name,
            placed_on_market=args.placed_on_market,
            version=args.version or "",
            training_flop=args.flop,
            open_source=args.open_source,
            systemic_risk=args.systemic_risk,
            threshold_date=args.threshold_date,
        )
        count = len(ai_models.requirements_of(session=s, model=model))
        print(f"Added model {model.name} (key {model.slug}) with {count} register items")
    return 0


def cmd_model_edit(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register, write=True) as s:
        model, plan, applied = ai_models.update_model(
            session=s,
            actor=ctx.actor(s),
            ref=args.model,
            confirm=args.yes,
            name=args.name,
            version=args.version,
            placed_on_market=args.placed_on_market,
            training_flop=args.flop,
            open_source=args.open_source,
            systemic_risk=args.systemic_risk,
            threshold_date=args.threshold_date,
        )
        _print_plans([] if plan.empty else [plan], applied)
        if applied:
            print(f"Updated model {model.name} (key {model.slug})")
    return 0


def cmd_model_list(ctx: Context, args: argparse.Namespace) -> int:
    headers = [
        "slug",
        "name",
        "version",
        "placed_on_market",
        "flop",
        "open_source",
        "systemic_risk",
    ]
    with session_scope(ctx.register) as s:
        org = organisation.get(session=s)
        rows = []
        for m in ai_models.list_models(session=s):
            facts = catalogues.facts_for(org, m)
            rows.append(
                [
                    m.slug,
                    m.name,
                    m.version,
                    m.placed_on_market,
                    m.training_flop,
                    m.open_source,
                    facts.systemic_risk,
                ]  # fmt: skip
            )
    _emit(args.format, headers, rows)
    return 0


def _emit(fmt: str, headers: list[str], rows: list[list[object]]) -> None:
    if fmt == "json":
        output.as_json([dict(zip(headers, r, strict=True)) for r in rows])
    elif fmt == "csv":
        output.as_csv(headers, rows)
    else:
        output.table(headers, rows)


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
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", parents=[common], help="create an example register to explore")
    p.set_defaults(func=cmd_demo)

    org = sub.add_parser("org", parents=[common], help="the organisation profile")
    org_sub = org.add_subparsers(dest="org_command", required=True, metavar="COMMAND")
    p = org_sub.add_parser("show", parents=[common], help="show the organisation profile")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_org_show)
    p = org_sub.add_parser("edit", parents=[common], help="change the organisation profile")
    p.add_argument("--name")
    for flag, text in (
        ("non-eu", "established outside the EU"),
        ("sme", "an SME"),
        ("signatory", "a Code of Practice signatory"),
    ):
        dest = flag.replace("-", "_")
        p.add_argument(f"--{flag}", dest=dest, action="store_true", default=None, help=text)
        p.add_argument(f"--not-{flag}", dest=dest, action="store_false", help=f"not {text}")
    p.add_argument("--yes", action="store_true", help="apply the scope changes shown")
    p.set_defaults(func=cmd_org_edit)

    model = sub.add_parser("model", parents=[common], help="AI models")
    model_sub = model.add_subparsers(dest="model_command", required=True, metavar="COMMAND")
    p = model_sub.add_parser("add", parents=[common], help="add a model and fill its register")
    p.add_argument("name")
    p.add_argument("--placed-on-market", required=True, metavar="DATE",
                   help="date placed (or to be placed) on the EU market, YYYY-MM-DD")  # fmt: skip
    p.add_argument("--version", help="model version label")
    p.add_argument("--flop", metavar="N", help="cumulative training compute in FLOP, e.g. 3e24")
    p.add_argument("--open-source", action="store_true",
                   help="released under a free and open-source licence (Art. 53(2))")  # fmt: skip
    p.add_argument("--systemic-risk", action="store_true",
                   help="designated as a model with systemic risk")  # fmt: skip
    p.add_argument("--threshold-date", metavar="DATE",
                   help="when compute met or was foreseen to meet 1e25 FLOP")  # fmt: skip
    p.set_defaults(func=cmd_model_add)
    p = model_sub.add_parser("edit", parents=[common], help="change a model's facts (re-scopes)")
    p.add_argument("model", help="model slug or name")
    p.add_argument("--name")
    p.add_argument("--version")
    p.add_argument("--placed-on-market", metavar="DATE")
    p.add_argument("--flop", metavar="N")
    p.add_argument("--open-source", dest="open_source", action="store_true", default=None)
    p.add_argument("--not-open-source", dest="open_source", action="store_false")
    p.add_argument("--systemic-risk", dest="systemic_risk", action="store_true", default=None)
    p.add_argument("--not-systemic-risk", dest="systemic_risk", action="store_false")
    p.add_argument("--threshold-date", metavar="DATE")
    p.add_argument("--yes", action="store_true", help="apply the scope changes shown")
    p.set_defaults(func=cmd_model_edit)
    p = model_sub.add_parser("list", parents=[common], help="list models")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_model_list)

"""init, demo, org and model commands: creating the register and describing the provider."""

from __future__ import annotations

import argparse
import getpass
import socket
from typing import TYPE_CHECKING

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

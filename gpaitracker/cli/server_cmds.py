"""server init|add-user: prepare a PostgreSQL register for a team and give people logins."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace

PASSWORD_ENV = "GPAITRACKER_NEW_PASSWORD"


def cmd_server_init(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import team

    groups = team.init_server(ws.register)
    print(f"Prepared {output.safe(ws.url)} for a team: schema at the latest version,")
    print("roles " + ", ".join(groups) + ";")
    print("the audit trail accepts new events only (no role may change or delete one).")
    print("Next: gpaitracker --db URL server add-user EMAIL --role ROLE --login NAME")
    return 0


def _new_password() -> str:
    from gpaitracker.errors import ValidationError

    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise ValidationError("the two passwords differ; nothing was changed")
    return first


def cmd_server_add_user(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import team

    role = parse.role(args.role)
    ws.write(
        team.add_user,
        email=args.email,
        role=role,
        login=args.login,
        password=_new_password(),
        name=args.name,
    )
    print(f"Login {output.safe(args.login)} acts as {output.safe(args.email)} ({role.value})")
    return 0


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    server = sub.add_parser("server", parents=[common], help="team mode on a PostgreSQL server")
    server_sub = server.add_subparsers(dest="server_command", required=True, metavar="COMMAND")
    p = server_sub.add_parser(
        "init",
        parents=[common],
        help="create or upgrade the register on a server, with its roles and grants",
    )
    p.add_argument(
        "db",
        metavar="URL",
        nargs="?",
        default=argparse.SUPPRESS,
        help="postgresql+psycopg://OWNER@HOST:PORT/DATABASE (default: --db / GPAITRACKER_DB)",
    )
    p.set_defaults(func=cmd_server_init, creates=True)
    p = server_sub.add_parser(
        "add-user",
        parents=[common],
        help=f"create a login for a person (password from {PASSWORD_ENV} or asked for)",
    )
    p.add_argument("email")
    p.add_argument("--role", required=True, help="admin, officer, reviewer, executive or auditor")
    p.add_argument("--login", required=True, help="the login name on the server")
    p.add_argument("--name", help="the person's name, when they are new to the register")
    p.set_defaults(func=cmd_server_add_user)

"""person add|edit|list: who owns, reviews and reads the register."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace


def cmd_person_add(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.enums import Entity
    from gpaitracker.services import people

    changes = ws.write(
        people.add_person, name=args.name, email=args.email, role=parse.role(args.role)
    )
    person = ws.read(people.get, person_id=changes.created_id(Entity.PERSON))
    print(f"Added {output.safe(person.name)} <{person.email}> as {person.role.value}")
    return 0


def cmd_person_edit(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import lookup, people

    person_id = ws.read(lookup.person_id, email=args.email)
    ws.write(
        people.update_person,
        person_id=person_id,
        name=args.name,
        email=args.new_email,
        role=parse.role(args.role) if args.role is not None else None,
        active=None if args.active is None else args.active == "yes",
    )
    person = ws.read(people.get, person_id=person_id)
    print(f"Updated {output.safe(person.name)} <{person.email}> ({person.role.value})")
    return 0


def cmd_person_list(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import people

    headers = ["email", "name", "role", "active"]
    rows = [[p.email, p.name, p.role.value, p.active] for p in ws.read(people.list_people)]
    output.emit(args.format, headers, rows)
    return 0


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    person = sub.add_parser("person", parents=[common], help="people and roles")
    person_sub = person.add_subparsers(dest="person_command", required=True, metavar="COMMAND")
    p = person_sub.add_parser("add", parents=[common], help="add a person (admins only)")
    p.add_argument("name")
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, help="admin, officer, reviewer, executive or auditor")
    p.set_defaults(func=cmd_person_add)
    p = person_sub.add_parser("edit", parents=[common], help="change a person (admins only)")
    p.add_argument("email")
    p.add_argument("--name")
    p.add_argument("--new-email")
    p.add_argument("--role")
    p.add_argument("--active", choices=["yes", "no"])
    p.set_defaults(func=cmd_person_edit)
    p = person_sub.add_parser("list", parents=[common], help="list people")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_person_list)

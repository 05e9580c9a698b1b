"""What every command needs: the open register and the acting person."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

from sqlmodel import Session

from gpaitracker import paths
from gpaitracker.db import Register
from gpaitracker.errors import NotFoundError, PermissionDenied
from gpaitracker.migrate import open_register
from gpaitracker.models import Person
from gpaitracker.services import people


@dataclass
class Context:
    register: Register
    args: argparse.Namespace

    def actor(self, session: Session) -> Person:
        """--as EMAIL, else GPAITRACKER_USER, else the register's first admin."""
        email = getattr(self.args, "as_user", None) or os.environ.get("GPAITRACKER_USER")
        if email:
            person = people.get_by_email(session=session, email=email)
            if not person.active:
                raise PermissionDenied(f"person {person.email} is inactive")
            return person
        admin = people.first_admin(session=session)
        if admin is None:
            raise NotFoundError("the register has no people yet; run 'gpaitracker init' first")
        return admin


def open_context(args: argparse.Namespace) -> Context:
    home = paths.home_dir(getattr(args, "home", None))
    register = open_register(home, getattr(args, "db", None))
    return Context(register=register, args=args)

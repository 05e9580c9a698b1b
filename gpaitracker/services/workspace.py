"""The workspace: an open register, the person acting on it, and its evidence store.

Both doors (the window and the command line) open one workspace and call services through
it: `ws.read(fn, **kw)` runs a read service in a read transaction, `ws.write(fn, **kw)` runs
a write service in a write transaction as the acting person. Who is acting is decided here,
once, when the workspace is opened.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from gpaitracker import parse, paths, server_roles
from gpaitracker.authz import Actor
from gpaitracker.db import Register, session_scope, translate_db_error
from gpaitracker.errors import NotFoundError, PermissionDenied
from gpaitracker.evidence_db import AnyStore, store_for
from gpaitracker.migrate import open_register
from gpaitracker.models import Meta, Person

R = TypeVar("R")
FIRST_ADMIN_KEY = "first_admin_id"


class Workspace:
    def __init__(self, register: Register, acting: str | None = None) -> None:
        self.register = register
        self._acting_email = acting
        self._actor_id: int | None = None
        self._store: AnyStore | None = None
        self._watch: Connection | None = None

    @classmethod
    def open(
        cls,
        home: str | os.PathLike[str] | None = None,
        db: str | None = None,
        *,
        acting: str | None = None,
        create: bool = True,
    ) -> Workspace:
        """Open the register (home, else GPAITRACKER_HOME, else the user data folder).

        acting is an email; without it GPAITRACKER_USER, else the register's first admin.
        With create=False a missing register is an error instead of being created.
        """
        folder = paths.home_dir(home)
        register = open_register(folder, db, create=create)
        return cls(register, acting or os.environ.get("GPAITRACKER_USER") or None)

    @property
    def home(self) -> Path:
        return self.register.home

    @property
    def url(self) -> str:
        return self.register.url

    @property
    def store(self) -> AnyStore:
        """The file store beside a local register; the database itself on a server."""
        if self._store is None:
            reg = self.register
            self._store = store_for(reg.engine, reg.home, reg.url)
        return self._store

    def read(self, fn: Callable[..., R], /, **kwargs: Any) -> R:
        """Run a read service: fn(session=..., **kwargs)."""
        with session_scope(self.register) as session:
            return fn(session=session, **kwargs)

    def write(self, fn: Callable[..., R], /, **kwargs: Any) -> R:
        """Run a write service as the acting person; commits, or rolls back on any error."""
        with session_scope(self.register, write=True) as session:
            actor = self._acting(session)
            return fn(session=session, actor=actor, **kwargs)

    def create(self, fn: Callable[..., R], /, **kwargs: Any) -> R:
        """Run the service that creates the register itself (no one is acting yet)."""
        with session_scope(self.register, write=True) as session:
            return fn(session=session, **kwargs)

    def actor(self) -> Actor:
        """The acting person, as the register knows them now."""
        with session_scope(self.register) as session:
            return self._acting(session)

    def act_as(self, email: str | None) -> None:
        """Act as someone else from now on (None: the register's first admin)."""
        self._acting_email = email
        self._actor_id = None

    def _acting(self, session: Any) -> Actor:
        if self._actor_id is not None:
            person = session.get(Person, self._actor_id)
            if person is None:
                raise NotFoundError(f"person {self._acting_email} is no longer in the register")
            return Actor.of(person)
        person = self._person_of_login(session)
        if person is None and self._acting_email:
            address = parse.email(self._acting_email, "acting person")
            person = session.execute(select(Person).where(Person.email == address)).scalar()
            if person is None:
                raise NotFoundError(f"person {self._acting_email!r} is not in the register")
            if not person.active:
                raise PermissionDenied(f"person {person.email} is inactive")
        elif person is None:
            meta = session.get(Meta, FIRST_ADMIN_KEY)
            person = session.get(Person, int(meta.value)) if meta is not None else None
            if person is None:
                raise NotFoundError("the register has no people yet; create the register first")
        actor = Actor.of(person)
        self._actor_id = actor.id
        return actor

    def _person_of_login(self, session: Any) -> Person | None:
        """On a server, the person the login acts as (set by `server add-user`), if any.

        A login that acts as a person cannot act as anyone else: the audit trail names who
        really made each change.
        """
        if self.register.is_sqlite:
            return None
        conn = session.connection()
        login = server_roles.current_login(conn)
        person_id = server_roles.person_of_login(conn, login)
        if person_id is None:
            return None
        person = session.get(Person, person_id)
        if person is None:
            raise NotFoundError(f"login {login} acts as a person no longer in the register")
        if self._acting_email and parse.email(self._acting_email, "acting person") != person.email:
            raise PermissionDenied(
                f"login {login} acts as {person.email} and cannot act as {self._acting_email}"
            )
        if not person.active:
            raise PermissionDenied(f"person {person.email} is inactive")
        return cast(Person, person)

    def change_token(self) -> tuple[int, ...]:
        """Changes whenever anyone commits to the register (another window, the CLI, a peer).

        The newest audit event id moves with every change made through GPAI Tracker; SQLite's
        data_version (kept on one connection) also moves for changes made by anything else.
        """
        try:
            return self._look()
        except DBAPIError:
            # The server restarted or the network dropped: a fresh connection, once.
            self._drop_watch()
        try:
            return self._look()
        except DBAPIError as exc:
            self._drop_watch()
            mapped = translate_db_error(exc, self.register.url)
            if mapped is not None:
                raise mapped from exc
            raise

    def _look(self) -> tuple[int, ...]:
        if self._watch is None:
            self._watch = self.register.engine.connect()
        newest = self._watch.execute(text("SELECT max(id) FROM audit_event")).scalar()
        token: tuple[int, ...] = (int(newest or 0),)
        if self.register.is_sqlite:
            version = self._watch.exec_driver_sql("PRAGMA data_version").scalar()
            token += (int(version or 0),)
        self._watch.rollback()  # end the read, so the next look sees new commits
        return token

    def _drop_watch(self) -> None:
        if self._watch is not None:
            with contextlib.suppress(DBAPIError):
                self._watch.invalidate()
                self._watch.close()
            self._watch = None

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        self.register.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""A team register on the test server: owner URL, logins for each role, URLs for them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import make_url

from gpaitracker.enums import Role
from gpaitracker.migrate import open_register
from gpaitracker.services import organisation, team
from gpaitracker.services.workspace import Workspace

PASSWORD = "correct horse battery staple"
ADA = "ada@provider.eu"
PEOPLE = {
    "olga": ("olga@provider.eu", Role.OFFICER),
    "rita": ("rita@provider.eu", Role.REVIEWER),
    "eve": ("eve@provider.eu", Role.EXECUTIVE),
    "al": ("al@provider.eu", Role.AUDITOR),
}


@dataclass
class Team:
    owner_url: str
    home: object

    def url(self, login: str) -> str:
        return (
            make_url(self.owner_url)
            .set(username=login, password=PASSWORD)
            .render_as_string(hide_password=False)
        )

    def ws(self, login: str | None = None, acting: str | None = None) -> Workspace:
        target = self.owner_url if login is None else self.url(login)
        return Workspace(open_register(self.home, target), acting)


def make_team(owner_url: str, home, *, demo: bool = False) -> Team:
    """Register with an organisation, server roles, and a login per person of PEOPLE."""
    reg = open_register(home, owner_url)
    ws = Workspace(reg)
    if demo:
        from gpaitracker.services import demo as demo_service

        ws.create(demo_service.create, store=ws.store, admin_name="Ada Admin", admin_email=ADA)
    else:
        ws.create(
            organisation.create_register,
            name="Provider SA",
            admin_name="Ada Admin",
            admin_email=ADA,
            signatory=True,
        )
    team.init_server(reg)
    for login, (email, role) in PEOPLE.items():
        ws.write(team.add_user, email=email, role=role, login=login, password=PASSWORD)
    ws.close()
    return Team(owner_url, home)


def refresh_team(owner_url: str, home) -> None:
    """A copy of a team register under a new database name: its own roles, the same logins."""
    from gpaitracker import server_roles
    from gpaitracker.db import session_scope

    reg = open_register(home, owner_url)
    team.init_server(reg)
    with session_scope(reg, write=True) as session:
        for login, (_email, role) in PEOPLE.items():
            server_roles.create_login(session.connection(), login, PASSWORD, role)
    reg.engine.dispose()

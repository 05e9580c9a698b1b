"""Entry point: parse arguments, run one command, turn user errors into one-line messages.

Only argparse is imported up front; each command imports the services it needs when it runs,
so `--version` and `--help` start as fast as Python itself.
"""

from __future__ import annotations

import argparse
import sys

from gpaitracker import __version__
from gpaitracker.cli import (
    audit_cmds,
    catalogue_cmds,
    dashboard_cmds,
    evidence_cmds,
    incident_cmds,
    interchange_cmds,
    mdf_cmds,
    model_cmds,
    move_cmds,
    people_cmds,
    provider_cmds,
    register_cmds,
    report_cmds,
    request_cmds,
    server_cmds,
    setup_cmds,
)

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_PROBLEM = 0, 1, 2, 3


def _common() -> argparse.ArgumentParser:
    # Accepted before or after the command; SUPPRESS keeps a later default from hiding
    # an earlier value.
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group("register")
    hidden = argparse.SUPPRESS
    g.add_argument(
        "--home", metavar="DIR", default=hidden, help="register folder (default: GPAITRACKER_HOME)"
    )
    g.add_argument(
        "--db",
        metavar="URL",
        default=hidden,
        help="database URL (default: GPAITRACKER_DB or the local file)",
    )
    g.add_argument(
        "--as",
        dest="as_user",
        metavar="EMAIL",
        default=hidden,
        help="act as this person (default: GPAITRACKER_USER)",
    )
    return common


MODULES = (
    setup_cmds,
    model_cmds,
    request_cmds,
    incident_cmds,
    mdf_cmds,
    people_cmds,
    register_cmds,
    provider_cmds,
    dashboard_cmds,
    audit_cmds,
    evidence_cmds,
    catalogue_cmds,
    report_cmds,
    interchange_cmds,
    server_cmds,
    move_cmds,
)
# Which module defines each command: only that one is built for a run (argparse costs ~15 ms
# for all of them, a tenth of a short command's run).
COMMANDS = {
    "init": setup_cmds,
    "demo": setup_cmds,
    "org": setup_cmds,
    "model": model_cmds,
    "request": request_cmds,
    "incident": incident_cmds,
    "mdf": mdf_cmds,
    "cover": provider_cmds,
    "person": people_cmds,
    "list": register_cmds,
    "show": register_cmds,
    "assign": register_cmds,
    "due": register_cmds,
    "priority": register_cmds,
    "note": register_cmds,
    "status": register_cmds,
    "status-summary": dashboard_cmds,
    "agenda": dashboard_cmds,
    "audit": audit_cmds,
    "check": audit_cmds,
    "evidence": evidence_cmds,
    "catalogue": catalogue_cmds,
    "report": report_cmds,
    "identity": report_cmds,
    "verify": report_cmds,
    "export": interchange_cmds,
    "import": interchange_cmds,
    "backup": interchange_cmds,
    "restore": interchange_cmds,
    "server": server_cmds,
    "migrate": move_cmds,
}
_VALUED = {"--home", "--db", "--as"}


def _command_of(argv: list[str]) -> str | None:
    """The command word in argv (skipping global options and their values), if any."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="gpaitracker",
        parents=[common],
        description="Track EU AI Act GPAI obligations and Code of Practice measures. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"gpaitracker {__version__}")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="open the window without editing controls (as executives see it)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    only = COMMANDS.get(_command_of(argv) or "") if argv is not None else None
    for module in (only,) if only is not None else MODULES:
        module.add_parsers(sub, common)
    return parser


def _tolerant_output() -> None:
    """A terminal or pipe that cannot show a character gets an escape, not a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    _tolerant_output()
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(words)
    args = parser.parse_args(words)
    if args.command is None:
        from gpaitracker.ui.app import run_gui

        return run_gui(args)
    from gpaitracker.errors import UserError

    try:
        # restore (the target may hold no register) and migrate open their registers themselves
        if getattr(args, "no_workspace", False):
            return int(args.func(None, args))
        from gpaitracker.services.workspace import Workspace

        ws = Workspace.open(
            getattr(args, "home", None),
            getattr(args, "db", None),
            acting=getattr(args, "as_user", None),
            create=bool(getattr(args, "creates", False)),
        )
        try:
            return int(args.func(ws, args))
        finally:
            ws.close()
    except UserError as exc:
        from gpaitracker.cli.output import safe

        print(f"gpaitracker: error: {safe(str(exc))}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("gpaitracker: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

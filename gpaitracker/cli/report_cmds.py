"""report, identity and verify: board reports as signed PDFs, and checking one later.

reportlab and pyHanko are imported inside the commands: other commands start without them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace

EXIT_PROBLEM = 3


def _passphrase(path: Path, *, confirm: bool = False) -> str:
    """From GPAITRACKER_PASSPHRASE, else asked for on the terminal; never shown."""
    from gpaitracker.errors import ValidationError
    from gpaitracker.reports.identity import passphrase_from_env

    found = passphrase_from_env()
    if found:
        return found
    try:
        first = getpass.getpass(f"Passphrase for {path}: ")
        if confirm and getpass.getpass("Repeat the passphrase: ") != first:
            raise ValidationError("the two passphrases differ: nothing was created")
    except EOFError:
        raise ValidationError(
            "no passphrase given: set GPAITRACKER_PASSPHRASE or type it when asked"
        ) from None
    return first


def _only_identity(ws: Workspace) -> Path:
    from gpaitracker.errors import ValidationError
    from gpaitracker.reports.identity import identities_dir

    folder = identities_dir(ws.home)
    found = sorted(folder.glob("*.p12")) if folder.is_dir() else []
    if len(found) != 1:
        what = "no identity" if not found else f"{len(found)} identities"
        raise ValidationError(f"{folder} holds {what}: choose one with --identity FILE.p12")
    return found[0]


def cmd_report(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import lookup
    from gpaitracker.services.report_make import make_report

    model_ids = tuple(ws.read(lookup.model_id, ref=m) for m in args.model) if args.model else None
    as_of = parse.date(args.as_of, "as-of date") if args.as_of else None
    identity = passphrase = None
    if args.sign or args.identity:
        identity = Path(args.identity) if args.identity else _only_identity(ws)
        passphrase = _passphrase(identity)
    made = make_report(
        ws,
        Path(args.out),
        as_of=as_of,
        model_ids=model_ids,
        identity=identity,
        passphrase=passphrase,
    )
    how = f"signed by {made.signer}" if made.signer else "unsigned"
    print(f"report {made.number} saved to {output.safe(str(made.path))} ({how})")
    print(f"SHA-256 {made.sha256}")
    return 0


def cmd_identity(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.reports import identity as ids

    if args.action == "create":
        out = Path(args.out) if args.out else ids.default_identity_path(ws.home, args.email)
        out.parent.mkdir(parents=True, exist_ok=True)
        info = ids.create_identity(
            args.name, args.email, _passphrase(out, confirm=True), out, key_type=args.key
        )
    elif args.action == "import":
        src = Path(args.file)
        info = ids.import_identity(src, _passphrase(src), ids.identities_dir(ws.home))
    else:
        path = Path(args.identity) if args.identity else _only_identity(ws)
        pem = ids.export_certificate(path, _passphrase(path))
        Path(args.out).write_bytes(pem)
        print(f"certificate of {output.safe(str(path))} saved to {output.safe(args.out)}")
        return 0
    print(f"identity {output.safe(info.name)} saved to {output.safe(str(info.path))}")
    print(f"certificate SHA-256 {info.fingerprint}, valid until {info.not_after:%Y-%m-%d}")
    return 0


def cmd_verify(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.errors import ValidationError
    from gpaitracker.reports.signing import STAMP_TIME_FORMAT, verify_pdf
    from gpaitracker.services.report_export import find_report

    try:
        data = Path(args.file).read_bytes()
        trusted = [Path(t).read_bytes() for t in args.trust or ()]
    except OSError as exc:
        raise ValidationError(f"{exc.filename} cannot be read: {exc.strerror}") from None
    v = verify_pdf(data, trusted)
    when = v.signing_time.strftime(STAMP_TIME_FORMAT) if v.signing_time else "-"
    print(f"signer: {output.safe(v.signer or '-')}")
    print(f"signing time: {when}")
    print(f"intact: {'yes' if v.signed and v.intact and v.covers_whole_file else 'no'}")
    print(f"trusted: {'yes' if v.trusted else 'no'}{'' if trusted else ' (no --trust given)'}")
    match = ws.read(find_report, sha256=v.sha256)
    if match is None:
        print("register: no report of this register has this SHA-256")
    else:
        held = "still holds" if match.head_held else "NO LONGER holds"
        print(
            f"register: matches report {match.number} (as of {match.as_of.isoformat()}); "
            f"the audit trail {held} its head event {match.audit_head_id}"
        )
    for problem in v.problems:
        print(f"problem: {output.safe(problem)}", file=sys.stderr)
    return 0 if v.signed and v.intact and v.covers_whole_file else EXIT_PROBLEM


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("report", parents=[common], help="make the board report as a PDF")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to save it")
    p.add_argument("--model", action="append", help="model slug or name (repeatable)")
    p.add_argument("--as-of", metavar="DATE", help="the register as it stood on that day")
    p.add_argument("--sign", action="store_true", help="sign it (passphrase: see identity)")
    p.add_argument("--identity", metavar="FILE.p12", help="signing identity (implies --sign)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "identity",
        parents=[common],
        help="signing identities: create, import, export the certificate",
        description="The passphrase is read from GPAITRACKER_PASSPHRASE or asked for.",
    )
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("create", help="a new key and self-signed certificate")
    a.add_argument("--name", required=True)
    a.add_argument("--email", required=True)
    a.add_argument("--out", metavar="FILE.p12", help="default: the register's identities folder")
    a.add_argument("--key", choices=["rsa", "ec"], default="rsa")
    a = acts.add_parser("import", help="copy a .p12 identity into the identities folder")
    a.add_argument("file", metavar="FILE.p12")
    a = acts.add_parser("export-cert", help="save the certificate for readers to trust")
    a.add_argument("--identity", metavar="FILE.p12")
    a.add_argument("--out", required=True, metavar="CERT.pem")
    p.set_defaults(func=cmd_identity)

    p = sub.add_parser("verify", parents=[common], help="check a signed report PDF")
    p.add_argument("file", metavar="FILE.pdf")
    p.add_argument("--trust", action="append", metavar="CERT.pem", help="trusted certificate")
    p.set_defaults(func=cmd_verify)

"""cover: let one model's item hold a provider-level artefact for the provider's other models."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace


def cmd_cover(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.errors import ValidationError
    from gpaitracker.services import lookup, provider_items

    item = ws.read(lookup.requirement_id, key=args.key)
    if args.none:
        ws.write(provider_items.uncover, requirement_id=item)
        print(f"{args.key} is the model's own item again")
        return 0
    if not args.by:
        raise ValidationError("give --by KEY (the item that holds it) or --none")
    holder = ws.read(lookup.requirement_id, key=args.by)
    ws.write(provider_items.cover, requirement_id=item, holder_id=holder)
    print(f"{args.key} is now held by {args.by} (kept, not applicable on its own)")
    return 0


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "cover",
        parents=[common],
        help="one provider-level item (framework, policy) for several models",
    )
    p.add_argument("key", help="the item another model's item will hold, e.g. orca-1/COP-C-1.1")
    p.add_argument("--by", metavar="KEY", help="the item that holds it, e.g. titan-1/COP-C-1.1")
    p.add_argument("--none", action="store_true", help="make it the model's own item again")
    p.set_defaults(func=cmd_cover)

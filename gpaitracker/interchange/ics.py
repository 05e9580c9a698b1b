"""Deadlines as an iCalendar file (RFC 5545, via the icalendar package).

Each event's UID is built from the register's identity and the item's row id, which never
change (a key may, when a catalogue upgrade renames a code), so importing a newer export into
a calendar updates the events instead of adding copies. SEQUENCE follows the item's version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PRODID = "-//GPAI Tracker//Register deadlines//EN"


@dataclass(frozen=True)
class Deadline:
    """One open item with a due date, as the calendar shows it."""

    item_id: int
    key: str
    title: str
    model: str
    owner: str | None
    status: str
    due: dt.date
    version: int
    updated_at: dt.datetime | None = None


def uid(register_id: str, item_id: int) -> str:
    return f"item-{item_id}.{register_id}@gpaitracker"


def item_link(key: str) -> str:
    """Where the event points back to: the item, by key, in GPAI Tracker."""
    return f"gpaitracker:item/{key}"


def build(deadlines: Iterable[Deadline], *, register_id: str, name: str, now: dt.datetime) -> bytes:
    from icalendar import Calendar, Event  # imported only when a calendar is made

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for d in deadlines:
        event = Event()
        event.add("uid", uid(register_id, d.item_id))
        event.add("dtstamp", now)
        event.add("dtstart", d.due)
        event.add("dtend", d.due + dt.timedelta(days=1))
        event.add("summary", f"Due: {d.key} {d.title}")
        owner = d.owner or "no owner"
        event.add(
            "description",
            f"{d.key} ({d.model})\nOwner: {owner}\nStatus: {d.status}\n"
            f"Open in GPAI Tracker: gpaitracker show {d.key}",
        )
        event.add("url", item_link(d.key))
        event.add("categories", ["GPAI Tracker", d.status])
        event.add("sequence", max(0, d.version - 1))
        event.add("transp", "TRANSPARENT")
        if d.updated_at is not None:
            at = d.updated_at
            event.add("last-modified", at if at.tzinfo else at.replace(tzinfo=dt.UTC))
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data

"""Catalogue files (TOML): load, validate and describe; shipped ones come from resources."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from gpaitracker import paths, rules
from gpaitracker.errors import ValidationError

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 5000
MAX_PUBLISHED_AHEAD_DAYS = 366
KINDS = ("chapter", "article", "commitment", "measure")
TRACKED_KINDS = frozenset({"article", "measure"})
# \Z, not $: $ also matches before a final newline, and "X\n" would pass as a code.
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
_TEXT_LIMITS = {"title": 300, "reference": 300, "summary": 4000}
_HEADER_KEYS = {"id", "title", "version", "published", "applies"}
_ENTRY_KEYS = {
    "code",
    "parent",
    "kind",
    "title",
    "reference",
    "summary",
    "applies",
    "due",
    "recurrence",
    "evidence",
    "kpis",
    "level",
}
LEVELS = ("model", "provider")
_UPGRADE_KEYS = {"from_version", "map", "withdrawn"}


@dataclass(frozen=True)
class Entry:
    code: str
    kind: str
    title: str
    reference: str
    summary: str
    applies: tuple[str, ...]
    due: str
    parent: str | None = None
    recurrence_months: int | None = None
    evidence: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    level: str = "model"  # "provider": one artefact for all of the provider's models

    @property
    def tracked(self) -> bool:
        return self.kind in TRACKED_KINDS and "informational" not in self.applies

    @property
    def due_rule(self) -> rules.DueRule:
        return rules.parse_due(self.due)


@dataclass(frozen=True)
class Upgrade:
    """How the codes of an older version of the same catalogue carry over to this one."""

    from_version: str
    mapping: dict[str, tuple[str, ...]]
    withdrawn: frozenset[str]


@dataclass(frozen=True)
class CatalogueFile:
    id: str
    title: str
    version: str
    published: dt.date
    entries: tuple[Entry, ...]
    sha256: str
    source: str
    upgrades: tuple[Upgrade, ...] = ()
    by_code: dict[str, Entry] = field(default_factory=dict, compare=False, repr=False)

    def tracked(self) -> list[Entry]:
        return [e for e in self.entries if e.tracked]

    @property
    def upgrade(self) -> Upgrade | None:
        """The first [upgrade] table (a file may have one per older version)."""
        return self.upgrades[0] if self.upgrades else None

    def upgrade_from(self, version: str) -> Upgrade | None:
        """How the codes of this older version continue here, if the file says."""
        return next((u for u in self.upgrades if u.from_version == version), None)

    def all_mappings(self) -> dict[str, tuple[str, ...]]:
        """Every old code any [upgrade] table maps (the first table wins)."""
        out: dict[str, tuple[str, ...]] = {}
        for upgrade in reversed(self.upgrades):
            out.update(upgrade.mapping)
        return out


class CatalogueError(ValidationError):
    pass


def _fail(source: str, where: str, message: str) -> CatalogueError:
    return CatalogueError(f"catalogue {source}: {where}: {message}")


def _text(source: str, where: str, table: dict[str, object], key: str, required: bool) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise _fail(source, where, f"field '{key}' is missing")
        return ""
    if not isinstance(value, str):
        raise _fail(source, where, f"field '{key}' must be text, not {type(value).__name__}")
    limit = _TEXT_LIMITS.get(key, 300)
    if len(value) > limit:
        raise _fail(source, where, f"field '{key}' is longer than {limit} characters")
    _no_controls(source, where, key, value, allowed="\n\t" if key == "summary" else "")
    return value.strip()


def _no_controls(source: str, where: str, key: str, value: str, allowed: str = "") -> None:
    """Control characters in a title or code could rewrite a terminal line: refuse them."""
    for char in value:
        if char not in allowed and unicodedata.category(char) == "Cc":
            raise _fail(
                source, where, f"field '{key}' contains control character U+{ord(char):04X}"
            )


def _str_list(source: str, where: str, table: dict[str, object], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, where, f"field '{key}' must be a list of text")
    if len(value) > 50 or any(len(v) > 300 for v in value):
        raise _fail(source, where, f"field '{key}' is too long")
    for item in value:
        _no_controls(source, where, key, item)
    return tuple(v.strip() for v in value)


def parse(data: bytes, source: str) -> CatalogueFile:
    """Validate a catalogue file's bytes; every error names the file, the entry and the field."""
    if len(data) > MAX_FILE_BYTES:
        raise CatalogueError(
            f"catalogue {source}: file is {len(data)} bytes, more than {MAX_FILE_BYTES}"
        )
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"catalogue {source}: not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"catalogue {source}: not valid TOML ({exc})") from None
    except RecursionError:
        raise CatalogueError(f"catalogue {source}: nested too deeply") from None
    unknown = set(doc) - {"catalogue", "entries", "upgrade"}
    if unknown:
        raise _fail(source, "top level", f"unknown table(s) {', '.join(sorted(unknown))}")
    cat_id, version, published, base_rule = _parse_header(source, doc.get("catalogue"))

    raw_entries = doc.get("entries", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise _fail(source, "top level", "no [[entries]]")
    if len(raw_entries) > MAX_ENTRIES:
        raise _fail(source, "top level", f"more than {MAX_ENTRIES} entries")
    entries: list[Entry] = []
    by_code: dict[str, Entry] = {}
    for index, raw in enumerate(raw_entries, start=1):
        entry = _parse_entry(source, index, raw, base_rule)
        if entry.code in by_code:
            raise _fail(source, f"entry {entry.code}", "duplicate code")
        by_code[entry.code] = entry
        entries.append(entry)
    for entry in entries:
        if entry.parent is not None and entry.parent not in by_code:
            raise _fail(source, f"entry {entry.code}", f"parent {entry.parent!r} is not defined")
    upgrades = _parse_upgrades(source, doc.get("upgrade"), by_code)
    return CatalogueFile(
        id=cat_id,
        title=_text(source, "[catalogue]", doc["catalogue"], "title", True),
        version=version,
        published=published,
        entries=tuple(entries),
        sha256=hashlib.sha256(data).hexdigest(),
        source=source,
        upgrades=tuple(upgrades),
        by_code=by_code,
    )


def _parse_header(source: str, header: object) -> tuple[str, str, dt.date, tuple[str, ...]]:
    """The [catalogue] table: id, version, publication date and the rule every entry gets."""
    if not isinstance(header, dict):
        raise _fail(source, "top level", "the [catalogue] table is missing")
    if extra := set(header) - _HEADER_KEYS:
        raise _fail(source, "[catalogue]", f"unknown field(s) {', '.join(sorted(extra))}")
    cat_id = _text(source, "[catalogue]", header, "id", True)
    if not _CODE.match(cat_id):
        raise _fail(source, "[catalogue]", f"id {cat_id!r} is not a valid identifier")
    version = _text(source, "[catalogue]", header, "version", True)
    if not version or len(version) > 64:
        raise _fail(source, "[catalogue]", f"version {version!r} is empty or too long")
    published = _published(source, header.get("published"))
    base_rule: tuple[str, ...] = ()
    if "applies" in header:
        try:
            base_rule = rules.parse_applies(header["applies"])
        except ValidationError as exc:
            raise _fail(source, "[catalogue]", str(exc)) from None
    return cat_id, version, published, base_rule


def _published(source: str, published: object) -> dt.date:
    """The publication date, which decides which version is newer: one far in the future
    would make every later genuine version look older."""
    if not isinstance(published, dt.date) or isinstance(published, dt.datetime):
        raise _fail(source, "[catalogue]", f"published {published!r} is not a date")
    latest = dt.date.today() + dt.timedelta(days=MAX_PUBLISHED_AHEAD_DAYS)
    if not rules.EARLIEST <= published <= latest:
        raise _fail(
            source,
            "[catalogue]",
            f"published {published.isoformat()} is not between "
            f"{rules.EARLIEST.isoformat()} and {latest.isoformat()} (a year from today)",
        )
    return published


def _parse_entry(source: str, index: int, raw: object, base_rule: tuple[str, ...]) -> Entry:
    where = f"entry #{index}"
    if not isinstance(raw, dict):
        raise _fail(source, where, "is not a table")
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise _fail(source, where, f"field 'code' {code!r} is not a valid code")
    where = f"entry {code}"
    if extra := set(raw) - _ENTRY_KEYS:
        raise _fail(source, where, f"unknown field(s) {', '.join(sorted(extra))}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _fail(source, where, f"field 'kind' {kind!r} is not one of {', '.join(KINDS)}")
    parent = raw.get("parent")
    if parent is not None and (not isinstance(parent, str) or not _CODE.match(parent)):
        raise _fail(source, where, f"field 'parent' {parent!r} is not a valid code")
    try:
        applies = base_rule + rules.parse_applies(raw.get("applies", "all"))
        due = str(rules.parse_due(raw.get("due", "none")))  # canonical text of the rule
        recurrence = rules.parse_recurrence(raw["recurrence"]) if "recurrence" in raw else None
    except ValidationError as exc:
        raise _fail(source, where, str(exc)) from None
    level = raw.get("level", "model")
    if level not in LEVELS:
        raise _fail(source, where, f"field 'level' {level!r} is not one of {', '.join(LEVELS)}")
    return Entry(
        code=code,
        kind=kind,
        title=_text(source, where, raw, "title", True),
        reference=_text(source, where, raw, "reference", False),
        summary=_text(source, where, raw, "summary", False),
        applies=tuple(dict.fromkeys(applies)),
        due=due,
        parent=parent,
        recurrence_months=recurrence,
        evidence=_str_list(source, where, raw, "evidence"),
        kpis=_str_list(source, where, raw, "kpis"),
        level=str(level),
    )


def _parse_upgrades(source: str, raw: object, by_code: dict[str, Entry]) -> list[Upgrade]:
    """One [upgrade] table, or an [[upgrade]] array with one table per older version."""
    tables = raw if isinstance(raw, list) else [raw]
    upgrades = [u for t in tables if (u := _parse_upgrade(source, t, by_code)) is not None]
    if len({u.from_version for u in upgrades}) != len(upgrades):
        raise _fail(source, "[upgrade]", "two tables upgrade from the same version")
    return upgrades


def _parse_upgrade(source: str, raw: object, by_code: dict[str, Entry]) -> Upgrade | None:
    if raw is None:
        return None
    where = "[upgrade]"
    if not isinstance(raw, dict):
        raise _fail(source, where, "is not a table")
    if extra := set(raw) - _UPGRADE_KEYS:
        raise _fail(source, where, f"unknown field(s) {', '.join(sorted(extra))}")
    from_version = _text(source, where, raw, "from_version", True)
    mapping_raw = raw.get("map", {})
    if not isinstance(mapping_raw, dict):
        raise _fail(source, where, "field 'map' must be a table of old code = new code(s)")
    mapping = {old: _map_targets(source, old, new, by_code) for old, new in mapping_raw.items()}
    withdrawn = _str_list(source, where, raw, "withdrawn") if "withdrawn" in raw else ()
    if bad := [code for code in withdrawn if not _CODE.match(code)]:
        raise _fail(source, where, f"withdrawn code {bad[0]!r} is not a valid code")
    if both := set(withdrawn) & set(mapping):
        raise _fail(source, where, f"code(s) both mapped and withdrawn: {', '.join(sorted(both))}")
    # A code this version still defines continues as itself: mapping or withdrawing it too
    # would say two contradictory things about the same item.
    if kept := sorted((set(mapping) | set(withdrawn)) & set(by_code)):
        raise _fail(
            source,
            where,
            f"code(s) {', '.join(kept)} are still defined in this version; only codes it "
            "no longer has can be mapped or withdrawn",
        )
    return Upgrade(from_version=from_version, mapping=mapping, withdrawn=frozenset(withdrawn))


def _map_targets(source: str, old: str, new: object, by_code: dict[str, Entry]) -> tuple[str, ...]:
    """The new code(s) one old code of an [upgrade] map continues as."""
    where = "[upgrade] map"
    if not _CODE.match(old):
        raise _fail(source, where, f"old code {old!r} is not a valid code")
    targets = (new,) if isinstance(new, str) else new
    if not isinstance(targets, list | tuple) or not all(isinstance(t, str) for t in targets):
        raise _fail(source, f"{where} {old}", "must be a code or a list of codes")
    for target in targets:
        if target not in by_code:
            raise _fail(source, f"{where} {old}", f"target {target!r} is not defined")
    return tuple(targets)


def load_file(path: Path) -> CatalogueFile:
    """Read and validate a catalogue file: regular files only, never more than the limit."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            kind = paths.file_kind(st.st_mode)
            raise CatalogueError(f"catalogue {path}: is {kind}, not a regular file")
        if st.st_size > MAX_FILE_BYTES:
            raise CatalogueError(
                f"catalogue {path}: file is {st.st_size} bytes, more than {MAX_FILE_BYTES}"
            )
        # O_NONBLOCK: a path swapped for a FIFO since the stat must not hang the open.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise CatalogueError(f"catalogue {path}: is not a regular file")
            data = _read_bounded(lambda n: os.read(fd, n), str(path))
        finally:
            os.close(fd)
    except OSError as exc:
        raise CatalogueError(f"catalogue {path}: cannot be read ({exc.strerror})") from None
    return parse(data, str(path))


def load_stream(stream: BinaryIO, source: str) -> CatalogueFile:
    """Validate a catalogue read from a stream (standard input), never more than the limit."""
    return parse(_read_bounded(stream.read, source), source)


def _read_bounded(read: Callable[[int], bytes], source: str) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes: a file that grows or a stream that never ends stops."""
    parts: list[bytes] = []
    total = 0
    while total <= MAX_FILE_BYTES:
        chunk = read(min(1 << 16, MAX_FILE_BYTES + 1 - total))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        total += len(chunk)
    raise CatalogueError(f"catalogue {source}: file is more than {MAX_FILE_BYTES} bytes")


def shipped() -> list[CatalogueFile]:
    """Every catalogue shipped with the app, oldest version first within each id."""
    folder = resources.files("gpaitracker.resources").joinpath("catalogue")
    out = [
        parse(item.read_bytes(), f"built-in {item.name}")
        for item in sorted(folder.iterdir(), key=lambda p: p.name)
        if item.name.endswith(".toml")
    ]
    return sorted(out, key=lambda c: (c.id, c.published, c.version))

"""Catalogue files: the shipped ones load with the right counts; bad files are refused."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpaitracker import catalogue
from gpaitracker.catalogue import CatalogueError, parse


def _by_id_version():
    return {(c.id, c.version): c for c in catalogue.shipped()}


def _count(cat, kind, prefix=""):
    return sum(1 for e in cat.entries if e.kind == kind and e.code.startswith(prefix))


def test_every_shipped_catalogue_loads_and_is_versioned():
    cats = _by_id_version()
    assert set(cats) == {
        ("ai-act-gpai", "2024/1689"),
        ("ai-act-gpai", "2024/1689-r2"),
        ("gpai-code", "draft-3"),
        ("gpai-code", "final"),
        ("gpai-code", "final-r2"),
    }
    assert cats[("gpai-code", "final")].published == dt.date(2025, 7, 10)
    assert cats[("gpai-code", "draft-3")].published == dt.date(2025, 3, 11)


@pytest.mark.parametrize("version", ["final", "final-r2"])
def test_final_code_counts(version):
    final = _by_id_version()[("gpai-code", version)]
    assert _count(final, "chapter") == 3
    assert _count(final, "commitment") == 12
    assert _count(final, "measure", "COP-T-") == 3
    assert _count(final, "measure", "COP-C-") == 5
    assert _count(final, "commitment", "COP-SS-") == 10
    # The second revision tracks the six-monthly part of Measure 7.6 as its own item.
    periodic = sum(e.code.endswith("-periodic") for e in final.entries)
    assert periodic == (version == "final-r2")
    assert _count(final, "measure", "COP-SS-") - periodic == 32
    assert all("systemic_risk" in e.applies for e in final.entries if e.code.startswith("COP-SS"))


def test_third_draft_counts_and_mapping_cover_every_item():
    cats = _by_id_version()
    draft, final = cats[("gpai-code", "draft-3")], cats[("gpai-code", "final")]
    commitments = [e.code for e in draft.entries if e.kind == "commitment"]
    assert sum(c.startswith("COP3-I.") for c in commitments) == 2
    assert sum(c.startswith("COP3-II.") for c in commitments) == 16
    tracked = {e.code for e in draft.tracked()}
    assert final.upgrade is not None and final.upgrade.from_version == "draft-3"
    covered = set(final.upgrade.mapping) | final.upgrade.withdrawn
    assert covered == tracked
    assert "COP3-I.2.4" in final.upgrade.withdrawn  # non-crawled content, dropped
    r2 = cats[("gpai-code", "final-r2")].upgrade_from("draft-3")
    assert r2 is not None and set(r2.mapping) | r2.withdrawn == tracked
    assert cats[("gpai-code", "final-r2")].upgrade_from("final") is not None


def test_ai_act_entries_present():
    act = _by_id_version()[("ai-act-gpai", "2024/1689")]
    codes = {e.code for e in act.entries}
    for code in (
        "AIA-51-2",
        "AIA-52-1",
        "AIA-52-2",
        "AIA-53-1-a",
        "AIA-53-1-b",
        "AIA-53-1-c",
        "AIA-53-1-d",
        "AIA-53-2",
        "AIA-53-3",
        "AIA-53-4",
        "AIA-54-1",
        "AIA-55-1-a",
        "AIA-55-1-b",
        "AIA-55-1-c",
        "AIA-55-1-d",
        "AIA-56-7",
        "AIA-111-3",
    ):
        assert code in codes
    assert not act.by_code["AIA-53-2"].tracked  # a scope rule, not a duty


GOOD = b"""
[catalogue]
id = "own"
title = "Our internal measures"
version = "1"
published = 2026-01-01

[[entries]]
code = "OWN"
kind = "chapter"
title = "Internal"

[[entries]]
code = "OWN-1"
parent = "OWN"
kind = "measure"
title = "Quarterly board briefing"
applies = "systemic_risk"
due = "date:2026-03-31"
recurrence = "3 months"
evidence = ["Board minutes"]
"""


def test_a_user_catalogue_parses():
    cat = parse(GOOD, "own.toml")
    assert [e.code for e in cat.tracked()] == ["OWN-1"]
    assert cat.by_code["OWN-1"].recurrence_months == 3


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        ((b'kind = "measure"', b'kind = "paragraph"'), "entry OWN-1: field 'kind' 'paragraph'"),
        ((b'parent = "OWN"', b'parent = "NOPE"'), "entry OWN-1: parent 'NOPE' is not defined"),
        ((b'applies = "systemic_risk"', b'applies = "everyone"'), "rule 'everyone' is unknown"),
        ((b'due = "date:2026-03-31"', b'due = "date:2026-02-30"'), "'2026-02-30' is not a date"),
        ((b'due = "date:2026-03-31"', b'due = "soonish"'), "due rule 'soonish' is unknown"),
        ((b'recurrence = "3 months"', b'recurrence = "often"'), "recurrence 'often'"),
        ((b'title = "Quarterly board briefing"', b"title = 42"), "field 'title' must be text"),
        ((b'code = "OWN-1"', b'code = "OWN"'), "entry OWN: duplicate code"),
        ((b'evidence = ["Board minutes"]', b'colour = "red"'), "unknown field(s) colour"),
        ((b"published = 2026-01-01", b'published = "yesterday"'), "published 'yesterday'"),
        ((b'version = "1"', b""), "field 'version' is missing"),
    ],
)
def test_bad_catalogues_name_file_entry_and_field(mutation, message):
    old, new = mutation
    assert old in GOOD
    with pytest.raises(CatalogueError) as info:
        parse(GOOD.replace(old, new, 1), "own.toml")
    assert "catalogue own.toml" in str(info.value)
    assert message in str(info.value)


def test_hostile_files_are_refused():
    with pytest.raises(CatalogueError, match="more than"):
        parse(b"#" * (100 * 1024 * 1024), "big.toml")
    with pytest.raises(CatalogueError, match=r"not valid TOML|nested too deeply"):
        parse(b"x = " + b"[" * 100_000 + b"]" * 100_000, "deep.toml")
    with pytest.raises(CatalogueError, match="not UTF-8"):
        parse(b"\xff\xfe title", "bin.toml")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        parse(b"[catalogue\n", "broken.toml")


toml_scalars = st.one_of(
    st.text(max_size=20), st.integers(), st.booleans(), st.dates(), st.floats(allow_nan=False)
)
toml_values = st.recursive(
    toml_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


def _to_toml(doc: dict) -> bytes:
    import json

    # TOML inline syntax is close enough to JSON for keys/strings/arrays; dates go as strings.
    lines = []
    for table, body in doc.items():
        lines.append(f"[{json.dumps(table)}]")
        for key, value in body.items():
            lines.append(f"{json.dumps(key)} = {json.dumps(value, default=str)}")
    return "\n".join(lines).encode()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["catalogue", "entries", "upgrade", "x"]),
        st.dictionaries(st.text(max_size=10), toml_values, max_size=5),
        max_size=3,
    )
)
def test_loader_only_ever_raises_catalogue_errors(doc):
    data = _to_toml(doc)
    try:
        parse(data, "fuzz.toml")
    except CatalogueError as exc:
        assert str(exc).startswith("catalogue fuzz.toml")


@settings(max_examples=200, deadline=None)
@given(
    entries=st.lists(
        st.fixed_dictionaries(
            {
                "code": st.from_regex(r"[A-Z]{1,3}-[0-9]{1,2}", fullmatch=True),
                "kind": st.sampled_from(["chapter", "article", "commitment", "measure", "bogus"]),
                "title": st.text(min_size=1, max_size=30),
                "applies": st.sampled_from(["all", "systemic_risk", "nope", ["all", "signatory"]]),
                "due": st.sampled_from(
                    [
                        "before_market",
                        "none",
                        "date:2027-08-02",
                        "event:threshold+14d",
                        "date:2027-13-01",
                    ]
                ),
            }
        ),
        min_size=1,
        max_size=8,
    )
)
def test_loader_on_structured_entries(entries):
    import json

    body = '[catalogue]\nid = "p"\ntitle = "P"\nversion = "1"\npublished = 2026-01-01\n'
    for e in entries:
        body += "\n[[entries]]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in e.items())
    try:
        cat = parse(body.encode(), "p.toml")
    except CatalogueError:
        return
    assert len({e.code for e in cat.entries}) == len(cat.entries)
    assert all(e.kind != "bogus" for e in cat.entries)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b'code = "OWN-1"', b'code = "OWN-1\\n"', "field 'code' 'OWN-1\\n' is not a valid code"),
        (b'parent = "OWN"', b'parent = "OWN\\n"', "field 'parent' 'OWN\\n' is not a valid"),
        (b'due = "date:2026-03-31"', b'due = "none\\n"', "due rule 'none\\n' is unknown"),
        (b'due = "date:2026-03-31"', b'due = "date:2026-03-31\\n"', "due rule 'date:2026-03-31"),
        (b'due = "date:2026-03-31"', b'due = "event:threshold+14d\\n"', "due rule 'event:thr"),
        (b'due = "date:2026-03-31"', 'due = "event:threshold+\u0661\u0664d"'.encode(), "due rule"),
        (b'recurrence = "3 months"', 'recurrence = "\u0663 months"'.encode(), "recurrence"),
        (b"Quarterly board", b"Quarterly\\u001b[2J board", "field 'title' contains control"),
        (b'"Board minutes"', b'"Board\\rminutes"', "field 'evidence' contains control"),
    ],
)
def test_trailing_newlines_foreign_digits_and_controls_are_refused(old, new, message):
    assert old in GOOD
    with pytest.raises(CatalogueError) as info:
        parse(GOOD.replace(old, new, 1), "own.toml")
    assert message in str(info.value)
    assert str(info.value).startswith("catalogue own.toml: entry ")
    assert "\n" not in str(info.value)


UPGRADE = GOOD + b'\n[upgrade]\nfrom_version = "0"\nmap = { "OLD-1" = "OWN-1" }\n'


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b'"OLD-1" = "OWN-1"', b'"OLD-1\\n" = "OWN-1"', "old code 'OLD-1\\n' is not a valid"),
        (b"map = {", b'withdrawn = ["OLD 2"]\nmap = {', "withdrawn code 'OLD 2'"),
    ],
)
def test_upgrade_codes_are_codes(old, new, message):
    parse(UPGRADE, "own.toml")
    with pytest.raises(CatalogueError, match=r"own.toml: \[upgrade\]") as info:
        parse(UPGRADE.replace(old, new, 1), "own.toml")
    assert message in str(info.value)


_SUFFIXES = st.sampled_from(["", "\n", "\r\n", " ", "\t", "\x0b", "\x85", "\u2028"])


@settings(max_examples=200, deadline=None)
@given(
    code=st.from_regex(r"[A-Z]{1,3}-[0-9]{1,2}", fullmatch=True),
    due=st.sampled_from(["none", "before_market", "date:2027-08-02", "event:threshold+14d"]),
    code_end=_SUFFIXES,
    due_end=_SUFFIXES,
)
def test_accepted_codes_and_rules_are_exactly_what_the_register_can_address(
    code, due, code_end, due_end
):
    import json

    body = (
        '[catalogue]\nid = "p"\ntitle = "P"\nversion = "1"\npublished = 2026-01-01\n\n'
        f'[[entries]]\ncode = {json.dumps(code + code_end)}\nkind = "measure"\ntitle = "T"\n'
        f"due = {json.dumps(due + due_end)}\n"
    )
    try:
        cat = parse(body.encode(), "p.toml")
    except CatalogueError:
        assert code_end or due_end
        return
    (entry,) = cat.entries
    assert (entry.code, entry.due) == (code, due)


def _fifo(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.toml")
    return tmp_path / "pipe.toml"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: catalogue.Path("/dev/zero"), "is a device, not a regular file"),
        (lambda tmp: catalogue.Path("/dev/null"), "is a device, not a regular file"),
        (_fifo, r"is a pipe \(FIFO\), not a regular file"),
        (lambda tmp: tmp, "is a folder, not a regular file"),
    ],
    ids=["dev-zero", "dev-null", "fifo", "folder"],
)
def test_load_file_refuses_what_is_not_a_regular_file_at_once(tmp_path, make, message):
    import time

    path = make(tmp_path)
    start = time.monotonic()
    with pytest.raises(CatalogueError, match=f"^catalogue {path}: {message}$"):
        catalogue.load_file(path)
    assert time.monotonic() - start < 1


def test_load_file_of_a_3_gb_sparse_file_reads_nothing(tmp_path):
    import tracemalloc

    huge = tmp_path / "huge.toml"
    with huge.open("wb") as fh:
        fh.truncate(3 * 1024**3)
    tracemalloc.start()
    try:
        with pytest.raises(CatalogueError, match="3221225472 bytes, more than 2097152"):
            catalogue.load_file(huge)
        assert tracemalloc.get_traced_memory()[1] < 1024 * 1024
    finally:
        tracemalloc.stop()


class _Endless:
    """A stream that never ends, like a pipe from /dev/zero; counts what was read."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, n=-1):
        assert n > 0, "an unbounded read would never return"
        self.read_bytes += n
        return b"#" * n


def test_load_stream_stops_after_the_limit():
    stream = _Endless()
    with pytest.raises(CatalogueError, match=r"^catalogue <stdin>: file is more than 2097152"):
        catalogue.load_stream(stream, "<stdin>")
    assert stream.read_bytes == catalogue.MAX_FILE_BYTES + 1


def test_load_stream_and_load_file_accept_a_good_catalogue(tmp_path):
    import io

    assert catalogue.load_stream(io.BytesIO(GOOD), "<stdin>").by_code["OWN-1"].due == (
        "date:2026-03-31"
    )
    exact = tmp_path / "exact.toml"
    exact.write_bytes(GOOD + b"#" * (catalogue.MAX_FILE_BYTES - len(GOOD)))
    assert catalogue.load_file(exact).id == "own"


@pytest.mark.parametrize(
    "published",
    [
        "2099-01-01",
        "1999-12-31",
        (dt.date.today() + dt.timedelta(days=367)).isoformat(),
    ],
)
def test_a_publication_date_far_ahead_or_before_2000_is_refused(published):
    bad = GOOD.replace(b"published = 2026-01-01", f"published = {published}".encode())
    with pytest.raises(CatalogueError, match=f"published {published} is not between 2000-01-01"):
        parse(bad, "own.toml")
    soon = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    assert (
        parse(GOOD.replace(b"2026-01-01", soon.encode(), 1), "own.toml").published.isoformat()
        == soon
    )


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("date:9999-12-31", "due date 9999-12-31 is outside 2000-2100"),
        ("date:1970-01-01", "due date 1970-01-01 is outside 2000-2100"),
        ("event:threshold+9999d", "9999 days is more than 3660 days"),
    ],
)
def test_due_rules_give_dates_the_register_can_hold(due, message):
    bad = GOOD.replace(b'due = "date:2026-03-31"', f'due = "{due}"'.encode())
    with pytest.raises(CatalogueError, match=message) as info:
        parse(bad, "own.toml")
    assert "entry OWN-1" in str(info.value)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'"OLD-1" = "OWN-1"', b'"OWN-1" = "OWN-1"'),
        (b"map = {", b'withdrawn = ["OWN-1"]\nmap = {'),
    ],
)
def test_an_upgrade_cannot_map_or_withdraw_a_code_it_still_defines(old, new):
    with pytest.raises(CatalogueError, match=r"code\(s\) OWN-1 are still defined in this version"):
        parse(UPGRADE.replace(old, new, 1), "own.toml")

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
    assert set(cats) == {("ai-act-gpai", "2024/1689"), ("gpai-code", "draft-3"),
                         ("gpai-code", "final")}  # fmt: skip
    assert cats[("gpai-code", "final")].published == dt.date(2025, 7, 10)
    assert cats[("gpai-code", "draft-3")].published == dt.date(2025, 3, 11)


def test_final_code_counts():
    final = _by_id_version()[("gpai-code", "final")]
    assert _count(final, "chapter") == 3
    assert _count(final, "commitment") == 12
    assert _count(final, "measure", "COP-T-") == 3
    assert _count(final, "measure", "COP-C-") == 5
    assert _count(final, "commitment", "COP-SS-") == 10
    assert _count(final, "measure", "COP-SS-") == 32
    assert all(
        e.applies[-1] == "systemic_risk" for e in final.entries if e.code.startswith("COP-SS")
    )


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


def test_ai_act_entries_present():
    act = _by_id_version()[("ai-act-gpai", "2024/1689")]
    codes = {e.code for e in act.entries}
    for code in ("AIA-51-2", "AIA-52-1", "AIA-52-2", "AIA-53-1-a", "AIA-53-1-b", "AIA-53-1-c",
                 "AIA-53-1-d", "AIA-53-2", "AIA-53-3", "AIA-53-4", "AIA-54-1", "AIA-55-1-a",
                 "AIA-55-1-b", "AIA-55-1-c", "AIA-55-1-d", "AIA-56-7", "AIA-111-3"):  # fmt: skip
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
    with pytest.raises(CatalogueError, match="not valid TOML|nested too deeply"):
        parse(b"x = " + b"[" * 100_000 + b"]" * 100_000, "deep.toml")
    with pytest.raises(CatalogueError, match="not UTF-8"):
        parse(b"\xff\xfe title", "bin.toml")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        parse(b"[catalogue\n", "broken.toml")


toml_scalars = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.dates(),
                         st.floats(allow_nan=False))  # fmt: skip
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
@given(st.dictionaries(st.sampled_from(["catalogue", "entries", "upgrade", "x"]),
                       st.dictionaries(st.text(max_size=10), toml_values, max_size=5),
                       max_size=3))  # fmt: skip
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
        ),  # fmt: skip
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

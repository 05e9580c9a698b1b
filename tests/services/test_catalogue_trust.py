"""Catalogue trust: built-in ids, from_version, codes, major changes, and reinstalling."""

import dataclasses
import datetime as dt
from importlib import resources

import pytest

from gpaitracker import checks
from gpaitracker.catalogue import load_file, parse, shipped
from gpaitracker.enums import Role, Status
from gpaitracker.errors import ValidationError
from gpaitracker.services import (
    catalogue_reads,
    catalogue_trust,
    catalogue_upgrade,
    people,
    queries,
)
from gpaitracker.services import register as reg_service
from tests.services.helpers import add_model, as_person, item_id, person_id, snapshot

OLGA, RITA = "olga@provider.eu", "rita@provider.eu"


def builtin(version):
    return next(c for c in shipped() if c.version == version)


def own(version="2026.1", published="2026-01-01", codes=("BRD-1",), upgrade="", cat_id="board"):
    body = (
        f'[catalogue]\nid = "{cat_id}"\ntitle = "Board duties"\nversion = "{version}"\n'
        f"published = {published}\n"
    )
    for code in codes:
        body += f'\n[[entries]]\ncode = "{code}"\nkind = "measure"\ntitle = "Duty {code}"\n'
    return parse((body + upgrade).encode(), f"{cat_id}-{version}.toml")


def live_codes(ws, slug="atlas"):
    return {
        r.code: r
        for r in ws.read(queries.list_rows)
        if r.model_slug == slug and not r.withdrawn and r.applicable
    }


@pytest.fixture
def reg(org_ws):
    for name, email, role in (("Olga", OLGA, Role.OFFICER), ("Rita", RITA, Role.REVIEWER)):
        org_ws.write(people.add_person, name=name, email=email, role=role)
    add_model(org_ws, name="Atlas", placed_on_market="2025-09-01")
    return org_ws


def make_done(ws, key):
    rid = item_id(ws, key)
    ws.write(
        reg_service.assign,
        requirement_id=rid,
        owner_id=person_id(ws, OLGA),
        reviewer_id=person_id(ws, RITA),
    )
    olga, rita = as_person(ws, OLGA), as_person(ws, RITA)
    for who, status in ((olga, Status.IN_PROGRESS), (olga, Status.IN_REVIEW), (rita, Status.DONE)):
        who.write(reg_service.change_status, requirement_id=rid, status=status)
    return rid


def test_a_file_cannot_take_the_id_of_a_built_in_catalogue(reg, tmp_path):
    before = snapshot(reg), reg.read(catalogue_reads.catalogue_summaries, include_inactive=True)
    for cat_id in ("ai-act-gpai", "gpai-code", "AI-Act-GPAI"):
        forged = own(version="2099", cat_id=cat_id, codes=("AIA-ALL",))
        refused = f"id '{cat_id}' belongs to a built-in"
        with pytest.raises(ValidationError, match=refused):
            reg.read(catalogue_upgrade.diff, new=forged)
        with pytest.raises(ValidationError, match=refused):
            reg.write(catalogue_upgrade.upgrade, new=forged, allow_major=True)
    # A shipped file's exact bytes are the built-in catalogue, wherever they are read from.
    folder = resources.files("gpaitracker.resources").joinpath("catalogue")
    copy = tmp_path / "ai-act-gpai.toml"
    copy.write_bytes(folder.joinpath("ai-act-gpai-r2.toml").read_bytes())
    with pytest.raises(ValidationError, match="version 2024/1689-r2 is already in use"):
        reg.read(catalogue_upgrade.diff, new=load_file(copy))
    copy.write_bytes(copy.read_bytes() + b"\n")  # one byte more: no longer the built-in file
    with pytest.raises(ValidationError, match="belongs to a built-in"):
        reg.read(catalogue_upgrade.diff, new=load_file(copy))
    assert (
        snapshot(reg),
        reg.read(catalogue_reads.catalogue_summaries, include_inactive=True),
    ) == before


def test_a_forged_object_with_a_shipped_digest_installs_the_shipped_content(ws):
    from gpaitracker.services import organisation

    ws.create(
        organisation.create_register,
        name="P",
        admin_name="A",
        admin_email="a@p.eu",
        signatory=True,
        pinned_catalogues={"gpai-code": "draft-3"},
    )
    final = builtin("final")
    forged = dataclasses.replace(final, title="Forged", entries=final.entries[:1])
    ws.write(catalogue_upgrade.upgrade, new=forged)
    [row] = [
        c for c in ws.read(catalogue_reads.catalogue_summaries) if c.catalogue_id == "gpai-code"
    ]
    assert (row.version, row.title, row.entries) == ("final", final.title, len(final.entries))


def test_from_version_must_be_the_version_in_use(reg):
    reg.write(catalogue_upgrade.upgrade, new=own())
    skips = own("2027.1", "2026-06-01", upgrade='\n[upgrade]\nfrom_version = "2025.9"\n')
    with pytest.raises(ValidationError) as info:
        reg.read(catalogue_upgrade.diff, new=skips)
    message = str(info.value)
    assert "from version '2025.9'" in message and "the register uses version '2026.1'" in message
    fits = own("2027.1", "2026-06-01", upgrade='\n[upgrade]\nfrom_version = "2026.1"\n')
    assert reg.read(catalogue_upgrade.diff, new=fits).from_version == "2026.1"


def test_an_upgrade_may_only_name_codes_of_the_version_in_use(reg):
    reg.write(catalogue_upgrade.upgrade, new=own(codes=("BRD-1", "BRD-2")))
    stray = own(
        "2027.1",
        "2026-06-01",
        codes=("BRD-1", "BRD-3"),
        upgrade='\n[upgrade]\nfrom_version = "2026.1"\nmap = { "AIA-53-1-a" = "BRD-1" }\n',
    )
    with pytest.raises(ValidationError, match=r"names code\(s\) AIA-53-1-a, which version 2026.1"):
        reg.write(catalogue_upgrade.upgrade, new=stray)
    assert "atlas/AIA-53-1-a" in {r.key for r in reg.read(queries.list_rows)}


def test_codes_of_another_catalogue_are_refused(reg):
    clash = own(codes=("BRD-1", "AIA-53-1-a"))
    with pytest.raises(
        ValidationError, match="code AIA-53-1-a is already used by catalogue ai-act"
    ):
        reg.write(catalogue_upgrade.upgrade, new=clash)


@pytest.mark.parametrize(
    ("upgrade", "lost"),
    [
        ('map = { "BRD-2" = "BRD-1", "BRD-3" = "BRD-1", "BRD-4" = "BRD-1" }', 3),
        ('withdrawn = ["BRD-2", "BRD-3", "BRD-4"]', 3),
        ("", 3),  # codes simply left out are withdrawn too
    ],
)
def test_a_major_change_needs_to_be_allowed(reg, upgrade, lost):
    reg.write(catalogue_upgrade.upgrade, new=own(codes=("BRD-1", "BRD-2", "BRD-3", "BRD-4")))
    new = own(
        "2027.1",
        "2026-06-01",
        codes=("BRD-1", "BRD-5"),
        upgrade=f'\n[upgrade]\nfrom_version = "2026.1"\n{upgrade}\n',
    )
    plan = reg.read(catalogue_upgrade.diff, new=new)
    assert (plan.major, plan.lost, plan.tracked_before) == (True, lost, 4)
    assert plan.lines()[-1].startswith("  major change: 3 of the 4 tracked entries")
    before = snapshot(reg)
    with pytest.raises(ValidationError, match="merge away 3 of the 4 tracked entries"):
        reg.write(catalogue_upgrade.upgrade, new=new)
    assert snapshot(reg) == before
    reg.write(catalogue_upgrade.upgrade, new=new, allow_major=True)
    assert {"BRD-1", "BRD-5"} <= set(live_codes(reg)) and "BRD-2" not in live_codes(reg)


def test_half_or_less_is_not_major_and_the_built_in_upgrade_passes():
    plan = catalogue_upgrade.CatalogueDiff("x", "1", "2", tracked_before=4, lost=2)
    assert not plan.major
    assert catalogue_upgrade.CatalogueDiff("x", "1", "2", tracked_before=71, lost=32).major is False


def test_a_merge_onto_a_code_that_continues_is_shown_and_applied(reg):
    reg.write(catalogue_upgrade.upgrade, new=own(codes=("BRD-1", "BRD-2", "BRD-3")))
    merge = '\n[upgrade]\nfrom_version = "2026.1"\nmap = { "BRD-2" = "BRD-1" }\n'
    new = own("2027.1", "2026-06-01", codes=("BRD-1", "BRD-3"), upgrade=merge)
    plan = reg.read(catalogue_upgrade.diff, new=new)
    assert plan.merged == {"BRD-1": ("BRD-1", "BRD-2")} and plan.lost == 1
    first = item_id(reg, "atlas/BRD-1")
    reg.write(catalogue_upgrade.upgrade, new=new)
    assert live_codes(reg)["BRD-1"].id == first and "BRD-2" not in live_codes(reg)


def test_a_withdrawn_code_that_returns_brings_its_item_back(reg):
    reg.write(catalogue_upgrade.upgrade, new=own(codes=("BRD-1", "BRD-2")))
    second = item_id(reg, "atlas/BRD-2")
    reg.write(reg_service.add_comment, requirement_id=second, text="kept")
    reg.write(
        catalogue_upgrade.upgrade, new=own("2", "2026-02-01", codes=("BRD-1",)), allow_major=True
    )
    assert "BRD-2" not in live_codes(reg)
    reg.write(catalogue_upgrade.upgrade, new=own("3", "2026-03-01", codes=("BRD-1", "BRD-2")))
    back = live_codes(reg)["BRD-2"]
    assert back.id == second  # the same row, with its comment, not a new empty item
    assert [c.text for c in reg.read(queries.comments, requirement_id=second)] == [
        "kept",
        "Back in the register: the catalogue defines BRD-2 again.",
    ]
    assert checks.run_checks(reg.register).ok


def _bad_import(reg, monkeypatch):
    """What a register made before these checks could hold: a crafted catalogue that took
    the built-in id, claimed a far future date and mapped every AI Act code onto one."""
    act = builtin("2024/1689-r2")
    codes = [e.code for e in act.entries]
    body = (
        '[catalogue]\nid = "ai-act-gpai"\ntitle = "AI Act"\nversion = "2099"\n'
        "published = 2026-01-01\n\n"
        '[[entries]]\ncode = "AIA-ALL"\nkind = "article"\ntitle = "Everything"\n'
        '\n[upgrade]\nfrom_version = "2024/1689-r2"\nmap = { '
        + ", ".join(f'"{c}" = "AIA-ALL"' for c in codes)
        + " }\n"
    )
    forged = dataclasses.replace(parse(body.encode(), "evil.toml"), published=dt.date(2099, 1, 1))
    with monkeypatch.context() as m:
        m.setattr(catalogue_trust, "genuine", lambda new: new)
        reg.write(catalogue_upgrade.upgrade, new=forged, allow_major=True)


def test_the_built_in_catalogue_can_be_reinstalled_after_a_bad_import(reg, monkeypatch):
    done = {key: make_done(reg, key) for key in ("atlas/AIA-53-1-a", "atlas/AIA-53-1-b")}
    commented = item_id(reg, "atlas/AIA-53-1-c")
    reg.write(reg_service.add_comment, requirement_id=commented, text="policy drafted")
    before = {code: row.id for code, row in live_codes(reg).items() if code.startswith("AIA-")}
    _bad_import(reg, monkeypatch)
    assert [c for c in live_codes(reg) if c.startswith("AIA-")] == ["AIA-ALL"]
    # The genuine file now looks older than the forged one: upgrading cannot repair this.
    assert reg.read(catalogue_upgrade.pending) == []
    with pytest.raises(ValidationError, match=r"2099 \(2099-01-01\), which is not a built-in"):
        reg.read(catalogue_upgrade.diff, new=builtin("2024/1689-r2"))
    assert reg.read(catalogue_upgrade.reinstalls) == [builtin("2024/1689-r2")]
    plan = reg.read(catalogue_upgrade.diff, new=builtin("2024/1689-r2"), reinstall=True)
    assert plan.lines()[0] == (
        "ai-act-gpai: 2099 -> 2024/1689-r2 (reinstalling the built-in version)"
    )
    reg.write(catalogue_upgrade.reinstall_builtin, catalogue_id="ai-act-gpai")
    after = live_codes(reg)
    assert {c: r.id for c, r in after.items() if c.startswith("AIA-")} == before
    assert "AIA-ALL" not in after
    in_use = {c.catalogue_id: c.version for c in reg.read(catalogue_reads.catalogue_summaries)}
    assert in_use["ai-act-gpai"] == "2024/1689-r2"
    # Items merged away come back as they were; the one that absorbed them keeps the lowest
    # status the merge gave it (raising it again would approve work without a reviewer).
    statuses = {k: reg.read(queries.row, requirement_id=i).status for k, i in done.items()}
    assert statuses == {key: Status.DONE for key in done}
    thread = reg.read(queries.comments, requirement_id=commented)
    assert [c.text for c in thread] == [
        "policy drafted",
        "Merged into atlas/AIA-ALL.",
        "Back in the register: the catalogue defines AIA-53-1-c again.",
    ]
    trail = reg.read(queries.audit_rows, entity="catalogue", limit=50)
    assert any(e.action == "activate" and e.label == "ai-act-gpai@2024/1689-r2" for e in trail)
    assert reg.read(catalogue_upgrade.reinstalls) == []
    with pytest.raises(ValidationError, match="already uses its built-in version 2024/1689-r2"):
        reg.write(catalogue_upgrade.reinstall_builtin, catalogue_id="ai-act-gpai")
    assert checks.run_checks(reg.register).ok


def test_reinstalling_an_unknown_catalogue_names_the_built_in_ones(reg):
    with pytest.raises(
        Exception, match=r"'board' is not built in \(built-in: ai-act-gpai, gpai-code\)"
    ):
        reg.write(catalogue_upgrade.reinstall_builtin, catalogue_id="board")

"""Evidence services: import, rows, revisions, links, export, expiry, reopening and failures."""

import datetime as dt
import errno
import hashlib
import os
import re
import stat
import threading

import pytest
from sqlalchemy import text

from gpaitracker import checks
from gpaitracker.enums import Entity, Priority, Role, Status
from gpaitracker.errors import NotFoundError, PermissionDenied, StorageError, ValidationError
from gpaitracker.evidence_store import Cancelled
from gpaitracker.services import (
    evidence,
    evidence_expiry,
    evidence_export,
    evidence_import,
    people,
    queries,
    register,
)
from tests.services.helpers import add_model, as_person, item_id, person_id

KEY, KEY2 = "atlas-2/AIA-53-1-a", "atlas-2/AIA-53-1-b"
TODAY = dt.date(2026, 6, 1)
HIGH = Priority.HIGH


@pytest.fixture
def reg(org_ws):
    """A workspace acting as the first admin, with model Atlas 2 and its items."""
    add_model(org_ws, name="Atlas 2")
    return org_ws


def add_file(ws, path, key=KEY, **kw) -> int:
    changes, _ = evidence_import.import_file(ws, requirement_id=item_id(ws, key), path=path, **kw)
    return changes.created_id(Entity.EVIDENCE)


def counts(ws) -> tuple[int, ...]:
    with ws.register.engine.connect() as conn:
        return tuple(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("evidence", "evidence_revision", "evidence_link", "audit_event")
        )


def test_add_file_creates_rows_link_and_audit(reg, tmp_path):
    src = tmp_path / "policy.pdf"
    src.write_bytes(b"%PDF policy")
    before = counts(reg)
    changes, obj = evidence_import.import_file(
        reg,
        requirement_id=item_id(reg, KEY),
        path=src,
        valid_until=dt.date(2027, 1, 31),
        description="v1",
    )
    eid = changes.created_id(Entity.EVIDENCE)
    assert changes.ids(Entity.REQUIREMENT) == {item_id(reg, KEY)}  # its evidence count changed
    assert obj.sha256 == hashlib.sha256(b"%PDF policy").hexdigest()
    after = counts(reg)
    assert after[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
    [row] = reg.read(evidence.list_evidence, requirement_id=item_id(reg, KEY))
    assert (row.id, row.title, row.kind, row.valid_until) == (
        eid,
        "policy.pdf",
        "file",
        dt.date(2027, 1, 31),
    )
    assert row.sha256 == obj.sha256 and row.description == "v1"
    assert (row.revision, row.name, row.keys) == (1, "policy.pdf", (KEY,))
    assert row.as_dict(TODAY)["valid_until"] == "2027-01-31"
    with reg.register.engine.connect() as conn:
        actions = {
            (e, a)
            for e, a in conn.execute(
                text("SELECT entity, action FROM audit_event WHERE row_id IS NOT NULL")
            )
        }
    assert {
        ("evidence", "create"),
        ("evidence", "link"),
        ("evidence", "revise"),
        ("requirement", "link"),
    } <= actions
    assert checks.run_checks(reg.register).ok


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"valid_until": "2027-02-30"}, "valid-until date '2027-02-30' is not a date"),
        ({"valid_until": dt.date(1999, 12, 31)}, "valid-until date 1999-12-31 is outside"),
        (
            {"valid_from": dt.date(2027, 2, 1), "valid_until": dt.date(2027, 1, 1)},
            "is before valid-from",
        ),
        ({"title": "x" * 301}, "title is 301 characters long"),
        ({"description": "a\x00b"}, "description 'a\\x00b' contains a NUL"),
        ({"requirement_id": 999}, "register item id 999 is not in the register"),
    ],
)
def test_bad_input_is_refused_before_the_copy(reg, tmp_path, kw, message):
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    before = counts(reg)
    kw.setdefault("requirement_id", item_id(reg, KEY))
    with pytest.raises((ValidationError, NotFoundError), match=re.escape(message)):
        evidence_import.import_file(reg, path=src, **kw)
    assert counts(reg) == before
    assert list(reg.store.objects()) == [] and reg.store.temp_files() == []


def test_read_only_roles_cannot_add(reg, tmp_path):
    reg.write(people.add_person, name="Aud", email="aud@p.eu", role=Role.AUDITOR)
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    auditor = as_person(reg, "aud@p.eu")
    with pytest.raises(PermissionDenied, match="read-only"):
        add_file(auditor, src)
    with pytest.raises(PermissionDenied):
        auditor.write(
            evidence.add_link_evidence, requirement_id=item_id(reg, KEY), url="https://example.com"
        )
    assert list(reg.store.objects()) == []
    assert counts(reg)[0] == 0


def test_import_reports_progress_and_copies_outside_the_write_lock(reg, tmp_path):
    src = tmp_path / "big.bin"
    size = (3 << 20) + 123
    src.write_bytes(os.urandom(size))
    seen = []
    other = as_person(reg, "ada@provider.eu")

    def progress(done, total):
        seen.append((done, total))
        if len(seen) == 2:  # mid-copy: another writer is not blocked by the import
            other.write(register.set_priority, requirement_id=item_id(reg, KEY2), priority=HIGH)

    add_file(reg, src, progress=progress)
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    row = reg.read(queries.row, requirement_id=item_id(reg, KEY2))
    assert (row.priority, row.evidence_count) == (HIGH, 0)
    assert checks.run_checks(reg.register).ok


@pytest.mark.parametrize("how", ["callable", "event"])
def test_cancel_keeps_no_object_and_no_rows(reg, tmp_path, how):
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(4 << 20))
    before = counts(reg)
    flag = threading.Event()

    def progress(done, total):
        if done > 0:
            flag.set()  # the user presses Cancel after the first chunk

    cancel = flag if how == "event" else flag.is_set
    with pytest.raises(Cancelled, match=r"import of file .*big\.bin was cancelled; nothing"):
        add_file(reg, src, progress=progress, cancel=cancel)
    assert counts(reg) == before
    assert list(reg.store.objects()) == [] and reg.store.temp_files() == []
    first = add_file(reg, tmp_path / "big.bin")  # nothing stuck: the next import works
    with pytest.raises(Cancelled):
        evidence_import.import_revision(reg, evidence_id=first, path=src, cancel=lambda: True)
    assert [r.number for r in reg.read(evidence.revisions, evidence_id=first)] == [1]


def test_same_file_twice_is_two_evidence_one_object(reg, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"same")
    add_file(reg, src)
    _, obj = evidence_import.import_file(reg, requirement_id=item_id(reg, KEY2), path=src)
    assert obj.deduplicated
    assert len(list(reg.store.objects())) == 1
    assert counts(reg)[:2] == (2, 2)


def test_a_stored_object_must_be_in_the_store(reg, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    obj = reg.store.import_file(src)
    reg.store.path_of(obj.sha256).unlink()
    with pytest.raises(StorageError, match="is not in the evidence store"):
        reg.write(
            evidence.add_file_evidence,
            store=reg.store,
            requirement_id=item_id(reg, KEY),
            source=obj,
        )
    assert counts(reg)[0] == 0


def test_revisions_are_kept_and_exported_byte_for_byte(reg, tmp_path):
    versions = [os.urandom(1000 + i) for i in range(3)]
    src = tmp_path / "report.docx"
    src.write_bytes(versions[0])
    eid = add_file(reg, src)
    for data in versions[1:]:
        src.write_bytes(data)
        changes, _ = evidence_import.import_revision(reg, evidence_id=eid, path=src, note="updated")
        assert changes.ids(Entity.EVIDENCE) == {eid}
    revs = reg.read(evidence.revisions, evidence_id=eid)
    assert [(r.number, r.note, r.added_by) for r in revs] == [
        (1, "", "ada@provider.eu"),
        (2, "updated", "ada@provider.eu"),
        (3, "updated", "ada@provider.eu"),
    ]
    assert reg.read(evidence.get, evidence_id=eid).revision == 3

    def export(**kw):
        return reg.read(evidence_export.export, store=reg.store, evidence_id=eid, **kw)

    for number, data in enumerate(versions, start=1):
        assert export(revision=number, out_path=tmp_path / f"out{number}").read_bytes() == data
    (tmp_path / "out").mkdir()
    latest = export(out_path=tmp_path / "out")
    assert latest.name == "report.docx" and latest.read_bytes() == versions[-1]
    with pytest.raises(ValidationError, match="already exists"):
        export(out_path=latest)
    with pytest.raises(NotFoundError, match="has no revision 9"):
        export(revision=9, out_path=tmp_path / "x")


def test_links_have_no_revisions(reg):
    changes = reg.write(
        evidence.add_link_evidence,
        requirement_id=item_id(reg, KEY),
        url="https://example.com/policy",
    )
    eid = changes.created_id(Entity.EVIDENCE)
    with pytest.raises(ValidationError, match=f"evidence {eid} is a link; only files"):
        evidence_import.import_revision(reg, evidence_id=eid, path="/nonexistent")
    with pytest.raises(ValidationError, match="is a link; there is no file to export"):
        reg.read(evidence_export.export, store=reg.store, evidence_id=eid, out_path="x")


def test_export_refuses_a_changed_object(reg, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"filed bytes")
    eid = add_file(reg, src)
    obj = reg.store.path_of(hashlib.sha256(b"filed bytes").hexdigest())
    obj.chmod(0o644)
    obj.write_bytes(b"forged bytes")
    with pytest.raises(StorageError, match="was changed in the evidence store"):
        reg.read(
            evidence_export.export, store=reg.store, evidence_id=eid, out_path=tmp_path / "out"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "home"]


def test_open_copy_is_a_writable_copy_that_can_be_discarded(reg, tmp_path):
    src = tmp_path / "a.pdf"
    src.write_bytes(b"view me")
    eid = add_file(reg, src)
    views = tmp_path / "views"
    views.mkdir()
    copy = reg.read(evidence_export.open_copy, store=reg.store, evidence_id=eid, parent=views)
    stored = reg.store.path_of(hashlib.sha256(b"view me").hexdigest())
    assert copy.read_bytes() == b"view me" and copy.name == "a.pdf"
    assert not copy.is_relative_to(reg.store.root)
    assert copy.parent.parent == views and copy.parent.name.startswith("gpaitracker-view-")
    assert stat.S_IMODE(stored.stat().st_mode) == 0o444
    evidence_export.discard_copy(copy)
    assert list(views.iterdir()) == []
    evidence_export.discard_copy(src)  # not a viewer copy: left alone
    assert src.exists()


def test_viewer_copies_left_behind_are_removed_and_a_failed_copy_leaves_none(reg, tmp_path):
    src = tmp_path / "a.pdf"
    src.write_bytes(b"view me")
    eid = add_file(reg, src)
    views = tmp_path / "views"
    views.mkdir()
    old = reg.read(evidence_export.open_copy, store=reg.store, evidence_id=eid, parent=views)
    os.utime(old.parent, (0, 0))
    new = reg.read(evidence_export.open_copy, store=reg.store, evidence_id=eid, parent=views)
    (views / "unrelated").mkdir()
    assert evidence_export.discard_old_copies(3600, parent=views) == 1
    assert sorted(p.name for p in views.iterdir()) == sorted([new.parent.name, "unrelated"])
    assert evidence_export.discard_old_copies(0, parent=views) == 1
    assert [p.name for p in views.iterdir()] == ["unrelated"]
    with pytest.raises(NotFoundError):
        reg.read(
            evidence_export.open_copy, store=reg.store, evidence_id=eid, revision=9, parent=views
        )
    assert [p.name for p in views.iterdir()] == ["unrelated"]


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_exports_get_the_permissions_of_any_new_file(reg, tmp_path, umask):
    src = tmp_path / "a.pdf"
    src.write_bytes(b"share me")
    eid = add_file(reg, src)
    old = os.umask(umask)
    try:
        out = reg.read(
            evidence_export.export, store=reg.store, evidence_id=eid, out_path=tmp_path / "o.pdf"
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_a_path_ending_in_a_separator_is_a_folder_never_a_file(reg, tmp_path):
    src = tmp_path / "a.pdf"
    src.write_bytes(b"folder")
    eid = add_file(reg, src)

    def export(out_path):
        return reg.read(evidence_export.export, store=reg.store, evidence_id=eid, out_path=out_path)

    missing = f"{tmp_path / 'new'}{os.sep}"
    with pytest.raises(ValidationError, match=f"output folder {re.escape(missing)} does not exist"):
        export(missing)
    assert not (tmp_path / "new").exists()
    a_file = f"{src}{os.sep}"
    with pytest.raises(ValidationError, match="is not a folder"):
        export(a_file)
    assert src.read_bytes() == b"folder"
    (tmp_path / "new").mkdir()
    assert export(missing) == tmp_path / "new" / "a.pdf"
    assert export(tmp_path / "plain.pdf").read_bytes() == b"folder"  # no separator: a file
    assert not list(tmp_path.glob(".gpaitracker-export-*"))


def test_link_many_to_many(reg, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    eid = add_file(reg, src)
    one, two = item_id(reg, KEY), item_id(reg, KEY2)
    link_id = reg.write(
        evidence.add_link_evidence, requirement_id=two, url="https://example.com/policy"
    ).created_id(Entity.EVIDENCE)
    changes = reg.write(evidence.link, evidence_id=eid, requirement_id=two)
    assert changes.ids(Entity.REQUIREMENT) == {two} and changes.ids(Entity.EVIDENCE) == {eid}
    with pytest.raises(ValidationError, match=f"already linked to {KEY2}"):
        reg.write(evidence.link, evidence_id=eid, requirement_id=two)
    assert [r.id for r in reg.read(evidence.list_evidence, requirement_id=two)] == [eid, link_id]
    row = reg.read(evidence.get, evidence_id=eid)
    assert (row.keys, row.requirement_ids) == ((KEY, KEY2), (one, two))
    reg.write(evidence.unlink, evidence_id=eid, requirement_id=one)
    with pytest.raises(ValidationError, match=f"only linked to {KEY2}; link it to another item"):
        reg.write(evidence.unlink, evidence_id=eid, requirement_id=two)
    with pytest.raises(ValidationError, match=f"is not linked to {KEY}"):
        reg.write(evidence.unlink, evidence_id=eid, requirement_id=one)
    history = reg.read(queries.audit_rows, entity="requirement", row_id=one)
    assert [(h.action, h.field, h.old, h.new) for h in history if h.field == "evidence"] == [
        ("link", "evidence", None, str(eid)),
        ("unlink", "evidence", str(eid), None),
    ]


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "https://", "x"])
def test_links_must_be_http(reg, url):
    with pytest.raises(ValidationError, match="http"):
        reg.write(evidence.add_link_evidence, requirement_id=item_id(reg, KEY), url=url)


def test_disk_full_leaves_register_and_store_unchanged(reg, tmp_path, monkeypatch):
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(3 << 20))
    before = counts(reg)
    real_write = os.write

    def full(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(reg.store.root)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StorageError, match=r"is full; file .*big\.bin was not stored"):
        add_file(reg, src)
    assert counts(reg) == before
    assert list(reg.store.objects()) == [] and reg.store.temp_files() == []


def test_verify_names_changed_and_missing_files(reg, tmp_path):
    for name in ("one.pdf", "two.pdf"):
        (tmp_path / name).write_bytes(name.encode())
        add_file(reg, tmp_path / name, title=f"Title {name}")
    assert checks.verify_store(reg.register).problems == []
    changed = reg.store.path_of(hashlib.sha256(b"one.pdf").hexdigest())
    changed.chmod(0o644)
    changed.write_bytes(b"edited")
    missing = reg.store.path_of(hashlib.sha256(b"two.pdf").hexdigest())
    missing.unlink()
    problems = checks.verify_store(reg.register).problems
    assert problems == [
        f"evidence 1 ('Title one.pdf') revision 1: file {changed} was changed "
        "(its SHA-256 no longer matches)",
        f"evidence 2 ('Title two.pdf') revision 1: file {missing} is missing",
    ]
    assert checks.run_checks(reg.register).problems == problems


def _make_done(ws, key):
    """Owner Olga submits the item as done; reviewer Rita approves it."""
    rid = item_id(ws, key)
    ws.write(
        register.assign,
        requirement_id=rid,
        owner_id=person_id(ws, "olga@p.eu"),
        reviewer_id=person_id(ws, "rita@p.eu"),
    )
    owner, reviewer = as_person(ws, "olga@p.eu"), as_person(ws, "rita@p.eu")
    steps = ((owner, Status.IN_PROGRESS), (owner, Status.IN_REVIEW), (reviewer, Status.DONE))
    for who, status in steps:
        who.write(register.change_status, requirement_id=rid, status=status)
    assert ws.read(queries.row, requirement_id=rid).status == Status.DONE


def test_expiry_queries_and_reopening_done_items(reg, tmp_path):
    reg.write(people.add_person, name="Olga", email="olga@p.eu", role=Role.OFFICER)
    reg.write(people.add_person, name="Rita", email="rita@p.eu", role=Role.REVIEWER)
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    old = add_file(reg, src, valid_until=dt.date(2026, 5, 31))
    older = add_file(reg, src, key=KEY2, valid_until=dt.date(2026, 5, 1))
    soon = add_file(reg, src, key=KEY2, valid_until=dt.date(2026, 6, 20))
    add_file(reg, src, key=KEY2)  # no expiry
    _make_done(reg, KEY)
    _make_done(reg, KEY2)
    assert [r.id for r in reg.read(evidence.expired, today=TODAY)] == [old, older]
    assert [
        r.id for r in reg.read(evidence.expired, today=TODAY, requirement_id=item_id(reg, KEY2))
    ] == [older]
    assert [r.id for r in reg.read(evidence.expiring_within, days=30, today=TODAY)] == [soon]
    assert reg.read(evidence.expiring_within, days=10, today=TODAY) == []
    assert reg.read(evidence.get, evidence_id=soon).state(TODAY) == "expiring"
    # KEY2 still has valid evidence; KEY has only expired evidence.
    flagged = reg.read(evidence_expiry.done_with_only_expired, today=TODAY)
    assert flagged == [evidence_expiry.ExpiredItem(item_id(reg, KEY), KEY)]
    assert reg.read(evidence_expiry.reopen_on_expiry) is False
    assert not reg.write(evidence_expiry.reopen_expired, today=TODAY)
    reg.write(evidence_expiry.set_reopen_on_expiry, enabled=True)
    changes = reg.write(evidence_expiry.reopen_expired, today=TODAY)
    assert changes.ids(Entity.REQUIREMENT) == {item_id(reg, KEY)}
    status = {k: reg.read(queries.row, requirement_id=item_id(reg, k)).status for k in (KEY, KEY2)}
    assert status == {KEY: Status.IN_PROGRESS, KEY2: Status.DONE}
    with reg.register.engine.connect() as conn:
        setting = conn.execute(text("SELECT new_value FROM audit_event WHERE entity='setting'"))
        assert setting.scalar_one() == "true"
    assert checks.run_checks(reg.register).ok


def test_only_admins_change_the_reopen_setting(reg):
    reg.write(people.add_person, name="O", email="o@p.eu", role=Role.OFFICER)
    with pytest.raises(PermissionDenied, match="must be an admin"):
        as_person(reg, "o@p.eu").write(evidence_expiry.set_reopen_on_expiry, enabled=True)
    assert reg.read(evidence_expiry.reopen_on_expiry) is False


def test_title_and_validity_change_with_or_without_a_new_revision(reg, tmp_path):
    from gpaitracker.errors import ConflictError

    src = tmp_path / "cert.pdf"
    src.write_bytes(b"2025 certificate")
    eid = add_file(reg, src, valid_until=dt.date(2026, 1, 31))
    version = reg.read(evidence.get, evidence_id=eid).row_version
    changes = reg.write(
        evidence.update_evidence,
        evidence_id=eid,
        title="ISO 42001 certificate",
        expected_version=version,
    )
    assert changes.ids(Entity.EVIDENCE) == {eid}
    row = reg.read(evidence.get, evidence_id=eid)
    assert (row.title, row.valid_until, row.revision) == (
        "ISO 42001 certificate",
        dt.date(2026, 1, 31),
        1,
    )
    with pytest.raises(ConflictError, match=r"evidence 1 was changed by ada@provider\.eu"):
        reg.write(evidence.update_evidence, evidence_id=eid, title="x", expected_version=version)
    with pytest.raises(ValidationError, match="valid-until date 2025-01-01 is before valid-from"):
        reg.write(
            evidence.update_evidence,
            evidence_id=eid,
            valid_from=dt.date(2025, 6, 1),
            valid_until=dt.date(2025, 1, 1),
        )
    with pytest.raises(ValidationError, match="valid-until date 9999-12-31 is outside"):
        reg.write(evidence.update_evidence, evidence_id=eid, valid_until=dt.date(9999, 12, 31))
    with pytest.raises(ValidationError, match="title must not be empty"):
        reg.write(evidence.update_evidence, evidence_id=eid, title=" ")
    src.write_bytes(b"2026 certificate")
    evidence_import.import_revision(
        reg,
        evidence_id=eid,
        path=src,
        note="renewed",
        title="ISO 42001 certificate 2026",
        valid_until=dt.date(2027, 1, 31),
    )
    row = reg.read(evidence.get, evidence_id=eid)
    assert (row.title, row.valid_until, row.revision) == (
        "ISO 42001 certificate 2026",
        dt.date(2027, 1, 31),
        2,
    )
    trail = reg.read(queries.audit_rows, entity="evidence", row_id=eid, limit=100)
    assert [(e.field, e.new) for e in trail if e.action == "update"] == [
        ("title", "ISO 42001 certificate"),
        ("title", "ISO 42001 certificate 2026"),
        ("valid_until", "2027-01-31"),
    ]
    # A bad title is refused before the copy: nothing is stored.
    src.write_bytes(b"never stored")
    with pytest.raises(ValidationError, match="title is 301 characters long"):
        evidence_import.import_revision(reg, evidence_id=eid, path=src, title="t" * 301)
    assert reg.read(evidence.get, evidence_id=eid).revision == 2
    assert not reg.store.path_of(hashlib.sha256(b"never stored").hexdigest()).exists()
    reg.write(evidence.update_evidence, evidence_id=eid, valid_until=None)  # clears it
    assert reg.read(evidence.get, evidence_id=eid).valid_until is None
    assert checks.run_checks(reg.register).ok

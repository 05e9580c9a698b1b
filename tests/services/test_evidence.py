"""Evidence services: rows, revisions, links, export, expiry, reopening and failures."""

import datetime as dt
import errno
import hashlib
import os
import stat

import pytest
from sqlalchemy import text

from gpaitracker import checks
from gpaitracker.db import session_scope
from gpaitracker.errors import NotFoundError, PermissionDenied, StorageError, ValidationError
from gpaitracker.evidence_store import EvidenceStore
from gpaitracker.models import Status
from gpaitracker.services import ai_models, evidence, evidence_expiry, people, register

KEY, KEY2 = "atlas-2/AIA-53-1-a", "atlas-2/AIA-53-1-b"
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def reg(org_register, admin):
    with session_scope(org_register, write=True) as s:
        ai_models.add_model(session=s, actor=admin, name="Atlas 2", placed_on_market="2025-09-01")
    return org_register


@pytest.fixture
def store(reg) -> EvidenceStore:
    return EvidenceStore.of_home(reg.home)


def add_file(reg, admin, store, path, key=KEY, **kw):
    with session_scope(reg, write=True) as s:
        return evidence.add_file_evidence(
            session=s, actor=admin, store=store, key=key, path=path, **kw
        )


def counts(reg) -> tuple[int, ...]:
    with reg.engine.connect() as conn:
        return tuple(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("evidence", "evidence_revision", "evidence_link", "audit_event")
        )


def test_add_file_creates_rows_link_and_audit(reg, admin, store, tmp_path):
    src = tmp_path / "policy.pdf"
    src.write_bytes(b"%PDF policy")
    before = counts(reg)
    ev = add_file(reg, admin, store, src, valid_until="2027-01-31", description="v1")
    assert (ev.title, ev.kind, ev.valid_until) == ("policy.pdf", "file", dt.date(2027, 1, 31))
    after = counts(reg)
    assert after[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
    with session_scope(reg) as s:
        [row] = evidence.list_evidence(session=s, key=KEY)
        actions = [a for (a,) in s.execute(text(
            "SELECT action FROM audit_event WHERE entity='evidence' ORDER BY id"))]  # fmt: skip
    assert row.sha256 == hashlib.sha256(b"%PDF policy").hexdigest()
    assert (row.revision, row.name, row.keys) == (1, "policy.pdf", [KEY])
    assert {"create", "link", "revise"} <= set(actions)
    assert checks.run_checks(reg).ok


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"valid_until": "2027-02-30"}, "valid-until date '2027-02-30' is not a date"),
        ({"valid_from": "2027-02-01", "valid_until": "2027-01-01"}, "is before valid-from"),
        ({"title": "x" * 301}, "title is 301 characters long"),
        ({"key": "atlas-2/NOPE"}, "key 'atlas-2/NOPE' is not in the register"),
    ],
)
def test_bad_input_changes_nothing(reg, admin, store, tmp_path, kw, message):
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    before = counts(reg)
    with pytest.raises((ValidationError, NotFoundError), match=message):
        add_file(reg, admin, store, src, **kw)
    assert counts(reg) == before
    assert list(store.objects()) == []  # refused before the copy


def test_read_only_role_cannot_add(reg, admin, store, tmp_path):
    with session_scope(reg, write=True) as s:
        auditor = people.add_person(session=s, actor=admin, name="Aud", email="aud@p.eu",
                                    role="auditor")  # fmt: skip
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    with pytest.raises(PermissionDenied):
        add_file(reg, auditor, store, src)
    assert list(store.objects()) == []


def test_same_file_twice_is_two_evidence_one_object(reg, admin, store, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"same")
    add_file(reg, admin, store, src)
    add_file(reg, admin, store, src, key=KEY2)
    assert len(list(store.objects())) == 1
    assert counts(reg)[:2] == (2, 2)


def test_revisions_are_kept_and_exported_byte_for_byte(reg, admin, store, tmp_path):
    versions = [os.urandom(1000 + i) for i in range(3)]
    src = tmp_path / "report.docx"
    src.write_bytes(versions[0])
    ev = add_file(reg, admin, store, src)
    for data in versions[1:]:
        src.write_bytes(data)
        with session_scope(reg, write=True) as s:
            rev = evidence.add_revision(session=s, actor=admin, store=store, evidence_id=ev.id,
                                        path=src, note="updated")  # fmt: skip
    assert rev.number == 3
    with session_scope(reg) as s:
        assert [r.number for r in evidence.revisions(session=s, evidence_id=ev.id)] == [1, 2, 3]
        for number, data in enumerate(versions, start=1):
            out = evidence.export(session=s, store=store, evidence_id=ev.id, revision=number,
                                  out_path=tmp_path / f"out{number}")  # fmt: skip
            assert out.read_bytes() == data
        (tmp_path / "out").mkdir()
        latest = evidence.export(session=s, store=store, evidence_id=ev.id,
                                 out_path=tmp_path / "out")  # fmt: skip
        assert latest.name == "report.docx" and latest.read_bytes() == versions[-1]
        with pytest.raises(ValidationError, match="already exists"):
            evidence.export(session=s, store=store, evidence_id=ev.id, out_path=latest)
        with pytest.raises(NotFoundError, match="has no revision 9"):
            evidence.export(session=s, store=store, evidence_id=ev.id, revision=9,
                            out_path=tmp_path / "x")  # fmt: skip


def test_export_refuses_a_changed_object(reg, admin, store, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"filed bytes")
    ev = add_file(reg, admin, store, src)
    obj = store.path_of(hashlib.sha256(b"filed bytes").hexdigest())
    obj.chmod(0o644)
    obj.write_bytes(b"forged bytes")
    with session_scope(reg) as s, pytest.raises(StorageError, match="was changed in the store"):
        evidence.export(session=s, store=store, evidence_id=ev.id, out_path=tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "home"]


def test_open_copy_is_a_writable_copy(reg, admin, store, tmp_path):
    src = tmp_path / "a.pdf"
    src.write_bytes(b"view me")
    ev = add_file(reg, admin, store, src)
    with session_scope(reg) as s:
        copy = evidence.open_copy(session=s, store=store, evidence_id=ev.id)
    stored = store.path_of(hashlib.sha256(b"view me").hexdigest())
    assert copy.read_bytes() == b"view me" and copy.name == "a.pdf"
    assert not copy.is_relative_to(store.root)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o444


def test_link_many_to_many(reg, admin, store, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    ev = add_file(reg, admin, store, src)
    with session_scope(reg, write=True) as s:
        link = evidence.add_link_evidence(session=s, actor=admin, key=KEY2,
                                          url="https://example.com/policy")  # fmt: skip
        evidence.link(session=s, actor=admin, evidence_id=ev.id, key=KEY2)
        with pytest.raises(ValidationError, match="already linked"):
            evidence.link(session=s, actor=admin, evidence_id=ev.id, key=KEY2)
    with session_scope(reg) as s:
        assert [r.id for r in evidence.list_evidence(session=s, key=KEY2)] == [ev.id, link.id]
        assert evidence.list_evidence(session=s, key=KEY)[0].keys == [KEY, KEY2]
    with session_scope(reg, write=True) as s:
        evidence.unlink(session=s, actor=admin, evidence_id=ev.id, key=KEY)
        with pytest.raises(ValidationError, match="only linked to"):
            evidence.unlink(session=s, actor=admin, evidence_id=ev.id, key=KEY2)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "https://", "x"])
def test_links_must_be_http(reg, admin, url):
    with session_scope(reg, write=True) as s, pytest.raises(ValidationError, match="http"):
        evidence.add_link_evidence(session=s, actor=admin, key=KEY, url=url)


def test_disk_full_leaves_register_and_store_unchanged(reg, admin, store, tmp_path, monkeypatch):
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(3 << 20))
    before = counts(reg)
    real_write = os.write

    def full(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(store.root)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StorageError, match=r"is full; file .*big\.bin was not stored"):
        add_file(reg, admin, store, src)
    assert counts(reg) == before
    assert list(store.objects()) == [] and store.temp_files() == []


def test_verify_names_changed_and_missing_files(reg, admin, store, tmp_path):
    for name in ("one.pdf", "two.pdf"):
        (tmp_path / name).write_bytes(name.encode())
        add_file(reg, admin, store, tmp_path / name, title=f"Title {name}")
    assert checks.verify_store(reg).problems == []
    changed = store.path_of(hashlib.sha256(b"one.pdf").hexdigest())
    changed.chmod(0o644)
    changed.write_bytes(b"edited")
    store.path_of(hashlib.sha256(b"two.pdf").hexdigest()).unlink()
    problems = checks.verify_store(reg).problems
    assert problems == [
        f"evidence 1 ('Title one.pdf') revision 1: file {changed} was changed "
        "(its SHA-256 no longer matches)",
        f"evidence 2 ('Title two.pdf') revision 1: file "
        f"{store.path_of(hashlib.sha256(b'two.pdf').hexdigest())} is missing",
    ]
    assert checks.run_checks(reg).problems == problems


def _make_done(reg, admin, key):
    with session_scope(reg, write=True) as s:
        for status in ("in_progress", "in_review", "done"):
            register.change_status(session=s, actor=admin, key=key, status=status)


def test_expiry_queries_and_reopening_done_items(reg, admin, store, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    old = add_file(reg, admin, store, src, valid_until="2026-05-31")
    add_file(reg, admin, store, src, key=KEY2, valid_until="2026-05-01")
    soon = add_file(reg, admin, store, src, key=KEY2, valid_until="2026-06-20")
    add_file(reg, admin, store, src, key=KEY2)  # no expiry
    _make_done(reg, admin, KEY)
    _make_done(reg, admin, KEY2)
    with session_scope(reg) as s:
        assert [r.id for r in evidence.expired(session=s, today=TODAY)] == [old.id, 2]
        assert [r.id for r in evidence.expiring_within(session=s, days=30, today=TODAY)] == [
            soon.id
        ]
        assert evidence.expiring_within(session=s, days=10, today=TODAY) == []
        # KEY2 still has valid evidence; KEY has only expired evidence.
        assert evidence_expiry.done_with_only_expired(session=s, today=TODAY) == [KEY]
        assert evidence_expiry.reopen_on_expiry(session=s) is False
    with session_scope(reg, write=True) as s:
        assert evidence_expiry.reopen_expired(session=s, actor=admin, today=TODAY) == []
        evidence_expiry.set_reopen_on_expiry(session=s, actor=admin, enabled=True)
    with session_scope(reg, write=True) as s:
        assert evidence_expiry.reopen_expired(session=s, actor=admin, today=TODAY) == [KEY]
    with session_scope(reg) as s:
        assert register.get_by_key(session=s, key=KEY)[0].status == Status.IN_PROGRESS
        assert register.get_by_key(session=s, key=KEY2)[0].status == Status.DONE
        setting = s.execute(text("SELECT new_value FROM audit_event WHERE entity='setting'"))
        assert setting.scalar_one() == "true"
    assert checks.run_checks(reg).ok


def test_only_admins_change_the_reopen_setting(reg, admin):
    with session_scope(reg, write=True) as s:
        officer = people.add_person(session=s, actor=admin, name="O", email="o@p.eu",
                                    role="officer")  # fmt: skip
    with session_scope(reg, write=True) as s, pytest.raises(PermissionDenied):
        evidence_expiry.set_reopen_on_expiry(session=s, actor=officer, enabled=True)

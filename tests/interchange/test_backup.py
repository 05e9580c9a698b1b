"""Backups and restores: a faithful copy, and hostile or damaged archives refused cleanly."""

import datetime as dt
import hashlib
import json
import os
import zipfile

import pytest

from gpaitracker.errors import (
    PermissionDenied,
    SchemaTooNewError,
    StorageError,
    ValidationError,
)
from gpaitracker.interchange.archive import MANIFEST
from gpaitracker.migrate import open_register
from gpaitracker.services import audit_trail, backup, backup_auto, register
from gpaitracker.services.workspace import Workspace
from tests.interchange.helpers import items, rows


def objects(home):
    store = home / "evidence"
    return {p.parent.name + p.name: p.read_bytes() for p in store.glob("??/*") if p.is_file()}


def listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def archive(demo_ws, tmp_path):
    out = tmp_path / "backup.zip"
    backup.make_backup(demo_ws.register, out)
    return out


def test_restored_backup_passes_check_with_the_same_rows_and_evidence(demo_ws, archive, tmp_path):
    target = tmp_path / "restored"
    info = backup.restore(archive, target)
    assert info.evidence_objects == 5 and info.replaced is None
    restored = Workspace(open_register(target))
    try:
        report = audit_trail.check(restored.register, full=True)
        assert report.ok, report.problems
        assert rows(restored) == rows(demo_ws)
        assert items(restored) == items(demo_ws)
        assert objects(target) == objects(demo_ws.home)
        assert not [p for p in target.iterdir() if p.name.startswith(".restore-")]
    finally:
        restored.close()


def test_backup_is_consistent_while_another_writer_is_busy(demo_ws, tmp_path):
    """The online backup copies committed data only, and does not wait for the writer."""
    item = rows(demo_ws)[0]
    conn = demo_ws.register.engine.raw_connection()
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE requirement SET result = 'uncommitted' WHERE id = ?", (item.id,))
        out = tmp_path / "busy.zip"
        backup.make_backup(demo_ws.register, out)
    finally:
        conn.rollback()
        conn.close()
    backup.restore(out, tmp_path / "r")
    restored = Workspace(open_register(tmp_path / "r"))
    try:
        assert audit_trail.check(restored.register).ok
    finally:
        restored.close()


def test_restore_refuses_a_live_register_without_force(demo_ws, archive, tmp_path):
    with pytest.raises(ValidationError, match="holds a register"):
        backup.restore(archive, demo_ws.home)
    key = rows(demo_ws)[0]
    demo_ws.write(register.add_comment, requirement_id=key.id, text="after the backup")
    demo_ws.close()
    info = backup.restore(archive, demo_ws.home, force=True)
    assert info.replaced is not None and info.replaced.exists()
    restored = Workspace(open_register(demo_ws.home))
    try:
        assert items(restored)[key.key]["note"] != "after the backup"
        assert audit_trail.check(restored.register).ok
    finally:
        restored.close()


def test_restore_refuses_a_folder_with_other_files(archive, tmp_path):
    target = tmp_path / "t"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(ValidationError, match="is not empty"):
        backup.restore(archive, target)
    assert listing(target) == ["notes.txt"]


def rewrite(archive, out, change):
    """A copy of archive with its entries and manifest passed through change(entries)."""
    with zipfile.ZipFile(archive) as src:
        entries = {i.filename: src.read(i) for i in src.infolist()}
    entries = change(entries)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries.items():
            if isinstance(data, zipfile.ZipInfo):
                dst.writestr(data, b"target")
            else:
                dst.writestr(name, data)
    return out


def add_to_manifest(entries, name, data):
    manifest = json.loads(entries[MANIFEST])
    manifest["files"].append(
        {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    )
    entries[MANIFEST] = json.dumps(manifest).encode()
    entries[name] = data
    return entries


def link_entry(entries):
    info = zipfile.ZipInfo("evidence/ab/" + "c" * 62)
    info.external_attr = (0o120777) << 16  # a symlink
    entries[info.filename] = info
    return entries


def newer_schema(entries):
    manifest = json.loads(entries[MANIFEST])
    manifest["schema"] = "0099_future"
    entries[MANIFEST] = json.dumps(manifest).encode()
    return entries


def tampered(entries):
    name = next(n for n in entries if n.startswith("evidence/"))
    entries[name] = b"X" * len(entries[name])
    return entries


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: add_to_manifest(e, "../evil.txt", b"x"), "climbs out of the folder"),
        (lambda e: add_to_manifest(e, "/tmp/evil.txt", b"x"), "absolute path"),
        (lambda e: add_to_manifest(e, "evidence/../../x", b"x"), "climbs out"),
        (lambda e: add_to_manifest(e, "notes.txt", b"x"), "not a file a GPAI Tracker backup"),
        (link_entry, "is a link"),
        (newer_schema, "newer than this GPAI Tracker knows"),
        (tampered, "does not match the hash"),
        (lambda e: {k: v for k, v in e.items() if k != MANIFEST}, "no manifest.json"),
        (lambda e: {k: v for k, v in e.items() if k != "register.sqlite"}, "differ"),
    ],
)
def test_hostile_archives_are_refused_and_nothing_is_written(archive, tmp_path, change, message):
    bad = rewrite(archive, tmp_path / "bad.zip", change)
    target = tmp_path / "target"
    before = listing(tmp_path)
    with pytest.raises((StorageError, ValidationError), match=message):
        backup.restore(bad, target)
    leftover = listing(target) if target.exists() else []
    assert leftover == [] and listing(tmp_path) == before + (["target"] if target.exists() else [])
    assert not (tmp_path / "evil.txt").exists() and not os.path.exists("/tmp/evil.txt")


def test_a_newer_schema_is_refused_as_such(archive, tmp_path):
    bad = rewrite(archive, tmp_path / "bad.zip", newer_schema)
    with pytest.raises(SchemaTooNewError):
        backup.restore(bad, tmp_path / "t")


def test_a_zip_bomb_is_refused_before_extracting(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            MANIFEST, json.dumps({"format": "gpaitracker-backup", "format_version": 1, "files": []})
        )
        with zf.open("register.sqlite", "w") as fh:
            block = b"\0" * (1 << 20)
            for _ in range(64):  # 64 MB of zeros, a few kB compressed
                fh.write(block)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(StorageError, match="zip bomb"):
        backup.restore(bomb, tmp_path / "t")
    assert not (tmp_path / "t").exists()


def test_a_truncated_archive_is_refused(archive, tmp_path):
    data = archive.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 100):
        short = tmp_path / f"short-{cut}.zip"
        short.write_bytes(data[:cut])
        with pytest.raises(StorageError, match="damaged or truncated"):
            backup.restore(short, tmp_path / f"t-{cut}")
    cut_body = tmp_path / "cut-body.zip"  # the directory survives, a member's bytes do not
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("register.sqlite")
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    body = bytearray(data)
    body[start + 10 : start + 4000] = b"\0" * 3990
    cut_body.write_bytes(bytes(body))
    with pytest.raises(StorageError, match=r"damaged or truncated|does not match"):
        backup.restore(cut_body, tmp_path / "t-body")
    assert not any(p.name.startswith(".restore-") for p in (tmp_path / "t-body").iterdir())


def test_not_a_zip_and_a_missing_file(tmp_path):
    other = tmp_path / "x.zip"
    other.write_text("hello")
    with pytest.raises(StorageError, match="not a complete zip archive"):
        backup.restore(other, tmp_path / "t")
    with pytest.raises(ValidationError, match="does not exist"):
        backup.restore(tmp_path / "none.zip", tmp_path / "t")


def test_daily_backups_rotate(demo_ws):
    config = backup_auto.BackupSettings(daily=True, keep=2)
    day = dt.datetime(2026, 5, 1, 9, 0)
    made = [backup_auto.run_if_due(demo_ws.register, config, now=day)]
    assert backup_auto.run_if_due(demo_ws.register, config, now=day + dt.timedelta(hours=5)) is None
    for n in (1, 2, 3):
        made.append(
            backup_auto.run_if_due(demo_ws.register, config, now=day + dt.timedelta(days=n))
        )
    kept = backup_auto.existing(demo_ws.home)
    assert kept == made[-2:] and all(p.exists() for p in kept)
    off = backup_auto.BackupSettings(daily=False, keep=2)
    assert backup_auto.run_if_due(demo_ws.register, off, now=day + dt.timedelta(days=9)) is None


def test_backup_settings_are_an_admins_audited_change(demo_ws):
    assert demo_ws.read(backup_auto.settings) == backup_auto.BackupSettings(True, 7)
    demo_ws.write(backup_auto.set_settings, daily=False, keep=14)
    assert demo_ws.read(backup_auto.settings) == backup_auto.BackupSettings(False, 14)
    with pytest.raises(ValidationError, match="between 1 and 365"):
        demo_ws.write(backup_auto.set_settings, keep=0)
    officer = Workspace(demo_ws.register, "olga.lindqvist@northwind.example")
    with pytest.raises(PermissionDenied):
        officer.write(backup_auto.set_settings, keep=3)
    assert audit_trail.check(demo_ws.register).ok


def test_a_register_file_of_a_newer_schema_is_refused_even_if_the_manifest_hides_it(
    archive, tmp_path
):
    import sqlite3

    with zipfile.ZipFile(archive) as zf:
        db = tmp_path / "inner.sqlite"
        db.write_bytes(zf.read("register.sqlite"))
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '0099_future'")
    con.commit()
    con.close()
    data = db.read_bytes()

    def swap(entries):
        manifest = json.loads(entries[MANIFEST])
        for f in manifest["files"]:
            if f["name"] == "register.sqlite":
                f.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
        entries[MANIFEST] = json.dumps(manifest).encode()
        entries["register.sqlite"] = data
        return entries

    bad = rewrite(archive, tmp_path / "bad.zip", swap)
    target = tmp_path / "t"
    with pytest.raises(SchemaTooNewError, match="0099_future"):
        backup.restore(bad, target)
    assert listing(target) == []


def test_a_file_is_not_a_restore_target(archive, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValidationError, match="is not a folder"):
        backup.restore(archive, target)

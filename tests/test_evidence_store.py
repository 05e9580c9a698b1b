"""The content-addressed store: streaming import, dedupe, refusals, failures mid-copy."""

import errno
import hashlib
import os
import stat
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from gpaitracker.errors import StorageError, ValidationError
from gpaitracker.evidence_store import CHUNK, Cancelled, EvidenceStore


@pytest.fixture
def store(tmp_path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "home" / "evidence")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def leftovers(store: EvidenceStore) -> tuple[list, list]:
    return list(store.objects()), store.temp_files()


def test_import_stores_bytes_under_their_hash_read_only(store, tmp_path):
    data = os.urandom(3 * CHUNK + 17)
    obj = store.import_file(write(tmp_path / "policy.pdf", data))
    path = store.path_of(obj.sha256)
    assert obj.sha256 == hashlib.sha256(data).hexdigest()
    assert path == store.root / obj.sha256[:2] / obj.sha256[2:]
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert (obj.size, obj.name, obj.media_type) == (len(data), "policy.pdf", "application/pdf")
    assert store.temp_files() == []


def test_empty_file(store, tmp_path):
    obj = store.import_file(write(tmp_path / "empty.txt", b""))
    assert obj.sha256 == hashlib.sha256(b"").hexdigest()
    assert obj.size == 0
    assert store.path_of(obj.sha256).read_bytes() == b""


def test_same_bytes_are_stored_once(store, tmp_path):
    first = store.import_file(write(tmp_path / "a.xlsx", b"same bytes"))
    second = store.import_file(write(tmp_path / "b.xlsx", b"same bytes"))
    assert first.sha256 == second.sha256
    assert (first.deduplicated, second.deduplicated) == (False, True)
    assert len(list(store.objects())) == 1
    assert store.temp_files() == []


def test_a_damaged_object_is_replaced_by_a_new_import(store, tmp_path):
    obj = store.import_file(write(tmp_path / "a.txt", b"original bytes"))
    path = store.path_of(obj.sha256)
    path.chmod(0o644)
    path.write_bytes(b"truncated")
    again = store.import_file(tmp_path / "a.txt")
    assert not again.deduplicated
    assert path.read_bytes() == b"original bytes"


@pytest.mark.parametrize("kind", ["folder", "fifo", "/dev/null", "/dev/zero"])
def test_non_regular_files_are_refused_quickly(store, tmp_path, kind):
    if kind == "folder":
        target = tmp_path / "folder"
        target.mkdir()
    elif kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)  # opening it for reading would block until a writer comes
    else:
        target = Path(kind)
    start = time.monotonic()
    with pytest.raises(ValidationError, match="only regular files") as exc:
        store.import_file(target)
    assert time.monotonic() - start < 1
    assert str(target) in str(exc.value)
    assert leftovers(store) == ([], [])


def test_missing_file_is_named(store, tmp_path):
    with pytest.raises(ValidationError, match=r"file .*nope\.pdf does not exist"):
        store.import_file(tmp_path / "nope.pdf")


def test_symlink_stores_target_bytes_and_its_own_name(store, tmp_path):
    target = write(tmp_path / "real-report-v7.pdf", b"red-team findings")
    link = tmp_path / "red-team.pdf"
    link.symlink_to(target)
    obj = store.import_file(link)
    assert obj.name == "red-team.pdf"
    assert store.path_of(obj.sha256).read_bytes() == b"red-team findings"


def test_non_utf8_file_name_gets_a_printable_name(store, tmp_path):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/r\xe9sum\xe9\x07.pdf"))
    write(path, b"x")
    obj = store.import_file(path)
    assert obj.name == "r\ufffdsum\ufffd\ufffd.pdf"
    obj.name.encode("utf-8")  # safe to store and print


@pytest.mark.parametrize("stem", ["a" * 246, "é" * 123])
def test_250_byte_file_name(store, tmp_path, stem):
    path = tmp_path / f"{stem}.pdf"
    assert len(os.fsencode(path.name)) == 250
    obj = store.import_file(write(path, b"long"))
    assert obj.name == path.name


def test_display_name_is_limited_but_keeps_the_extension():
    from gpaitracker.evidence_store import MAX_NAME_CHARS, display_name

    name = display_name("/x/" + "ü" * 400 + ".pdf")
    assert len(name) == MAX_NAME_CHARS and name.endswith("….pdf")


def test_file_vanishing_mid_copy_stores_nothing(store, tmp_path):
    source = write(tmp_path / "big.bin", os.urandom(3 * CHUNK))

    def delete_source(done, total):
        if 0 < done < total:
            source.unlink(missing_ok=True)

    with pytest.raises(StorageError, match=r"big\.bin vanished while it was being copied"):
        store.import_file(source, progress=delete_source)
    assert leftovers(store) == ([], [])


def test_file_changing_mid_copy_stores_nothing(store, tmp_path):
    source = write(tmp_path / "sheet.csv", os.urandom(3 * CHUNK))

    def append(done, total):
        if done == CHUNK:
            with source.open("ab") as fh:
                fh.write(b"late row")

    with pytest.raises(StorageError, match=r"sheet\.csv changed while it was being copied"):
        store.import_file(source, progress=append)
    assert leftovers(store) == ([], [])


def test_file_becoming_unreadable_mid_copy_stores_nothing(store, tmp_path, monkeypatch):
    source = write(tmp_path / "nas.pdf", os.urandom(3 * CHUNK))
    real_readv, calls = os.readv, []

    def failing_readv(fd, buffers):
        calls.append(fd)
        if len(calls) == 2:  # as when a network share drops or permissions are revoked
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_readv(fd, buffers)

    monkeypatch.setattr(os, "readv", failing_readv)
    with pytest.raises(StorageError, match=r"nas\.pdf could not be read: Input/output error"):
        store.import_file(source)
    assert leftovers(store) == ([], [])


def test_disk_full_stores_nothing(store, tmp_path, monkeypatch):
    source = write(tmp_path / "model-card.pdf", os.urandom(2 * CHUNK))
    real_write = os.write
    inside = str(store.root)

    def full_write(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(inside):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_write)
    with pytest.raises(StorageError, match=r"is full; file .*model-card\.pdf was not stored"):
        store.import_file(source)
    assert leftovers(store) == ([], [])


@pytest.mark.parametrize("flag", ["callable", "event"])
def test_cancel_removes_the_temp_file(store, tmp_path, flag):
    source = write(tmp_path / "big.bin", os.urandom(4 * CHUNK))
    event = threading.Event()

    def progress(done, total):
        if done >= CHUNK:
            event.set()

    cancel = event if flag == "event" else event.is_set
    with pytest.raises(Cancelled, match="cancelled"):
        store.import_file(source, progress=progress, cancel=cancel)
    assert leftovers(store) == ([], [])


def test_progress_reports_bytes(store, tmp_path):
    seen = []
    source = write(tmp_path / "f", b"x" * (CHUNK + 1))
    store.import_file(source, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, CHUNK + 1), (CHUNK, CHUNK + 1), (CHUNK + 1, CHUNK + 1)]


def test_streaming_a_64_mib_file_uses_constant_memory(store, tmp_path):
    source = tmp_path / "sparse.bin"
    with source.open("wb") as fh:
        fh.truncate(64 << 20)  # sparse: cheap to create, still 64 MiB to read
    tracemalloc.start()
    try:
        obj = store.import_file(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert obj.size == 64 << 20
    assert peak < 4 * CHUNK, f"peak Python memory {peak:,} bytes"


def test_collect_removes_only_old_leftovers(store, tmp_path):
    kept = store.import_file(write(tmp_path / "kept", b"kept"))
    orphan = store.import_file(write(tmp_path / "orphan", b"orphan"))
    temp = store.root / ".tmp-crashed"
    temp.write_bytes(b"half")
    assert store.temp_files() == [temp]
    assert store.collect({kept.sha256}, min_age_s=60) == []  # too young: maybe in progress
    old = time.time() - 3600
    for path in (temp, store.path_of(orphan.sha256)):
        os.utime(path, (old, old))
    removed = store.collect({kept.sha256}, min_age_s=60)
    assert sorted(removed) == sorted([temp, store.path_of(orphan.sha256)])
    assert [d for d, _ in store.objects()] == [kept.sha256]
    assert store.temp_files() == []


def test_an_altered_object_of_the_same_size_is_repaired_not_trusted(store, tmp_path):
    genuine = b"signed model card v1 " * 1000
    obj = store.import_file(write(tmp_path / "card.pdf", genuine))
    path = store.path_of(obj.sha256)
    path.chmod(0o644)
    path.write_bytes(b"forged model card v1 " * 1000)  # same size, other bytes
    again = store.import_file(tmp_path / "card.pdf")
    assert (again.deduplicated, again.repaired) == (False, True)
    assert path.read_bytes() == genuine
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert leftovers(store) == ([(obj.sha256, path)], [])


def test_a_truncated_object_is_reported_as_repaired(store, tmp_path):
    obj = store.import_file(write(tmp_path / "a.txt", b"original bytes"))
    path = store.path_of(obj.sha256)
    path.chmod(0o644)
    path.write_bytes(b"trunc")
    again = store.import_file(tmp_path / "a.txt")
    assert (again.deduplicated, again.repaired) == (False, True)


def test_a_genuine_object_is_deduplicated_not_repaired(store, tmp_path):
    first = store.import_file(write(tmp_path / "a.txt", b"same"))
    second = store.import_file(write(tmp_path / "b.txt", b"same"))
    assert (first.deduplicated, first.repaired) == (False, False)
    assert (second.deduplicated, second.repaired) == (True, False)


@pytest.mark.parametrize("kind", ["fifo", "symlink", "folder"])
def test_an_object_swapped_for_a_pipe_link_or_folder_never_hangs_or_is_trusted(
    store, tmp_path, kind
):
    data = b"genuine evidence"
    obj = store.import_file(write(tmp_path / "e.txt", data))
    path = store.path_of(obj.sha256)
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        path.symlink_to(write(tmp_path / "elsewhere.txt", data))  # right bytes, wrong place
    else:
        path.mkdir()
    start = time.monotonic()
    if kind == "folder":
        with pytest.raises(StorageError, match="could not be stored"):
            store.import_file(tmp_path / "e.txt")
        assert store.temp_files() == []
    else:
        again = store.import_file(tmp_path / "e.txt")
        assert again.repaired and not again.deduplicated
        assert not path.is_symlink() and path.read_bytes() == data
    assert time.monotonic() - start < 2


def test_object_names_with_a_trailing_newline_are_not_digests(store):
    with pytest.raises(ValueError, match="not a SHA-256"):
        store.path_of("a" * 64 + "\n")

"""Signing identities: new and imported PKCS#12 files, owner-only, and clear refusals."""

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from gpaitracker.errors import ValidationError
from gpaitracker.reports.identity import (
    PASSPHRASE_ENV,
    create_identity,
    default_identity_path,
    export_certificate,
    identities_dir,
    identity_info,
    import_identity,
    load_identity,
    passphrase_from_env,
)

SECRET = "Tr0ub4dor&3-horse"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def rsa_file(tmp_path_factory) -> Path:
    """One RSA-3072 identity for the module: generating the key is the slow part."""
    path = tmp_path_factory.mktemp("rsa") / "ada.p12"
    create_identity("Ada Admin", "ada@provider.eu", SECRET, path, organisation="Provider SA")
    return path


def make_p12(path: Path, *, days: int = 30, start_days_ago: int = 1, with_key: bool = True):
    """A PKCS#12 file built by hand, for the cases create_identity never makes."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Old Signer"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "old@provider.eu"),
        ]
    )
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=start_days_ago)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"old",
        key if with_key else None,
        cert,
        None,
        serialization.BestAvailableEncryption(SECRET.encode()),
    )
    path.write_bytes(data)
    return path


def refusal(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert SECRET not in message
    return message


def test_new_rsa_identity_is_owner_only_and_describes_itself(rsa_file):
    info = identity_info(rsa_file, SECRET)
    assert mode(rsa_file) == 0o600
    assert (info.name, info.email, info.key_type) == ("Ada Admin", "ada@provider.eu", "rsa-3072")
    assert info.path == rsa_file
    assert info.not_before <= dt.datetime.now(dt.UTC) < info.not_after
    assert info.not_after - info.not_before > dt.timedelta(days=365)
    assert SECRET.encode() not in rsa_file.read_bytes()
    assert os.listdir(rsa_file.parent) == ["ada.p12"]  # no temporary file left behind


def test_certificate_is_a_self_signed_signing_ca(rsa_file):
    cert = x509.load_pem_x509_certificate(export_certificate(rsa_file, SECRET))
    assert cert.subject == cert.issuer
    assert (
        cert.subject.rfc4514_string()
        == "1.2.840.113549.1.9.1=ada@provider.eu,O=Provider SA,CN=Ada Admin"
    )
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and usage.key_cert_sign
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["ada@provider.eu"]
    assert cert.fingerprint(hashes.SHA256()).hex() == identity_info(rsa_file, SECRET).fingerprint


def test_new_ec_identity_in_new_private_folders_even_with_an_open_umask(tmp_path):
    out = tmp_path / "data" / "identities" / "bo.p12"
    old = os.umask(0)
    try:
        info = create_identity("Bo Board", "bo@provider.eu", SECRET, out, key_type="ec", days=30)
    finally:
        os.umask(old)
    assert info.key_type == "ec-secp256r1"
    assert mode(out) == 0o600
    assert mode(out.parent) == mode(out.parent.parent) == 0o700
    identity = load_identity(out, SECRET, for_signing=True)
    assert isinstance(identity.key, ec.EllipticCurvePrivateKey)
    assert identity.chain == []


def test_create_refuses_to_overwrite_and_keeps_the_file(rsa_file):
    before = rsa_file.read_bytes()
    message = refusal(create_identity, "Eve", "eve@provider.eu", SECRET, rsa_file, key_type="ec")
    assert str(rsa_file) in message and "already exists" in message
    assert rsa_file.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "email", "passphrase", "days", "expected"),
    [
        ("Bo", "bo@provider.eu", "", 30, "passphrase for"),
        ("  ", "bo@provider.eu", SECRET, 30, "name is empty"),
        ("Bo", "not-an-email", SECRET, 30, "email 'not-an-email' is not an email address"),
        ("Bo", "bo@provider.eu", SECRET, 0, "validity of 0 days is not between 1 and"),
        ("Bo", "bo@provider.eu", SECRET, 10**7, "validity of 10000000 days is not between"),
    ],
)
def test_create_refuses_bad_input(tmp_path, name, email, passphrase, days, expected):
    out = tmp_path / "bo.p12"
    assert expected in refusal(
        create_identity, name, email, passphrase, out, key_type="ec", days=days
    )
    assert not out.exists()


def test_wrong_passphrase_names_the_file(rsa_file):
    message = refusal(load_identity, rsa_file, "not the passphrase")
    assert message == f"the passphrase for {rsa_file} is wrong"
    assert "not the passphrase" not in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (lambda good: good[: len(good) // 2], "is not a PKCS#12"),  # truncated
        (lambda good: b"just some text\n" * 20, "is not a PKCS#12"),
        (lambda good: b"", "is not a PKCS#12"),
    ],
)
def test_damaged_or_foreign_files_are_named(rsa_file, tmp_path, content, expected):
    bad = tmp_path / "bad.p12"
    bad.write_bytes(content(rsa_file.read_bytes()))
    message = refusal(load_identity, bad, SECRET)
    assert expected in message and str(bad) in message


def test_a_certificate_file_is_not_an_identity(rsa_file, tmp_path):
    pem = tmp_path / "ada.pem"
    pem.write_bytes(export_certificate(rsa_file, SECRET))
    der = tmp_path / "ada.der"
    der.write_bytes(
        x509.load_pem_x509_certificate(pem.read_bytes()).public_bytes(serialization.Encoding.DER)
    )
    assert "is not a PKCS#12" in refusal(load_identity, pem, SECRET)
    assert "is not a PKCS#12" in refusal(load_identity, der, SECRET)


def test_missing_file_and_folder(tmp_path):
    assert refusal(load_identity, tmp_path / "nope.p12", SECRET) == (
        f"identity file {tmp_path / 'nope.p12'} does not exist"
    )
    assert "is a folder" in refusal(load_identity, tmp_path, SECRET)


def test_file_without_private_key_cannot_sign(tmp_path):
    path = make_p12(tmp_path / "cert-only.p12", with_key=False)
    assert refusal(load_identity, path, SECRET) == f"{path} holds no private key: it cannot sign"


def test_import_copies_owner_only_under_the_email(rsa_file, tmp_path):
    source = tmp_path / "from-it.p12"
    source.write_bytes(rsa_file.read_bytes())
    source.chmod(0o644)
    dest_dir = identities_dir(tmp_path / "data")
    info = import_identity(source, SECRET, dest_dir)
    assert info.path == default_identity_path(tmp_path / "data", "ada@provider.eu")
    assert info.path == dest_dir / "ada-provider.eu.p12"
    assert info.path.read_bytes() == source.read_bytes()
    assert mode(info.path) == 0o600 and mode(dest_dir) == 0o700
    assert info.fingerprint == identity_info(rsa_file, SECRET).fingerprint
    again = refusal(import_identity, source, SECRET, dest_dir)
    assert "already exists" in again and str(info.path) in again


def test_import_checks_before_copying(rsa_file, tmp_path):
    dest_dir = tmp_path / "identities"
    assert "is wrong" in refusal(import_identity, rsa_file, "nope", dest_dir)
    expired = make_p12(tmp_path / "expired.p12", days=30, start_days_ago=60)
    message = refusal(import_identity, expired, SECRET, dest_dir)
    assert message.startswith(f"the certificate in {expired} expired on ")
    assert not dest_dir.exists()


def test_expired_identity_still_exports_its_certificate(tmp_path):
    expired = make_p12(tmp_path / "expired.p12", days=30, start_days_ago=60)
    cert = x509.load_pem_x509_certificate(export_certificate(expired, SECRET))
    assert cert.not_valid_after_utc < dt.datetime.now(dt.UTC)
    assert "expired" in refusal(load_identity, expired, SECRET, for_signing=True)


def test_passphrase_from_env(monkeypatch):
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    assert passphrase_from_env() is None
    monkeypatch.setenv(PASSPHRASE_ENV, "")
    assert passphrase_from_env() is None
    monkeypatch.setenv(PASSPHRASE_ENV, SECRET)
    assert passphrase_from_env() == SECRET


def test_default_path_is_a_file_name_made_from_the_email(tmp_path):
    assert default_identity_path(tmp_path, "Ada.Admin+Sign@Provider.EU") == (
        tmp_path / "identities" / "ada.admin-sign-provider.eu.p12"
    )
    assert "no usable file name" in refusal(default_identity_path, tmp_path, "@@")

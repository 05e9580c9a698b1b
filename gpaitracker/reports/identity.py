"""Signing identities: a private key and its certificate in a passphrase-protected PKCS#12 file.

An identity made here is a self-signed certificate. It is also marked as a CA that may sign
certificates, because that is what a verifier (poppler's pdfsig through NSS, for one) needs in
order to accept a self-signed certificate as a trust anchor once the reader imports it.

Import refuses a certificate that has expired or is not yet valid: an identity is kept to sign
with, and a signature made with an expired certificate does not validate. Exporting the
certificate of an expired identity still works, so that old reports can be checked.

The passphrase is never stored, logged or put into a message.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from pathlib import Path
from typing import Literal, NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from gpaitracker.errors import ValidationError

PASSPHRASE_ENV = "GPAITRACKER_PASSPHRASE"
DEFAULT_DAYS = 3 * 365
_MAX_DAYS = 10 * 366  # a key kept longer than a decade is better replaced than extended
_RSA_BITS = 3072
_MIN_RSA_BITS = 2048  # below this a key is too weak to sign a compliance record with
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

KeyType = Literal["rsa", "ec"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class IdentityInfo(NamedTuple):
    path: Path
    name: str  # the certificate subject's common name
    email: str | None
    fingerprint: str  # SHA-256 of the DER certificate, lowercase hex
    not_before: dt.datetime  # UTC
    not_after: dt.datetime  # UTC
    key_type: str  # "rsa-3072", "ec-secp256r1"...


class Identity(NamedTuple):
    key: PrivateKey
    certificate: x509.Certificate
    chain: list[x509.Certificate]  # the other certificates in the file (its issuers, if any)


def passphrase_from_env() -> str | None:
    """The passphrase set in GPAITRACKER_PASSPHRASE, or None when unset or empty."""
    return os.environ.get(PASSPHRASE_ENV) or None


def default_identity_path(data_dir: Path, email: str) -> Path:
    """Where the identity of the person with this email is kept under the data folder."""
    return identities_dir(data_dir) / f"{_slug(email)}.p12"


def identities_dir(data_dir: Path) -> Path:
    """The folder holding the signing identities under the data folder."""
    return data_dir / "identities"


def create_identity(
    name: str,
    email: str,
    passphrase: str,
    out: Path,
    *,
    key_type: KeyType = "rsa",
    days: int = DEFAULT_DAYS,
    organisation: str | None = None,
) -> IdentityInfo:
    """Make a new key and self-signed certificate and save them, encrypted, to a new file."""
    name, email = name.strip(), email.strip()
    if not name:
        raise ValidationError("name is empty: the certificate needs the signer's name")
    if not _EMAIL.fullmatch(email):
        raise ValidationError(f"email {email!r} is not an email address")
    if not passphrase:
        raise ValidationError(f"the passphrase for {out} is empty: choose one to protect the key")
    if not 1 <= days <= _MAX_DAYS:
        raise ValidationError(f"validity of {days} days is not between 1 and {_MAX_DAYS} days")
    if key_type not in ("rsa", "ec"):
        raise ValidationError(f"key type {key_type!r} is not one of: rsa, ec")
    if out.exists():
        raise ValidationError(f"{out} already exists: it is not overwritten")

    key: PrivateKey
    if key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed(key, name, email, organisation, days)
    data = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, None, serialization.BestAvailableEncryption(_secret(passphrase))
    )
    _write_private(out, data)
    return _info(out, cert, key)


def load_identity(path: Path, passphrase: str, *, for_signing: bool = False) -> Identity:
    """Open an identity file; with for_signing, also refuse a certificate outside its dates."""
    return _parse(path, _read(path), passphrase, for_signing=for_signing)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"identity file {path} does not exist") from None
    except IsADirectoryError:
        raise ValidationError(f"identity file {path} is a folder, not a file") from None
    except OSError as exc:
        raise ValidationError(f"identity file {path} cannot be read: {exc.strerror}") from None


def _parse(path: Path, data: bytes, passphrase: str, *, for_signing: bool) -> Identity:
    if not _looks_like_pkcs12(data):
        raise ValidationError(f"{path} is not a PKCS#12 (.p12/.pfx) identity file, or is damaged")
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, _secret(passphrase) or None)
    except ValueError:
        # The structure was checked above, so what fails now is the decryption (or its MAC).
        raise ValidationError(f"the passphrase for {path} is wrong") from None
    if key is None:
        raise ValidationError(f"{path} holds no private key: it cannot sign")
    if cert is None:
        raise ValidationError(f"{path} holds no certificate for its key")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValidationError(f"{path} holds a key type that cannot sign reports: use RSA or EC")
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < _MIN_RSA_BITS:
        raise ValidationError(
            f"{path} holds a {key.key_size}-bit RSA key: at least {_MIN_RSA_BITS} bits are needed"
        )
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise ValidationError(f"the certificate in {path} is not the one for its private key")
    if for_signing:
        _check_dates(path, cert)
    return Identity(key, cert, list(chain))


def identity_info(path: Path, passphrase: str) -> IdentityInfo:
    """Describe an identity file: whose it is, its fingerprint and its dates."""
    identity = load_identity(path, passphrase)
    return _info(path, identity.certificate, identity.key)


def import_identity(src: Path, passphrase: str, dest_dir: Path) -> IdentityInfo:
    """Check that a PKCS#12 file opens and can sign, then copy it (owner-only) into dest_dir."""
    data = _read(src)  # read once: the bytes copied are the bytes checked
    identity = _parse(src, data, passphrase, for_signing=True)
    email = email_of(identity.certificate)
    dest = dest_dir / f"{_slug(email) if email else _slug(src.stem)}.p12"
    if dest.exists():
        raise ValidationError(f"{dest} already exists: remove it first to replace that identity")
    # Copied as is: the file stays encrypted with the passphrase its owner chose.
    _write_private(dest, data)
    return _info(dest, identity.certificate, identity.key)


def export_certificate(path: Path, passphrase: str) -> bytes:
    """The identity's certificate in PEM, to hand to whoever verifies the signatures."""
    return load_identity(path, passphrase).certificate.public_bytes(serialization.Encoding.PEM)


def _self_signed(
    key: PrivateKey, name: str, email: str, organisation: str | None, days: int
) -> x509.Certificate:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if organisation and organisation.strip():
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.strip()))
    attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    subject = x509.Name(attrs)
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    ski = x509.SubjectKeyIdentifier.from_public_key(public)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # nonRepudiation: what signature validators look for
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        # A few minutes back so that a verifier whose clock lags a little still accepts it.
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    )
    return builder.sign(key, hashes.SHA256())


def _write_private(out: Path, data: bytes) -> None:
    """Write a new file readable by its owner only, whole or not at all, never overwriting."""
    _make_private_dirs(out.parent)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp")
    # Created 0o600 by open itself: there is no moment when the file is readable by others.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # the umask can only take bits away; make it exact
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _publish(tmp: Path, out: Path) -> None:
    """Give the finished file its name, failing if that name is taken."""
    try:
        os.link(tmp, out)  # atomic and, unlike rename, refuses an existing target
    except FileExistsError:
        raise ValidationError(f"{out} already exists: it is not overwritten") from None
    except OSError:
        # A file system without hard links: check, then rename (a narrow race, same folder).
        if out.exists():
            raise ValidationError(f"{out} already exists: it is not overwritten") from None
        os.replace(tmp, out)


def _make_private_dirs(folder: Path) -> None:
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(path, 0o700)


def _looks_like_pkcs12(data: bytes) -> bool:
    """A DER SEQUENCE spanning the whole file and starting with INTEGER 3, as PKCS#12 does."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    first = data[1]
    if first < 0x80:
        length, start = first, 2
    else:
        count = first & 0x7F
        if not 1 <= count <= 4 or len(data) < 2 + count:
            return False
        length, start = int.from_bytes(data[2 : 2 + count], "big"), 2 + count
    return start + length == len(data) and data[start : start + 3] == b"\x02\x01\x03"


def _check_dates(path: Path, cert: x509.Certificate) -> None:
    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        day = cert.not_valid_after_utc.date().isoformat()
        raise ValidationError(f"the certificate in {path} expired on {day}: make a new identity")
    if cert.not_valid_before_utc > now:
        day = cert.not_valid_before_utc.date().isoformat()
        raise ValidationError(f"the certificate in {path} is not valid before {day}")


def _info(path: Path, cert: x509.Certificate, key: PrivateKey) -> IdentityInfo:
    if isinstance(key, rsa.RSAPrivateKey):
        key_type = f"rsa-{key.key_size}"
    else:
        key_type = f"ec-{key.curve.name}"
    return IdentityInfo(
        path=path,
        name=common_name(cert),
        email=email_of(cert),
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=key_type,
    )


def common_name(cert: x509.Certificate) -> str:
    """The subject's common name, or the whole subject when it has none."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def email_of(cert: x509.Certificate) -> str | None:
    """The subject's email: from the alternative names, else from the subject itself."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        emails = san.get_values_for_type(x509.RFC822Name)
    except x509.ExtensionNotFound:
        emails = []
    if emails:
        return emails[0]
    attrs = cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
    return str(attrs[0].value) if attrs else None


def _public_der(public: CertificatePublicKeyTypes) -> bytes:
    return public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _secret(passphrase: str) -> bytes:
    # surrogateescape gives back the exact bytes of a passphrase read from a non-UTF-8 source.
    return passphrase.encode("utf-8", "surrogateescape")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9.]+", "-", text.strip().lower()).strip("-.")
    if not slug:
        raise ValidationError(f"{text!r} gives no usable file name for an identity")
    return slug

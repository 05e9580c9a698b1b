"""Sign a report PDF with a signing identity (PAdES B-B) and check a signed PDF.

pyHanko takes about half a second to import, so it is imported inside the functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from cryptography import x509

from gpaitracker.errors import ValidationError
from gpaitracker.reports.data import SignatureBox
from gpaitracker.reports.identity import common_name, email_of, load_identity

if TYPE_CHECKING:
    from pyhanko.sign.validation.status import PdfSignatureStatus

STAMP_TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
_FONT = "DejaVuSans.ttf"
_STAMP_FONT = "GpaiStampSans"  # registered apart from the report fonts, used only here
_MIN_SIZE = 5.0  # points; smaller is unreadable on paper, so long lines are cut instead
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class Verdict(NamedTuple):
    signed: bool  # the file holds at least one signature (the last one is the one checked)
    intact: bool  # the signed bytes are unchanged and the signature over them is valid
    covers_whole_file: bool  # nothing was added to the file after it was signed
    signer: str | None  # "Name <email>" from the signer's certificate
    signing_time: dt.datetime | None  # UTC, as the signer's clock claimed it
    trusted: bool  # the signer's certificate chains to one of the given trust roots
    problems: list[str]  # what is wrong, in plain words; empty when all is well
    sha256: str  # of the whole file as given, lowercase hex

    @property
    def ok(self) -> bool:
        """Signed, unchanged since, and by a trusted signer."""
        return self.signed and self.intact and self.covers_whole_file and self.trusted


def sign_pdf(
    pdf: bytes,
    identity: Path,
    passphrase: str,
    box: SignatureBox,
    *,
    reason: str,
    location: str | None,
    signer_name: str,
) -> bytes:
    """The PDF with a visible PAdES B-B signature (SHA-256) added as an incremental update."""
    signer_name = _one_line(signer_name)
    if not signer_name:
        raise ValidationError("signer name is empty: the signature stamp shows it")
    if box.x2 <= box.x1 or box.y2 <= box.y1:
        raise ValidationError(f"signature box {tuple(box)} is empty: x2 and y2 must be larger")
    ident = load_identity(identity, passphrase, for_signing=True)

    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        pages = int(writer.root["/Pages"]["/Count"])
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(f"the PDF to sign cannot be read: {exc}") from None
    if writer.prev.encrypted:
        raise ValidationError("the PDF to sign is encrypted: sign the unencrypted report")
    if not 0 <= box.page < pages:
        raise ValidationError(f"signature page {box.page + 1} is not in the PDF ({pages} pages)")

    signer = signers.SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(ident.certificate),
        signing_key=translate_pyca_cryptography_key_to_asn1(ident.key),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [translate_pyca_cryptography_cert_to_asn1(c) for c in ident.chain]
        ),
    )
    field_name = _free_field_name(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=_one_line(reason) or None,
        location=_one_line(location or "") or None,
        name=signer_name,
    )
    # Typed as ints, but written as PDF reals: points with fractions keep them.
    rect = cast("tuple[int, int, int, int]", (box.x1, box.y1, box.x2, box.y2))
    spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=box.page, box=rect)
    # One instant for the stamp, the signature dictionary and the signed attributes.
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    lines = [f"Signed by {signer_name}", f"Date: {when.strftime(STAMP_TIME_FORMAT)}"]
    if meta.reason:
        lines.append(f"Reason: {meta.reason}")
    if meta.location:
        lines.append(f"Location: {meta.location}")
    stamp = _stamp_pdf(lines, box.x2 - box.x1, box.y2 - box.y1)
    with tempfile.TemporaryDirectory(prefix="gpaitracker-stamp-") as folder:
        # pyHanko imports a stamp page from a file only; the file holds no secret.
        stamp_file = Path(folder) / "stamp.pdf"
        stamp_file.write_bytes(stamp)
        pdf_signer = _pdf_signer_at(when)(
            meta, signer, stamp_style=_stamp_style(stamp_file), new_field_spec=spec
        )
        out = pdf_signer.sign_pdf(writer)
    return bytes(out.getvalue())


def verify_pdf(data: bytes, trusted: Sequence[bytes] | None) -> Verdict:
    """Check the last signature of a PDF against the given PEM trust roots (none: untrusted)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    sha256 = hashlib.sha256(data).hexdigest()
    roots = [cert for pem in trusted or () for cert in _pem_to_asn1(pem)]
    # The file is untrusted input: whatever the parser or the CMS decoder raises on a damaged
    # file is a finding about the file, reported in the verdict, not a crash.
    try:
        sigs = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:
        return _unsigned(f"the file cannot be read as a PDF: {exc}", sha256)
    if not sigs:
        return _unsigned("the PDF has no signature", sha256)
    sig = sigs[-1]
    # No fetching: there is no network, and the signer's own certificate is all there is.
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    # Many organisations' signing certificates assert digitalSignature only: accept either.
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
    try:
        # pyHanko logs an untrusted signer as a warning with a traceback; the verdict says it.
        with _quiet("pyhanko.sign.validation.generic_cms"):
            status = validate_pdf_signature(
                sig, signer_validation_context=context, key_usage_settings=usage
            )
        _start1, _len1, start2, len2 = (int(n) for n in sig.byte_range)
    except Exception as exc:
        problem = f"the signature cannot be checked: {exc}"
        return Verdict(True, False, False, None, None, False, [problem], sha256)
    return _verdict(status, bool(roots), sha256, added=len(data) - (start2 + len2))


def _unsigned(problem: str, sha256: str) -> Verdict:
    return Verdict(False, False, False, None, None, False, [problem], sha256)


def _verdict(status: PdfSignatureStatus, have_roots: bool, sha256: str, *, added: int) -> Verdict:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    email = email_of(cert)
    signer = f"{common_name(cert)} <{email}>" if email else common_name(cert)
    when = status.signer_reported_dt
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    trusted = have_roots and bool(status.trusted)
    problems: list[str] = []
    if not status.intact:
        problems.append("the signed content was changed after signing (digest mismatch)")
    elif not status.valid:
        problems.append("the signature value does not match the signed content")
    if not whole:
        level = status.modification_level
        if level is None or level == ModificationLevel.NONE:
            problems.append(f"{added} bytes were added to the file after signing")
        else:
            what = level.name.lower().replace("_", " ")
            problems.append(f"{added} bytes were added after signing and change the PDF ({what})")
    if not have_roots:
        problems.append("no trusted certificates were given: the signer is not checked")
    elif not trusted and status.intact and status.valid:
        problems.append(f"the signer's certificate is not trusted ({signer})")
    return Verdict(
        signed=True,
        intact=bool(status.intact and status.valid),
        covers_whole_file=whole,
        signer=signer,
        signing_time=when.astimezone(dt.UTC) if when is not None else None,
        trusted=trusted,
        problems=problems,
        sha256=sha256,
    )


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Drop a library logger's records below ERROR while the block runs."""
    logger = logging.getLogger(name)

    def keep(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def _pdf_signer_at(when: dt.datetime) -> Any:
    """PdfSigner, but signing at the given UTC instant instead of now in the local zone."""
    from pyhanko.sign.signers import PdfSigner

    class PdfSignerAt(PdfSigner):
        def init_signing_session(self, *args: Any, **kwargs: Any) -> Any:
            session = super().init_signing_session(*args, **kwargs)
            session.system_time = when
            return session

    return PdfSignerAt


def _stamp_style(stamp_file: Path) -> Any:
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.content import ImportedPdfPage
    from pyhanko.stamp import StaticStampStyle

    return StaticStampStyle(
        background=ImportedPdfPage(str(stamp_file)),  # type: ignore[no-untyped-call]
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),  # type: ignore[no-untyped-call]
        ),
        border_width=0,  # the stamp page draws its own
    )


def _stamp_pdf(lines: list[str], width: float, height: float) -> bytes:
    """A one-page PDF the size of the box showing the lines, in the shipped DejaVu Sans."""
    # Drawn with reportlab rather than by pyHanko's text stamp: pyHanko's embedded-font text
    # uses the wrong widths for fonts of 2048 units per em (DejaVu), and its standard fonts
    # cannot show names outside Latin-1.
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
    from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
    from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

    if _STAMP_FONT not in pdfmetrics.getRegisteredFontNames():
        data = (resources.files("gpaitracker.resources") / "fonts" / _FONT).read_bytes()
        pdfmetrics.registerFont(TTFont(_STAMP_FONT, io.BytesIO(data)))
    pad = min(6.0, width / 12, height / 12)
    room = width - 2 * pad
    widest = max(pdfmetrics.stringWidth(line, _STAMP_FONT, 1) for line in lines)
    size = max(_MIN_SIZE, min(10.0, room / widest, (height - 2 * pad) / (len(lines) * 1.25)))
    leading = size * 1.25
    out = io.BytesIO()
    # The initial font named too, or reportlab declares an unembedded Helvetica as well.
    pdf = canvas.Canvas(
        out,
        pagesize=(width, height),
        pageCompression=1,
        initialFontName=_STAMP_FONT,
        initialFontSize=size,
    )
    pdf.setLineWidth(0.75)
    pdf.rect(0.5, 0.5, width - 1, height - 1)
    # Centred vertically; a baseline sits about 0.8 of the size below the top of its line.
    y = (height + len(lines) * leading) / 2 - 0.8 * size - (leading - size) / 2
    for line in lines:
        pdf.drawString(pad, y, _shorten(line, room, size, pdfmetrics.stringWidth))
        y -= leading
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _shorten(line: str, room: float, size: float, width: Callable[[str, str, float], float]) -> str:
    """The line, cut with an ellipsis where it would run out of the stamp."""
    if width(line, _STAMP_FONT, size) <= room:
        return line
    while line and width(line + "…", _STAMP_FONT, size) > room:
        line = line[:-1]
    return line.rstrip() + "…"


def _one_line(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _free_field_name(writer: Any) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    taken = {name for name, _value, _ref in enumerate_sig_fields(writer.prev)}
    n = 1
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"


def _pem_to_asn1(pem: bytes) -> list[Any]:
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1

    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise ValidationError("a trusted certificate given is not a PEM certificate") from None
    return [translate_pyca_cryptography_cert_to_asn1(cert) for cert in certs]

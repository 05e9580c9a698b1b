"""Signed reports, checked by poppler's pdfsig (with and without an NSS trust store) and pyHanko."""

import datetime as dt
import hashlib
import io
import re
import subprocess
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from gpaitracker.errors import ValidationError
from gpaitracker.reports.data import SignatureBox
from gpaitracker.reports.identity import create_identity, export_certificate
from gpaitracker.reports.signing import sign_pdf, verify_pdf

SECRET = "c0rrect-h0rse-battery"
NAME = "Zoë Łukasiewicz"
BOX = SignatureBox(page=1, x1=300.5, y1=60, x2=540, y2=130)
PAGE_TEXT = "Board report: obligations on track"


def report_pdf(pages: int = 2) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for n in range(pages):
        pdf.drawString(72, 720, f"{PAGE_TEXT}, page {n + 1}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def run(*args: str | Path) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("signing")


@pytest.fixture(scope="module")
def identity(folder) -> Path:
    path = folder / "zoe.p12"
    create_identity(NAME, "zoe@provider.eu", SECRET, path)  # RSA-3072, made once
    return path


@pytest.fixture(scope="module")
def cert_pem(identity, folder) -> bytes:
    pem = export_certificate(identity, SECRET)
    (folder / "zoe.pem").write_bytes(pem)
    return pem


@pytest.fixture(scope="module")
def signed(identity, folder) -> Path:
    data = sign_pdf(
        report_pdf(),
        identity,
        SECRET,
        BOX,
        reason="Quarterly board report approved",
        location="Brussels",
        signer_name=NAME,
    )
    path = folder / "signed.pdf"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def nss_db(folder, cert_pem) -> str:
    """An NSS database that trusts the signer's certificate, as a reader would set one up."""
    db = folder / "nss"
    db.mkdir()
    for args in (
        ["-N", "--empty-password"],
        ["-A", "-n", "gpai", "-t", "CT,C,C", "-i", folder / "zoe.pem"],
    ):
        subprocess.run(["certutil", *args, "-d", f"sql:{db}"], check=True, capture_output=True)
    return f"sql:{db}"


def signed_ranges(data: bytes) -> tuple[int, int, int, int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert found
    a, b, c, d = (int(n) for n in found.groups())
    return a, b, c, d


def test_pdfsig_finds_a_valid_pades_signature_over_the_whole_file(signed):
    text = run("pdfsig", signed)
    assert "Signature Validation: Signature is Valid." in text
    assert "Digest Mismatch" not in text
    assert "Total document signed" in text and "Not total document signed" not in text
    assert "Signature Type: ETSI.CAdES.detached" in text
    assert "Signing Hash Algorithm: SHA-256" in text
    assert f"Signer Certificate Common Name: {NAME}" in text
    assert "Signature Field Name: Signature1" in text
    # A self-signed certificate the reader never imported is not trusted.
    assert "Certificate is Trusted" not in text


def test_pdfsig_trusts_the_certificate_once_imported_into_nss(signed, nss_db):
    text = run("pdfsig", "-nssdir", nss_db, signed)
    assert "Signature Validation: Signature is Valid." in text
    assert "Certificate Validation: Certificate is Trusted." in text


def test_verify_agrees_and_reports_signer_and_time(signed, cert_pem):
    data = signed.read_bytes()
    verdict = verify_pdf(data, [cert_pem])
    assert verdict.ok
    assert (verdict.signed, verdict.intact, verdict.covers_whole_file, verdict.trusted) == (
        True,
        True,
        True,
        True,
    )
    assert verdict.signer == f"{NAME} <zoe@provider.eu>"
    assert verdict.problems == []
    assert verdict.sha256 == hashlib.sha256(data).hexdigest()
    assert verdict.signing_time is not None and verdict.signing_time.tzinfo == dt.UTC
    assert abs(dt.datetime.now(dt.UTC) - verdict.signing_time) < dt.timedelta(minutes=10)


def test_without_or_with_other_trust_roots_the_signer_is_not_trusted(signed, folder):
    data = signed.read_bytes()
    alone = verify_pdf(data, None)
    assert alone.intact and alone.covers_whole_file and not alone.trusted and not alone.ok
    assert alone.problems == ["no trusted certificates were given: the signer is not checked"]
    other = folder / "other.p12"
    create_identity("Other", "other@provider.eu", SECRET, other, key_type="ec")
    stranger = verify_pdf(data, [export_certificate(other, SECRET)])
    assert stranger.intact and not stranger.trusted
    assert stranger.problems == [f"the signer's certificate is not trusted ({stranger.signer})"]


def test_page_text_survives_signing(signed):
    text = run("pdftotext", "-layout", signed, "-")
    assert f"{PAGE_TEXT}, page 1" in text and f"{PAGE_TEXT}, page 2" in text


def test_visible_stamp_sits_in_the_box_on_its_page(signed):
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed.read_bytes()))
    fields = reader.root["/AcroForm"]["/Fields"]
    assert len(fields) == 1
    field = fields[0]
    assert field["/FT"] == "/Sig" and field["/T"] == "Signature1"
    assert [float(v) for v in field["/Rect"]] == pytest.approx([BOX.x1, BOX.y1, BOX.x2, BOX.y2])
    annots = reader.root["/Pages"]["/Kids"][BOX.page]["/Annots"]
    field_id = fields.raw_get(0).idnum
    assert field_id in [annots.raw_get(i).idnum for i in range(len(annots))]
    appearance = field["/AP"]["/N"]
    assert len(appearance.data) > 0
    # pyHanko sizes the appearance in whole points; viewers fit it to the exact /Rect.
    x1, y1, x2, y2 = (float(v) for v in appearance["/BBox"])
    size = (abs(x2 - x1), abs(y2 - y1))
    assert size == pytest.approx((BOX.x2 - BOX.x1, BOX.y2 - BOX.y1), abs=1)
    # The stamp's font travels with the file.
    assert re.search(r"[A-Z]{6}\+DejaVuSans\s+TrueType\s+\S+\s+yes", run("pdffonts", signed))


def dark_pixels(pdf: Path, page: int, box: SignatureBox) -> int:
    """Dark pixels inside the box once the page is rendered at 72 dpi (1 pixel per point)."""
    top = 841.89 - box.y2  # pdftoppm counts from the top of reportlab's default A4 page
    x, y, w, h = (str(round(n)) for n in (box.x1, top, box.x2 - box.x1, box.y2 - box.y1))
    pages = ["-f", str(page + 1), "-l", str(page + 1)]
    args = ["pdftoppm", "-r", "72", "-gray", *pages, "-x", x, "-y", y, "-W", w, "-H", h]
    done = subprocess.run([*args, str(pdf)], capture_output=True, timeout=60, check=True)
    magic, _width, _height, _maxval, pixels = done.stdout.split(maxsplit=4)
    assert magic == b"P5"
    return sum(1 for value in pixels if value < 128)


def test_stamp_is_drawn_in_the_box(signed, folder):
    unsigned = folder / "unsigned.pdf"
    unsigned.write_bytes(report_pdf())
    assert dark_pixels(unsigned, BOX.page, BOX) == 0
    assert dark_pixels(signed, BOX.page, BOX) > 300  # a frame and four lines of text


def test_one_flipped_byte_in_the_signed_range_is_a_digest_mismatch(signed, folder, cert_pem):
    data = signed.read_bytes()
    start, length, contents_end, _ = signed_ranges(data)
    at = data.index(b"ReportLab Generated PDF document")
    assert start <= at < start + length < contents_end  # signed, and not in /Contents
    tampered = bytearray(data)
    tampered[at] ^= 0x01
    path = folder / "tampered.pdf"
    path.write_bytes(bytes(tampered))
    assert "Signature Validation: Digest Mismatch." in run("pdfsig", path)
    verdict = verify_pdf(bytes(tampered), [cert_pem])
    assert verdict.signed and not verdict.intact and not verdict.ok
    assert verdict.problems == ["the signed content was changed after signing (digest mismatch)"]


def test_bytes_appended_after_signing_are_reported(signed, folder, cert_pem):
    added = b"\n% added later\n"
    data = signed.read_bytes() + added
    path = folder / "appended.pdf"
    path.write_bytes(data)
    assert "Not total document signed" in run("pdfsig", path)
    verdict = verify_pdf(data, [cert_pem])
    assert verdict.intact and verdict.trusted and not verdict.covers_whole_file
    assert not verdict.ok
    assert verdict.problems == [f"{len(added)} bytes were added to the file after signing"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (report_pdf(1), "the PDF has no signature"),
        (b"not a pdf at all", "the file cannot be read as a PDF"),
        (b"%PDF-1.7\n" + b"\x00" * 64, "the file cannot be read as a PDF"),
    ],
)
def test_unsigned_or_unreadable_files_get_a_verdict(data, problem):
    verdict = verify_pdf(data, None)
    assert not verdict.signed and not verdict.intact and not verdict.trusted
    assert verdict.problems[0].startswith(problem)
    assert verdict.sha256 == hashlib.sha256(data).hexdigest()


def test_a_truncated_signed_file_gets_a_verdict(signed, cert_pem):
    data = signed.read_bytes()
    verdict = verify_pdf(data[: len(data) * 2 // 3], [cert_pem])
    assert not verdict.ok and verdict.problems


def test_ec_identity_signs_too_and_a_second_signature_gets_its_own_field(folder, signed):
    ec_file = folder / "bo.p12"
    create_identity("Bo Board", "bo@provider.eu", SECRET, ec_file, key_type="ec")
    twice = sign_pdf(
        signed.read_bytes(),
        ec_file,
        SECRET,
        SignatureBox(0, 72, 72, 272, 122),
        reason="",
        location=None,
        signer_name="Bo Board",
    )
    path = folder / "twice.pdf"
    path.write_bytes(twice)
    text = run("pdfsig", path)
    assert text.count("Signature Validation: Signature is Valid.") == 2
    assert "Signature Field Name: Signature2" in text
    verdict = verify_pdf(twice, [export_certificate(ec_file, SECRET)])
    assert verdict.ok and verdict.signer == "Bo Board <bo@provider.eu>"


def test_signing_refusals_name_the_problem_never_the_passphrase(identity, tmp_path):
    pdf = report_pdf(1)

    def refused(**changes) -> str:
        args = {
            "pdf": pdf,
            "identity": identity,
            "passphrase": SECRET,
            "box": SignatureBox(0, 72, 72, 272, 122),
            "reason": "r",
            "location": None,
            "signer_name": NAME,
        }
        args.update(changes)
        with pytest.raises(ValidationError) as caught:
            sign_pdf(**args)
        assert SECRET not in str(caught.value) and "wrong-one" not in str(caught.value)
        return str(caught.value)

    assert refused(passphrase="wrong-one") == f"the passphrase for {identity} is wrong"
    missing = tmp_path / "gone.p12"
    assert refused(identity=missing) == f"identity file {missing} does not exist"
    assert refused(box=SignatureBox(3, 72, 72, 272, 122)) == (
        "signature page 4 is not in the PDF (1 pages)"
    )
    assert "is empty" in refused(box=SignatureBox(0, 272, 72, 72, 122))
    assert "signer name is empty" in refused(signer_name=" \n ")
    assert "cannot be read" in refused(pdf=b"not a pdf")

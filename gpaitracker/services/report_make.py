"""Make a board report: read the register, lay out the PDF, sign it, save it, record it.

The record is written last, with the SHA-256 of the very bytes saved: a cancelled or failed
report leaves no record and no file behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from gpaitracker import paths
from gpaitracker.errors import Cancelled, ValidationError
from gpaitracker.reports.pdf import write_whole
from gpaitracker.services.report_export import record_report, report_inputs
from gpaitracker.services.workspace import Workspace


class MadeReport(NamedTuple):
    number: int
    path: Path
    sha256: str
    signer: str  # "" when unsigned
    size: int  # bytes


def make_report(
    ws: Workspace,
    out: Path,
    *,
    as_of: dt.date | None = None,
    model_ids: tuple[int, ...] | None = None,
    identity: Path | None = None,
    passphrase: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> MadeReport:
    """Write the report for as_of (default today) to out, signed when identity is given."""
    from gpaitracker.reports.pdf import build_pdf

    if identity is not None and not passphrase:
        raise ValidationError(f"the passphrase for {identity} is empty: it is needed to sign")
    if not out.parent.is_dir():
        raise ValidationError(f"folder {out.parent} does not exist: choose where to save")
    actor = ws.actor()
    data, figures = ws.read(
        report_inputs,
        as_of=as_of or dt.date.today(),
        model_ids=model_ids,
        prepared_by=f"{actor.name} <{actor.email}>",
        cache_dir=paths.cache_dir(ws.home),
    )
    buffer = io.BytesIO()
    box = build_pdf(data, buffer, progress=progress, cancelled=cancelled)
    pdf = buffer.getvalue()
    signer = ""
    if identity is not None and passphrase:
        from gpaitracker.reports.identity import common_name, load_identity
        from gpaitracker.reports.signing import sign_pdf

        signer = common_name(load_identity(identity, passphrase, for_signing=True).certificate)
        pdf = sign_pdf(
            pdf,
            identity,
            passphrase,
            box,
            reason=f"Board report {data.number} as of {data.as_of.isoformat()}",
            location=None,
            signer_name=signer,
        )
    if cancelled is not None and cancelled():
        raise Cancelled("the report was cancelled: nothing was saved")
    digest = hashlib.sha256(pdf).hexdigest()
    write_whole(out, pdf)
    try:
        ws.write(
            record_report,
            data=data,
            model_ids=model_ids,
            signer=signer,
            pdf_sha256=digest,
            figures=figures,
        )
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return MadeReport(data.number, out, digest, signer, len(pdf))

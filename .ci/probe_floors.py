"""Check that the installed sqlmodel/SQLAlchemy/pydantic support what the core relies on.

Run it in a venv pinned to the lowest supported versions (.ci/lowest-constraints.txt);
it exits non-zero, naming the feature, when one of them is missing. With --floors it also
checks that the venv holds exactly those pins and that they are the floors in pyproject.toml.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import sys
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Field, Session, SQLModel, select

ROOT = Path(__file__).resolve().parents[1]
INDIRECT = {"pydantic"}  # pinned to test its lowest, but declared by sqlmodel, not by us


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def enum_column(enum: type[StrEnum]) -> sa.Enum:
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def define_tables() -> Any:
    """Declared here, not at import, so a version that rejects them is reported, not crashed."""

    class Versioned(SQLModel):
        version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
        updated_at: dt.datetime = Field(
            default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow}
        )

        @declared_attr  # type: ignore[misc]
        def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
            return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]

    class Thing(Versioned, table=True):
        __tablename__ = "thing"
        id: int | None = Field(default=None, primary_key=True)
        name: str = Field(max_length=20, unique=True)
        colour: Colour = Field(default=Colour.RED, sa_type=enum_column(Colour))
        extra: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
        at: dt.datetime = Field(default_factory=utcnow)

    return Thing


def main() -> None:
    Thing = define_tables()  # noqa: N806
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    SQLModel.metadata.create_all(engine)
    cols = Thing.__table__.c  # type: ignore[attr-defined]
    assert isinstance(cols.colour.type, sa.Enum) and cols.colour.type.length == 16, "Enum length"
    assert cols.colour.type.native_enum is False, "Enum native_enum=False"
    assert isinstance(cols.extra.type, sa.JSON), "Field(sa_type=JSON)"
    assert cols.version.server_default is not None, "Field(sa_column_kwargs=server_default)"
    assert cols.updated_at.onupdate is not None, "Field(sa_column_kwargs=onupdate)"
    assert Thing.__mapper__.version_id_col is cols.version, "version_id_col via declared_attr"
    # audit.verify_chain reads raw rows and converts them with the column type.
    assert hasattr(cols.at.type, "process_result_value"), "datetime fields as UTCDateTime"

    with Session(engine) as s:
        s.add(Thing(name="a", colour=Colour.GREEN, extra={"k": [1, 2]}))
        s.commit()
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT colour, extra, version FROM thing").one()
    assert stored[0] == "green", f"enum stored by value, got {stored[0]!r}"
    assert stored[2] == 1, "first version is 1"

    with Session(engine) as s1, Session(engine) as s2:
        a = s1.exec(select(Thing)).one()
        b = s2.exec(select(Thing)).one()
        assert a.colour is Colour.GREEN and a.extra == {"k": [1, 2]}, "enum/JSON read back"
        assert a.at.utcoffset() == dt.timedelta(0), "datetimes read back aware, in UTC"
        a.name = "a1"
        s1.commit()
        assert a.version == 2, "version bumped on update"
        b.name = "a2"
        try:
            s2.commit()
        except StaleDataError:
            pass
        else:
            raise AssertionError("stale update did not raise StaleDataError")

    with engine.connect() as conn:
        try:
            conn.execute(sa.insert(Thing.__table__).values(name="x", colour="blue"))  # type: ignore[attr-defined]
        except sa.exc.StatementError as exc:
            assert isinstance(exc.orig, LookupError), f"validate_strings: {exc.orig!r}"
        else:
            raise AssertionError("validate_strings accepted an unknown value")

    with Session(engine) as s:
        s.add(Thing(name="a1"))
        try:
            s.commit()
        except sa.exc.IntegrityError as exc:
            assert isinstance(exc.orig, sqlite3.Error), "DBAPI error is sqlite3.Error"
            assert exc.orig.sqlite_errorcode == sqlite3.SQLITE_CONSTRAINT_UNIQUE, "sqlite_errorcode"
        else:
            raise AssertionError("duplicate name was accepted")

    if sys.platform == "linux":  # paths.home_dir: the register's default folder
        os.environ["XDG_DATA_HOME"] = "/probe/data"
        got = platformdirs.user_data_dir("gpaitracker", appauthor=False)
        assert got == "/probe/data/gpaitracker", f"platformdirs ignores XDG_DATA_HOME: {got}"
        del os.environ["XDG_DATA_HOME"]
        got = platformdirs.user_data_dir("gpaitracker", appauthor=False)
        assert got == os.path.expanduser("~/.local/share/gpaitracker"), f"platformdirs: {got}"
    names = ("sqlmodel", "SQLAlchemy", "pydantic", "alembic", "platformdirs")
    print("probe ok:", ", ".join(f"{n} {version(n)}" for n in names))


def check_floors() -> None:
    """The venv holds exactly the pins, and each pin is the floor pyproject.toml declares."""
    text = (ROOT / ".ci" / "lowest-constraints.txt").read_text()
    lines = (raw.split("#", 1)[0].strip() for raw in text.splitlines())
    pins = dict(line.split("==", 1) for line in lines if "==" in line)
    pyproject = (ROOT / "pyproject.toml").read_text()
    for name, pin in pins.items():
        assert version(name) == pin, f"{name} {version(name)} installed, {pin} pinned"
        floor = re.search(rf'"{re.escape(name)}>=([^,"]+)', pyproject, re.I)
        if name in INDIRECT:
            continue
        assert floor, f"{name} has no >= floor in pyproject.toml"
        assert floor.group(1) == pin, f"{name}: pyproject floor {floor.group(1)}, pin {pin}"


if __name__ == "__main__":
    try:
        if "--floors" in sys.argv:
            check_floors()
        main()
    except Exception as exc:  # noqa: BLE001 (report any failure as a missing feature)
        print(f"probe FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)

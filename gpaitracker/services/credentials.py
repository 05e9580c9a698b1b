"""Team server connections: the URL from its parts, and passwords in the system keyring.

A password is kept only in the operating system's keyring (Secret Service, Keychain,
Windows Credential Locker), only when the user asks for it and a keyring is available;
never in a settings file.
"""

from __future__ import annotations

import importlib
from typing import Any

from gpaitracker.errors import ValidationError

SERVICE = "gpaitracker"
CONNECT_TIMEOUT_S = 10


def server_url(host: str, port: int, database: str, login: str, password: str) -> str:
    """The database URL of a team register (password included: keep it in memory only)."""
    from sqlalchemy.engine import URL

    for field, value in (("host", host), ("database", database), ("user", login)):
        if not value.strip() or any(ord(c) < 32 for c in value):
            raise ValidationError(f"{field} {value!r} is empty or has control characters")
    if not 1 <= port <= 65535:
        raise ValidationError(f"port {port} is not between 1 and 65535")
    url = URL.create(
        "postgresql+psycopg",
        username=login.strip(),
        password=password or None,
        host=host.strip(),
        port=port,
        database=database.strip(),
        query={"connect_timeout": str(CONNECT_TIMEOUT_S)},
    )
    return url.render_as_string(hide_password=False)


def _keyring() -> Any | None:
    """The keyring module when a real (not a fail or plaintext) backend is available."""
    try:
        keyring = importlib.import_module("keyring")
        backend = keyring.get_keyring()
    except Exception:  # not installed, or no backend on this system
        return None
    name = type(backend).__module__ + "." + type(backend).__name__
    if "fail" in name.lower() or "null" in name.lower() or "plaintext" in name.lower():
        return None
    if getattr(backend, "priority", 1) <= 0:
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def account(login: str, host: str, port: int, database: str) -> str:
    return f"{login}@{host}:{port}/{database}"


def saved_password(name: str) -> str | None:
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        found = keyring.get_password(SERVICE, name)
    except Exception:  # a locked or broken keyring: ask instead
        return None
    return found if isinstance(found, str) else None


def save_password(name: str, password: str) -> bool:
    """Keep the password in the keyring; False when there is none (nothing is written)."""
    keyring = _keyring()
    if keyring is None:
        return False
    try:
        keyring.set_password(SERVICE, name, password)
    except Exception:
        return False
    return True


def forget_password(name: str) -> None:
    keyring = _keyring()
    if keyring is None:
        return
    try:
        keyring.delete_password(SERVICE, name)
    except Exception:  # nothing was saved
        return

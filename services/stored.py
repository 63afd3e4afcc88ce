"""The programme's stored settings (written by `init`), read the one way."""

from __future__ import annotations

from typing import Any

from banso.engine.errors import StorageUnavailable
from banso.engine.phrase import Phrase
from banso.services.ports import UnitOfWork


def setting(uow: UnitOfWork, key: str, *, lock: bool = False) -> dict[str, Any]:
    """``contract`` or ``quota``; missing means the database was never set up."""
    value = uow.settings.get(key, lock=lock)
    if value is None:
        raise StorageUnavailable(
            Phrase("programme setting {key!r} is missing", key=key), needs_init=True
        )
    return value


def contract(uow: UnitOfWork) -> dict[str, Any]:
    return setting(uow, "contract")

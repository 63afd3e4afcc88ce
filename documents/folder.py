"""Generated files kept in a folder (services.ports.FileStore), for the embedded default."""

from __future__ import annotations

from pathlib import Path

from banso.engine.errors import InvalidValue
from banso.engine.phrase import Phrase


class FolderStore:
    """Writes each file once under ``root``; a name already taken gets `` (2)``, `` (3)`` …
    so that no version ever overwrites another."""

    def __init__(self, root: Path) -> None:
        # Absolute: the location is stored, and read back from wherever the daemon runs.
        self.root = root.resolve()

    def save(self, name: str, data: bytes) -> str:
        try:
            return self._save(name, data)
        except OSError as exc:
            raise InvalidValue(
                "documents_dir / --out",
                str(self.root),
                Phrase("a folder Banso may write into ({reason})", reason=exc.strerror),
            ) from exc

    def _save(self, name: str, data: bytes) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / name
        stem, suffix, n = path.stem, path.suffix, 1
        while True:
            try:
                with path.open("xb") as fh:  # "x": never over an existing file
                    fh.write(data)
                return str(path)
            except FileExistsError:
                n += 1
                path = self.root / f"{stem} ({n}){suffix}"

    def load(self, location: str) -> bytes:
        try:
            return Path(location).read_bytes()
        except OSError as exc:
            raise InvalidValue(
                "generated file",
                location,
                Phrase("a file still there ({reason})", reason=exc.strerror),
            ) from exc

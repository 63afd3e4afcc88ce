"""Generated files in a folder: never overwritten, found again from anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from banso.documents.folder import FolderStore
from banso.engine.errors import InvalidValue


def test_a_name_taken_twice_keeps_both_and_the_location_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = FolderStore(Path("var/documents"))
    first = store.save("体制図_第1版.docx", b"one")
    second = store.save("体制図_第1版.docx", b"two")
    assert Path(first).is_absolute() and first != second
    assert Path(second).name == "体制図_第1版 (2).docx"
    monkeypatch.chdir("/")
    assert (store.load(first), store.load(second)) == (b"one", b"two")


def test_a_folder_that_cannot_be_written_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InvalidValue, match="documents_dir"):
        FolderStore(blocker / "sub").save("a.docx", b"x")
    with pytest.raises(InvalidValue, match="generated file"):
        FolderStore(tmp_path).load(str(tmp_path / "gone.docx"))

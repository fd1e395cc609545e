"""The sign-off snapshot (the identified case summary stored with a signature) is rendered in
memory: an identified PDF never exists in clear on a disk or a RAM disk, even for a moment
(issue 12: "Encrypted: ... sign-off snapshots, anything temporary")."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

import exports.common
from exports.signoff import render_snapshot
from storage.demo import add_demo_cohort
from storage.repository import Repository


def _listing(folder: Path) -> set[str]:
    return set(os.listdir(folder)) if folder.is_dir() else set()


def test_the_snapshot_is_rendered_in_memory(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "clinic.sqlite"
    with Repository(db) as repo:
        add_demo_cohort(repo)
        settings = repo.scoring_settings()

        def no_files(*_args: object, **_kwargs: object) -> object:
            raise AssertionError("the snapshot must not be written to a file")

        monkeypatch.setattr(exports.common, "written_atomically", no_files)
        monkeypatch.setattr("exports.pdf_layout.written_atomically", no_files)
        monkeypatch.setattr(tempfile, "TemporaryDirectory", no_files)
        monkeypatch.setattr(tempfile, "mkstemp", no_files)
        watched = [tmp_path, Path(tempfile.gettempdir()), Path("/dev/shm")]
        before = [_listing(f) for f in watched]
        pdf = render_snapshot(repo, "DEMO-01", settings)
        assert [_listing(f) for f in watched] == before
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert pdf.startswith(b"%PDF") and "DEMO-01" in text
    assert "Demo" in text  # identified: the given name is on it

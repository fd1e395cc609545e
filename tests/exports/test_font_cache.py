"""Parsed font metrics are cached per user (issue 16: a cold report parsed both DejaVu faces,
and Droid Sans Fallback for a CJK name, every time). The cache must never change a report:
the same PDF, byte for byte, without it, when it is written and when it is read; a damaged or
foreign entry is parsed again; entries are owner-only and keyed by the font's bytes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from exports import fonts

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import datetime as dt, sys
sys.path[:0] = [{root!r}, {tests!r}]
from export_factory import make_patient
from exports import fonts, pdf, pdf_layout
from exports.common import summarise
from forms.settings import ScoringSettings
p = make_patient("P1", 6, seed=3, given_name="梅 Zoë", family_name="Li")
report = pdf._Report(summarise(p, ScoringSettings()), False)
pdf_layout.build(sys.argv[1], report.story(), title="t", running="t", author="tester",
                 generated=dt.datetime(2026, 1, 2, 3, 4))
print(fonts.fallback_registered())
"""


def _report(tmp_path: Path, name: str, cache: str) -> bytes:
    out = tmp_path / name
    code = SCRIPT.format(root=str(ROOT), tests=str(ROOT / "tests" / "exports"))
    env = dict(os.environ, **{fonts.CACHE_ENV: cache})
    done = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True,
                          text=True, check=True, cwd=ROOT, env=env)
    assert done.stdout.strip() == "True"  # the CJK face went through the cache too
    return out.read_bytes()


@pytest.mark.slow
def test_the_same_pdf_without_the_cache_when_writing_it_and_when_reading_it(
        tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = _report(tmp_path, "plain.pdf", "")
    assert not cache.exists()
    written = _report(tmp_path, "cold.pdf", str(cache))
    entries = sorted(p.name for p in (cache / "fonts").iterdir())
    assert [e.split("-")[0] for e in entries] == ["DejaVuSans", "DejaVuSans",
                                                  "DroidSansFallbackFull"]
    read = _report(tmp_path, "warm.pdf", str(cache))
    assert plain == written == read
    assert b"/FontFile2" in read  # the subsets are still embedded from the font bytes


def test_a_cached_face_holds_what_parsing_holds(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fonts.CACHE_ENV, str(tmp_path))
    fonts.load_font("A", "DejaVuSans-Bold.ttf")  # parsed, then written
    cached = fonts.load_font("B", "DejaVuSans-Bold.ttf")
    parsed = TTFont("B", io.BytesIO(fonts.font_bytes("DejaVuSans-Bold.ttf")))
    # what no report reads is loaded on first use (a quarter of reading the entry)
    assert "glyphToChar" not in cached.face.__dict__
    assert cached.face.glyphToChar == parsed.face.glyphToChar
    assert sorted(cached.__dict__) == sorted(parsed.__dict__)
    assert sorted(cached.face.__dict__) == sorted(parsed.face.__dict__)
    for key, value in parsed.face.__dict__.items():
        if key == "_pdfScale":
            assert cached.face._pdfScale(1234) == value(1234)
        else:
            assert cached.face.__dict__[key] == value, key
            assert type(cached.face.__dict__[key]) is type(value), key
    assert cached.stringWidth("Study ID P00042", 9) == parsed.stringWidth("Study ID P00042", 9)
    (entry,) = (tmp_path / "fonts").iterdir()
    assert entry.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("damage", [b"", b"not marshal data", b"\xe9\x01\x00\x00\x00"])
def test_a_damaged_entry_is_parsed_again_and_rewritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes) -> None:
    monkeypatch.setenv(fonts.CACHE_ENV, str(tmp_path))
    fonts.load_font("A", "DejaVuSans.ttf")
    (entry,) = (tmp_path / "fonts").iterdir()
    good = entry.read_bytes()
    entry.write_bytes(damage)
    font = fonts.load_font("A", "DejaVuSans.ttf")
    assert font.stringWidth("CMAS", 9) > 0
    assert entry.read_bytes() == good


def test_a_damaged_deferred_part_is_parsed_from_the_font(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import marshal

    monkeypatch.setenv(fonts.CACHE_ENV, str(tmp_path))
    fonts.load_font("A", "DejaVuSans.ttf")
    (entry,) = (tmp_path / "fonts").iterdir()
    fmt, plain, names, _deferred = marshal.loads(entry.read_bytes())
    entry.write_bytes(marshal.dumps((fmt, plain, names, b"not marshal data")))
    cached = fonts.load_font("A", "DejaVuSans.ttf")
    parsed = TTFont("A", io.BytesIO(fonts.font_bytes("DejaVuSans.ttf")))
    assert cached.face.glyphToChar == parsed.face.glyphToChar
    with pytest.raises(AttributeError):
        cached.face.no_such_attribute  # noqa: B018 - the lookup is the test


def test_the_key_follows_the_font_bytes() -> None:
    data = fonts.font_bytes("DejaVuSans.ttf")
    assert fonts._cache_key(data) == fonts._cache_key(bytes(data))
    assert fonts._cache_key(data) != fonts._cache_key(data[:-1] + b"\x00")


def test_an_unwritable_cache_folder_still_gives_the_font(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    monkeypatch.setenv(fonts.CACHE_ENV, str(blocker / "fonts"))
    assert fonts.load_font("A", "DejaVuSans.ttf").stringWidth("x", 9) > 0


def test_font_bytes_read_from_the_package_folder_or_through_importlib(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from importlib.resources import files

    import resources

    shipped = (files("resources") / "fonts" / "DejaVuSans.ttf").read_bytes()
    assert fonts.font_bytes("DejaVuSans.ttf") == shipped
    assert resources.path("fonts", "DejaVuSans.ttf") == str(files("resources") / "fonts"
                                                            / "DejaVuSans.ttf")
    # a package whose folder cannot be read by path (a zip): importlib.resources still reads it
    monkeypatch.setattr(resources, "_FOLDER", tmp_path / "no")
    assert fonts.font_bytes("DejaVuSans.ttf") == shipped
    assert Path(resources.path("fonts", "DejaVuSans.ttf")).is_file()

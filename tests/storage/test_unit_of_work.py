"""The repository's public unit of work, and the split behind the ``Repository`` facade.

``storage.signoff`` and ``storage.accounts`` write their own tables through
``repo.unit_of_work()`` (connection, audit rows, a visit's derived values) instead of the
repository's private helpers; the repository itself is one module per concern.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from storage_samples import sample_patient

from storage import repository
from storage.audit_chain import verify_chain
from storage.repository import Repository, UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 1, 1)


def _private_uses(path: Path) -> list[str]:
    """``repo._name`` (or ``repository._name``) attribute uses in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sorted({f"{n.value.id}.{n.attr}" for n in ast.walk(tree)
                   if isinstance(n, ast.Attribute) and n.attr.startswith("_")
                   and not n.attr.startswith("__")
                   and isinstance(n.value, ast.Name) and n.value.id in ("repo", "repository")})


@pytest.mark.parametrize("module", ["storage/signoff.py", "storage/accounts.py"])
def test_storage_modules_beside_the_repository_use_no_repository_privates(module: str) -> None:
    assert _private_uses(ROOT / module) == []


def test_the_private_use_finder_finds_one(tmp_path: Path) -> None:
    # the check above can fail: a planted private access is found
    planted = ROOT / "storage" / "signoff.py"
    text = planted.read_text(encoding="utf-8") + "\n\ndef _x(repo):\n    repo._write()\n"
    tmp = tmp_path / "planted.py"
    tmp.write_text(text, encoding="utf-8")
    assert _private_uses(tmp) == ["repo._write"]


def test_a_unit_of_work_commits_its_writes_and_audit_rows_together(repo: Repository) -> None:
    with repo.unit_of_work() as uow:
        assert isinstance(uow, UnitOfWork)
        assert uow.conn.in_transaction
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('x_test', '1')")
        rid = uow.rows("SELECT rowid AS r FROM settings WHERE key = 'x_test'")[0]["r"]
        uow.audit("nurse", "2026-01-01T00:00:00.000Z", "insert", "settings", rid,
                  [("x_test", None, "1")], "setting x_test")
    assert not repo.db.conn.in_transaction
    history = repo.audit_history("settings", rid)
    assert [(h.field, h.new) for h in history] == [("x_test", "1")]
    verify_chain(repo.db.conn)


def test_a_failing_unit_of_work_leaves_nothing(repo: Repository) -> None:
    before = repo.db.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    with pytest.raises(RuntimeError), repo.unit_of_work() as uow:
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('x_test', '1')")
        uow.audit_as("nurse", "2026-01-01T00:00:00.000Z", "insert", "settings", 1,
                     [("x_test", None, "1")])
        raise RuntimeError("half-way")
    assert repo.db.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
    assert repo.db.conn.execute("SELECT 1 FROM settings WHERE key = 'x_test'").fetchone() is None


def test_units_of_work_nest_into_the_outer_transaction(repo: Repository) -> None:
    with pytest.raises(RuntimeError), repo.transaction():
        with repo.unit_of_work() as uow:
            uow.conn.execute("INSERT INTO settings (key, value) VALUES ('x_test', '1')")
        raise RuntimeError("the outer one fails")
    assert repo.db.conn.execute("SELECT 1 FROM settings WHERE key = 'x_test'").fetchone() is None


def test_refresh_visit_derived_through_the_unit_of_work(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "nurse", today=TODAY)
    m0 = patient.visits[0].id or 0
    repo.db.conn.execute("DELETE FROM derived_values WHERE visit_id = ?", (m0,))
    with repo.unit_of_work() as uow:
        uow.refresh_visit_derived(m0)
    assert "cmas_total" in repo.get_derived(m0)


def test_the_facade_keeps_its_api_and_each_part_is_one_concern() -> None:
    names = {n for n in dir(Repository) if not n.startswith("__")}
    for verb in ("add_patient", "save_visit", "get_derived", "refresh_derived", "get_settings",
                 "save_draft", "visit_history", "unit_of_work", "transaction", "list_patients"):
        assert verb in names
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "storage").glob("repo*.py")}
    assert "repository.py" in sizes and len(sizes) >= 8
    assert max(sizes.values()) < 700, sizes  # no part is the old 1,595-line room again
    assert repository.__all__

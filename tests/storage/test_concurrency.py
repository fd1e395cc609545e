"""Two connections on one file: writes wait for each other, a long lock gives a clear message,
and a process killed mid-import leaves a healthy file with every reported import in it."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from forms.model import Patient, Visit
from storage.database import check_database, connect
from storage.errors import KnownStorageError
from storage.repository import Repository

ROOT = Path(__file__).resolve().parents[2]


def test_two_connections_writing_at_once(db_path: Path) -> None:
    with Repository(db_path) as setup:
        setup.add_patient(Patient("A"), "setup")
        setup.add_patient(Patient("B"), "setup")
    errors: list[BaseException] = []
    n = 25

    def writer(study_id: str) -> None:
        try:
            with Repository(db_path) as repo:  # its own connection, as a second process would
                for i in range(n):
                    day = dt.date(2020, 1, 1) + dt.timedelta(days=i)
                    repo.save_visit(study_id, Visit(day, "unscheduled", values={
                        "phys_global": Decimal(i % 10)}), f"writer {study_id}")
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(sid,)) for sid in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Repository(db_path) as repo:
        assert [len(repo.get_patient(s).visits) for s in ("A", "B")] == [n, n]
        actors = {r[0] for r in repo.db.execute("SELECT DISTINCT actor FROM audit")}
        assert {"writer A", "writer B"} <= actors
    assert check_database(db_path).healthy


def test_a_writer_waits_for_a_short_lock(db_path: Path) -> None:
    locked = threading.Event()

    def hold_lock() -> None:  # another writer (its own connection, in its own thread)
        holder = connect(db_path)
        holder.conn.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(0.4)
        holder.conn.commit()
        holder.close()

    with Repository(db_path) as repo:
        repo.add_patient(Patient("A"), "setup")
        thread = threading.Thread(target=hold_lock)
        thread.start()
        assert locked.wait(10)
        started = time.monotonic()
        repo.save_visit("A", Visit(dt.date(2021, 1, 1)), "waiting writer")
        waited = time.monotonic() - started
        thread.join()
        assert waited >= 0.2
        assert len(repo.get_patient("A").visits) == 1


def test_a_long_lock_gives_a_clear_message(db_path: Path) -> None:
    with Repository(db_path) as setup:
        setup.add_patient(Patient("A"), "setup")
    holder = connect(db_path)
    holder.conn.execute("BEGIN IMMEDIATE")
    try:
        with Repository(db_path, busy_timeout_ms=200) as repo:
            with pytest.raises(KnownStorageError) as info:
                repo.save_visit("A", Visit(dt.date(2021, 1, 1)), "blocked writer")
            assert info.value.kind == "locked"
            assert "is busy: another JDM Capture window or command is writing" in str(
                info.value)
    finally:
        holder.conn.rollback()
        holder.close()
    with Repository(db_path) as repo:
        assert repo.get_patient("A").visits == []


def test_readers_see_the_last_commit_while_a_write_is_open(db_path: Path) -> None:
    with Repository(db_path) as writer, Repository(db_path) as reader:
        writer.add_patient(Patient("A"), "setup")
        with writer.transaction():
            writer.add_patient(Patient("B"), "setup")
            assert [p.study_id for p in reader.list_patients()] == ["A"]  # WAL: not blocked
        assert [p.study_id for p in reader.list_patients()] == ["A", "B"]


CHILD = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from storage.casefile import import_case_file
    from storage.repository import Repository

    db, folder = Path(sys.argv[1]), Path(sys.argv[2])
    with Repository(db) as repo:
        i = 0
        while True:
            path = folder / f"k{{i}}.json"
            visits = [{{"visit_date": f"2020-{{m:02d}}-01", "visit_label": "unscheduled",
                        "values": {{"phys_global": m % 10, "cmas_leg_raise": m % 3,
                                    "mmt_neck_flexors": m % 11, "ck": 100 + m}}}}
                      for m in range(1, 13)]
            path.write_text(json.dumps({{"format": "jdm-capture-cases", "version": 1,
                "patients": [{{"study_id": f"K{{i:05d}}", "visits": visits}}]}}))
            import_case_file(repo, path, "kill test")
            print(f"ok {{i}}", flush=True)
            i += 1
""")


@pytest.mark.slow
def test_kill_during_imports_leaves_a_healthy_file(tmp_path: Path) -> None:
    db = tmp_path / "kill.sqlite"
    Repository(db).close()
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT)))
    reported: list[int] = []
    with subprocess.Popen([sys.executable, str(script), str(db), str(tmp_path)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stderr is not None
        deadline = time.monotonic() + 120
        while len(reported) < 20 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            reported.append(int(line.split()[1]))
        time.sleep(0.03)  # let it get into the middle of the next import
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        # what the child printed after our last read was reported too
        reported += [int(x.split()[1]) for x in child.stdout.read().splitlines()
                     if x.startswith("ok ")]
        errors = child.stderr.read()
    assert child.returncode == -signal.SIGKILL
    assert len(reported) >= 20, errors
    report = check_database(db)
    assert report.healthy, report.problems
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", "--db", str(db)],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    with Repository(db) as repo:
        for i in reported:
            patient = repo.get_patient(f"K{i:05d}")
            assert len(patient.visits) == 12
            assert patient.visits[-1].values["ck"] == 112
        # an import that did not report success is either all there or not there at all
        ids = {p.study_id: len(p.visits) for p in repo.iter_patients()}
        assert set(ids.values()) == {12}
        assert len(ids) in (len(reported), len(reported) + 1)


def test_command_line_import_while_another_process_saves(db_path: Path) -> None:
    """The GUI open (this process, saving visits) while `main.py import` runs in another."""
    with Repository(db_path) as repo:
        repo.add_patient(Patient("GUI"), "setup")
        files = []
        for i in range(4):
            path = db_path.parent / f"cli{i}.json"
            path.write_text(json.dumps({"format": "jdm-capture-cases", "version": 1, "patients": [
                {"study_id": f"CLI{i}", "visits": [
                    {"visit_date": f"2020-{m:02d}-01", "values": {"phys_global": m % 10}}
                    for m in range(1, 13)]}]}))
            files.append(str(path))
        with subprocess.Popen([sys.executable, str(ROOT / "main.py"), "import", "--db",
                               str(db_path), *files], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) as child:
            for i in range(40):
                day = dt.date(2019, 1, 1) + dt.timedelta(days=i)
                repo.save_visit("GUI", Visit(day, values={"phys_global": Decimal(i % 10)}),
                                "gui user")
            out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert out.count("imported 1 patients") == 4
        assert len(repo.get_patient("GUI").visits) == 40
        assert [len(repo.get_patient(f"CLI{i}").visits) for i in range(4)] == [12] * 4
    assert check_database(db_path).healthy

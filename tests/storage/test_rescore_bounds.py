"""A database scored by the old rules (tis@1, no bounds) is rescored on open: the new rule
versions (instruments.md revised 0.3/0.5/0.6) reach every stored response, bounds included."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal as D
from pathlib import Path

from forms import registry, scoring
from forms.model import Patient, Visit
from storage.repository import Repository

NECK = registry.MMT_AXIAL[0]


def test_old_scores_are_recomputed_with_bounds(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    base = {"phys_global": D(7), NECK: 8, **{n: 6 for n in registry.mmt8_side_names("r")}}
    follow = {"phys_global": D(2), NECK: 5, **{n: 10 for n in registry.mmt8_side_names("r")}}
    with Repository(db) as repo:
        repo.add_patient(Patient("P1"), "t")
        repo.save_visit("P1", Visit(dt.date(2024, 1, 1), "M0", values=base), "t")
        vid = repo.save_visit("P1", Visit(dt.date(2024, 4, 1), "M3", values=follow), "t").id
    # make it look like a file written before the revision: old versions, no bounds
    con = sqlite3.connect(db)
    with con:
        con.execute("DELETE FROM derived_values WHERE field IN ('acr_eular_response_min', "
                    "'acr_eular_response_max', 'printo_response_worst', "
                    "'printo_response_best', 'tis_parent_measure')")
        con.execute("UPDATE derived_values SET rule_version = 'tis@1 (old)' WHERE field = 'tis'")
        con.execute("UPDATE settings SET value = 'old' WHERE key = '_derived_fingerprint'")
    con.close()
    with Repository(db) as repo:
        stored = repo.get_derived(vid)
    assert stored["tis"].rule_version == scoring.RULE_VERSIONS["tis"]
    assert stored["tis"].rule_version.startswith("tis@2")
    # PhGA 7 -> 2 = 20 points, MMT-8 50 -> 75 = 32.5: 52.5 moderate; 4 rows missing, +47.5 max
    assert stored["acr_eular_response"].value == "indeterminate"
    assert stored["acr_eular_response_min"].value == "moderate"
    assert stored["acr_eular_response_max"].value == "major"
    assert stored["printo_response_worst"].value is not None
    assert stored["tis_parent_measure"].value == "parent_global"

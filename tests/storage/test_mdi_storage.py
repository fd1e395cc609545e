"""The Myositis Damage Index in storage (issue 11): migration m030 builds ``values_mdi`` with
the registry's columns and CHECKs and the sign-off triggers every per-visit table has; a visit's
MDI values round-trip and its totals are stored as derived values."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import sample_patient

from forms.instruments import mdi
from storage import migrations, schema
from storage.repository import Repository


def test_m030_is_the_latest_known_migration_and_builds_values_mdi(db_path: Path) -> None:
    assert "m030_mdi" in migrations.known_names()
    with Repository(db_path):
        pass
    con = sqlite3.connect(db_path)
    columns = [r[1] for r in con.execute('PRAGMA table_info("values_mdi")')]
    assert columns == ["visit_id", *(f.name for f in schema.value_fields("mdi"))]
    triggers = {r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'values_mdi'")}
    assert triggers == {"values_mdi_signed_insert", "values_mdi_signed_update",
                        "values_mdi_signed_delete"}
    # the CHECKs refuse what the registry refuses
    con.execute('INSERT INTO "patients" ("id", "study_id") VALUES (9, \'X9\')')
    con.execute('INSERT INTO "visits" ("id", "patient_id", "visit_date") VALUES (9, 9, '
                "'2022-01-01')")
    con.execute('INSERT INTO "values_mdi" ("visit_id", "mdi_alopecia") VALUES (9, \'na\')')
    for bad in ("2", "'yes'", "0.5"):
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(f'UPDATE "values_mdi" SET "mdi_alopecia" = {bad} WHERE "visit_id" = 9')
    with pytest.raises(sqlite3.IntegrityError):
        con.execute('UPDATE "values_mdi" SET "mdi_sev_muscle" = 10.5 WHERE "visit_id" = 9')
    con.close()


def test_mdi_values_round_trip_and_totals_are_stored(db_path: Path) -> None:
    patient = sample_patient()
    visit = patient.visits[0]
    visit.values.update(dict.fromkeys(mdi.ITEM_NAMES, 0))
    visit.values.update({"mdi_contractures": 1, "mdi_alopecia": "na"})
    visit.values.update(dict.fromkeys(mdi.SEVERITY_NAMES, Decimal(0)))
    visit.values["mdi_sev_skeletal"] = Decimal("1.5")
    with Repository(db_path) as repo:
        repo.add_patient(patient, "dr.a")
        vid = patient.visits[0].id or 0
    with Repository(db_path) as repo:
        saved = repo.get_patient("P01").visits[0]
        assert {k: v for k, v in saved.values.items() if k.startswith("mdi_")} == {
            k: v for k, v in visit.values.items() if k.startswith("mdi_")}
        derived = repo.get_derived(vid)
        assert derived["mdi_extent"].value == 1
        assert Decimal(str(derived["mdi_severity"].value)) == Decimal("1.5")
        assert derived["mdi_extent"].rule_version.startswith("mdi@1")

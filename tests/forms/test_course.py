"""forms.course: the baseline, its follow-ups, and each visit's scores and responses."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from forms import course, registry, response, scoring
from forms.fields import Level
from forms.model import Patient, Visit
from forms.settings import ScoringSettings

ROOT = Path(__file__).resolve().parents[2]
D1, D2, D3 = dt.date(2024, 1, 10), dt.date(2024, 4, 10), dt.date(2024, 7, 10)


def _v(day: dt.date, label: str, *, flag: bool = False, phys: str = "5", vid: int = 0) -> Visit:
    return Visit(day, label, baseline=flag, id=vid or None,
                 values={"phys_global": Decimal(phys), "parent_global": Decimal(phys),
                         "cmas_situps": 2})


def test_the_baseline_is_the_flagged_visit_else_the_earliest() -> None:
    m0, m3, m6 = _v(D1, "M0"), _v(D2, "M3"), _v(D3, "M6")
    assert course.baseline_of([m6, m3, m0]) is m0
    m3.baseline = True
    assert course.baseline_of([m6, m3, m0]) is m3
    m6.baseline = True  # two flags (an old file): the earliest flagged
    assert course.baseline_of([m6, m3, m0]) is m3
    assert course.baseline_of([]) is None
    assert Patient("P", visits=[m6, m3, m0]).baseline_visit() is m3


def test_follow_ups_are_strictly_after_the_baseline_date() -> None:
    m0, m3, m6 = _v(D1, "M0"), _v(D2, "M3", flag=True), _v(D3, "M6")
    assert course.follow_ups([m6, m0, m3]) == [m6]
    assert not course.is_follow_up(D1, m3)
    assert not course.is_follow_up(D2, m3)  # the baseline's own date
    assert course.is_follow_up(D3, m3)
    assert not course.is_follow_up(None, m3)
    assert not course.is_follow_up(D3, None)


def test_course_of_scores_every_visit_and_compares_follow_ups_only() -> None:
    m0, m3, m6 = _v(D1, "M0", phys="8"), _v(D2, "M3", flag=True, phys="6"), _v(D3, "M6",
                                                                            phys="2")
    settings = ScoringSettings()
    c = course.course_of(Patient("P", visits=[m6, m0, m3]), settings)
    assert [v.visit.visit_label for v in c.visits] == ["M0", "M3", "M6"]
    assert [v.day for v in c.visits] == [-91, 0, 91]
    assert [v.is_baseline for v in c.visits] == [False, True, False]
    assert [v.is_follow_up for v in c.visits] == [False, False, True]
    assert c.visits[0].response is None and c.visits[0].response_values() == {}
    assert c.visits[2].response == response.compare_visits(m3.values, m6.values, settings)
    assert c.visits[1].scores == scoring.score_visit(m3.values)
    assert c.follow_ups == (c.visits[2],)
    assert c.visits[2].response_values("M3")["baseline_label"] == "M3"


def test_stored_course_reads_stored_values_and_the_same_follow_ups() -> None:
    m0, m3, m6 = _v(D1, "M0"), _v(D2, "M3", flag=True), _v(D3, "M6")
    patient = Patient("P", visits=[m0, m3, m6])
    assert course.stored_course_of(patient, ScoringSettings()) is None  # nothing stored
    fresh = course.course_of(patient, ScoringSettings())
    for cv in fresh.visits:
        cv.visit.derived = {n: cv.scores[n].value for n in course.SCORE_FIELDS}
        cv.visit.derived.update(cv.response_values("M3"))
    stored = course.stored_course_of(patient, ScoringSettings())
    assert stored is not None
    assert [v.is_follow_up for v in stored.visits] == [False, False, True]
    assert stored.visits[0].stored_response is None
    assert stored.visits[2].response_values() == fresh.visits[2].response_values("M3")
    del m6.derived["acr_eular_response"]  # a follow-up without its stored response
    assert course.stored_course_of(patient, ScoringSettings()) is None


def test_editor_response_uses_the_same_rule() -> None:
    base = _v(D2, "M3", flag=True, vid=2)
    values = _v(D3, "M6").values
    kw = {"values": values, "settings": ScoringSettings()}
    assert course.editor_response(base, visit_id=None, flagged=False, visit_date=D3,
                                  **kw) is not None
    assert course.editor_response(base, visit_id=None, flagged=False, visit_date=D1,
                                  **kw) is None  # before the baseline
    assert course.editor_response(base, visit_id=2, flagged=False, visit_date=D3,
                                  **kw) is None  # the baseline itself, moved
    assert course.editor_response(base, visit_id=None, flagged=True, visit_date=D3,
                                  **kw) is None  # being made the baseline
    assert course.editor_response(None, visit_id=None, flagged=False, visit_date=D3,
                                  **kw) is None


def test_patient_field_values_cover_every_patient_field() -> None:
    patient = Patient("P1", sex="female", diagnosis_date=D1, autoantibody="tif1g",
                      identifiers={"given_name": "A", "family_name": "B", "mrn": "9",
                                   "birth_date": dt.date(2012, 1, 1)})
    values = patient.field_values()
    assert set(values) == {f.name for f in registry.fields_for(level=Level.PATIENT)}
    assert values["study_id"] == "P1" and values["autoantibody"] == "tif1g"


# The rule lives in forms.course alone: no other module restates it.
_RESTATED = ("baseline DESC", "min(flagged")


@pytest.mark.parametrize("folder", ["storage", "exports", "gui", "forms"])
def test_no_other_module_decides_the_baseline(folder: str) -> None:
    offenders = []
    for path in (ROOT / folder).rglob("*.py"):
        if path.name == "course.py" or path.name.startswith("_schema_m"):
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {s}" for s in _RESTATED if s in text]
        tree = ast.parse(text)
        for node in ast.walk(tree):  # "visit_date > base.visit_date" style comparisons
            if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(
                    node.ops[0], ast.Gt | ast.GtE):
                names = [ast.unparse(x) for x in (node.left, *node.comparators)]
                if all("visit_date" in n for n in names) and any("base" in n for n in names):
                    offenders.append(f"{path.name}: {' > '.join(names)}")
    assert offenders == []

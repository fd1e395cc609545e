"""Text limits and shapes, date bounds and cross-record date rules (forms.validation).

Every path (GUI typing via parse_text, JSON via check_field, xlsx cells via parse_text) goes
through these functions, so each rule is tested once here and once per path elsewhere.
"""

from __future__ import annotations

import datetime as dt

import pytest

from forms import registry, validation
from forms.fields import FieldType, Level
from forms.model import AdverseEvent, Medication, Patient, Visit

TODAY = dt.date(2026, 6, 1)
TEXT_FIELDS = [f for f in registry.FIELDS if f.type is FieldType.TEXT and not f.derived]
TEXT_KEYS = [(f.level, f.name) for f in TEXT_FIELDS]


def _field(key: tuple[Level, str]):  # noqa: ANN202
    """A text field by (level, name); ("visit", "visit_notes") is registry.VISIT_NOTES."""
    if key == (Level.VISIT, "visit_notes"):
        return registry.VISIT_NOTES
    return registry.get(key[1], key[0])


def _check(f: object, raw: object) -> list[str]:
    return [p.reason for p in validation.check_field(f, raw)[1]]  # type: ignore[arg-type]


@pytest.mark.parametrize("key", [*TEXT_KEYS, (Level.VISIT, "visit_notes")], ids=str)
def test_every_text_field_has_a_limit_that_is_enforced(key: tuple[Level, str]) -> None:
    f = _field(key)
    assert f.max_length
    too_long = "a" * (f.max_length + 1)
    reasons = _check(f, too_long) + [p.reason for p in validation.parse_text(f, too_long)[1]]
    assert reasons and all(f"longer than {f.max_length} characters" in r for r in reasons)


SINGLE_LINE = [(f.level, f.name) for f in TEXT_FIELDS if f.name != "notes"]


@pytest.mark.parametrize("key", SINGLE_LINE, ids=str)
@pytest.mark.parametrize("bad", ["ab\ncd", "ab\rcd", "ab\tcd", "ab\u2028cd"])
def test_single_line_fields_refuse_line_breaks(key: tuple[Level, str], bad: str) -> None:
    f = _field(key)
    if f.pattern:  # patterned fields refuse anything outside their pattern anyway
        assert _check(f, bad)
        return
    reasons = _check(f, bad)
    assert reasons and "one line" in reasons[0]


@pytest.mark.parametrize("key", [(Level.VISIT, "visit_notes"), (Level.MEDICATION, "notes")],
                         ids=str)
def test_multi_line_text_keeps_tab_lf_cr(key: tuple[Level, str]) -> None:
    f = _field(key)
    text = "line 1\r\nline 2\n\tindented"
    assert validation.check_field(f, text) == (text, [])


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85", "\x9b", "\u202e", "\u2066",
                                  "\ufeff", "\u200b", "\ud800"])
@pytest.mark.parametrize("name", ["notes", "term", "given_name"])
def test_control_and_format_characters_are_refused(char: str, name: str) -> None:
    f = (registry.get(name, Level.MEDICATION) if name == "notes"
         else registry.get(name, Level.ADVERSE_EVENT) if name == "term" else registry.get(name))
    reasons = _check(f, f"ab{char}cd")
    assert reasons, repr(char)
    assert f"U+{ord(char):04X}" in reasons[0] or "one line" in reasons[0]


def test_scripts_that_need_joiners_are_accepted() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside a Persian word
    assert validation.check_field("given_name", persian) == (persian, [])
    assert validation.check_field("given_name", "李梅") == ("李梅", [])


def test_a_huge_value_is_refused_with_a_short_message() -> None:
    problems = validation.check_field(_field((Level.VISIT, "visit_notes")), "x" * 1_000_000)[1]
    assert len(problems) == 1 and len(problems[0].message) < 120
    assert "1,000,000" in problems[0].message


@pytest.mark.parametrize("value", ["-P01", "--help", "-"])
def test_study_id_may_not_start_with_a_dash(value: str) -> None:
    assert _check("study_id", value)
    assert validation.parse_text("study_id", value)[1]


@pytest.mark.parametrize("value", ["-M3", "2021-03-04", "20210304", "04-03-2021", "2021_3_4",
                                   "M3-2021-03-04"])
def test_visit_label_refuses_a_leading_dash_and_dates(value: str) -> None:
    reasons = _check("visit_label", value)
    assert reasons, value


@pytest.mark.parametrize("value", ["M0", "M12", "W2", "flare-1", "extra_3", "P2b"])
def test_ordinary_labels_are_still_accepted(value: str) -> None:
    assert _check("visit_label", value) == []


@pytest.mark.parametrize("name", ["birth_date", "diagnosis_date", "visit_date"])
def test_no_date_after_2099(name: str) -> None:
    assert _check(name, "9999-12-31")
    assert _check(name, "2100-01-01")


def test_medication_dates_future_horizon_and_birth() -> None:
    born = dt.date(2012, 4, 12)

    def med(**dates: object) -> validation.RecordCheck:
        return validation.check_medication({"drug": "methotrexate", **dates},
                                           birth_date=born, today=TODAY)

    assert med(start_date=dt.date(9999, 12, 31)).errors
    assert med(start_date=TODAY + dt.timedelta(days=400)).errors
    planned = med(start_date=TODAY + dt.timedelta(days=30))
    assert planned.ok and planned.warnings and "planned" in planned.warnings[0].reason
    before_birth = med(start_date=dt.date(2011, 1, 1))
    assert before_birth.errors and "date of birth" in before_birth.errors[0].reason
    assert med(start_date=dt.date(2020, 1, 1), stop_date=dt.date(9999, 12, 31)).errors
    assert med(start_date=dt.date(2020, 1, 1)).ok


def test_adverse_event_dates_are_never_in_the_future() -> None:
    def ae(**dates: object) -> validation.RecordCheck:
        return validation.check_adverse_event({"term": "herpes zoster", **dates},
                                              birth_date=dt.date(2012, 4, 12), today=TODAY)

    assert ae(onset_date=dt.date(9999, 12, 31)).errors
    assert ae(onset_date=TODAY + dt.timedelta(days=1)).errors
    assert ae(onset_date=dt.date(2020, 1, 1), resolution_date=TODAY + dt.timedelta(days=3)).errors
    assert ae(onset_date=dt.date(2010, 1, 1)).errors
    assert ae(onset_date=dt.date(2020, 1, 1), resolution_date=TODAY).ok


def test_unlisted_term_and_drug_get_a_warning_not_an_error() -> None:
    check = validation.check_adverse_event({"term": "zoster; seen by Dr Roe",
                                            "onset_date": dt.date(2020, 1, 1),
                                            "related_drug": "tofacitinib"}, today=TODAY)
    assert check.ok
    assert [w.field for w in check.warnings] == ["term"]
    assert "'other'" in check.warnings[0].reason
    med = validation.check_medication({"drug": "Tofacitinib", "start_date": dt.date(2020, 1, 1)},
                                      today=TODAY)
    assert med.ok and not med.warnings


@pytest.mark.parametrize(("study_id", "mrn", "alike"), [
    ("H123456", "H123456", True), ("h-123456", "H123456", True), ("JDM123456", "123456", True),
    ("P123456X", "H-123456", True), ("P01", "H123456", False), ("JDM-0042", "H123456", False),
    ("1234", "99123400", True)])
def test_study_id_that_looks_like_the_mrn_is_warned(study_id: str, mrn: str,
                                                   alike: bool) -> None:
    check = validation.check_patient({"study_id": study_id, "mrn": mrn}, today=TODAY)
    assert check.ok
    assert any(w.field == "study_id" and "record number" in w.reason
               for w in check.warnings) is alike


def test_patient_date_problems_cover_every_record() -> None:
    born = dt.date(2015, 1, 1)
    p = Patient("P01", identifiers={"birth_date": born}, diagnosis_date=dt.date(2014, 1, 1),
                visits=[Visit(dt.date(2014, 6, 1), "M0"), Visit(dt.date(2027, 1, 1), "M3")],
                medications=[Medication("methotrexate", dt.date(2014, 5, 1)),
                             Medication("tofacitinib", dt.date(2020, 1, 1),
                                        stop_date=dt.date(9000, 1, 1))],
                adverse_events=[AdverseEvent(dt.date(2014, 7, 1), "cataract")])
    found = validation.patient_date_problems(p, today=TODAY)
    wheres = [w for w, _ in found]
    assert "visit 2014-06-01 (M0)" in wheres and "visit 2027-01-01 (M3)" in wheres
    assert "patient" in wheres
    assert any(w.startswith("medication methotrexate") for w in wheres)
    assert any(w.startswith("medication tofacitinib") for w in wheres)
    assert any(w.startswith("adverse event cataract") for w in wheres)
    assert all(p.is_error for _, p in found)


def test_visit_editor_state_checks_the_notes() -> None:
    from forms.entry import VisitState

    state = VisitState("P01", today=TODAY)
    state.set_text("visit_date", "2026-01-05")
    assert state.can_save
    state.set_notes("x" * 10_001)
    assert not state.can_save
    assert [p.field for p in state.errors()] == ["visit_notes"]
    state.set_notes("ok\x1b[31m")
    assert not state.can_save
    state.set_notes("two\nlines")
    assert state.can_save

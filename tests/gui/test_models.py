"""Every table model through qtmodeltester, plus the patient list filter and sort."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from forms.model import AdverseEvent, Medication, Patient, Visit
from forms.settings import ScoringSettings
from gui.models import (
    RECORD_ROLE,
    AdverseEventModel,
    AuditModel,
    FilterProxy,
    MedicationModel,
    PatientListModel,
    PatientRow,
    VisitTimelineModel,
)
from gui.patient_list import PatientListPage
from gui.patient_page import visit_rows
from gui.session import Session

ROWS = [
    PatientRow("P01", "female", Decimal("11.2"), 3, dt.date(2024, 5, 1), 40, 70, "major"),
    PatientRow("P02", "male", None, 0, None, None, None, None),
    PatientRow("X-10", "male", Decimal("6.0"), 1, dt.date(2023, 1, 9), 52, 80, "none"),
]


def _col(model: PatientListModel, key: str) -> int:
    return [c.key for c in model.columns].index(key)


def _patient() -> Patient:
    return Patient(
        "P01", "female", identifiers={"birth_date": dt.date(2012, 1, 1)},
        visits=[Visit(dt.date(2024, 1, 1), "M0", values={"phys_global": Decimal(7),
                                                         "ck": Decimal(900)}, id=1),
                Visit(dt.date(2024, 4, 1), "M3", values={"phys_global": Decimal(2)}, id=2)],
        medications=[Medication("methotrexate", dt.date(2024, 1, 1), Decimal(15), "mg/m2",
                                Decimal("0.143"), "sc", id=1)],
        adverse_events=[AdverseEvent(dt.date(2024, 2, 1), "nausea", 1, False, "methotrexate",
                                     "none", "resolved", dt.date(2024, 2, 3), id=1)])


def test_patient_list_model(qtmodeltester) -> None:
    model = PatientListModel()
    model.set_rows(ROWS)
    qtmodeltester.check(model)
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)


def test_visit_timeline_model(qtmodeltester) -> None:
    model = VisitTimelineModel()
    model.set_rows(visit_rows(_patient(), ScoringSettings()))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(1, 0).data(RECORD_ROLE).response is not None  # measured vs M0
    assert model.index(0, 0).data(RECORD_ROLE).response is None  # the baseline itself


def test_medication_and_adverse_event_models(qtmodeltester) -> None:
    p = _patient()
    meds = MedicationModel()
    meds.set_rows(p.medications)
    qtmodeltester.check(meds)
    events = AdverseEventModel()
    events.set_rows(p.adverse_events)
    qtmodeltester.check(events)
    assert "Subcutaneous" in [meds.index(0, c).data() for c in range(meds.columnCount())]


def test_audit_model_on_a_real_history(qtmodeltester, session: Session) -> None:
    visit = session.save_visit("P01", Visit(dt.date(2024, 1, 1), values={"ck": Decimal(300)}))
    session.save_visit("P01", Visit(dt.date(2024, 1, 1), values={"ck": Decimal(250)},
                                    id=visit.id))
    rows = session.visit_history(visit.id)
    model = AuditModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    ck_rows = [r for r in range(model.rowCount()) if model.index(r, 4).data().endswith("(ck)")]
    changes = [(model.index(r, 5).data(), model.index(r, 6).data()) for r in ck_rows]
    assert [tuple(Decimal(v) if v else None for v in c) for c in changes] == [
        (None, Decimal(300)), (Decimal(300), Decimal(250))]


def test_update_row_emits_data_changed(qtbot) -> None:
    model = PatientListModel()
    model.set_rows(ROWS)
    with qtbot.waitSignal(model.dataChanged):
        model.update_row(1, PatientRow("P02", "male", visits=2))
    assert model.index(1, _col(model, "visits")).data() == "2"


@pytest.mark.parametrize(("text", "expected"), [
    # "male" is a whole word: it no longer finds the female P01 (issue 14)
    ("p0", {"P01", "P02"}), ("male", {"P02", "X-10"}), ("x-1", {"X-10"}),
    ("2024-05", {"P01"}), ("p01 female", {"P01"}), ("nobody", set()),
])
def test_type_to_filter(qtbot, text: str, expected: set[str]) -> None:
    page = PatientListPage()
    qtbot.addWidget(page)
    page.set_rows(ROWS)
    qtbot.keyClicks(page.filter, text)
    shown = {page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())}
    assert shown == expected


def test_sort_by_native_values_not_text(qtbot) -> None:
    page = PatientListPage()
    qtbot.addWidget(page)
    page.set_rows([*ROWS, PatientRow("P03", "female", Decimal("9.5"))])
    age = _col(page.model, "age")
    page.table.sortByColumn(age, Qt.SortOrder.AscendingOrder)  # 6.0 < 9.5 < 11.2, then unknown
    ages = [page.proxy.index(r, age).data() for r in range(page.proxy.rowCount())]
    assert ages == ["6.0", "9.5", "11.2", ""]  # as text, "11.2" would sort first


def test_enter_in_filter_opens_the_first_match(qtbot) -> None:
    page = PatientListPage()
    qtbot.addWidget(page)
    page.set_rows(ROWS)
    qtbot.keyClicks(page.filter, "x-")
    with qtbot.waitSignal(page.patient_activated) as blocker:
        qtbot.keyClick(page.filter, Qt.Key.Key_Return)
    assert blocker.args == ["X-10"]

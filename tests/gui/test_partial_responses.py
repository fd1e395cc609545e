"""Partial responses read as what is known, never a bare "Indeterminate" (instruments.md
0.5/0.6): in the response panel, the patient page's visit table and the patient list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from forms import registry, response
from forms.model import Visit
from forms.settings import ScoringSettings
from gui.models import PatientListModel, VisitTimelineModel
from gui.panels import ResponsePanel
from gui.patient_page import visit_rows
from gui.session import Session

NECK = registry.MMT_AXIAL[0]
# PhGA 7 -> 2 (20 points), MMT-8 50 -> 75 (32.5), extramuscular 5 -> 4 (7.5), CK 1000 -> 1000
# (0): 60 = moderate; parent and CHAQ missing (max 10 + 10) -> 80 = major possible.
BASE = {"phys_global": D(7), NECK: 8, **{n: 6 for n in registry.mmt8_side_names("r")},
        "extramuscular_global": D(5), "ck": D(1000)}
FOLLOW = {"phys_global": D(2), NECK: 5, **{n: 10 for n in registry.mmt8_side_names("r")},
          "extramuscular_global": D(4), "ck": D(1000)}
EXPECTED = "At least moderate (major possible; 2 measures missing)"


def _save(session: Session) -> None:
    session.repo.save_visit("P01", Visit(dt.date(2024, 1, 10), "M0", values=dict(BASE)), "t")
    session.repo.save_visit("P01", Visit(dt.date(2024, 4, 10), "M3", values=dict(FOLLOW)), "t")


def test_response_panel_says_what_is_known(qtbot) -> None:
    panel = ResponsePanel()
    qtbot.addWidget(panel)
    resp = response.compare_visits(BASE, FOLLOW)
    panel.show_response(Visit(dt.date(2024, 1, 10), "M0", values=BASE), resp, resp.cid)
    text = panel.tis_label.text()
    assert EXPECTED in text
    assert "Missing: PtGA, CHAQ DI" in text
    assert "<b>60</b>" in text
    assert ">Indeterminate<" not in text and "<b>Indeterminate" not in text
    assert "Indeterminate" not in panel.printo_label.text().split("</h3>", 1)[1].split(
        "<table", 1)[0]


def test_visit_table_and_patient_list_show_the_bounds(qtbot, session: Session) -> None:
    _save(session)
    patient = session.get_patient("P01")
    model = VisitTimelineModel()
    model.set_rows(visit_rows(patient, ScoringSettings()))
    acr_col = next(i for i, c in enumerate(model.columns) if c.key == "acr")
    assert model.index(1, acr_col).data() == EXPECTED
    rows = session.patient_rows()
    assert (rows[0].response_min, rows[0].response_max, rows[0].tis_measures) == (
        "moderate", "major", 4)
    plist = PatientListModel()
    plist.set_rows(rows)
    col = next(i for i, c in enumerate(plist.columns) if c.key == "response")
    assert plist.index(0, col).data() == EXPECTED

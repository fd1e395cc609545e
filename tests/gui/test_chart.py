"""The QPainter trend chart: one strip per measure, drawn from forms' scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtGui import QColor, QImage

from forms.model import Patient, Visit
from forms.settings import ScoringSettings
from gui.chart import TrendChart
from gui.patient_page import trend_series, visit_rows


def _render(chart: TrendChart) -> QImage:
    chart.resize(800, 420)
    image = QImage(chart.size(), QImage.Format.Format_RGB32)
    chart.render(image)
    return image


def _has_colour(image: QImage, colour: str) -> bool:
    want = QColor(colour).rgb()
    return any(image.pixel(x, y) == want for x in range(0, image.width(), 1)
               for y in range(0, image.height(), 2))


def test_series_come_from_forms_and_are_drawn(qtbot) -> None:
    patient = Patient("P01", visits=[
        Visit(dt.date(2024, 1, 1), "M0", values={"phys_global": Decimal(8), "ck": Decimal(800),
                                                  "ck_uln": Decimal(200)}, id=1),
        Visit(dt.date(2024, 6, 1), "M6", values={"phys_global": Decimal(2), "ck": Decimal(100),
                                                  "ck_uln": Decimal(200)}, id=2)])
    series = trend_series(visit_rows(patient, ScoringSettings()), ScoringSettings())
    by_label = {s.label: s for s in series}
    assert [v for _, v in by_label["Physician global (0-10)"].points] == [8, 2]
    assert [v for _, v in by_label["CK / ULN"].points] == [4, Decimal("0.5")]
    assert all(v is None for _, v in by_label["CMAS (0-52)"].points)  # not assessed: no dot
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.set_series(series)
    image = _render(chart)
    assert _has_colour(image, by_label["Physician global (0-10)"].colour)
    assert not _has_colour(image, by_label["CMAS (0-52)"].colour)


def test_empty_chart_says_so(qtbot) -> None:
    chart = TrendChart()
    qtbot.addWidget(chart)
    image = _render(chart)
    assert image.width() == 800  # painted without data, no exception

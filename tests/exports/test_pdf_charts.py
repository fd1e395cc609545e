"""The report's drawings (exports.pdf_charts): a Chart draws on the page exactly what a
reportlab.graphics drawing of the same marks draws (issue 16 replaced those shape trees, whose
rendering was a third of a report's drawing time), rendered by poppler and compared pixel by
pixel; labels are extractable text, CJK runs in the fallback font; the report no longer
imports reportlab.graphics."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas as rl_canvas

from exports import fonts, pdf_charts
from exports.pdf_charts import Chart, Course, Series

ROOT = Path(__file__).resolve().parents[2]


def _charts() -> list[Chart]:
    series = Series("CMAS total (0-52)", [(0.0, 12), (1.0, None), (3.0, 26), (6.0, 31),
                                          (12.0, 45), (14.5, Decimal("44.5"))],
                    0.0, 52.0, [(48.0, "inactive: >= 48")], True)
    empty = Series("CK / ULN", [(0.0, None), (3.0, None)], 0.0, None, [(1.0, "ULN")], False)
    day = dt.date(2024, 1, 10)
    courses = [Course("Methotrexate", day - dt.timedelta(days=900), None),
               Course("托法替布 tofacitinib", day + dt.timedelta(days=60), None, highlight=True),
               Course("Prednisolone", day, day + dt.timedelta(days=200))]
    visits = [(day + dt.timedelta(days=d), label)
              for d, label in ((0, "M0"), (91, "M3"), (182, "M6"), (320, "复诊"))]
    steroid = [(d, v) for (d, _), v in zip(visits, (Decimal("2.0"), Decimal("0.979"), None,
                                                     Decimal("0.154")), strict=True)]
    return [pdf_charts.trend_chart(series, 260, 128, 15.0, 3.0, "tofacitinib"),
            pdf_charts.trend_chart(empty, 260, 128, 15.0),
            pdf_charts.timeline(courses, visits, steroid, 500, dt.date.isoformat),
            pdf_charts.cohort_chart("MMT-8 total (0-80), a title long enough to wrap onto "
                                    "a second line", ["M0", "M3", "M6"],
                                    [[10, 20, None], [None, 30, 40], [5, 6, 7]],
                                    [Decimal(10), 20, None], 260, 180, y_max=80.0,
                                    higher_is_better=True)]


def _as_graphics(chart: Chart) -> Any:
    """The same marks as a reportlab.graphics Drawing (what the charts were until issue 16)."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String

    d = Drawing(chart.width, chart.height)
    for op in chart.ops:
        kind = op[0]
        if kind == pdf_charts._TEXT:
            _k, color, font, size, x, y, run = op
            d.add(String(x, y, run, fontName=font, fontSize=size, fillColor=color))
            continue
        _k, color, width, dash = op[:4]
        style: dict[str, Any] = {"strokeColor": color, "strokeWidth": width}
        if kind == pdf_charts._LINE:
            d.add(Line(*op[4:], strokeDashArray=list(dash) if dash else None, **style))
        elif kind == pdf_charts._POLY:
            d.add(PolyLine(list(op[4]), **style))
        elif kind == pdf_charts._CIRCLE:
            d.add(Circle(*op[5:], fillColor=op[4], **style))
        else:
            d.add(Rect(*op[5:], fillColor=op[4], **style))
    return d


def _page(draw: Any, charts: list[Chart]) -> bytes:
    out = io.BytesIO()
    c = rl_canvas.Canvas(out, pagesize=A4, invariant=1)
    y = A4[1] - 40
    for chart in charts:
        y -= chart.height + 10
        draw(chart, c, 40, y)
    c.showPage()
    c.save()
    return out.getvalue()


def _render(pdf: bytes, tmp_path: Path, name: str) -> bytes:
    src = tmp_path / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", str(src), str(tmp_path / name)],
                   check=True, capture_output=True, timeout=60)
    return next(tmp_path.glob(f"{name}*.pgm")).read_bytes()


def test_a_chart_draws_what_the_graphics_shapes_drew(tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    from reportlab.graphics import renderPDF

    charts = _charts()
    ours = _page(lambda ch, c, x, y: ch.drawOn(c, x, y), charts)
    theirs = _page(lambda ch, c, x, y: renderPDF.draw(_as_graphics(ch), c, x, y), charts)
    a, b = _render(ours, tmp_path, "chart"), _render(theirs, tmp_path, "shapes")
    assert len(a) - a.count(255) > 20_000, "the charts are drawn (not a blank page)"
    assert a == b


def test_chart_labels_are_text_in_the_fonts_that_have_their_glyphs() -> None:
    fonts.register_fallback()
    reader = pypdf.PdfReader(io.BytesIO(_page(lambda ch, c, x, y: ch.drawOn(c, x, y),
                                              _charts())))
    text = reader.pages[0].extract_text()
    for label in ("CMAS total (0-52)", "higher = better", "inactive: >= 48", "tofacitinib",
                  "months from baseline", "not measured", "ULN", "托法替布", "复诊",
                  "start 2024-03-10", "since 2021-07-24", "0.979", "3 children; black: "
                  "median", "Oral steroid", "second line"):
        assert label in text, label
    used = {str(f.get_object()["/BaseFont"]) for f in
            reader.pages[0]["/Resources"]["/Font"].values()}
    assert any(name.endswith("+DejaVuSans") for name in used), used
    assert any(name.endswith("+DejaVuSans-Bold") for name in used), used
    assert any("DroidSansFallback" in name for name in used), used
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    assert "[1 2] 0 d" in content and "[4 2] 0 d" in content  # dotted cut-off, dashed start


def test_the_report_does_not_import_reportlab_graphics(tmp_path: Path) -> None:
    code = (f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests' / 'exports')!r}]\n"
            "from export_factory import make_patient\n"
            "from exports.pdf import write_patient_report\n"
            "from forms.settings import ScoringSettings\n"
            "write_patient_report(make_patient('P1', 4, seed=1), sys.argv[1], "
            "deidentified=False, settings=ScoringSettings())\n"
            "print(sorted(m for m in sys.modules if m.startswith('reportlab.graphics')))\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.pdf")],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
    assert "Trends" in "".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "r.pdf")
                               .pages)


def test_colours_are_set_only_when_they_change() -> None:
    chart = Chart(100, 100)
    for i in range(10):
        chart.line(0, i, 100, i, color=colors.black, width=0.5)
    out = io.BytesIO()
    c = rl_canvas.Canvas(out)
    chart.drawOn(c, 0, 0)
    code = "\n".join(c._code)
    assert code.count(" RG") == 1 and code.count(" w") == 1 and code.count(" l S") == 10

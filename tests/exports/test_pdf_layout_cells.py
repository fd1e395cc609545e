"""Table cells of the PDF reports (exports.pdf_layout): a paragraph's line breaking is reused
only at the width it was made for, and a text cell that must split over a page splits."""

from __future__ import annotations

import io

import pypdf
from reportlab.platypus import Paragraph

from exports import pdf_layout

WORDS = " ".join(f"word{i}" for i in range(120))


def _lines(para: Paragraph) -> list[str]:
    return [" ".join(getattr(w, "text", w) for w in line.words) if hasattr(line, "words")
            else " ".join(line[1]) for line in para.blPara.lines]


def test_rewrap_at_another_width_breaks_lines_again() -> None:
    cached = pdf_layout.p(WORDS, "cell")
    sizes = [cached.wrap(w, 1000) for w in (100, 300, 100, 300, 300)]
    fresh = [pdf_layout.Paragraph(WORDS, pdf_layout.styles()["cell"]).wrap(w, 1000)
             for w in (100, 300, 100, 300, 300)]
    assert sizes == fresh
    assert sizes[0][1] > sizes[1][1]  # narrower is taller: the width was not ignored
    narrow = pdf_layout.Paragraph(WORDS, pdf_layout.styles()["cell"])
    narrow.wrap(300, 1000)
    assert _lines(cached) == _lines(narrow)


def test_wrap_again_after_a_split_measures_anew() -> None:
    para = pdf_layout.p(WORDS, "cell")
    para.wrap(150, 1000)
    halves = para.split(150, 60)
    assert len(halves) == 2
    whole = pdf_layout.Paragraph(WORDS, pdf_layout.styles()["cell"]).wrap(150, 1000)
    assert sum(h.wrap(150, 1000)[1] for h in halves) == whole[1]
    assert para.wrap(150, 1000) == whole  # split dropped its lines: wrapped again


def test_a_chinese_text_cell_taller_than_the_page_splits(tmp_path: object) -> None:
    """A cell the Latin font cannot draw stays a lazily parsed paragraph; when its row must
    continue on the next page, reportlab splits it by making new paragraphs of its class."""
    note = "甲氨蝶呤每周一次 注意肝功能 " * 400
    rows = [["Drug", "Notes"], [pdf_layout.text("Methotrexate"), pdf_layout.text(note)]]
    table = pdf_layout.data_table(rows, [100, 300])
    out = io.BytesIO()
    pdf_layout.build(out, [table], title="t", running="t")
    pages = pypdf.PdfReader(io.BytesIO(out.getvalue())).pages
    assert len(pages) >= 2
    text = "".join(page.extract_text() for page in pages)
    # every character printed once per repetition (a line, and so a page, may now end inside
    # a Chinese word: the CJK line breaking)
    assert all(text.count(ch) == 400 for ch in "甲氨蝶呤每周一次注意肝功能")


def test_plain_cells_keep_their_own_font_and_alignment() -> None:
    """Plain cells' per-cell styles are set with one command per run of neighbouring cells;
    each cell still gets exactly its own font and alignment."""
    styles = ["cell_bold", "cell", "cell_bold", "cell_bold_right", "cell_right", "cell_bold"]
    rows = [["a", "b", "c", "d", "e", "f"],
            [pdf_layout.text(f"v{i}", s) for i, s in enumerate(styles)],
            [pdf_layout.text(f"w{i}", s) for i, s in enumerate(reversed(styles))]]
    table = pdf_layout.data_table(rows, [60] * 6)
    for r, row_styles in ((1, styles), (2, list(reversed(styles)))):
        for c, style in enumerate(row_styles):
            cell = table._cellStyles[r][c]
            assert table._cellvalues[r][c] == f"{'vw'[r - 1]}{c}"  # drawn as a plain string
            assert cell.fontname == (pdf_layout.fonts.BOLD if "bold" in style
                                     else pdf_layout.fonts.REGULAR), (r, c)
            assert cell.alignment == ("RIGHT" if "right" in style else "LEFT"), (r, c)
    assert pdf_layout._runs_of([0, 2, 3, 5]) == [(0, 0), (2, 3), (5, 5)]


def test_a_chinese_word_gets_a_column_as_wide_as_it_prints() -> None:
    """A CJK word is measured in the fallback font it is printed in: the skin table's visit
    column of a Chinese report held 计划外访视 (unscheduled visit), which ran into the date."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pdf_layout.fonts.register_fallback()
    word = "计划外访视"
    printed = stringWidth(word, pdf_layout.fonts.FALLBACK, pdf_layout.BODY_PT)
    rows = [[pdf_layout.text(word, "cell_bold"), pdf_layout.text("2021-02-10")]]
    first, second = pdf_layout.fit_widths(rows, [45, 400])
    assert first >= printed + pdf_layout.CELL_PADDING
    assert first + second == 445  # the room is taken from the column with slack


def test_chinese_text_breaks_between_characters_and_tables_keep_their_width() -> None:
    """Chinese has no spaces: a line may end after any character. A wide Chinese table's
    columns no longer grow to fit whole words past the table's width (the response table
    of a Chinese report ran ~6 pt past the margin); Latin cells keep their Latin wrap."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pdf_layout.fonts.register_fallback()
    header = ["访视", "日期", "TIS (0-100)", "ACR/EULAR 2016", "指标", "PRINTO 2010",
              "疾病无活动（PRINTO）"]
    row = ["计划外访视", "2021-02-10", "45.0", "中度改善", "6 项中 6 项；CMAS（0-52）",
           "无 PRINTO 应答（缺 1 个变量，不影响结果）", "否（4 项中满足 0 项，1 项未知）"]
    widths = [40, 52, 40, 60, 80, 80, 60]
    rows = [list(header), [pdf_layout.text(c) for c in row]]
    table = pdf_layout.data_table(rows, widths)
    assert sum(table._colWidths) <= sum(widths) + 0.01
    width, _height = table.wrap(sum(widths), 2000)
    assert width <= sum(widths) + 0.01
    cell = rows[0][6]  # the header 疾病无活动（PRINTO）: one word wider than its column
    cell.wrap(table._colWidths[6] - pdf_layout.CELL_PADDING, 500)
    assert cell.style.wordWrap == "CJK"  # its word does not fit: broken inside it
    assert len(cell.blPara.lines) >= 2
    cell.wrap(400, 500)  # where every word fits, lines break between words as before
    assert cell.style.wordWrap != "CJK" and len(cell.blPara.lines) == 1
    mixed = pdf_layout.text("7.4 (7.3 至 7.5) n = 500")  # a Chinese cohort cell
    mixed.wrap(70, 500)  # its words all fit: it breaks at spaces, not after "n ="
    assert mixed.style.wordWrap != "CJK" and len(mixed.blPara.lines) >= 2

    # room enough: the visit label stays whole (the column grows rather than break 访视)
    whole = stringWidth("计划外访视", pdf_layout.fonts.FALLBACK, pdf_layout.BODY_PT)
    first, _second = pdf_layout.fit_widths([[pdf_layout.text("计划外访视"),
                                            pdf_layout.text("2021-02-10")]], [30, 400])
    assert first >= whole + pdf_layout.CELL_PADDING
    latin = pdf_layout.text("Unscheduled visit")
    assert latin.style is pdf_layout.styles()["cell"] and latin.style.wordWrap != "CJK"

"""Build hostile .xlsx files by hand (raw zip + XML), for tests and bench/bench_hostile_imports.py.

openpyxl only writes well-formed workbooks; an attacker does not. :func:`workbook` writes the
minimal parts a reader needs (content types, relationships, workbook, one XML part per sheet)
with any sheet XML given verbatim, so malformed XML, entities, NaN cells or a million rows can
be planted. Nothing here is committed as a file: every test generates what it needs.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

HEADER = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">'


def _col(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def cell(row: int, column: int, value: object) -> str:
    """One cell: text as an inline string, numbers as numbers, ``("raw", t, v)`` verbatim."""
    ref = f"{_col(column)}{row}"
    if isinstance(value, tuple):
        _, kind, raw = value
        return f'<c r="{ref}" t="{kind}"><v>{raw}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[Iterable[object]], first: int = 1) -> Iterator[str]:
    for number, values in enumerate(rows, start=first):
        cells = "".join(cell(number, i, v) for i, v in enumerate(values, start=1)
                        if v is not None)
        yield f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    yield HEADER + "<sheetData>"
    yield from rows_xml(rows)
    yield "</sheetData></worksheet>"


def workbook(path: Path, sheets: dict[str, Iterable[str] | str | bytes], *,
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Write a workbook whose sheet parts hold exactly the XML given (chunks are streamed)."""
    names = list(sheets)
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="'
                      'application/vnd.openxmlformats-officedocument.spreadsheetml.'
                      'worksheet+xml"/>' for i in range(1, len(names) + 1))
            + "</Types>"))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
            f'xmlns:r="{REL}"><sheets>'
            + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, n in enumerate(names, start=1))
            + "</sheets></workbook>"))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(names) + 1))
            + "</Relationships>"))
        for i, name in enumerate(names, start=1):
            content = sheets[name]
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                if isinstance(content, bytes):
                    out.write(content)
                elif isinstance(content, str):
                    out.write(content.encode())
                else:
                    for chunk in content:
                        out.write(chunk.encode())
    return path


PATIENTS = [["study_id", "sex"], ["P01", "female"]]
VISITS_HEADER = ["study_id", "visit_date", "visit_label", "weight_kg", "phys_global"]

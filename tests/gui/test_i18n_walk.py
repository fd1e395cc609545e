"""The whole GUI in Chinese: every page and dialog, no English word a user would read.

The walk opens the patient list, a patient's three tabs, every visit-entry page (with a typing
error and a warning showing), the response page, the calendar picker, the menus and every
dialog (settings, history, drafts, new patient/medication/adverse event, sign-off, unlock,
restore, import summary) and the message boxes (F1 shortcut list, about, first-launch demo
offer, delete confirmation), and reads every text a user can see: labels, buttons, group and
tab titles, combo-box items, list items, table headers and cells, placeholders, tooltips,
window titles, menu entries. Any word in Latin letters outside :data:`ALLOWED` (codes,
abbreviations as clinicians write them, units, key names) or the database's own data (names,
drugs typed by users) fails the test, naming where it was seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_samples import demo_window as open_demo_window
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from gui import i18n as gui_i18n
from gui.operations import help as help_ops
from gui.operations import records, startup

# slow: runs many child processes or dialogs (run first: tests/conftest.py)
pytestmark = pytest.mark.slow

#: words that stay as they are in Chinese text: instrument and lab abbreviations as clinicians
#: write them, units, the product and file-format names, key names, eponyms.
ALLOWED = set("""
SCIG CMAS MMT CHAQ CDASI TIS PRINTO ACR EULAR CID DAS CK ULN LDH AST ALT ESR CRP IgG MRI VAS MDAAT MDI
CHQ PF PhS PhGA PtGA EMGA DI IMACS JDM JAK IVMP CTCAE MedDRA TIF NXP MDA Mi SAE SRP HMGCR Jo JDM
Capture JSON Excel REDCap PDF SQLite sqlite db xlsx json pdf Kendall Gottron Gowers Bode Rider
Lazarevic Ruperto Ctrl Shift Alt PgDown PgUp Enter Tab Delete Esc Menu YYYY MM DD kg cm mg mL ug
IU mm h dL uL ukat kat L U g m na n/a x bilat act dam DEMO UTC CST GMT instruments md Left Right
Up Down F1 F10 English MB
""".split())  # noqa: SIM905 - a word list is easier to read and extend


def _codes() -> set[str]:
    """Field names and choice codes of the registry: codes, shown beside their labels."""
    from forms import registry  # noqa: PLC0415

    codes = {"baseline", "notes", "na"}
    for f in registry.FIELDS:
        codes.add(f.name)
        codes.update(str(c.code) for c in f.choices)
    return codes


CODES = _codes()

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_./'-]*")
_TAG = re.compile(r"<[^>]+>|&[a-z]+;")


def english_words(text: str, data_words: set[str]) -> list[str]:
    """Latin-letter words in ``text`` that are neither allowed nor the database's own data."""
    found = []
    for raw in _WORD.findall(_TAG.sub(" ", text)):
        word = raw.strip(".'-/")
        if len(word) < 2 or word in data_words or word in CODES:
            continue
        if any(ch.isdigit() or ch == "_" for ch in word):  # codes: M0, cmas_leg_raise, Mi-2
            continue
        if "." in word:  # file names: demo.sqlite, demo.before-restore
            continue
        parts = [p for p in re.split(r"[-/.']", word) if p]
        if all(p in ALLOWED or p.upper() in ALLOWED or len(p) < 2 for p in parts):
            continue
        found.append(word)
    return found


def widget_texts(top: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for everything a user can read in ``top`` and its children."""
    widgets = [top, *top.findChildren(QWidget)]
    for w in widgets:
        where = f"{type(top).__name__} > {type(w).__name__} {w.objectName()}".strip()
        if w.isWindow() and w.windowTitle():
            yield where + " title", w.windowTitle()
        if w.toolTip():
            yield where + " tooltip", w.toolTip()
        if isinstance(w, (QLabel, QAbstractButton)):
            yield where, w.text()
        elif isinstance(w, QGroupBox):
            yield where, w.title()
        elif isinstance(w, (QLineEdit, QPlainTextEdit)):
            yield where + " placeholder", w.placeholderText()
        elif isinstance(w, QTextEdit):
            yield where, w.toPlainText()
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                yield where + f" item {i}", w.itemText(i)
                tip = w.itemData(i, Qt.ItemDataRole.ToolTipRole)
                if tip:
                    yield where + f" item {i} tooltip", str(tip)
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                yield where + f" tab {i}", w.tabText(i)
                yield where + f" tab {i} tooltip", w.tabToolTip(i)
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                yield where + f" row {i}", w.item(i).text()
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            for c in range(model.columnCount()):
                head = model.headerData(c, Qt.Orientation.Horizontal,
                                        Qt.ItemDataRole.DisplayRole)
                if head:
                    yield where + f" header {c}", str(head)
            for r in range(min(model.rowCount(), 40)):
                for c in range(model.columnCount()):
                    index = model.index(r, c, QModelIndex())
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        value = model.data(index, role)
                        if isinstance(value, str) and value:
                            yield where + f" cell {r},{c}", value
        for action in w.actions():
            for text in (action.text(), action.toolTip(), action.statusTip()):
                if text:
                    yield where + " action", text


def menu_texts(window: QWidget) -> Iterator[tuple[str, str]]:
    for menu in window.menuBar().findChildren(QMenu):
        yield "menu", menu.title()
        for action in menu.actions():
            if action.text():
                yield f"menu {menu.title()}", action.text()
            if action.toolTip() and action.toolTip() != action.text().replace("&", ""):
                yield f"menu {menu.title()} tooltip", action.toolTip()


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    assert gui_i18n.install(qapp, "zh_CN") == "zh_CN"
    yield
    gui_i18n.uninstall()


@pytest.fixture
def demo_window(qtbot: Any, tmp_path: Path, chinese: None) -> Iterator[Any]:
    yield from open_demo_window(qtbot, tmp_path, "walk")  # after the translators


def _data_words(window: Any) -> set[str]:
    """Every word of the database's user-entered text and the file path: data, not UI."""
    words: set[str] = set()
    session = window.session
    texts: list[str] = [str(session.path)]
    for row in session.patient_rows():
        patient = session.get_patient(row.study_id)
        texts += [str(v) for v in patient.identifiers.values()]
        for m in patient.medications:
            texts += [m.drug, m.notes]
        for a in patient.adverse_events:
            texts += [a.term, a.related_drug or ""]
        for v in patient.visits:
            texts += [v.notes, str(v.values.get("assessor") or ""), v.visit_label or ""]
    for visit in (v for row in session.patient_rows()
                  for v in session.get_patient(row.study_id).visits):
        texts += [str(e.actor) for e in session.visit_history(visit.id or 0)]
    for text in texts:
        words.update(w.strip(".'-/") for w in _WORD.findall(text or ""))
    return words


class Walk:
    def __init__(self, data_words: set[str]) -> None:
        self.data_words = data_words
        self.problems: list[str] = []
        self.seen = 0

    def check(self, items: Iterator[tuple[str, str]]) -> None:
        for where, text in items:
            self.seen += 1
            bad = english_words(text, self.data_words)
            line = f"{where}: {bad} in {text[:120]!r}"
            if bad and line not in self.problems:
                self.problems.append(line)

    def read(self, widget: QWidget) -> None:
        QApplication.processEvents()
        self.check(widget_texts(widget))


def test_english_words_detector() -> None:
    assert english_words("访视 Visit date", set()) == ["Visit", "date"]
    assert english_words("CMAS 总分 52；MMT-8（0-80）；cmas_leg_raise；CK / ULN", set()) == []
    assert english_words("患者 Synthetic 04", {"Synthetic"}) == []
    assert english_words("<b>基线</b>：2022-10-10 (M0)", set()) == []


@pytest.mark.qt_log_ignore("does not support raise", "grabbing the keyboard", "propagateSizeHints",
                           "grabbing the mouse")
def test_every_page_and_dialog_reads_chinese(demo_window: Any, qtbot: Any,
                                             monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    from forms.fields import Level  # noqa: PLC0415
    from gui.dialogs import (  # noqa: PLC0415
        DraftsDialog,
        HistoryDialog,
        RecordDialog,
        SettingsDialog,
        SummaryDialog,
    )
    from gui.restore_dialog import RestoreDialog  # noqa: PLC0415
    from gui.signoff import SignOffDialog, UnlockDialog  # noqa: PLC0415
    from storage import backups  # noqa: PLC0415

    window = demo_window
    walk = Walk(_data_words(window))
    boxes: list[tuple[str, str]] = []

    def box(kind: str, answer: Any = QMessageBox.StandardButton.No) -> Any:
        def show(_parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
            boxes.append((f"message box ({kind}) {title}", title))
            boxes.append((f"message box ({kind}) {title}", text))
            return answer
        return staticmethod(show)

    for kind in ("information", "question", "warning", "critical", "about"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))

    # the patient list, the menus
    walk.read(window)
    walk.check(menu_texts(window))
    # the busiest demo patient's page and its tabs
    rows = window.session.patient_rows()
    busiest = max(rows, key=lambda r: r.visits)
    window.open_patient(busiest.study_id)
    for tab in range(window.patient_page.tabs.count()):
        window.patient_page.tabs.setCurrentIndex(tab)
        walk.read(window)
    window.patient_page.tabs.setCurrentIndex(0)
    # every visit-entry page of the last visit, then a typing error and a warning
    patient = window.patient
    last = patient.sorted_visits()[-1]
    window.open_visit(last.id)
    editor = window.editor
    for i in range(editor.nav.count()):
        editor.go_to_page(i)
        walk.read(window)
    editor.go_to_page(0)
    editor._edited("weight_kg", "3O")
    editor.widgets["weight_kg"].show_text("3O")
    editor._edited("steroid_mg_day", "70")
    editor.widgets["steroid_mg_day"].show_text("70")
    walk.read(window)
    calendar = editor.widgets["visit_date"].pick_date()
    walk.read(calendar.window())
    calendar.window().close()
    editor.discard()
    # the first visit (the baseline): its response page says why there is no comparison
    window.leave_editor()
    window.open_visit(patient.sorted_visits()[0].id)
    window.editor.go_to_page(window.editor.nav.count() - 1)
    walk.read(window)
    # dialogs
    settings = window.session.settings()
    dialogs: list[QWidget] = [
        SettingsDialog(settings.scoring, settings.assessor, window),
        HistoryDialog(window.tr("History of {what}").format(what=last.visit_date),
                      window.session.visit_history(last.id or 0), window),
        DraftsDialog([("k1", "DEMO-01")], window),
        RecordDialog(Level.PATIENT, window.tr("New patient"), None, window),
        RecordDialog(Level.MEDICATION, window.tr("Add medication"), None, window),
        RecordDialog(Level.ADVERSE_EVENT, window.tr("Add adverse event"), None, window),
        SignOffDialog("DEMO-01", "", [], window),
        UnlockDialog(window.editor.signoff_bar.label.text(), window),
        SummaryDialog(window.tr("Import spreadsheet"), window.tr(
            "Nothing was imported from {file}. Problems found: {n}. Correct them in the "
            "workbook and import it again.").format(file="x.xlsx", n=1), ["x.xlsx"],
            window.tr("Problems (sheet, row, column):"), window),
    ]
    copy = backups.online_backup(window.session.path, tmp_path / "backups" /
                                 "demo-20240522T023200Z.sqlite")
    dialogs.append(RestoreDialog(window.session.path, [backups.describe_backup(copy)], window))
    for dialog in dialogs:
        dialog.show()
        walk.read(dialog)
        dialog.close()
    # message boxes: the F1 shortcut list, about, the first-launch offer, a delete question
    help_ops.show_shortcuts(window)
    help_ops.about(window)
    startup.offer_demo(window)
    window.leave_editor()
    records.delete_visit(window, last.id)
    walk.check(iter(boxes))
    assert len(boxes) >= 8, boxes  # each of the four asked something
    assert walk.seen > 2000, walk.seen  # the walk really read the pages
    assert walk.problems == [], "\n".join(walk.problems[:80])

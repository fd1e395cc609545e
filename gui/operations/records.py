"""Patients, medications and adverse events: new, edit, change dose, and deleting a visit, a
medication or an adverse event after a confirmation that names it (storage audits the deletion
and refuses a signed visit). Plus the conversions between record dialogs and ``forms.model``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtWidgets import QMessageBox

from forms import registry
from forms.fields import Level
from forms.model import IDENTIFIER_KEYS, AdverseEvent, Medication, Patient
from gui.background import show_error
from gui.models import person_name
from gui.operations import tr as _tr

if TYPE_CHECKING:
    from gui.main_window import MainWindow

#: what the patient page's record signals carry
Record = Medication | AdverseEvent
R = TypeVar("R", Medication, AdverseEvent)
MEDICATION, ADVERSE_EVENT = "medication", "adverse_event"


def who(patient: Patient) -> str:
    """``DEMO-13 (Wang, Li)`` for titles: the study ID and the name."""
    name = person_name(str(patient.identifiers.get("given_name") or ""),
                       str(patient.identifiers.get("family_name") or ""))
    return f"{patient.study_id} ({name})" if name else patient.study_id


def _iso(day: object) -> str:
    return day.isoformat() if isinstance(day, dt.date) else str(day or "?")


# ------------------------------------------------------------------ patients
def new_patient(window: MainWindow) -> None:
    """Patient > New patient (Ctrl+Shift+N): the generated dialog, then the patient's page."""
    if window.session is None or not window.leave_editor_ok():
        return
    from gui.dialogs import RecordDialog  # noqa: PLC0415

    dialog = RecordDialog(Level.PATIENT, _tr("New patient"), None, window)
    if not dialog.exec():
        return
    patient = patient_from_values(dialog.values)
    try:
        window.session.add_patient(patient)
    except Exception as exc:  # noqa: BLE001 - the one error path shows it
        show_error(window, exc)
        return
    window.refresh_list()
    window.show_patient(window.session.get_patient(patient.study_id))


def edit_patient(window: MainWindow) -> None:
    """The patient page's Edit patient: the same dialog, filled."""
    if window.session is None or window.patient is None:
        return
    from gui.dialogs import RecordDialog  # noqa: PLC0415

    dialog = RecordDialog(Level.PATIENT, _tr("Edit patient"), patient_values(window.patient),
                          window)
    if not dialog.exec():
        return
    patient = patient_from_values(dialog.values)
    patient.id = window.patient.id
    try:
        window.session.update_patient(patient)
    except Exception as exc:  # noqa: BLE001
        show_error(window, exc)
        return
    window.show_patient(window.session.get_patient(patient.study_id))


def delete_patient(window: MainWindow) -> None:
    """Patient > Delete patient: the patient on screen, else the one selected in the list,
    after a confirmation naming them and what goes with them (visits, medications, adverse
    events; all audited). Storage refuses while one of their visits is signed off."""
    if window.session is None:
        return
    study_id = window.current_study_id()
    if not study_id:
        window.statusBar().showMessage(_tr("Choose a patient first."), 4000)
        return
    if not window.leave_editor_ok():
        return
    try:
        patient = window.session.get_patient(study_id)
    except LookupError as exc:
        show_error(window, exc)
        return
    what = _tr("patient {who} and everything recorded about them (visits: {visits}, "
               "medications: {meds}, adverse events: {events})").format(
        who=who(patient), visits=len(patient.visits), meds=len(patient.medications),
        events=len(patient.adverse_events))
    if not confirm_delete(window, _tr("Delete patient"), what):
        return
    try:
        window.session.delete_patient(study_id)
    except Exception as exc:  # noqa: BLE001 - a signed visit -> its plain message
        show_error(window, exc)
        return
    editor = window.built_editor
    if editor is not None and editor.state is not None and editor.state.study_id == study_id:
        editor.discard()  # the patient's visit open in the editor no longer exists
        editor.state = None
    window.patient = None
    window.show_list()
    window.statusBar().showMessage(_tr("Deleted patient {who}.").format(who=who(patient)), 6000)


# ------------------------------------------------------------------ medications, adverse events
def edit_record(window: MainWindow, kind: str, record: Record | None) -> None:
    """Add (``record`` None) or edit a medication or an adverse event of the open patient."""
    if window.session is None or window.patient is None:
        return
    level = Level.MEDICATION if kind == MEDICATION else Level.ADVERSE_EVENT
    title = {(MEDICATION, True): _tr("Add medication"),
             (MEDICATION, False): _tr("Edit medication"),
             (ADVERSE_EVENT, True): _tr("Add adverse event"),
             (ADVERSE_EVENT, False): _tr("Edit adverse event")}[(kind, record is None)]
    initial = record_values(record) if record is not None else None
    from gui.dialogs import RecordDialog  # noqa: PLC0415

    dialog = RecordDialog(level, title, initial, window)
    if not dialog.exec():
        return
    study_id = window.patient.study_id
    record_id = record.id if record is not None else None
    try:
        if kind == MEDICATION:
            med = record_from_values(Medication, dialog.values)
            med.id = record_id
            window.session.save_medication(study_id, med)
        else:
            event = record_from_values(AdverseEvent, dialog.values)
            event.id = record_id
            window.session.save_adverse_event(study_id, event)
    except Exception as exc:  # noqa: BLE001
        show_error(window, exc)
        return
    window.reload_patient()


def change_dose(window: MainWindow, record: Medication | None) -> None:
    """A taper step of the selected course: the new dose from a date."""
    if window.session is None or window.patient is None or record is None \
            or record.id is None:
        return
    initial = record_values(record)
    initial.update({"start_date": dt.date.today(), "stop_date": None, "dose": None})
    from gui.dialogs import RecordDialog  # noqa: PLC0415

    dialog = RecordDialog(Level.MEDICATION, _tr("Change dose: {drug}").format(
        drug=registry.drug_label(record.drug)), initial, window)
    if not dialog.exec():
        return
    try:
        window.session.change_dose(window.patient.study_id, record.id,
                                   record_from_values(Medication, dialog.values))
    except Exception as exc:  # noqa: BLE001
        show_error(window, exc)
        return
    window.reload_patient()


# ------------------------------------------------------------------ deleting
def confirm_delete(window: MainWindow, title: str, what: str) -> bool:
    """Ask before deleting ``what`` (No is the default)."""
    answer = QMessageBox.question(
        window, title,
        _tr("Delete {what}?\n\nThis cannot be undone here; the deletion is recorded "
            "in the audit trail.").format(what=what),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def delete_visit(window: MainWindow, visit_id: object = None) -> None:
    """Delete a saved visit after confirmation: ``visit_id``, else the visit open in the
    editor, else the one selected on the patient page. Storage refuses a signed visit."""
    if window.session is None or window.patient is None:
        return
    if visit_id is None or isinstance(visit_id, bool):  # a menu action's triggered(bool)
        editor = window.editor_on_screen()
        if editor is not None and editor.state is not None:
            visit_id = editor.state.visit_id
        elif window.on_patient_page():
            visit_id = window.patient_page.current_visit_id()
    visit = next((v for v in window.patient.visits if v.id == visit_id), None)
    if visit is None or visit.id is None:
        window.statusBar().showMessage(_tr("Choose a saved visit first."), 4000)
        return
    what = _tr("the visit of {date}{label} of patient {sid}").format(
        date=visit.visit_date.isoformat(),
        label=f" ({visit.visit_label})" if visit.visit_label else "",
        sid=window.patient.study_id)
    if not confirm_delete(window, _tr("Delete visit"), what):
        return
    try:
        window.session.delete_visit(visit.id)
    except Exception as exc:  # noqa: BLE001 - SignedVisitLocked -> its plain message
        show_error(window, exc)
        return
    editor = window.built_editor
    if editor is not None and editor.state is not None and editor.state.visit_id == visit.id:
        editor.discard()  # its draft goes too; the visit no longer exists
        editor.state = None
    window.reload_patient()
    window.statusBar().showMessage(_tr("Deleted {what}.").format(what=what), 6000)


def delete_record(window: MainWindow, kind: str, record: Record | None) -> None:
    """Delete a medication or adverse event after confirmation (audited)."""
    if window.session is None or window.patient is None or record is None \
            or record.id is None:
        return
    sid = window.patient.study_id
    if isinstance(record, Medication):
        title = _tr("Delete medication")
        what = _tr("the medication {drug} started {start} of patient {sid}").format(
            drug=record.drug, start=_iso(record.start_date), sid=sid)
    else:
        title = _tr("Delete adverse event")
        what = _tr("the adverse event {term} of {onset} of patient {sid}").format(
            term=record.term, onset=_iso(record.onset_date), sid=sid)
    if not confirm_delete(window, title, what):
        return
    try:
        if isinstance(record, Medication):
            window.session.delete_medication(record.id)
        else:
            window.session.delete_adverse_event(record.id)
    except Exception as exc:  # noqa: BLE001 - the one error path shows it
        show_error(window, exc)
        return
    window.reload_patient()
    window.statusBar().showMessage(_tr("Deleted {what}.").format(what=what), 6000)


# ------------------------------------------------------------------ record conversions
def patient_values(patient: Patient) -> dict[str, object]:
    """A patient as registry field name -> value, for the patient dialog."""
    return {k: v for k, v in patient.field_values().items() if v is not None}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def patient_from_values(values: Mapping[str, object]) -> Patient:
    """The checked values of the patient dialog as a Patient (identifiers kept apart)."""
    ids: dict[str, str | dt.date] = {k: v for k in IDENTIFIER_KEYS
                                     if isinstance(v := values.get(k), str | dt.date)}
    diag = values.get("diagnosis_date")
    return Patient(study_id=str(values["study_id"]), sex=_text(values.get("sex")),
                   diagnosis_date=diag if isinstance(diag, dt.date) else None,
                   autoantibody=_text(values.get("autoantibody")), identifiers=ids)


def record_values(record: Record) -> dict[str, object]:
    """A medication or adverse event as registry field name -> value."""
    level = Level.MEDICATION if isinstance(record, Medication) else Level.ADVERSE_EVENT
    data = vars(record)
    return {f.name: data[f.name] for f in registry.fields_for(level=level)
            if data.get(f.name) not in (None, "")}


def record_from_values(kind: type[R], values: Mapping[str, object]) -> R:
    """The checked values of a record dialog as a ``kind`` record. The dialog's values are
    the registry fields of that level, already parsed to the record's types by
    ``forms.validation``; the record's own fields are the only keys."""
    fields: dict[str, Any] = dict(values)
    return kind(**fields)

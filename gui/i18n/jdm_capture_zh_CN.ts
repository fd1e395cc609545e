<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <source>Something went wrong inside JDM Capture. Your saved data is safe; unsaved typing is kept as a draft. Please report this with the details below.</source>
        <extracomment>opens a storage repository for a worker thread: a context manager yielding the repository. jobs submitted and not yet reported back of those, jobs that write (the GUI defers its drafts meanwhile) of those, jobs the user started (closing the window asks first) holds the database&apos;s write lock (import, demo cohort) closing the window while it runs asks first (False for internal upkeep jobs)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backing up...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup written: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting Excel...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting case file...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {added} patients added, {updated} updated, {visits} visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import refused: nothing from that file was saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import finished: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importing...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported {file}. Patients: {patients} ({added} added, {updated} updated); visits: {visits} ({replaced} replaced); medications: {meds}; adverse events: {events}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved, but please double-check these values:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was imported from {file}. Problems found: {n}. Correct them in the workbook and import it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems (sheet, row, column):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import spreadsheet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importing spreadsheet...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REDCap files written to {folder} ({kind}). Patients: {patients}; visits: {visits}; medications: {meds}; adverse events: {events}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>identified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>de-identified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REDCap files written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export for REDCap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes for the REDCap administrator:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting for REDCap...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the template...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template written: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the patient report...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report written: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the cohort report...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scores of {n} visits were recomputed with the current rules.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking stored scores...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding the demo cohort...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Study ID</source>
        <extracomment>ACR/EULAR category of the last visit vs baseline protocol label of the last visit (M0, M3, ...)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age (y)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Response vs baseline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unlocked</source>
        <extracomment>forms.model.Visit forms.scoring.score_visit(...) forms.response.VisitResponse or None at the baseline storage.signoff.SignoffStatus when the visit was ever signed, else None</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}, {at} UTC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Baseline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>baseline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACR/EULAR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PRINTO</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Old value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CMAS ({range})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MMT-8 ({range})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Physician global ({range})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CK / ULN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Oral steroid mg/kg/day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sid}: new visit {date} (unsaved changes from {stamp})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sid}: visit {date} (unsaved changes from {stamp})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AutoBackup</name>
    <message>
        <source>Automatic backup...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic backup failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DraftsDialog</name>
    <message>
        <source>Unsaved visits found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JDM Capture was closed while these visits had unsaved changes. Open one to review and save it, or discard them all.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard all</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>No changes recorded for this visit.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LevelPicker</name>
    <message>
        <source>n/a  not applicable</source>
        <extracomment>seconds within which a second digit extends the first (1, 0 -&gt; 10)</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New database...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open database...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Backup now...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Restore from backup...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import case files (JSON)...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import spreads&amp;heet (Excel)...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save data-entry &amp;template...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;Excel...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;JSON case file...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export for RE&amp;DCap...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Patient PDF report...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient PDF report, de-identi&amp;fied...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cohort PDF report...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New &amp;patient...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New &amp;visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visit &amp;history...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete visit...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About JDM Capture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JDM Capture - {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This database has no patients yet. Add the demo cohort (fictitious children) to explore JDM Capture?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sid}: new visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sid}: visit {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a patient first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visit saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add medication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit medication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add adverse event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit adverse event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete {what}?

This cannot be undone here; the deletion is recorded in the audit trail.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a saved visit first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the visit of {date}{label} of patient {sid}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted {what}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete medication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the medication {drug} started {start} of patient {sid}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete adverse event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the adverse event {term} of {onset} of patient {sid}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History of visit {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JDM Capture database (*.sqlite *.db)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JDM Capture database (*.sqlite *.db);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening {name}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SQLite database (*.sqlite)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import case files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON case files (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import spreadsheet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save data-entry template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export for REDCap: choose a folder (its REDCap files are replaced)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export for REDCap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include identifiers (names, MRN, dates of birth, real dates, free text)? Choose No for a de-identified export, as most studies require.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Excel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include identifiers (names, MRN, dates of birth, real dates)? Choose No for a de-identified workbook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export JSON case file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON case file (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a patient first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient PDF report, de-identified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient PDF report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cohort PDF report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+F  find a patient (type to filter, Enter opens)
Alt+Left  back
Ctrl+Shift+N  new patient;  Ctrl+N  new visit
Ctrl+S  save the visit
Ctrl+PgDown / Ctrl+PgUp  next / previous form;  Alt+1..9  go to form
In a grade or score box: type the digit (1 then 0 for 10), t = trace, n = not applicable, Delete = not assessed; Tab moves on
Menu key or Shift+F10 on a field: record why it has no value
Delete on a visit, medication or adverse event row: delete it (asks first)
Ctrl+H  history of the visit;  Ctrl+E  export Excel;  Ctrl+P  patient PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About JDM Capture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JDM Capture: offline capture, scoring and reporting of juvenile dermatomyositis core set measures.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Work in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An export or backup is still running. Wait for it to finish and quit?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NotesEntry</name>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PatientListPage</name>
    <message>
        <source>Patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type to filter: study id, sex, visit date, response... (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New patient...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{shown} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No patients yet. Add one with New patient (Ctrl+Shift+N) or import case files from the File menu.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PatientPage</name>
    <message>
        <source>&lt; Patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the patient list (Alt+Left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit patient...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New &amp;visit (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;History...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete visit...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the selected visit (Delete key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Visits and trends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Medications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add medication...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete medication...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Adverse events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add adverse event...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete adverse event...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the selected row (Delete key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient {study_id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  (age {age} y)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProblemList</name>
    <message>
        <source>Problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No problems found.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResponsePanel</name>
    <message>
        <source>Response against the baseline visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No baseline visit yet: responses are measured from the patient&apos;s baseline visit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the baseline visit ({visit}); responses of later visits are measured from it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Baseline: &lt;b&gt;{visit}&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACR/EULAR 2016 Total Improvement Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>({n} of 6 measures; muscle measure {m})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Core set measure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Baseline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>% change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PRINTO criteria for improvement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PRINTO clinically inactive disease (this visit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Criterion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Met</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RestoreDialog</name>
    <message>
        <source>Restore from backup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace {name} with a backup. The current file is kept beside it (named {stem}.before-restore-&lt;time&gt;), never overwritten.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No backups in {folder} yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another file...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a backup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JDM Capture database (*.sqlite *.db);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assessor name (pre-filled in new visits)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIS muscle measure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default ULN: {label}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignOffDialog</name>
    <message>
        <source>Sign off visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>By signing you confirm that this visit&apos;s data were verified against source (meaning recorded: &quot;{meaning}&quot;). The visit becomes read-only; the patient&apos;s PDF case summary is stored with the signature.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assessor&apos;s name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign off</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignoffBar</name>
    <message>
        <source>Sign off...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify the visit against source and sign it off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Void the signature to correct the visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not signed (save the visit first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save your changes before signing off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing off...</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TextEntry</name>
    <message>
        <source>YYYY-MM-DD</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TotalsPanel</name>
    <message>
        <source>Live totals</source>
        <extracomment>totals whose Score.parts are the entered item scores, so a running sum means something.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>- {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{so_far} so far - {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrendChart</name>
    <message>
        <source>Trend chart</source>
        <extracomment>top of the scale (registry maximum), else the data maximum a dashed reference line (e.g. 1 x ULN)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No visits with these measures yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <source>Unlock signed visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{status}.
Unlocking voids the signature. Give the reason; it is kept in the visit&apos;s history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for unlocking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason (required)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VisitEditor</name>
    <message>
        <source>&amp;Baseline visit</source>
        <extracomment>how long after the last keystroke the draft is written (ms). True while another writer (a background import) holds the database: the draft then waits instead of blocking typing for the busy timeout. Set by the main window.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Responses are measured from the baseline visit (default: the earliest visit).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No value: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear the reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{ratio} x ULN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsaved changes (draft kept)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: {n} error(s) to fix first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved {visit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This visit has unsaved changes. Save them before leaving?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_CodePicker</name>
    <message>
        <source>-</source>
        <extracomment>property used by the style sheet to colour a widget by its worst problem.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>{path} cannot be opened: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>body</name>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score (level descriptor)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds held</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grades: Kendall 0-10 and 0-5 with +/-</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0-10</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0-5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Muscle group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(axial, tested once)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Location</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Muscle enzymes (value and the laboratory&apos;s upper limit of normal)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>box</name>
    <message>
        <source>Aids or devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Help from another person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enzyme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ULN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>x ULN</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dialog</name>
    <message>
        <source>Audit trail: verifying the hash chain...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit trail: verified, unaltered ({n} entries, hash chain intact).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit trail: NOT verified. {reason}. Keep this file and compare it with a backup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit trail: not verified (no database open).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verifying the audit trail...</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <source>present / yes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <source>Which database should be restored?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JDM Capture database (*.sqlite *.db);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace {name} with the backup {backup}?
The current file is kept beside it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restored {name} from {backup}.
{kept}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The previous file was kept as {aside}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restoring...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading backups...</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>

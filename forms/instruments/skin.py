"""Skin findings checklist (instruments.md section 3c): yes/no; absent = not assessed.

The patient report lists the positive findings per visit (``exports.pdf``, skin table).
"""

from __future__ import annotations

from forms.fields import Field, FieldType, Form, Level
from forms.instruments.base import YES_NO, Instrument
from forms.records import frozen

FORM = Form("skin", "Skin findings", Level.VISIT, "Cutaneous findings checklist")


@frozen
class Finding:
    name: str
    label: str


FINDINGS: tuple[Finding, ...] = (
    Finding("skin_heliotrope", "Heliotrope rash"),
    Finding("skin_gottron_papules", "Gottron's papules"),
    Finding("skin_gottron_sign", "Gottron's sign"),
    Finding("skin_malar", "Malar / facial erythema"),
    Finding("skin_v_sign", "V-sign"),
    Finding("skin_shawl", "Shawl sign"),
    Finding("skin_holster", "Holster sign"),
    Finding("skin_periungual", "Periungual erythema"),
    Finding("skin_nailfold_changes", "Nailfold capillary changes"),
    Finding("skin_ulceration", "Cutaneous ulceration"),
    Finding("skin_calcinosis", "Calcinosis"),
    Finding("skin_lipodystrophy", "Lipodystrophy"),
    Finding("skin_mechanics_hands", "Mechanic's hands"),
    Finding("skin_poikiloderma", "Poikiloderma"),
    Finding("skin_alopecia", "Alopecia"),
    Finding("skin_edema", "Oedema (facial, periorbital or limb)"),
    Finding("skin_erythroderma", "Erythroderma (> 50 % body surface)"),
    Finding("skin_panniculitis", "Panniculitis"),
    Finding("skin_raynaud", "Raynaud's phenomenon"),
)

INSTRUMENT = Instrument(
    form=FORM,
    fields=tuple(Field(f.name, f.label, "skin", FieldType.CHOICE, choices=YES_NO)
                 for f in FINDINGS),
)

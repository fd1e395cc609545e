"""A golden snapshot of everything the field registry drives (issue 11: the move of each
instrument into ``forms/instruments/`` must not change any of it).

``tests/fixtures/registry_golden.json`` was written from the code *before* the move. It holds,
in English:

* every :class:`~forms.fields.Field` of :data:`forms.registry.FIELDS` with every attribute,
  in registry order, and every :class:`~forms.fields.Form` of :data:`forms.registry.FORMS`,
* the registry-generated DDL (:func:`storage.schema.current_schema_sql`),
* the Excel data dictionary rows (identified and de-identified workbook),
* the REDCap data dictionary rows (identified and de-identified),
* ``score_visit`` of a few fixture visits (their input values are stored in the file too).

After the move the output must be identical, except for the one new instrument, the Myositis
Damage Index: its additions are listed explicitly below (:data:`MDI_FIELDS`), and the test
checks that the additions are exactly those, nothing more and nothing less. The one other
addition is structural: a :class:`~forms.scoring.Score` carries its missing inputs and its short
reason as data (:data:`SCORE_ADDITIONS`, issue 11: "missing names travel as data"); its words,
``missing_reason`` included, must be unchanged.

Regenerate only on purpose: ``python tests/test_registry_golden.py --write``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import random
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "registry_golden.json"

#: The Myositis Damage Index: the only additions the snapshot allows (issue 11, "prove it").
MDI_FORM = "mdi"
MDI_ITEMS = (
    "mdi_muscle_atrophy", "mdi_muscle_weakness", "mdi_muscle_dysfunction",
    "mdi_muscle_atrophy_imaging", "mdi_low_creatinine",
    "mdi_contractures", "mdi_osteoporotic_fracture", "mdi_avascular_necrosis",
    "mdi_deforming_arthropathy", "mdi_osteoporosis_treated", "mdi_limited_motion",
    "mdi_calcinosis", "mdi_alopecia", "mdi_scarring", "mdi_poikiloderma", "mdi_lipodystrophy",
    "mdi_dysphagia", "mdi_gi_dysmotility", "mdi_gi_infarction",
    "mdi_dysphonia", "mdi_lung_function", "mdi_pulmonary_fibrosis",
    "mdi_pulmonary_hypertension",
    "mdi_hypertension", "mdi_lv_dysfunction",
    "mdi_tissue_loss", "mdi_digit_loss", "mdi_venous_thrombosis",
    "mdi_growth_failure", "mdi_pubertal_delay", "mdi_hirsutism", "mdi_menstrual",
    "mdi_diabetes",
    "mdi_cataract", "mdi_vision_loss",
    "mdi_chronic_infection", "mdi_malignancy", "mdi_other",
)
MDI_SYSTEMS = ("muscle", "skeletal", "cutaneous", "gastrointestinal", "pulmonary",
               "cardiovascular", "periph_vascular", "endocrine", "ocular", "infection",
               "malignancy")
MDI_ENTERED = (*MDI_ITEMS, *(f"mdi_sev_{s}" for s in MDI_SYSTEMS),
               "mdi_phys_global_damage")
MDI_DERIVED = ("mdi_extent", "mdi_severity")
MDI_FIELDS = (*MDI_ENTERED, *MDI_DERIVED)
#: Score attributes added after the snapshot was written (the data the reason text summarises).
SCORE_ADDITIONS = ("missing", "summary")


# --------------------------------------------------------------------------------------------
# Serialising
# --------------------------------------------------------------------------------------------
def plain(value: Any) -> Any:
    """A JSON-able, type-tagged image of a value (Decimal 2.50 and 2.5 stay distinct)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, Fraction):
        return {"fraction": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return {"date": value.isoformat()}
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"type": type(value).__name__}
        for f in dataclasses.fields(value):
            if f.name.startswith("_en_"):
                out[f.name[4:]] = value.__dict__[f.name]  # the English original
            else:
                out[f.name] = plain(getattr(value, f.name))
        return out
    raise TypeError(f"cannot serialise {value!r}")


def field_image(f: Any) -> dict[str, Any]:
    """Every attribute of a Field (English texts), without the ``extra`` dict, which the move
    replaces by typed instrument data (its contents are checked through the behaviour it
    drove: the CDASI kinds by the CDASI scores, the default ULNs by the scoring settings)."""
    image = plain(f)
    image.pop("extra", None)
    return image


def fixture_visits() -> list[dict[str, Any]]:
    """Entered values of a few visits: full, partial, empty, timed CMAS, CHAQ with aids."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "exports"))
    from export_factory import visit_values  # noqa: PLC0415

    rng = random.Random(11)
    visits = [visit_values(frac, weight, rng) for frac, weight in
              ((0.0, 24.5), (0.4, 25.0), (0.8, 26.2), (1.0, 27.0))]
    visits[0] |= {"steroid_mg_day": Decimal("50"), "parent_global_activity": Decimal("6.5"),
                  "chaq_aid_walking": True, "chaq_help_dressing": True}
    visits[1] |= {"cmas_head_elevation": None, "cmas_head_elevation_sec": 45,
                  "chaq_walk": "na", "chaq_steps": "na", "steroid_mg_day": Decimal("22.5")}
    partial = {k: v for k, v in visits[2].items() if not k.startswith(("cmas_", "chaq_"))}
    partial |= {"cmas_leg_raise": 2, "mmt_neck_flexors": None}
    visits.append(partial)
    visits.append({})
    return [{k: v for k, v in values.items() if v is not None} for values in visits]


def value_from_image(image: Any) -> Any:
    if isinstance(image, dict):
        if "decimal" in image:
            return Decimal(image["decimal"])
        raise TypeError(image)
    return image


def snapshot(visits: list[dict[str, Any]]) -> dict[str, Any]:
    from exports import excel, redcap
    from forms import registry, scoring, settings
    from forms.i18n import in_language
    from storage import schema

    with in_language("en"):
        return {
            "fields": [field_image(f) for f in registry.FIELDS],
            "forms": [plain(f) for f in registry.FORMS],
            "schema": schema.current_schema_sql().split("\n\n"),
            "excel_dictionary": {
                str(identified): [[str(c) for c in row] for row in
                                  excel.dictionary_rows(excel.Layout(identified=identified))]
                for identified in (True, False)},
            "redcap_dictionary": {
                str(identified): redcap.dictionary_rows(identified=identified)
                for identified in (True, False)},
            "rule_versions": dict(scoring.RULE_VERSIONS),
            "settings": {"defaults": plain(settings.settings_items(settings.ScoringSettings())),
                         "descriptions": dict(settings.SETTING_DESCRIPTIONS)},
            "visits": [{k: plain(v) for k, v in values.items()} for values in visits],
            "scores": [{name: plain(score) for name, score in scoring.score_visit(values).items()}
                       for values in visits],
        }


def load_golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# The comparison, allowing exactly the MDI additions
# --------------------------------------------------------------------------------------------
def _without_mdi(current: dict[str, Any]) -> tuple[dict[str, Any], dict[str, set[str]]]:
    """``current`` with the MDI additions removed, and what was removed, per part."""
    removed: dict[str, set[str]] = {}

    def note(part: str, name: str) -> None:
        removed.setdefault(part, set()).add(name)

    out = dict(current)
    out["fields"] = []
    for f in current["fields"]:
        if f["form"] == MDI_FORM:
            note("fields", f["name"])
        else:
            out["fields"].append(f)
    out["forms"] = []
    for form in current["forms"]:
        if form["key"] == MDI_FORM:
            note("forms", form["key"])
        else:
            out["forms"].append(form)
    out["schema"] = []
    for statement in current["schema"]:
        if statement.startswith(f'CREATE TABLE "values_{MDI_FORM}"'):
            note("schema", f"values_{MDI_FORM}")
        else:
            out["schema"].append(statement)
    out["excel_dictionary"] = {}
    for key, rows in current["excel_dictionary"].items():
        out["excel_dictionary"][key] = []
        for row in rows:
            if row[3] == MDI_FORM:
                note(f"excel_dictionary {key}", row[0])
            else:
                out["excel_dictionary"][key].append(row)
    out["redcap_dictionary"] = {}
    for key, rows in current["redcap_dictionary"].items():
        out["redcap_dictionary"][key] = []
        for row in rows:
            if row["Form Name"] == MDI_FORM:
                note(f"redcap_dictionary {key}", row["Variable / Field Name"])
            else:
                out["redcap_dictionary"][key].append(row)
    out["rule_versions"] = {}
    for name, version in current["rule_versions"].items():
        if name in MDI_DERIVED:
            note("rule_versions", name)
        else:
            out["rule_versions"][name] = version
    out["scores"] = []
    for scores in current["scores"]:
        kept = {}
        for name, score in scores.items():
            if name in MDI_DERIVED:
                note("scores", name)
            else:
                score = dict(score)
                for key in SCORE_ADDITIONS:
                    if key in score:
                        note("score attributes", key)
                        del score[key]
                kept[name] = score
        out["scores"].append(kept)
    return out, removed


def test_registry_output_is_unchanged_apart_from_the_mdi() -> None:
    golden = load_golden()
    visits = [{k: value_from_image(v) for k, v in values.items()} for values in golden["visits"]]
    current, removed = _without_mdi(snapshot(visits))
    for part in ("forms", "fields", "schema", "excel_dictionary", "redcap_dictionary",
                 "rule_versions", "settings", "scores"):
        assert current[part] == golden[part], f"{part} changed (beyond the MDI additions)"
    # the additions are exactly the MDI, in every output (none before the MDI module landed)
    if not removed:
        from forms import registry
        assert MDI_FORM not in registry.FORMS_BY_KEY
        return
    assert removed.get("forms") == {MDI_FORM}
    assert removed.get("fields") == set(MDI_FIELDS)
    assert removed.get("schema") == {f"values_{MDI_FORM}"}
    for identified in ("True", "False"):
        assert removed.get(f"excel_dictionary {identified}") == set(MDI_FIELDS)
        assert removed.get(f"redcap_dictionary {identified}") == set(MDI_FIELDS)
    assert removed.get("scores") == set(MDI_DERIVED)
    assert removed.get("rule_versions") == set(MDI_DERIVED)
    assert removed.get("score attributes") == set(SCORE_ADDITIONS)


def test_the_snapshot_can_fail() -> None:
    """The comparison notices a changed range, label or score (not a vacuous equality)."""
    golden = load_golden()
    assert len(golden["fields"]) > 250 and len(golden["scores"]) == 6
    changed = json.loads(json.dumps(golden))
    changed["fields"][50]["maximum"] = {"decimal": "99"}
    assert changed["fields"] != golden["fields"]
    current, _removed = _without_mdi(changed)
    assert current["fields"] != golden["fields"]
    # and an unlisted field in the MDI form would show up among the removed names
    changed["fields"].append({**golden["fields"][0], "form": MDI_FORM, "name": "mdi_extra"})
    _current, removed = _without_mdi(changed)
    assert removed["fields"] == {"mdi_extra"} != set(MDI_FIELDS)


if __name__ == "__main__":  # pragma: no cover - writes the golden file on purpose
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_registry_golden.py --write")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    GOLDEN.write_text(json.dumps(snapshot(fixture_visits()), ensure_ascii=False, indent=1,
                                 sort_keys=False) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {GOLDEN}\n")

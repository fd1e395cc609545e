"""The REVISED conventions of instruments.md section 0 (3, 5 and 6), one test per case named.

Every expected value is worked out by hand below from the spec text, not from the code:

* 0.3: between two visits both MMT-8 totals use the same side (right when complete at both,
  else left when complete at both, else the MMT-8 is missing for the pair and the CMAS
  fallback applies); the explanation names the side. PRINTO's MMT-8 follows the same rule.
* 0.5: the TIS enzyme is chosen among the enzymes measured at BOTH visits (highest value/ULN
  at baseline, ties CK > aldolase > LDH > AST > ALT); the parent row reads
  ``parent_global_activity`` when entered at both visits, else ``parent_global``, and says
  which; ``acr_eular_response_min``/``_max`` are always computed.
* 0.6: ``printo_response_worst``/``_best`` are always computed.
* People never read a bare "indeterminate".
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from forms import registry, response

NECK = registry.MMT_AXIAL[0]


def side(suffix: str, group_grade: int) -> dict[str, object]:
    """The 7 groups of one side, each graded ``group_grade``."""
    return {name: group_grade for name in registry.mmt8_side_names(suffix)}


def rows(result: response.TisResult) -> dict[str, response.TisRow]:
    return {r.key: r for r in result.rows}


# ------------------------------------------------------------------------- convention 3 (TIS)
# baseline: neck 6 + right 7 x 6 = 48 (left incomplete: nothing graded)
BASE_R48 = {"phys_global": D(6), NECK: 6, **side("r", 6)}
# follow-up: neck 7 + left 7 x 9 = 70 (right not graded)
FOLLOW_L70 = {"phys_global": D(3), NECK: 7, **side("l", 9)}


def test_conv3_right_baseline_left_follow_up_is_not_compared() -> None:
    # The case: 48 R -> 70 L. No side is complete at both visits -> MMT-8 missing
    # for the pair; no CMAS at both -> muscle row missing -> TIS indeterminate.
    result = response.total_improvement_score(BASE_R48, FOLLOW_L70)
    muscle = rows(result)["muscle"]
    assert muscle.points is None, "48 R must not be compared with 70 L"
    assert result.category == "indeterminate" and result.tis is None
    assert "no side complete at both visits" in muscle.note
    assert "baseline right" in muscle.note and "follow-up left" in muscle.note


def test_conv3_no_common_side_falls_back_to_cmas() -> None:
    cmas40 = {n: v for n, v in zip(registry.cmas_item_names(),
                                   (5, 2, 5, 3, 6, 3, 3, 4, 3, 4, 2, 0, 0, 0), strict=True)}
    cmas52 = {n: int(registry.get(n).maximum or 0) for n in registry.cmas_item_names()}
    assert sum(cmas40.values()) == 40
    result = response.total_improvement_score({**BASE_R48, **cmas40},
                                              {**FOLLOW_L70, **cmas52})
    assert result.muscle_measure == "cmas"
    muscle = rows(result)["muscle"]
    # CMAS 40 -> 52: 12 / 52 = 23.08 % -> "> 20-30 %" band -> 27.5 points
    assert muscle.points == D("27.5")
    assert "CMAS used instead" in muscle.note and "no side complete" in muscle.note


def test_conv3_left_used_when_right_incomplete_at_one_visit() -> None:
    # baseline both sides complete: right 6 + 7 x 6 = 48, left 6 + 7 x 8 = 62;
    # follow-up left only, 70. Left is complete at both -> 62 -> 70 = 8 / 80 = 10 % ->
    # "> 2-10 %" (inclusive upper bound) -> 10 points. The old code compared 48 R -> 70 L.
    base = {**BASE_R48, **side("l", 8)}
    result = response.total_improvement_score(base, FOLLOW_L70)
    muscle = rows(result)["muscle"]
    assert (muscle.baseline, muscle.followup) == (62, 70)
    assert muscle.points == 10
    assert result.mmt8_side == "left"
    assert "left side at both visits" in muscle.note
    assert "left side at both visits" in result.explanation


def test_conv3_right_preferred_when_complete_at_both() -> None:
    # both sides complete at both visits: right 48 -> 56 (10 %), left 62 -> 78 (20 %);
    # right is used -> 10 points (left would give 20)
    base = {**BASE_R48, **side("l", 8)}
    follow = {"phys_global": D(3), NECK: 7, **side("r", 7), **side("l", 10)}
    assert 7 + 7 * 7 == 56 and 6 + 7 * 8 == 62 and 7 + 7 * 10 == 77
    result = response.total_improvement_score(base, follow)
    muscle = rows(result)["muscle"]
    assert (muscle.baseline, muscle.followup, muscle.points) == (48, 56, 10)
    assert result.mmt8_side == "right"
    assert "right side at both visits" in muscle.note


def test_conv3_printo_mmt8_same_side() -> None:
    # PRINTO muscle strength: CMAS absent -> MMT-8, same side at both visits.
    printo = response.printo_response(BASE_R48, FOLLOW_L70)
    muscle = next(v for v in printo.variables if v.key == "muscle")
    assert muscle.outcome == "missing" and printo.muscle_measure is None
    assert "muscle" in printo.missing
    base = {**BASE_R48, **side("l", 8)}  # left 62 at baseline
    printo = response.printo_response(base, FOLLOW_L70)
    muscle = next(v for v in printo.variables if v.key == "muscle")
    # left 62 -> 70: relative (70 - 62) / 62 = 12.90 %
    assert (muscle.baseline, muscle.followup) == (62, 70)
    assert muscle.percent == D("12.90")
    assert printo.mmt8_side == "left" and "left side" in muscle.label


# ------------------------------------------------------------------------- convention 5 enzyme
def _tis_enzyme(base: dict[str, object], follow: dict[str, object]) -> str | None:
    common = {"phys_global": D(5), NECK: 6, **side("r", 6)}
    return response.total_improvement_score({**common, **base}, {**common, **follow}).enzyme


def test_conv5_enzyme_only_among_those_at_both_visits() -> None:
    # CK 2000/200 = 10x, aldolase 40/8 = 5x at baseline; only aldolase at follow-up
    assert _tis_enzyme({"ck": D(2000), "aldolase": D(40)}, {"aldolase": D(20)}) == "aldolase"
    # both at follow-up -> CK (10x > 5x)
    assert _tis_enzyme({"ck": D(2000), "aldolase": D(40)},
                       {"ck": D(300), "aldolase": D(20)}) == "ck"
    # an enzyme measured at follow-up only is not a candidate
    assert _tis_enzyme({"ldh": D(500)}, {"ck": D(900), "ldh": D(400)}) == "ldh"
    assert _tis_enzyme({"ck": D(900)}, {"ldh": D(400)}) is None


def test_conv5_enzyme_ties_in_order_ck_aldolase_ldh_ast_alt() -> None:
    # CK 400/200 = 2x, aldolase 16/8 = 2x -> CK
    assert _tis_enzyme({"ck": D(400), "aldolase": D(16)},
                       {"ck": D(300), "aldolase": D(10)}) == "ck"
    # with CK missing at follow-up: aldolase 16/8 = 2x ties LDH 500/250 = 2x -> aldolase
    assert _tis_enzyme({"ck": D(900), "aldolase": D(16), "ldh": D(500)},
                       {"aldolase": D(10), "ldh": D(300)}) == "aldolase"
    # LDH 500/250 = 2x ties AST 80/40 and ALT 80/40 -> LDH; AST before ALT
    assert _tis_enzyme({"ldh": D(500), "ast": D(80), "alt": D(80)},
                       {"ldh": D(1), "ast": D(1), "alt": D(1)}) == "ldh"
    assert _tis_enzyme({"ast": D(80), "alt": D(80)}, {"ast": D(1), "alt": D(1)}) == "ast"


# ------------------------------------------------------------------------- convention 5 parent
def test_conv5_parent_activity_used_when_at_both_visits() -> None:
    base = {"phys_global": D(5), NECK: 6, **side("r", 6), "parent_global": D(8),
            "parent_global_activity": D(6)}
    follow = {"phys_global": D(5), NECK: 6, **side("r", 6), "parent_global": D(8),
              "parent_global_activity": D(2)}
    result = response.total_improvement_score(base, follow)
    parent = rows(result)["parent_global"]
    # activity 6 -> 2 = 4 / 10 = 40 % -> "> 25-40 %" -> 7.5 (well-being 8 -> 8 would be 0)
    assert parent.field == "parent_global_activity" and parent.points == D("7.5")
    assert result.parent_measure == "parent_global_activity"
    assert "parent global activity (IMACS) at both visits" in result.explanation
    resp = response.compare_visits(base, follow)
    assert resp.response_values()["tis_parent_measure"] == "parent_global_activity"


def test_conv5_parent_well_being_when_activity_not_at_both() -> None:
    base = {"phys_global": D(5), NECK: 6, **side("r", 6), "parent_global": D(8),
            "parent_global_activity": D(6)}
    follow = {"phys_global": D(5), NECK: 6, **side("r", 6), "parent_global": D(4)}
    result = response.total_improvement_score(base, follow)
    parent = rows(result)["parent_global"]
    # well-being 8 -> 4 = 40 % -> 7.5
    assert parent.field == "parent_global" and parent.points == D("7.5")
    assert result.parent_measure == "parent_global"
    assert "parent global well-being used" in parent.note
    # neither entered at both: the row is missing, the measure is still named
    result = response.total_improvement_score({k: v for k, v in base.items()
                                               if k != "parent_global"}, follow)
    assert rows(result)["parent_global"].points is None
    assert result.parent_measure == "parent_global"


# ------------------------------------------------------------------------- bounds (5 and 6)
def _tis_partial_60() -> response.TisResult:
    # PhGA 7 -> 2 = 50 % -> 20; MMT-8 50 -> 75 = 31.25 % -> 32.5; extramuscular 5 -> 4 = 10 %
    # -> 7.5; CK 1000 -> 1000 = 0 % -> 0. Sum 60 (moderate: 45 <= 60 < 70). Missing parent
    # (max 10) and CHAQ (max 10): 60 + 20 = 80 >= 70 -> major possible.
    base = {"phys_global": D(7), NECK: 8, **side("r", 6), "extramuscular_global": D(5),
            "ck": D(1000)}
    follow = {"phys_global": D(2), NECK: 5, **side("r", 10), "extramuscular_global": D(4),
              "ck": D(1000)}
    assert 8 + 42 == 50 and 5 + 70 == 75
    return response.total_improvement_score(base, follow)


def test_conv5_bounds_of_an_indeterminate_category() -> None:
    result = _tis_partial_60()
    assert result.partial_tis == 60 and result.max_attainable == 80
    assert result.category == "indeterminate"
    assert (result.category_min, result.category_max) == ("moderate", "major")
    assert result.missing == ("parent_global", "chaq")
    assert result.missing_labels == ("PtGA", "CHAQ DI")
    assert result.describe() == "at least moderate (major possible; 2 measures missing)"


def test_conv5_bounds_equal_the_category_when_determinate() -> None:
    # TIS-C (instruments.md 11): 82.5 from 5 of 6 -> major already reached
    base = {"phys_global": D(7), "parent_global": D(6), NECK: 8, **side("r", 6),
            "ck": D(5000), "extramuscular_global": D(5)}
    follow = {"phys_global": D(2), "parent_global": D(2), NECK: 5, **side("r", 10),
              "ck": D(200), "extramuscular_global": D(1)}
    result = response.total_improvement_score(base, follow)
    assert result.tis == D("82.5") and result.category == "major"
    assert result.category_min == result.category_max == "major"
    assert result.describe() == "major (1 measure missing, cannot change it)"
    values = response.VisitResponse(result, response.printo_response(base, follow),
                                    response.compare_visits(base, follow).cid
                                    ).response_values()
    assert values["acr_eular_response_min"] == values["acr_eular_response_max"] == "major"


def test_conv5_bounds_when_a_required_row_is_missing() -> None:
    # PhGA missing at follow-up: the category is indeterminate whatever the others say, but
    # the bounds are still the sums: MMT-8 50 -> 75 -> 32.5 (minimal: 30 <= 32.5 < 45);
    # missing PhGA 20 + parent 10 + CHAQ 10 + enzyme 7.5 + extramuscular 20 = 67.5 more ->
    # 100 -> major.
    base = {"phys_global": D(7), NECK: 8, **side("r", 6)}
    follow = {NECK: 5, **side("r", 10)}
    result = response.total_improvement_score(base, follow)
    assert result.category == "indeterminate" and result.tis is None
    assert (result.category_min, result.category_max) == ("minimal", "major")
    assert result.required_missing == ("PhGA",)
    text = result.describe()
    assert text.startswith("at least minimal (up to major possible; 5 measures missing")
    assert "PhGA required" in text


def test_conv5_no_improvement_yet_reads_so() -> None:
    # PhGA 5 -> 5, MMT-8 50 -> 50: 0 points; everything else missing: 0 + 10 + 10 + 7.5 + 20
    # = 47.5 -> moderate possible
    base = {"phys_global": D(5), NECK: 8, **side("r", 6)}
    result = response.total_improvement_score(base, dict(base))
    assert (result.category_min, result.category_max) == ("none", "moderate")
    assert result.describe() == ("no improvement so far (up to moderate possible; "
                                 "4 measures missing)")


def _printo(missing_parent: bool = True) -> response.PrintoResult:
    cmas20 = {n: v for n, v in zip(registry.cmas_item_names(),
                                   (5, 2, 5, 3, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0), strict=True)}
    cmas40 = {n: v for n, v in zip(registry.cmas_item_names(),
                                   (5, 2, 5, 3, 6, 3, 3, 4, 3, 4, 2, 0, 0, 0), strict=True)}
    base = {"phys_global": D(5), **cmas20, "das_skin": 5, "das_muscle": 5, "chq_phs": D(30)}
    follow = {"phys_global": D(1), **cmas40, "das_skin": 4, "das_muscle": 3,
              "chq_phs": D(33)}
    if not missing_parent:
        base["parent_global"], follow["parent_global"] = D(5), D(1)
    # CHAQ DI 16/8 = 2 -> (2 x 2 + 6 x 1)/8 = 1.25, via the first item of each domain
    for i, domain in enumerate(registry.CHAQ_DOMAINS):
        item = registry.chaq_domain_items(domain)[0]
        base[item] = 2
        follow[item] = 2 if i < 2 else 1
    return response.printo_response(base, follow)


def test_conv6_worst_and_best_case_levels() -> None:
    # phys 5 -> 1 = 80 %; CMAS 20 -> 40 = 100 %; CHAQ 2 -> 1.25 = 37.5 %; DAS 10 -> 7 = 30 %;
    # CHQ-PhS 30 -> 33 = 10 %; parent missing.
    # Worst case (parent worse by > 30 %, one non-muscle worsening allowed): >= 20 %: phys,
    # CMAS, CHAQ, DAS = 4 -> PRINTO 20; >= 50 %: phys, CMAS = 2 -> not 50. Best case (parent
    # improved at every level): >= 70 %: phys, CMAS, parent = 3 -> PRINTO 70.
    result = _printo()
    assert result.level == "indeterminate"
    assert (result.worst, result.best) == ("20", "70")
    assert result.missing == ("parent_global",)
    assert result.describe() == ("at least PRINTO 20 (up to PRINTO 70 possible; "
                                 "1 variable missing)")


def test_conv6_bounds_equal_when_determinate() -> None:
    # parent 5 -> 1 = 80 %: >= 70 %: phys, CMAS, parent = 3; no worsening -> PRINTO 70
    result = _printo(missing_parent=False)
    assert result.level == "70" and result.worst == result.best == "70"
    assert result.describe() == "PRINTO 70"


def test_people_never_read_a_bare_indeterminate() -> None:
    for text in (_tis_partial_60().describe(), _printo().describe(),
                 response.total_improvement_score({}, {}).describe(),
                 response.printo_response({}, {}).describe()):
        assert "indeterminate" not in text.lower(), text
    assert response.total_improvement_score({}, {}).describe().startswith(
        "no improvement so far")


@pytest.mark.parametrize("low, high, n, expected", [
    ("minimal", "moderate", 1, "at least minimal (moderate possible; 1 measure missing)"),
    ("minimal", "major", 3, "at least minimal (up to major possible; 3 measures missing)"),
    ("none", "minimal", 2, "no improvement so far (minimal possible; 2 measures missing)"),
])
def test_describe_bounds_words(low: str, high: str, n: int, expected: str) -> None:
    assert response.describe_bounds("indeterminate", low, high, n, kind="acr") == expected


def test_describe_capital_for_table_cells() -> None:
    assert _tis_partial_60().describe(capital=True) == (
        "At least moderate (major possible; 2 measures missing)")
    assert _printo(missing_parent=False).describe(capital=True) == "PRINTO 70"
    assert response.describe_bounds("none", "none", "none", 0, kind="acr",
                                    capital=True) == "No improvement"

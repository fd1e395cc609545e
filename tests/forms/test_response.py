"""Response criteria (forms.response) against instruments.md section 11 and conventions 1, 5-7.

Values are built from item scores (MMT grades, CMAS items, CHAQ answers) so the totals go through
forms.scoring exactly as the app does; expected results are the spec's worked examples.
"""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest

from forms import registry, response, scoring
from forms.settings import THRESHOLDS, ScoringSettings

CMAS_MAXIMA = [int(registry.get(n).maximum or 0) for n in registry.cmas_item_names()]
CHAQ_DOMAINS = list(registry.CHAQ_DOMAINS)


def mmt8(total: int) -> dict[str, object]:
    """Neck + right side grades summing to ``total`` (0-80)."""
    names = [registry.MMT_AXIAL[0], *registry.mmt8_side_names("r")]
    deficit = 80 - total
    values: dict[str, object] = {}
    for name in names:
        take = min(10, deficit)
        values[name] = 10 - take
        deficit -= take
    assert deficit == 0
    return values


def cmas(total: int) -> dict[str, object]:
    """14 CMAS items summing to ``total`` (0-52)."""
    deficit = 52 - total
    values: dict[str, object] = {}
    for name, top in zip(registry.cmas_item_names(), CMAS_MAXIMA, strict=True):
        take = min(top, deficit)
        values[name] = top - take
        deficit -= take
    assert deficit == 0
    return values


def chaq(di: str) -> dict[str, object]:
    """CHAQ answers (first item of each of the 8 domains) whose DI is ``di`` (a multiple of
    1/8)."""
    eighths = Fraction(D(di)) * 8
    assert eighths.denominator == 1
    remaining = int(eighths)
    values: dict[str, object] = {}
    for domain in CHAQ_DOMAINS:
        score = min(3, remaining)
        remaining -= score
        values[registry.chaq_domain_items(domain)[0]] = score
    assert remaining == 0
    return values


def das(total: int) -> dict[str, object]:
    skin = min(total, 9)
    return {"das_skin": skin, "das_muscle": total - skin}


def visit(**kw: object) -> dict[str, object]:
    """A visit's values: ``mmt8=``, ``cmas=``, ``chaq=``, ``das=`` expand to items; the rest are
    entered fields (decimals as strings)."""
    values: dict[str, object] = {}
    for key, value in kw.items():
        if value is None:
            continue
        if key == "mmt8":
            values.update(mmt8(int(value)))  # type: ignore[call-overload]
        elif key == "cmas":
            values.update(cmas(int(value)))  # type: ignore[call-overload]
        elif key == "chaq":
            values.update(chaq(str(value)))
        elif key == "das":
            values.update(das(int(value)))  # type: ignore[call-overload]
        else:
            values[key] = D(str(value)) if isinstance(value, str) else value
    return values


def rows(result: response.TisResult) -> dict[str, response.TisRow]:
    return {r.key: r for r in result.rows}


# --------------------------------------------------------------------------------------------
# TIS-A .. TIS-E
# --------------------------------------------------------------------------------------------
TIS_A = (visit(phys_global="6.0", parent_global="5.0", mmt8=60, chaq="1.5", ck="2400",
               ck_uln="200", extramuscular_global="4.0"),
         visit(phys_global="2.5", parent_global="3.0", mmt8=70, chaq="1.0", ck="600",
               extramuscular_global="1.5"))


def test_tis_a_lands_exactly_on_major() -> None:
    result = response.total_improvement_score(*TIS_A)
    got = {k: r.points for k, r in rows(result).items()}
    assert got == {"phys_global": D("17.5"), "parent_global": D(5), "muscle": D(20),
                   "chaq": D("7.5"), "enzyme": D("7.5"), "extramuscular": D("12.5")}
    assert rows(result)["extramuscular"].percent == D(25)
    assert rows(result)["muscle"].percent == D("12.5")
    assert rows(result)["chaq"].percent_exact == Fraction(50, 3)
    assert result.tis == D(70)
    assert result.category == "major"
    assert (result.measures, result.enzyme, result.muscle_measure) == (6, "ck", "mmt8")
    assert result.max_attainable == D(70)


def test_tis_a_adult_thresholds_major() -> None:
    result = response.total_improvement_score(*TIS_A, ScoringSettings(thresholds="adult"))
    assert (result.tis, result.category) == (D(70), "major")


def test_tis_a_losing_half_a_point_drops_to_moderate() -> None:
    # extramuscular 4.0 -> 1.6 is 24 % -> 12.5 still; 4.0 -> 2.6 is 14 % -> 7.5: TIS 65
    base, follow = TIS_A
    result = response.total_improvement_score(base, dict(follow, extramuscular_global=D("2.6")))
    assert (result.tis, result.category) == (D(65), "moderate")


TIS_B = (visit(phys_global="4.0", parent_global="3.0", cmas=30, chaq="1.000", ldh="600",
               ck="200", extramuscular_global="3.0"),
         visit(phys_global="3.5", parent_global="4.0", cmas=36, chaq="0.875", ldh="500",
               ck="150", extramuscular_global="1.5"))


def test_tis_b_worsening_and_exact_band_edges_cmas_version() -> None:
    result = response.total_improvement_score(*TIS_B, ScoringSettings(tis_muscle_measure="cmas"))
    got = {k: r.points for k, r in rows(result).items()}
    assert got == {"phys_global": D(0), "parent_global": D(0), "muscle": D(20),
                   "chaq": D(0), "enzyme": D(5), "extramuscular": D("7.5")}
    assert rows(result)["phys_global"].percent_exact == 5
    assert rows(result)["parent_global"].percent_exact == -10
    assert rows(result)["extramuscular"].percent_exact == 15
    assert result.enzyme == "ldh"
    assert (result.tis, result.category, result.muscle_measure) == (D("32.5"), "minimal",
                                                                      "cmas")
    adult = response.total_improvement_score(*TIS_B, ScoringSettings(tis_muscle_measure="cmas",
                                                                     thresholds="adult"))
    assert adult.category == "minimal"


def test_tis_b_cmas_fallback_when_mmt_missing() -> None:
    # default setting is MMT-8; no MMT at either visit, CMAS at both -> CMAS used and said so
    result = response.total_improvement_score(*TIS_B)
    assert result.muscle_measure == "cmas"
    assert result.tis == D("32.5")
    assert "CMAS used instead" in rows(result)["muscle"].note


TIS_C = (visit(phys_global=7, parent_global=6, mmt8=50, ck=5000, extramuscular_global=5),
         visit(phys_global=2, parent_global=2, mmt8=75, ck=200, extramuscular_global=1))


def test_tis_c_missing_chaq_major_already_reached() -> None:
    result = response.total_improvement_score(*TIS_C)
    got = {k: r.points for k, r in rows(result).items()}
    assert got == {"phys_global": D(20), "parent_global": D("7.5"), "muscle": D("32.5"),
                   "chaq": None, "enzyme": D("7.5"), "extramuscular": D(15)}
    assert rows(result)["parent_global"].percent_exact == 40  # "> 25-40 %" band, inclusive
    assert (result.tis, result.measures, result.category) == (D("82.5"), 5, "major")
    assert result.max_attainable == D("92.5")
    assert "5 of 6 measures" in result.explanation


def test_tis_c_partial_40_with_parent_missing_is_indeterminate() -> None:
    # phys 5->3 (20 % -> 15), MMT 60->65 (6.25 % -> 10), CHAQ 1.5->1.25 (8.3 % -> 5),
    # CK 1000->900 (10 % -> 2.5), extramuscular 5->4 (10 % -> 7.5): 40; parent (max 10) missing
    base = visit(phys_global=5, mmt8=60, chaq="1.5", ck=1000, extramuscular_global=5)
    follow = visit(phys_global=3, mmt8=65, chaq="1.25", ck=900, extramuscular_global=4)
    result = response.total_improvement_score(base, follow)
    assert result.tis == D(40)
    assert result.max_attainable == D(50)
    assert result.category == "indeterminate"
    assert "minimal reached, moderate possible" in result.explanation


TIS_D = (visit(phys_global=3, parent_global=0, mmt8=80, chaq="0", ck=180,
               extramuscular_global=2),
         visit(phys_global=1, parent_global=0, mmt8=80, chaq="0.25", ck=150,
               extramuscular_global=0))


def test_tis_d_zero_baselines_and_ceiling() -> None:
    result = response.total_improvement_score(*TIS_D)
    got = {k: r.points for k, r in rows(result).items()}
    assert got == {"phys_global": D(15), "parent_global": D(0), "muscle": D(0),
                   "chaq": D(0), "enzyme": D(5), "extramuscular": D("12.5")}
    assert rows(result)["chaq"].percent_exact == Fraction(-25, 3)
    assert (result.tis, result.category) == (D("32.5"), "minimal")


@pytest.mark.parametrize(("base", "follow", "expected"), [
    (2.2, 0.7, D("7.5")),   # exact 15 % -> "> 5-15 %"; float gives 15.000000000000002
    (1.1, 0.6, D(0)),       # exact 5 % -> 0; float gives 5.000000000000001
    (D("2.2"), D("0.7"), D("7.5")),
    (D("1.1"), D("0.6"), D(0)),
])
def test_tis_e_float_trap_phys_global(base: object, follow: object, expected: D) -> None:
    assert (2.2 - 0.7) / 10 * 100 > 15  # the trap is real
    result = response.total_improvement_score({"phys_global": base}, {"phys_global": follow})
    assert rows(result)["phys_global"].points == expected


def test_tis_e_float_trap_chaq() -> None:
    # CHAQ 0.20 -> 0.05: exact 0.15 / 3 = 5 % -> 0 points (float: 5.000000000000001 -> 5)
    percent = response.improvement_percent("chaq_di", 0.20, 0.05)
    assert percent == 5
    assert response.level_points("chaq", percent) == 0


# --------------------------------------------------------------------------------------------
# Convention 5 details
# --------------------------------------------------------------------------------------------
def test_convention_5_ranges_come_from_registry() -> None:
    for name in ("phys_global", "parent_global", "extramuscular_global", "chaq_di",
                 "mmt8_total", "mmt8_bilateral", "cmas_total"):
        fld = registry.get(name)
        span = Fraction(fld.maximum) - Fraction(fld.minimum)  # type: ignore[arg-type]
        # one unit of improvement = 100/span percent
        assert response.improvement_percent(name, 1, 0) == Fraction(100) / span


def test_convention_5_mmt_bilateral_setting_scales_to_150() -> None:
    grades = {registry.MMT_AXIAL[0]: 10}
    grades |= {n: 10 for n in registry.mmt8_side_names("r") + registry.mmt8_side_names("l")}
    weaker = dict(grades, mmt_deltoid_r=0, mmt_deltoid_l=0, mmt_biceps_r=5)  # 125 of 150
    base = {"phys_global": D(5), **weaker}
    follow = {"phys_global": D(4), **grades}
    result = response.total_improvement_score(base, follow,
                                              ScoringSettings(tis_muscle_measure="mmt8_bilateral"))
    muscle = rows(result)["muscle"]
    assert result.muscle_measure == "mmt8_bilateral"
    assert muscle.percent_exact == Fraction(25, 150) * 100  # 16.67 % -> "> 10-20 %"
    assert muscle.points == D(20)


@pytest.mark.parametrize(("percent", "points"), [
    (Fraction(-50), D(0)), (Fraction(5), D(0)), (Fraction(501, 100), D("7.5")),
    (Fraction(15), D("7.5")), (Fraction(1501, 100), D(15)), (Fraction(25), D(15)),
    (Fraction(40), D("17.5")), (Fraction(4001, 100), D(20)), (Fraction(100), D(20)),
])
def test_convention_1_inclusive_upper_band_bounds_phys(percent: Fraction, points: D) -> None:
    assert response.level_points("phys_global", percent) == points


@pytest.mark.parametrize(("percent", "points"), [
    (Fraction(2), D(0)), (Fraction(201, 100), D(10)), (Fraction(10), D(10)),
    (Fraction(20), D(20)), (Fraction(30), D("27.5")), (Fraction(3001, 100), D("32.5")),
])
def test_muscle_bands(percent: Fraction, points: D) -> None:
    assert response.level_points("muscle", percent) == points


def test_level_score_maxima_sum_to_100() -> None:
    assert sum(response.max_points(k) for k in response.LEVEL_SCORES) == 100


def test_convention_5_enzyme_by_uln_ratio_local_uln_and_ties() -> None:
    # CK 400/200 = 2x, aldolase 20/8 = 2.5x -> aldolase
    assert response.most_abnormal_enzyme({"ck": D(400), "aldolase": D(20)})[0] == "aldolase"
    # local CK ULN 100 -> 4x -> CK
    assert response.most_abnormal_enzyme({"ck": D(400), "ck_uln": D(100),
                                          "aldolase": D(20)})[0] == "ck"
    # tie 2x vs 2x -> the earlier enzyme in registry order (CK before aldolase)
    assert response.most_abnormal_enzyme({"ck": D(400), "aldolase": D(16)})[0] == "ck"
    # tie between AST and ALT (default ULN 40 each) -> AST
    assert response.most_abnormal_enzyme({"alt": D(80), "ast": D(80)})[0] == "ast"
    # settings' default ULNs are used when the visit has none
    settings = ScoringSettings(uln_defaults={"ck": D(1000), "aldolase": D(8), "ldh": D(250),
                                             "ast": D(40), "alt": D(40)})
    assert response.most_abnormal_enzyme({"ck": D(400), "alt": D(50)}, settings)[0] == "alt"
    assert response.most_abnormal_enzyme({})[0] is None


def test_convention_5_enzyme_same_at_follow_up_and_baseline_zero() -> None:
    base = {"phys_global": D(5), **mmt8(60), "ck": D(0)}
    follow = {"phys_global": D(5), **mmt8(60), "ck": D(100)}
    enzyme = rows(response.total_improvement_score(base, follow))["enzyme"]
    assert enzyme.points == 0 and enzyme.percent is None and enzyme.available
    # REVISED convention 5 (instruments.md 0.5): the enzyme is chosen among those measured at
    # both visits, so a CK missing at follow-up gives LDH (was: CK chosen, row missing).
    base = {"phys_global": D(5), **mmt8(60), "ck": D(2000), "ldh": D(300)}
    follow = {"phys_global": D(5), **mmt8(60), "ldh": D(200)}
    result = response.total_improvement_score(base, follow)
    assert result.enzyme == "ldh"
    assert rows(result)["enzyme"].available
    assert result.measures == 3
    # no enzyme at both visits -> the row is missing and says why
    follow = {"phys_global": D(5), **mmt8(60)}
    result = response.total_improvement_score(base, follow)
    assert result.enzyme is None and not rows(result)["enzyme"].available
    assert "both visits" in rows(result)["enzyme"].note


@pytest.mark.parametrize("drop", ["phys_global", "muscle"])
@pytest.mark.parametrize("where", [0, 1])
def test_convention_5_phys_or_muscle_missing_is_indeterminate(drop: str, where: int) -> None:
    base, follow = (dict(v) for v in TIS_C)
    target = (base, follow)[where]
    if drop == "phys_global":
        del target["phys_global"]
    else:
        del target["mmt_neck_flexors"]
    result = response.total_improvement_score(base, follow)
    assert result.category == "indeterminate"
    assert result.tis is None
    assert result.partial_tis < D("82.5")


def test_convention_5_no_cmas_fallback_when_cmas_missing_too() -> None:
    base = visit(phys_global=5, mmt8=60, cmas=40)
    follow = visit(phys_global=3, cmas=45)  # no MMT at follow-up; CMAS at both -> CMAS
    assert response.total_improvement_score(base, follow).muscle_measure == "cmas"
    follow = visit(phys_global=3)
    result = response.total_improvement_score(base, follow)
    assert (result.muscle_measure, result.category) == ("mmt8", "indeterminate")


def test_convention_5_missing_rows_cannot_change_category() -> None:
    # only phys + muscle available: 20 + 32.5 = 52.5; missing maxima 47.5 -> up to 100: major
    # possible, so indeterminate; with all others present at 0 -> moderate
    base = visit(phys_global=8, mmt8=40)
    follow = visit(phys_global=2, mmt8=70)
    result = response.total_improvement_score(base, follow)
    assert (result.tis, result.category, result.max_attainable) == (D("52.5"),
                                                                    "indeterminate", D(100))
    full_b = dict(base, parent_global=D(3), extramuscular_global=D(3), ck=D(100), **chaq("1"))
    full_f = dict(follow, parent_global=D(3), extramuscular_global=D(3), ck=D(100),
                  **chaq("1"))
    result = response.total_improvement_score(full_b, full_f)
    assert (result.tis, result.category) == (D("52.5"), "moderate")


def test_thresholds_come_from_settings() -> None:
    assert THRESHOLDS["jdm"] == (D(30), D(45), D(70))
    result = response.total_improvement_score(*TIS_D, ScoringSettings(thresholds="adult"))
    assert result.category == "minimal"  # 32.5 >= 20, < 40


def test_chaq_di_used_exactly_not_rounded() -> None:
    # DI 10/7 (1.429 stored) -> 0: exact 1.428571.../3 = 47.6 % -> > 40 % band
    base = {"phys_global": D(5), **mmt8(60)}
    for domain, answer in zip(CHAQ_DOMAINS, [3, 3, 1, 1, 1, 1, 0], strict=False):
        base[registry.chaq_domain_items(domain)[0]] = answer
    follow = {"phys_global": D(5), **mmt8(60), **chaq("0")}
    row = rows(response.total_improvement_score(base, follow))["chaq"]
    assert row.percent_exact == Fraction(10, 7) / 3 * 100
    assert row.baseline == D("1.429")


# --------------------------------------------------------------------------------------------
# PRINTO-A .. PRINTO-E (convention 6)
# --------------------------------------------------------------------------------------------
def printo(base: tuple[object, ...], follow: tuple[object, ...]) -> response.PrintoResult:
    keys = ("phys_global", "parent_global", "cmas", "chaq", "das", "chq_phs")
    return response.printo_response(visit(**dict(zip(keys, base, strict=True))),
                                    visit(**dict(zip(keys, follow, strict=True))))


def test_printo_a_20_yes_50_no() -> None:
    result = printo((6, 5, 30, "1.5", 12, 30), (3, 4, 40, "1.25", 7, 27))
    assert result.levels_met == {"20": "yes", "50": "no", "70": "no"}
    assert result.level == "20"
    variables = {v.key: v for v in result.variables}
    assert variables["parent_global"].percent_exact == 20  # inclusive
    assert variables["chq_phs"].percent_exact == -10
    assert result.muscle_measure == "cmas"


def test_printo_b_muscle_worsened_fails() -> None:
    result = printo((5, 4, 40, "1", 10, 35), (2, 2, 26, "0.5", 4, 40))
    assert result.level == "none"
    assert result.levels_met == {"20": "no", "50": "no", "70": "no"}
    assert "Muscle" in result.explanation or "CMAS" in result.explanation


def test_printo_c_one_non_muscle_worsened_allowed() -> None:
    result = printo((5, 2, 40, "1", 10, 40), (2, 2, 44, "0.5", 4, 20))
    assert result.levels_met == {"20": "yes", "50": "yes", "70": "no"}
    assert result.level == "50"


def test_printo_c_variant_two_worsened_fails() -> None:
    result = printo((5, 2, 40, "1", 10, 40), (2, 3, 44, "0.5", 4, 20))
    assert result.level == "none"


def test_printo_c_exactly_30_percent_worse_is_not_a_worsening() -> None:
    # parent 2 -> 2.6 is exactly -30 %: not "more than 30 %", so only CHQ-PhS counts
    result = printo((5, 2, 40, "1", 10, 40), (2, "2.6", 44, "0.5", 4, 20))
    assert result.level == "50"


def test_printo_d_all_improved_70() -> None:
    result = printo((8, 7, 20, "2", 15, 30), (1, 1, 40, "0.5", 4, 45))
    assert result.level == "70"
    assert result.levels_met == {"20": "yes", "50": "yes", "70": "yes"}


def test_printo_e_baseline_zero_convention() -> None:
    result = printo((3, 0, 40, "0", 6, 40), ("1.2", 1, 50, "0.5", 3, 42))
    variables = {v.key: v for v in result.variables}
    assert variables["parent_global"].outcome == "worsened"
    assert variables["chaq"].outcome == "worsened"
    assert result.level == "none"  # with "0 -> positive ignored" it would be PRINTO 20


def test_convention_6_baseline_zero_unchanged_and_improved() -> None:
    # parent 0 -> 0 is no change; CHQ-PhS 0 -> 10 (higher is better) improves at every level
    result = printo((8, 0, 20, "2", 15, 0), (1, 0, 40, "1.5", 12, 10))
    variables = {v.key: v for v in result.variables}
    assert variables["parent_global"].outcome == "no_change"
    assert not variables["parent_global"].worsened
    assert variables["chq_phs"].outcome == "improved"
    # improved >= 70: phys 87.5 %, CMAS 100 %, CHQ-PhS (baseline 0) -> 3
    assert result.level == "70"


def test_convention_6_mmt_used_when_cmas_not_at_both_visits() -> None:
    base = visit(phys_global=6, parent_global=5, mmt8=50, cmas=30, chaq="1.5", das=12,
                 chq_phs=30)
    follow = visit(phys_global=3, parent_global=4, mmt8=70, chaq="1.25", das=7, chq_phs=27)
    result = response.printo_response(base, follow)
    assert result.muscle_measure == "mmt8"
    muscle = next(v for v in result.variables if v.key == "muscle")
    assert muscle.percent_exact == 40


def test_convention_6_missing_variable_same_level_in_best_and_worst_case() -> None:
    # PRINTO-A without CHQ-PhS: best and worst case both PRINTO 20
    result = printo((6, 5, 30, "1.5", 12, None), (3, 4, 40, "1.25", 7, None))
    assert result.level == "20"


def test_convention_6_missing_variables_indeterminate() -> None:
    # PRINTO-A without parent and DAS: 2 improved >= 20 %; best 50, worst none
    result = printo((6, None, 30, "1.5", None, 30), (3, None, 40, "1.25", None, 27))
    assert result.level == "indeterminate"
    assert result.levels_met["20"] == "indeterminate"


def test_convention_6_missing_muscle_worst_case_is_disqualifying() -> None:
    # 5 variables improved >= 70 %, muscle missing: worst case muscle worsened -> none
    result = printo((8, 7, None, "2", 15, 30), (1, 1, None, "0.5", 4, 55))
    assert result.muscle_measure is None
    assert result.level == "indeterminate"


# --------------------------------------------------------------------------------------------
# compare_visits
# --------------------------------------------------------------------------------------------
def test_compare_visits_bundles_tis_printo_and_follow_up_cid() -> None:
    base, follow = TIS_A
    follow = dict(follow, ck=D(120), phys_global=D("0.2"), **mmt8(78))
    result = response.compare_visits(base, follow)
    assert result.cid.status == "yes"  # CK, MMT-8 and PhGA met at the follow-up
    assert result.tis.rule_version and result.printo.rule_version
    values = result.response_values()
    assert set(values) == {"tis", "tis_measures", "tis_muscle_measure", "tis_enzyme",
                           "tis_parent_measure", "acr_eular_response",
                           "acr_eular_response_min", "acr_eular_response_max",
                           "printo_response", "printo_response_worst", "printo_response_best"}
    assert values["tis_enzyme"] == "ck"
    for name, value in values.items():
        fld = registry.get(name)
        if fld.choices and value is not None:
            assert value in fld.choice_codes


def test_explanations_name_rows_percent_and_points() -> None:
    result = response.total_improvement_score(*TIS_A)
    assert "Physician global" in result.explanation
    assert "35 %" in result.explanation
    assert "17.5 of 20 points" in result.explanation
    assert "-> major" in result.explanation
    printo_result = printo((6, 5, 30, "1.5", 12, 30), (3, 4, 40, "1.25", 7, 27))
    assert "improved 50 %" in printo_result.explanation


def test_convention_9_results_carry_rule_versions() -> None:
    result = response.compare_visits(*TIS_A)
    assert result.tis.rule_version == scoring.RULE_VERSIONS["tis"]
    assert result.printo.rule_version == scoring.RULE_VERSIONS["printo_response"]
    assert result.cid.rule_version == scoring.RULE_VERSIONS["printo_cid"]


def test_convention_5_cmas_setting_has_no_mmt_fallback() -> None:
    base = visit(phys_global=5, mmt8=60, cmas=40)
    follow = visit(phys_global=3, mmt8=70)
    result = response.total_improvement_score(base, follow,
                                              ScoringSettings(tis_muscle_measure="cmas"))
    assert (result.muscle_measure, result.category) == ("cmas", "indeterminate")

"""Finding the right child: ranking of the patient finder (forms.finder)."""

from __future__ import annotations

import pytest

from forms.finder import Match, Searchable, patient_rank, rank_patients, word_match

F, M = ("female", "Female"), ("male", "Male")
PATIENTS = [
    Searchable("DEMO-02", "MRN0013", "Anna", "Berg", F, "2024-03-13 M3 48 76 Major"),
    Searchable("DEMO-13", "H998877", "Li", "Wang", M, "2023-11-02 M6 40 70"),
    Searchable("DEMO-130", None, "Sam", "Osei", M, "2022-01-01 M0"),
    Searchable("P13", "77-13", "Maria", "Male", F, ""),
    Searchable("CN-7", "8812", "小明", "王", M, "2021-05-06"),
    Searchable("JOSE-1", None, "José", "Núñez", M, ""),
]


def order(query: str) -> list[str]:
    return [PATIENTS[i].study_id for i in rank_patients(query, PATIENTS)]


def test_typing_13_finds_demo_13_first_not_a_date() -> None:
    got = order("13")
    assert got[0] == "DEMO-13"  # the number of a study ID
    assert got.index("DEMO-02") > got.index("DEMO-130")  # a date or MRN part comes later
    assert got.index("DEMO-02") > got.index("P13")


def test_leading_zeros_still_find_the_number() -> None:
    assert order("013")[:2] == ["DEMO-13", "P13"]


def test_exact_study_id_first_then_prefixes() -> None:
    assert order("DEMO-13")[:2] == ["DEMO-13", "DEMO-130"]
    assert order("demo-1")[:2] == ["DEMO-13", "DEMO-130"]
    assert order("p13")[0] == "P13"


def test_mrn_exact_and_prefix() -> None:
    assert order("H998877") == ["DEMO-13"]
    assert order("h99") == ["DEMO-13"]
    assert order("8812")[0] == "CN-7"


def test_sex_is_a_whole_word() -> None:
    males = order("male")
    assert "DEMO-02" not in males  # "male" is inside "female" but is not her sex
    assert set(males) >= {"DEMO-13", "DEMO-130", "CN-7", "JOSE-1"}
    assert "P13" in males and males[0] == "P13"  # family name "Male" is a name match
    assert set(order("female")) == {"DEMO-02", "P13"}
    assert set(order("fem")) == {"DEMO-02", "P13"}  # the start of the word, never its middle


def test_names_given_family_and_chinese() -> None:
    assert order("wang") == ["DEMO-13"]
    assert order("li wang") == ["DEMO-13"]
    assert order("王小明") == ["CN-7"]
    assert order("王 小明") == ["CN-7"]
    assert order("小明") == ["CN-7"]
    assert order("明") == ["CN-7"]  # part of a given name
    assert order("jose nunez") == ["JOSE-1"]  # accents folded
    assert order("ann") == ["DEMO-02"]


def test_every_word_must_match() -> None:
    assert order("anna male") == []
    assert order("anna female") == ["DEMO-02"]
    assert order("zzz") == []


def test_word_match_tiers() -> None:
    p = PATIENTS[0]
    assert word_match("demo-02", p) is Match.STUDY_ID
    assert word_match("mrn0013", p) is Match.MRN
    assert word_match("2", p) is Match.ID_NUMBER
    assert word_match("dem", p) is Match.ID_PREFIX
    assert word_match("berg", p) is Match.NAME
    assert word_match("2024-03", p) is Match.OTHER
    assert word_match("major", p) is Match.OTHER


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_keeps_everyone_in_order(query: str) -> None:
    assert rank_patients(query, PATIENTS) == list(range(len(PATIENTS)))
    assert patient_rank(query, PATIENTS[0]) is not None

"""Finding the right child: rank patients against what was typed in the finder.

What a clinic types is an identifier first: an exact study ID beats everything, then an exact
MRN, then the number of a study ID (``13`` is ``DEMO-13``), then ID prefixes (``DEMO-13`` for
``demo-1``, ``DEMO-130`` for ``13``) and MRN prefixes, then names (exact, then prefix; Chinese
names with or without the space, family name first or last), then sex as a whole word or its
start (``fem`` is female; ``male`` never matches ``female``), then anything else shown in the
row (visit dates, labels, scores) last, so a date never outranks an ID. Every typed word must
match something; a patient's rank is that of its worst-matching word.

Pure Python: the GUI's patient list asks :func:`rank_patients` for the order to show.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import field
from enum import IntEnum

from forms.records import frozen


class Match(IntEnum):
    """How well one typed word matches a patient (lower is better)."""

    STUDY_ID = 0
    MRN = 1
    ID_NUMBER = 2  #: the digits typed are the number in the study ID (13 -> DEMO-13, DEMO-013)
    ID_PREFIX = 3
    ID_NUMBER_PREFIX = 4  #: the digits typed start the number in the study ID (13 -> DEMO-130)
    MRN_PREFIX = 5
    NAME = 6
    NAME_PREFIX = 7
    SEX = 8
    ID_PART = 9  #: inside the study ID or MRN
    NAME_PART = 10  #: inside a name (Chinese given names without a space)
    OTHER = 11  #: anywhere else in the row (dates, labels, scores)


@frozen
class Searchable:
    """What the finder knows about one patient.

    Attributes:
        study_id, mrn, given_name, family_name: identifiers (None when unknown).
        sex_words: the sex code and label (``("female", "Female")``).
        other: the rest of the row's text (dates, labels, scores, response).
    """

    study_id: str
    mrn: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    sex_words: tuple[str, ...] = ()
    other: str = ""
    _folded: _Folded | None = field(default=None, init=False, repr=False, compare=False)

    def folded(self) -> _Folded:
        """The folded texts, computed once (the finder ranks 5,000 rows per keystroke)."""
        if self._folded is None:
            given, family = fold(self.given_name), fold(self.family_name)
            forms = [given, family]
            if given and family:
                forms += [f"{given} {family}", f"{family} {given}", f"{family}{given}",
                          f"{given}{family}", f"{family}, {given}"]
            sid = fold(self.study_id)
            names = tuple(f for f in forms if f)
            sex = frozenset(fold(s) for s in self.sex_words)
            other = fold(self.other)
            mrn = fold(self.mrn)
            object.__setattr__(self, "_folded", _Folded(
                sid=sid, mrn=mrn, sid_numbers=tuple(_DIGITS.findall(sid)), names=names,
                words=tuple(w for n in (given, family) for w in n.split()), sex=sex,
                other=other, everything="\x00".join((sid, mrn, *names, *sex, other))))
        assert self._folded is not None
        return self._folded


@frozen
class _Folded:
    sid: str
    mrn: str
    sid_numbers: tuple[str, ...]
    names: tuple[str, ...]
    words: tuple[str, ...]
    sex: frozenset[str]
    other: str
    #: every text above joined: a word in none of them is rejected with one substring test
    everything: str


def fold(text: str | None) -> str:
    """Case-, width- and accent-insensitive text for matching (``Ｄｅｍｏ`` = ``demo``,
    ``José`` = ``jose``); Chinese characters are kept as they are."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold().strip()


_DIGITS = re.compile(r"\d+")


def word_match(word: str, p: Searchable) -> Match | None:
    """The best :class:`Match` of one folded typed word against a patient, or None."""
    f = p.folded()
    digits = word.isdigit()
    # the common case while typing: one substring test rejects the row (digits without their
    # leading zeros, which an ID number match ignores: 013 is the 13 of DEMO-13)
    if (word.lstrip("0") or "0" if digits else word) not in f.everything:
        return None
    sid, mrn = f.sid, f.mrn
    if word == sid:
        return Match.STUDY_ID
    if mrn and word == mrn:
        return Match.MRN
    if digits and any(int(d) == int(word) for d in f.sid_numbers):
        return Match.ID_NUMBER
    if sid.startswith(word):
        return Match.ID_PREFIX
    if digits and any(d.startswith(word) for d in f.sid_numbers):
        return Match.ID_NUMBER_PREFIX
    if mrn and mrn.startswith(word):
        return Match.MRN_PREFIX
    if word in f.names or word in f.words:
        return Match.NAME
    if any(n.startswith(word) for n in f.names) or any(w.startswith(word) for w in f.words):
        return Match.NAME_PREFIX
    if any(sex.startswith(word) for sex in f.sex):  # a whole word, or its start ("fem")
        return Match.SEX
    if word in sid or (mrn and word in mrn):
        return Match.ID_PART
    if any(word in n for n in f.names):
        return Match.NAME_PART
    if word in f.other and any(word in token and token not in f.sex
                               for token in f.other.split()):
        return Match.OTHER  # but never "male" inside the sex word "female"
    return None


def patient_rank(query: str, p: Searchable) -> tuple[int, int] | None:
    """(worst word match, sum of word matches) of a patient for ``query``, or None when some
    typed word matches nothing. The whole query is also tried as one name ("王 小明")."""
    q = fold(query)
    return _rank(q, q.split(), p)


def _rank(q: str, words: list[str], p: Searchable) -> tuple[int, int] | None:
    if not words:
        return (int(Match.OTHER), 0)
    whole = None
    if len(words) > 1:
        m = word_match(q, p)
        if m is not None and m <= Match.NAME_PART:
            whole = (int(m), int(m))
    worst = total = 0
    for w in words:
        m = word_match(w, p)
        if m is None:
            return whole
        worst = max(worst, int(m))
        total += int(m)
    each = (worst, total)
    return each if whole is None else min(whole, each)


def rank_patients(query: str, patients: Sequence[Searchable]) -> list[int]:
    """Indexes of the patients matching ``query``, best first (ties keep the given order)."""
    q = fold(query)
    words = q.split()
    ranked = []
    for i, p in enumerate(patients):
        r = _rank(q, words, p)
        if r is not None:
            ranked.append((r, i))
    ranked.sort()
    return [i for _, i in ranked]

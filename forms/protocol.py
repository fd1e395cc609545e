"""The study protocol: which visits are due when, and what a visit is called.

A protocol is a list of *protocol visits* (``M0``, ``M3``, ``M6``, ``M12``, then one every
6 months by default), each with a target day counted from the baseline visit and a window of
days either side, plus two other kinds of visit that are never part of the schedule:
``unscheduled`` and ``flare``. Visit labels are always one of these codes, so "M3", "m3" and
"3M" are one group (:func:`canonical_label`), and protocol summaries leave flare and
unscheduled visits out (:func:`is_protocol_label`).

Pure Python: the protocol is stored by ``storage`` as a settings value (:meth:`Protocol.to_dict`
/ :meth:`Protocol.from_dict`) and edited in the GUI's settings dialog.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import field
from enum import StrEnum
from typing import Any

from forms import i18n
from forms.records import frozen

#: the label of a flare visit (a visit brought forward because the disease flared).
FLARE = "flare"
#: the label of any other visit outside the schedule.
UNSCHEDULED = "unscheduled"
#: labels that are not protocol visits, with the words shown to people, in picker order.
OTHER_KINDS: tuple[tuple[str, str], ...] = ((UNSCHEDULED, i18n.N_("Unscheduled visit")),
                                            (FLARE, i18n.N_("Flare visit")))
_OTHER_CODES = frozenset(code for code, _ in OTHER_KINDS)

#: sort key of a non-protocol label (after every protocol visit); an unknown label sorts last.
_OTHER_ORDER = 1_000_000
_UNKNOWN_ORDER = 2_000_000


def month_target_day(month: int) -> int:
    """The target day of protocol month ``month``: ``month * 365 // 12`` (M3 = day 91, M6 =
    day 182, M12 = day 365, M24 = day 730), so whole years land on whole years."""
    return month * 365 // 12


@frozen
class ProtocolVisit:
    """One visit of the schedule.

    Attributes:
        month: months from baseline; the label is ``M<month>``.
        target_day: days from the baseline visit the visit is planned for.
        window_days: the visit counts as on time from ``target_day - window_days`` to
            ``target_day + window_days`` (inclusive).
    """

    month: int
    target_day: int
    window_days: int

    @classmethod
    def at_month(cls, month: int, window_days: int) -> ProtocolVisit:
        """The visit at ``month`` with the usual target day (:func:`month_target_day`)."""
        return cls(month, month_target_day(month), window_days)

    @property
    def label(self) -> str:
        return f"M{self.month}"

    @property
    def window_start(self) -> int:
        """First day (from baseline) of the window."""
        return self.target_day - self.window_days

    @property
    def window_end(self) -> int:
        """Last day (from baseline) of the window."""
        return self.target_day + self.window_days

    def describe(self) -> str:
        """``"M3: month 3, day 91 +/- 14"`` for settings and tooltips."""
        if self.window_days:
            return (f"{self.label}: month {self.month}, day {self.target_day} "
                    f"+/- {self.window_days}")
        return f"{self.label}: month {self.month}, day {self.target_day}"


@frozen
class Protocol:
    """A study schedule.

    Attributes:
        visits: the listed protocol visits, in increasing month order (``M0`` first).
        repeat_every_months: after the last listed visit, one more visit every this many
            months (0: no repeats).
        repeat_window_days: the window of each repeated visit.
        last_month: no protocol visit is generated after this month (follow-up ends).
    """

    visits: tuple[ProtocolVisit, ...]
    repeat_every_months: int = 6
    repeat_window_days: int = 30
    last_month: int = 120
    _by_month: dict[int, ProtocolVisit] = field(default_factory=dict, init=False, repr=False,
                                                compare=False, hash=False)

    def __post_init__(self) -> None:
        problems = protocol_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        object.__setattr__(self, "_by_month", {v.month: v for v in self.schedule()})

    # ---- the schedule --------------------------------------------------------------------
    def schedule(self) -> Iterator[ProtocolVisit]:
        """Every protocol visit, listed and repeated, in order, up to :attr:`last_month`."""
        for v in self.visits:
            if v.month <= self.last_month:
                yield v
        if not self.visits or self.repeat_every_months <= 0:
            return
        month = self.visits[-1].month + self.repeat_every_months
        while month <= self.last_month:
            yield ProtocolVisit.at_month(month, self.repeat_window_days)
            month += self.repeat_every_months

    def visit(self, label: str | None) -> ProtocolVisit | None:
        """The protocol visit with this label (any spelling :func:`canonical_label` accepts)."""
        month = _month_of(label)
        return None if month is None else self._by_month.get(month)

    def visit_at_month(self, month: int) -> ProtocolVisit | None:
        return self._by_month.get(month)

    def labels(self, through_month: int | None = None) -> tuple[str, ...]:
        """Protocol visit labels in order (up to ``through_month`` when given)."""
        return tuple(v.label for v in self.schedule()
                     if through_month is None or v.month <= through_month)

    def label_choices(self, through_month: int | None = None) -> tuple[tuple[str, str], ...]:
        """(code, words) for a label picker: the protocol visits, then unscheduled and flare."""
        return (tuple((v.label, i18n._("{label} (month {month})").format(label=v.label,
                                                                          month=v.month))
                      for v in self.schedule()
                      if through_month is None or v.month <= through_month)
                + tuple((code, i18n._(words)) for code, words in OTHER_KINDS))

    def allowed_text(self) -> str:
        """``M0, M3, M6, M12, M18, M24 ... M120, unscheduled or flare`` for messages."""
        labels = self.labels()
        shown = ", ".join(labels[:6])
        if len(labels) > 6:
            shown += f" ... {labels[-1]}"
        return f"{shown}, {UNSCHEDULED} or {FLARE}"

    # ---- storage -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (the settings value ``storage`` keeps)."""
        return {"visits": [{"month": v.month, "target_day": v.target_day,
                            "window_days": v.window_days} for v in self.visits],
                "repeat_every_months": self.repeat_every_months,
                "repeat_window_days": self.repeat_window_days,
                "last_month": self.last_month}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Protocol:
        """The protocol :meth:`to_dict` wrote.

        Raises:
            ValueError: a missing or malformed entry, named.
        """
        try:
            visits = tuple(ProtocolVisit(_whole(v["month"], "month"),
                                         _whole(v["target_day"], "target day"),
                                         _whole(v["window_days"], "window"))
                           for v in data["visits"])
            return cls(visits,
                       repeat_every_months=_whole(data.get("repeat_every_months", 6),
                                                  "repeat interval"),
                       repeat_window_days=_whole(data.get("repeat_window_days", 30),
                                                 "repeat window"),
                       last_month=_whole(data.get("last_month", 120), "last month"))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"study protocol setting is malformed ({exc})") from exc


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"study protocol: {what} must be a whole number, not {value!r}")
    return value


def protocol_problems(protocol: Protocol) -> list[str]:
    """Everything wrong with a protocol, in words (empty when it is usable)."""
    problems: list[str] = []
    if not protocol.visits:
        return ["the protocol needs at least the baseline visit M0"]
    if protocol.visits[0].month != 0 or protocol.visits[0].target_day != 0:
        problems.append("the first protocol visit must be M0 on day 0")
    for v in protocol.visits:
        if v.month < 0 or v.target_day < 0 or v.window_days < 0:
            problems.append(f"{v.label}: month, target day and window must not be negative")
    for a, b in zip(protocol.visits, protocol.visits[1:], strict=False):
        if b.month <= a.month:
            problems.append(f"{b.label} must come after {a.label}")
        elif b.target_day <= a.target_day:
            problems.append(f"{b.label} (day {b.target_day}) must be later than "
                            f"{a.label} (day {a.target_day})")
    if protocol.repeat_every_months < 0 or protocol.repeat_window_days < 0:
        problems.append("the repeat interval and window must not be negative")
    if protocol.last_month < protocol.visits[-1].month:
        problems.append(f"follow-up must not end before {protocol.visits[-1].label}")
    return problems


#: M0, M3 +/- 14 days, M6 +/- 21, M12 +/- 30, then every 6 months +/- 30, for 10 years.
DEFAULT_PROTOCOL = Protocol(
    visits=(ProtocolVisit.at_month(0, 0), ProtocolVisit.at_month(3, 14),
            ProtocolVisit.at_month(6, 21), ProtocolVisit.at_month(12, 30)),
    repeat_every_months=6, repeat_window_days=30, last_month=120)


# ---- labels ------------------------------------------------------------------------------
_SPELLINGS = (
    re.compile(r"m(?:onths?|o)?(\d{1,3})"),  # M3, m03, month3, months 3, mo3
    re.compile(r"(\d{1,3})(?:m|mo|months?)"),  # 3M, 3mo, 3 months
    re.compile(r"visitm(\d{1,3})"),  # visit M3
)
_BASELINE_WORDS = frozenset({"baseline", "bl", "base", "m0", "day0", "d0", "v0", "visit0"})
_FLARE_WORDS = frozenset({"flare", "flarevisit", "relapse"})
_UNSCHEDULED_WORDS = frozenset({"unscheduled", "unsched", "unscheduledvisit"})


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-.:/]+", "", text.strip().casefold())


def _month_of(text: str | None) -> int | None:
    if text is None:
        return None
    squashed = _squash(text)
    if squashed in _BASELINE_WORDS:
        return 0
    for pattern in _SPELLINGS:
        match = pattern.fullmatch(squashed)
        if match:
            return int(match.group(1))
    return None


def canonical_label(text: str | None, protocol: Protocol = DEFAULT_PROTOCOL) -> str | None:
    """The label code for a typed or stored label, or None when it is none of the protocol's.

    ``'M3'``, ``'m3'``, ``'3M'``, ``'month 3'``, ``' M 3 '`` -> ``'M3'`` (when M3 is a protocol
    visit); ``'baseline'`` -> ``'M0'``; ``'Flare'`` -> ``'flare'``; ``'unscheduled'`` ->
    ``'unscheduled'``; anything else (``'M9'`` in the default protocol, ``'hello'``) -> None.
    """
    if text is None:
        return None
    squashed = _squash(text)
    if squashed in _FLARE_WORDS:
        return FLARE
    if squashed in _UNSCHEDULED_WORDS:
        return UNSCHEDULED
    visit = protocol.visit(text)
    return None if visit is None else visit.label


def is_protocol_label(label: str | None, protocol: Protocol = DEFAULT_PROTOCOL) -> bool:
    """True for a protocol visit label (``M0``, ``M3``, ...); False for flare, unscheduled,
    an unknown label or None."""
    return protocol.visit(label) is not None


def protocol_order(label: str | None, protocol: Protocol = DEFAULT_PROTOCOL) -> int:
    """A sort key: the month of a protocol visit; unscheduled and flare after every protocol
    visit; anything else last."""
    code = canonical_label(label, protocol)
    if code is None:
        return _UNKNOWN_ORDER
    if code in _OTHER_CODES:
        return _OTHER_ORDER
    month = _month_of(code)
    return _UNKNOWN_ORDER if month is None else month


def label_words(label: str | None) -> str:
    """What people read for a label code: ``"M3"``, ``"Flare visit"``, ``"Unscheduled visit"``,
    ``""`` for None; any other text as it is."""
    if label is None:
        return ""
    return i18n._(dict(OTHER_KINDS).get(label, label))


@frozen
class LabelMapping:
    """How one stored free-text label maps onto the protocol (the one-time review list)."""

    old: str
    new: str
    exact: bool  #: the old text was already the code (nothing to review)


def map_labels(labels: Iterable[str | None],
               protocol: Protocol = DEFAULT_PROTOCOL) -> dict[str | None, LabelMapping | None]:
    """Each distinct stored label -> its protocol code, or ``unscheduled`` when it matches none.

    None (no label) maps to None: such a visit stays unlabelled until someone picks a label.
    """
    result: dict[str | None, LabelMapping | None] = {}
    for old in labels:
        if old in result:
            continue
        if old is None or not old.strip():
            result[old] = None
            continue
        new = canonical_label(old, protocol) or UNSCHEDULED
        result[old] = LabelMapping(old, new, exact=new == old)
    return result


# ---- what is due -------------------------------------------------------------------------
class DueStatus(StrEnum):
    """Where today falls for a patient's next protocol visit."""

    UPCOMING = "upcoming"  #: before the window opens
    DUE = "due"  #: inside the window
    OVERDUE = "overdue"  #: the window has closed and the next visit's window is not open yet
    COMPLETE = "complete"  #: every protocol visit up to the end of follow-up is done


@frozen
class NextVisit:
    """A patient's next protocol visit as of ``today``.

    Attributes:
        visit: the protocol visit, or None when follow-up is complete.
        status: see :class:`DueStatus`.
        target_date, window_start, window_end: calendar dates of the visit (None if complete).
        days_to_target: ``target_date - today`` in days (negative once the target has passed).
        days_overdue: days since the window closed (0 unless overdue).
        missed: protocol visits whose window closed without a visit, skipped over because a
            later visit's window has opened.
    """

    visit: ProtocolVisit | None
    status: DueStatus
    target_date: dt.date | None
    window_start: dt.date | None
    window_end: dt.date | None
    days_to_target: int | None
    days_overdue: int
    missed: tuple[str, ...] = ()

    @property
    def label(self) -> str | None:
        return None if self.visit is None else self.visit.label

    @property
    def needs_attention(self) -> bool:
        """Due or overdue: the patient belongs on the "Due and overdue" list."""
        return self.status in (DueStatus.DUE, DueStatus.OVERDUE)

    def describe(self) -> str:
        """``"M6 overdue by 12 days"``, ``"M3 due, target in 4 days"``, ``"M12 in 40 days"``."""
        if self.visit is None:
            return "Follow-up complete"
        if self.status is DueStatus.OVERDUE:
            return f"{self.visit.label} overdue by {_days(self.days_overdue)}"
        d = self.days_to_target or 0
        if self.status is DueStatus.DUE:
            if d > 0:
                return f"{self.visit.label} due, target in {_days(d)}"
            if d < 0:
                return f"{self.visit.label} due, target was {_days(-d)} ago"
            return f"{self.visit.label} due today (target day)"
        return f"{self.visit.label} in {_days(d)}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def next_visit(baseline: dt.date, done_labels: Iterable[str | None], today: dt.date,
               protocol: Protocol = DEFAULT_PROTOCOL) -> NextVisit:
    """The next protocol visit of a patient whose baseline visit was on ``baseline``.

    ``done_labels`` are the labels of the patient's visits (any spelling; flare and unscheduled
    visits count for nothing). Protocol visits after the latest one done are considered in
    order. A visit whose window
    has closed stays *overdue* until the window of the visit after it opens; from then it is
    *missed* and the later visit is the next one.
    """
    # The baseline visit is M0 whatever it was labelled: it is the day the schedule counts from.
    done = [v.month for label in done_labels if (v := protocol.visit(label)) is not None]
    last_done = max(done, default=0)
    day = (today - baseline).days
    overdue: ProtocolVisit | None = None
    missed: list[str] = []
    for v in protocol.schedule():
        if v.month <= last_done:
            continue
        if day > v.window_end:
            if overdue is not None:
                missed.append(overdue.label)
            overdue = v
            continue
        if day >= v.window_start or overdue is None:
            if overdue is not None:
                missed.append(overdue.label)
            status = DueStatus.DUE if day >= v.window_start else DueStatus.UPCOMING
            return _next(baseline, v, status, day, missed)
        return _next(baseline, overdue, DueStatus.OVERDUE, day, missed)
    if overdue is not None:
        return _next(baseline, overdue, DueStatus.OVERDUE, day, missed)
    return NextVisit(None, DueStatus.COMPLETE, None, None, None, None, 0, tuple(missed))


def _next(baseline: dt.date, v: ProtocolVisit, status: DueStatus, day: int,
          missed: list[str]) -> NextVisit:
    add = dt.timedelta
    return NextVisit(visit=v, status=status, target_date=baseline + add(days=v.target_day),
                     window_start=baseline + add(days=v.window_start),
                     window_end=baseline + add(days=v.window_end),
                     days_to_target=v.target_day - day,
                     days_overdue=max(0, day - v.window_end) if status is DueStatus.OVERDUE
                     else 0,
                     missed=tuple(missed))


def proposed_label(baseline: dt.date | None, done_labels: Iterable[str | None],
                   visit_date: dt.date, protocol: Protocol = DEFAULT_PROTOCOL) -> str:
    """The label a new visit on ``visit_date`` should get.

    No baseline yet: ``M0``. Otherwise the next protocol visit when ``visit_date`` is inside
    its window or it is overdue; ``unscheduled`` when the visit is early (before the window).
    """
    if baseline is None:
        return "M0"
    nxt = next_visit(baseline, done_labels, visit_date, protocol)
    if nxt.visit is None or nxt.status is DueStatus.UPCOMING:
        return UNSCHEDULED
    return nxt.visit.label


# ---- grouping visits by protocol visit ---------------------------------------------------------
@frozen
class ProtocolSlot:
    """One protocol visit of a patient's schedule and the visits recorded for it.

    Attributes:
        visit: the protocol visit.
        target_date, window_start, window_end: its calendar dates from the baseline.
        recorded: indexes (into the caller's list) of the visits labelled with it, by date.
    """

    visit: ProtocolVisit
    target_date: dt.date
    window_start: dt.date
    window_end: dt.date
    recorded: tuple[int, ...]


def group_by_protocol(baseline: dt.date, visits: Sequence[tuple[dt.date, str | None]],
                      through: dt.date, protocol: Protocol = DEFAULT_PROTOCOL
                      ) -> tuple[list[ProtocolSlot], list[int]]:
    """The protocol visits up to ``through`` (and any later one already recorded) with the
    visits labelled for each, and the indexes of the other visits (flare, unscheduled,
    unlabelled or an unknown label), which stay out of every protocol summary.

    ``visits`` are (date, label) pairs in any spelling :func:`canonical_label` knows.
    """
    by_month: dict[int, list[int]] = {}
    others: list[int] = []
    for i, (_day, label) in enumerate(visits):
        v = protocol.visit(label) if is_protocol_label(label, protocol) else None
        if v is None:
            others.append(i)
        else:
            by_month.setdefault(v.month, []).append(i)
    slots = []
    add = dt.timedelta
    for v in protocol.schedule():
        start = baseline + add(days=v.window_start)
        if start > through and v.month not in by_month:
            break
        recorded = tuple(sorted(by_month.get(v.month, []), key=lambda i: visits[i][0]))
        slots.append(ProtocolSlot(v, baseline + add(days=v.target_day), start,
                                  baseline + add(days=v.window_end), recorded))
    others.sort(key=lambda i: visits[i][0])
    return slots, others

"""Plausibility warnings that catch paper-to-screen slips, and what a new visit may carry over.

Warnings, never errors: a real child can be asymmetric or change fast, so saving is allowed,
but the nurse is asked to look again. Each rule names the fields in clinical words and gives
the numbers rounded to the registry's decimals.

* MMT-8 left/right asymmetry: JDM weakness is symmetric; one group graded
  :data:`ASYMMETRY_GRADES` or more Kendall grades apart between sides, or side totals (7 groups)
  :data:`ASYMMETRY_SIDE_TOTAL` or more apart, is more often a slip (a row skipped on the paper
  sheet) than a finding.
* Change since the previous visit (:data:`CHANGE_LIMITS`): weight by more than 20 %, CMAS by
  20 or more of 52, MMT-8 by 20 or more of 80, CK by a factor of 10 or more (and at least
  1,000 U/L apart).
* The parent's global assessment (overall well-being) and the CHAQ well-being VAS are the same
  question on the same 0-10 line: :data:`PARENT_VAS_GAP` cm or more apart is usually one of
  them reversed or misread.

:func:`carry_over` lists what the previous visit offers to a new one (assessor, each lab's
upper limit of normal); the GUI shows it and fills it only when the user accepts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from forms import registry
from forms.formatting import format_value
from forms.records import frozen
from forms.validation import Problem, Severity

#: a paired MMT-8 group this many Kendall grades apart between sides is flagged.
ASYMMETRY_GRADES = 3
#: right and left 7-group sums this far apart are flagged (of 70).
ASYMMETRY_SIDE_TOTAL = 8
#: parent global vs CHAQ well-being VAS: this many cm apart (0-10) is flagged.
PARENT_VAS_GAP = Decimal(5)


@frozen
class ChangeLimit:
    """A change since the previous visit that is flagged.

    Attributes:
        name: the registry field (entered, or a derived total).
        absolute: flagged at this absolute change or more (same unit as the field).
        relative: flagged at this relative change or more (0.2 = 20 %).
        ratio: flagged when one value is this many times the other (and ``absolute`` apart).
    """

    name: str
    absolute: Decimal | None = None
    relative: Decimal | None = None
    ratio: Decimal | None = None


CHANGE_LIMITS: tuple[ChangeLimit, ...] = (
    ChangeLimit("weight_kg", relative=Decimal("0.2")),
    ChangeLimit("cmas_total", absolute=Decimal(20)),
    ChangeLimit("mmt8_total", absolute=Decimal(20)),
    ChangeLimit("ck", absolute=Decimal(1000), ratio=Decimal(10)),
)

#: fields a new visit may take over from the previous one (offered, never silent).
CARRY_OVER_FIELDS: tuple[str, ...] = ("assessor", *(e.uln_field for e in registry.enzymes()))


def _num(value: object, name: str) -> str:
    """A value rounded to the field's registry decimals, for people."""
    return format_value(name, value, unit=False)


def _warn(name: str, value: object, reason: str) -> Problem:
    return Problem(name, value, reason, Severity.WARNING, registry.get(name).label)


def _number(values: Mapping[str, object], name: str) -> Decimal | None:
    v = values.get(name)
    if isinstance(v, bool) or not isinstance(v, int | Decimal):
        return None
    return Decimal(v)


def asymmetry_warnings(values: Mapping[str, object]) -> list[Problem]:
    """MMT-8 groups (and side totals) graded far apart between right and left."""
    out: list[Problem] = []
    sums: dict[str, int] = {}
    for side in ("r", "l"):
        grades = [_number(values, n) for n in registry.mmt8_side_names(side)]
        if all(g is not None for g in grades):
            sums[side] = int(sum(g for g in grades if g is not None))
    for stem, label in registry.MMT_PAIRED:
        right, left = _number(values, f"{stem}_r"), _number(values, f"{stem}_l")
        if right is None or left is None:
            continue
        if abs(right - left) >= ASYMMETRY_GRADES:
            out.append(Problem(f"{stem}_l", left,
                               f"(left) is {abs(right - left)} grades from the right side "
                               f"({right}): check right and left on the score sheet",
                               Severity.WARNING, label))
    if len(sums) == 2 and abs(sums["r"] - sums["l"]) >= ASYMMETRY_SIDE_TOTAL:
        out.append(Problem(registry.mmt8_side_names("l")[0], sums["l"],
                           f"is the left-side sum of 7 groups, {abs(sums['r'] - sums['l'])} "
                           f"from the right side ({sums['r']}): JDM weakness is usually "
                           "symmetric", Severity.WARNING, "MMT-8 left side"))
    return out


def change_warnings(values: Mapping[str, object], previous: Mapping[str, object],
                    previous_date: dt.date | None = None) -> list[Problem]:
    """Implausible changes since the previous visit (values may include derived totals)."""
    out: list[Problem] = []
    when = f" on {previous_date.isoformat()}" if previous_date else ""
    for limit in CHANGE_LIMITS:
        now, before = _number(values, limit.name), _number(previous, limit.name)
        if now is None or before is None:
            continue
        diff = abs(now - before)
        flagged = False
        if limit.ratio is not None:
            low, high = sorted((now, before))
            flagged = (low == 0 or high / low >= limit.ratio) and (
                limit.absolute is None or diff >= limit.absolute)
        elif limit.absolute is not None and diff >= limit.absolute:
            flagged = True
        if limit.relative is not None and before > 0 and diff / before > limit.relative:
            flagged = True
        if flagged:
            fld = registry.get(limit.name)
            unit = f" {fld.unit}" if fld.unit else ""
            out.append(_warn(limit.name, now,
                             f"{unit.strip()} is a large change from "
                             f"{_num(before, limit.name)}{unit} at the previous visit{when}: "
                             "check the score sheet".replace("  ", " ").lstrip()))
    return out


def parent_vas_warnings(values: Mapping[str, object]) -> list[Problem]:
    """Parent global (overall well-being) and the CHAQ well-being VAS far apart."""
    parent, vas = _number(values, "parent_global"), _number(values, "chaq_wellbeing")
    if parent is None or vas is None or abs(parent - vas) < PARENT_VAS_GAP:
        return []
    vas_label = registry.get("chaq_wellbeing").label
    return [_warn("parent_global", parent,
                  f"is {_num(abs(parent - vas), 'parent_global')} cm from the {vas_label} "
                  f"({_num(vas, 'chaq_wellbeing')}): both rate overall well-being on the same "
                  "0-10 line, is one reversed?")]


def plausibility_warnings(values: Mapping[str, object],
                          previous: Mapping[str, object] | None = None,
                          previous_date: dt.date | None = None) -> list[Problem]:
    """Every plausibility warning of a visit (``previous``: the visit before, with totals)."""
    out = asymmetry_warnings(values) + parent_vas_warnings(values)
    if previous is not None:
        out += change_warnings(values, previous, previous_date)
    return out


def carry_over(previous: Mapping[str, object], current: Mapping[str, object]
               ) -> dict[str, object]:
    """What the previous visit offers a new one: :data:`CARRY_OVER_FIELDS` it has and the new
    visit has not (yet)."""
    return {name: previous[name] for name in CARRY_OVER_FIELDS
            if previous.get(name) not in (None, "") and current.get(name) in (None, "")}

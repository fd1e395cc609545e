"""Study settings that change how responses are scored (not how values are validated).

Stored by ``storage`` in its settings table and edited in the GUI's settings dialog; passed
explicitly to :mod:`forms.response` and the exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from decimal import Decimal
from types import MappingProxyType

from forms import registry
from forms.fields import plain_number
from forms.i18n import _
from forms.records import frozen

#: TIS muscle-strength measures (instruments.md 7.1): setting code -> scale range used to scale
#: the percent change (the maximum of the total it reads; the instruments declare them,
#: ``registry.muscle_measures()``). MMT-8 unilateral is the default (project convention 5).
MUSCLE_MEASURES: dict[str, Decimal] = {
    m.key: registry.get(m.field).maximum or Decimal(0) for m in registry.muscle_measures()}

#: ACR/EULAR 2016 category thresholds (instruments.md 7.3): minimal, moderate, major.
THRESHOLDS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    "jdm": (Decimal(30), Decimal(45), Decimal(70)),
    "adult": (Decimal(20), Decimal(40), Decimal(60)),
}


def default_ulns() -> Mapping[str, Decimal]:
    """Default upper limits of normal per enzyme, as the instruments declare them
    (:class:`~forms.instruments.base.Enzyme`)."""
    return MappingProxyType({e.name: e.default_uln for e in registry.enzymes()})


@frozen
class ScoringSettings:
    """How responses are scored for this database.

    Attributes:
        tis_muscle_measure: ``mmt8`` (default), ``mmt8_bilateral`` or ``cmas``; CMAS is the
            fallback when the chosen MMT measure is missing at either visit.
        thresholds: ``jdm`` (30/45/70, default) or ``adult`` (20/40/60).
        uln_defaults: enzyme -> ULN used when a visit has no ``<enzyme>_uln``.
    """

    tis_muscle_measure: str = "mmt8"
    thresholds: str = "jdm"
    uln_defaults: Mapping[str, Decimal] = field(default_factory=default_ulns)

    def __post_init__(self) -> None:
        if self.tis_muscle_measure not in MUSCLE_MEASURES:
            raise ValueError(f"TIS muscle measure must be one of {sorted(MUSCLE_MEASURES)}, "
                             f"not {self.tis_muscle_measure!r}")
        if self.thresholds not in THRESHOLDS:
            raise ValueError(f"thresholds must be one of {sorted(THRESHOLDS)}, "
                             f"not {self.thresholds!r}")


# --------------------------------------------------------------------------------------------
# Settings as name/value pairs: how every export carries them and every import reads them
# --------------------------------------------------------------------------------------------
#: what each setting means, for the workbook's Settings sheet and the REDCap settings file.
SETTING_DESCRIPTIONS: dict[str, str] = {
    "tis_muscle_measure": "ACR/EULAR 2016 TIS muscle-strength measure: "
                          + "/".join(MUSCLE_MEASURES) + " (CMAS is the fallback)",
    "thresholds": "ACR/EULAR 2016 response thresholds: jdm (30/45/70) or adult (20/40/60)",
    **{f"uln_{e.name}": f"default upper limit of normal of {e.name} (U/L), used when a visit "
                        f"has no {e.uln_field}" for e in registry.enzymes()},
}


def setting_names() -> tuple[str, ...]:
    """The names of the scoring settings, in the order exports write them."""
    return tuple(SETTING_DESCRIPTIONS)


def settings_items(settings: ScoringSettings) -> dict[str, str | Decimal]:
    """The settings as ``name -> value``: choices as codes, ULNs as exact decimals."""
    items: dict[str, str | Decimal] = {"tis_muscle_measure": settings.tis_muscle_measure,
                                       "thresholds": settings.thresholds}
    for e in registry.enzymes():
        items[f"uln_{e.name}"] = Decimal(settings.uln_defaults[e.name])
    return items


def settings_from_items(items: Mapping[str, object]) -> tuple[ScoringSettings | None,
                                                              list[str]]:
    """Settings read back from :func:`settings_items` pairs (a file's ``settings``).

    A setting the file leaves out keeps its default (files written before it existed were
    scored with the default). Returns ``(settings, [])``, or ``(None, problems)`` with one
    line per unknown name or bad value, naming the setting and what is allowed.
    """
    from forms import validation  # noqa: PLC0415 - validation imports the registry first

    problems: list[str] = []
    known = setting_names()
    for name in items:
        if name not in known:
            problems.append(_('setting "{name}" is not a scoring setting (allowed: '
                              '{allowed})').format(name=name, allowed=", ".join(known)))
    defaults = ScoringSettings()
    muscle = items.get("tis_muscle_measure", defaults.tis_muscle_measure)
    if muscle not in MUSCLE_MEASURES:
        problems.append(_("setting tis_muscle_measure = {value} is not one of {choices}").format(
            value=f"{muscle!s:.40}", choices="/".join(MUSCLE_MEASURES)))
    thresholds = items.get("thresholds", defaults.thresholds)
    if thresholds not in THRESHOLDS:
        problems.append(_("setting thresholds = {value} is not one of {choices}").format(
            value=f"{thresholds!s:.40}", choices="/".join(THRESHOLDS)))
    ulns = dict(defaults.uln_defaults)
    for e in registry.enzymes():
        name = e.name
        raw = items.get(f"uln_{name}")
        if raw is None:
            continue
        uln = registry.get(e.uln_field)
        try:
            value, found = (validation.parse_text(uln, raw) if isinstance(raw, str)
                            else validation.check_field(uln, raw))
        except ArithmeticError:  # an exponent too large for exact arithmetic
            problems.append(_("setting uln_{name} = {value} is not a usable number").format(
                name=name, value=f"{raw!s:.40}"))
            continue
        errors = [p for p in found if p.is_error]
        if errors or not isinstance(value, (int, Decimal)):
            reason = errors[0].reason if errors else _("is empty")
            problems.append(_("setting uln_{name} = {value} {reason}").format(
                name=name, value=f"{raw!s:.40}", reason=reason))
            continue
        ulns[name] = Decimal(value)
    if problems:
        return None, problems
    return ScoringSettings(tis_muscle_measure=str(muscle), thresholds=str(thresholds),
                           uln_defaults=MappingProxyType(ulns)), []


def settings_differences(theirs: ScoringSettings, ours: ScoringSettings) -> list[str]:
    """One line per setting that differs: ``thresholds: adult in the file, jdm here``."""
    a, b = settings_items(theirs), settings_items(ours)
    return [_("{name}: {theirs} in the file, {ours} in this database").format(
        name=name, theirs=_text(a[name]), ours=_text(b[name]))
        for name in setting_names() if a[name] != b[name]]


def _text(value: str | Decimal) -> str:
    return plain_number(value) if isinstance(value, Decimal) else value

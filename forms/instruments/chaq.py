"""CHAQ, the Childhood Health Assessment Questionnaire (instruments.md section 4): 30 items
0-3 or "na" in 8 domains; aids/devices and help per domain; pain and well-being VAS.

The disability index (at least 6 of 8 domains, convention 4) and its roles: the TIS/PRINTO
physical function row, the sign-off physical function domain, the report's function table.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal as D
from fractions import Fraction

from forms.fields import Field, FieldType, Form, Level
from forms.i18n import _
from forms.instruments.base import (
    Derived,
    Domain,
    DomainPart,
    Instrument,
    ReportGroup,
    ReportRow,
    Role,
    RoleBinding,
    Section,
    levels,
)
from forms.instruments.globals import VAS
from forms.records import frozen
from forms.score_base import (
    RULE_VERSIONS,
    InvalidValue,
    Score,
    fmt,
    invalid,
    quantize,
    read_bool,
    read_item,
)

FORM = Form("chaq", "CHAQ", Level.VISIT, "Childhood Health Assessment Questionnaire")

RESPONSES = levels("Without any difficulty", "With some difficulty", "With much difficulty",
                   "Unable to do")


@frozen
class Question:
    name: str
    label: str


@frozen
class CHAQDomain:
    """A CHAQ domain: key, label, items (each has an aids and a help flag)."""

    key: str
    label: str
    items: tuple[Question, ...]

    @property
    def aid_field(self) -> str:
        return f"chaq_aid_{self.key}"

    @property
    def help_field(self) -> str:
        return f"chaq_help_{self.key}"


DOMAINS: tuple[CHAQDomain, ...] = (
    CHAQDomain("dressing", "Dressing and grooming", (
        Question("chaq_dress", "Dress, including tying shoelaces and doing buttons"),
        Question("chaq_shampoo", "Shampoo hair"),
        Question("chaq_socks", "Remove socks"),
        Question("chaq_nails", "Cut fingernails"))),
    CHAQDomain("arising", "Arising", (
        Question("chaq_stand_chair", "Stand up from a low chair or floor"),
        Question("chaq_bed", "Get in and out of bed or stand up in crib"))),
    CHAQDomain("eating", "Eating", (
        Question("chaq_cut_meat", "Cut own meat"),
        Question("chaq_cup", "Lift a cup or glass to the mouth"),
        Question("chaq_cereal_box", "Open a new cereal box"))),
    CHAQDomain("walking", "Walking", (
        Question("chaq_walk", "Walk outdoors on flat ground"),
        Question("chaq_steps", "Climb up five steps"))),
    CHAQDomain("hygiene", "Hygiene", (
        Question("chaq_wash", "Wash and dry the entire body"),
        Question("chaq_tub", "Take a tub bath (get in and out of the tub)"),
        Question("chaq_toilet", "Get on and off the toilet or potty chair"),
        Question("chaq_teeth", "Brush teeth"),
        Question("chaq_comb", "Comb or brush hair"))),
    CHAQDomain("reach", "Reach", (
        Question("chaq_reach_object", "Reach and get down a heavy object from just above the "
                 "head"),
        Question("chaq_bend_floor", "Bend down to pick up clothing or paper from the floor"),
        Question("chaq_sweater", "Pull on a sweater over the head"),
        Question("chaq_turn_neck", "Turn the neck to look back over the shoulder"))),
    CHAQDomain("grip", "Grip", (
        Question("chaq_write", "Write or scribble with a pen or pencil"),
        Question("chaq_car_door", "Open car doors"),
        Question("chaq_jar", "Open jars which have been previously opened"),
        Question("chaq_taps", "Turn taps on and off"),
        Question("chaq_door_knob", "Push open a door after turning the knob"))),
    CHAQDomain("activities", "Activities", (
        Question("chaq_errands", "Run errands and shop"),
        Question("chaq_car", "Get in and out of a car, toy car or school bus"),
        Question("chaq_bike", "Ride a bike or tricycle"),
        Question("chaq_chores", "Do household chores"),
        Question("chaq_play", "Run and play"))),
)
DOMAIN_KEYS: tuple[str, ...] = tuple(d.key for d in DOMAINS)
_BY_KEY: dict[str, CHAQDomain] = {d.key: d for d in DOMAINS}
_DOMAIN_LABELS: dict[str, str] = {d.key: d.label for d in DOMAINS}


def domain_items(domain: str) -> tuple[str, ...]:
    return tuple(q.name for q in _BY_KEY[domain].items)


def _fields() -> tuple[Field, ...]:
    out: list[Field] = []
    for dom in DOMAINS:
        for q in dom.items:
            out.append(Field(q.name, q.label, "chaq", FieldType.INTEGER, minimum=D(0),
                             maximum=D(3), na_allowed=True, levels=RESPONSES, group=dom.key,
                             help="Over the past week, because of illness: 0 = without any "
                                  "difficulty, 1 = some difficulty, 2 = much difficulty, "
                                  '3 = unable; "na" = not applicable (e.g. too young).'))
    for dom in DOMAINS:
        out.append(Field(dom.aid_field, f"{dom.label}: uses aids or devices", "chaq",
                         FieldType.BOOLEAN, group=dom.key,
                         help="An aid or device raises the domain score to at least 2."))
        out.append(Field(dom.help_field, f"{dom.label}: needs help from another person",
                         "chaq", FieldType.BOOLEAN, group=dom.key,
                         help="Help raises the domain score to at least 2."))
    out.append(Field("chaq_pain", "CHAQ pain VAS", "chaq", FieldType.DECIMAL, group="vas",
                     help="0 = no pain, 10 = very severe pain (100-mm line / 10).", **VAS))
    out.append(Field("chaq_wellbeing", "CHAQ overall well-being VAS", "chaq", FieldType.DECIMAL,
                     group="vas", help="0 = very well, 10 = very poor (100-mm line / 10).",
                     **VAS))
    return tuple(out)


DI = Field("chaq_di", "CHAQ disability index", "chaq", FieldType.DECIMAL, minimum=D(0),
           maximum=D(3), decimals=3, derived=True, short="CHAQ DI",
           derivation="Mean of the domain scores (highest item, raised to 2 with aids or help); "
           "missing unless at least 6 of 8 domains are scored.")
VERSION = "chaq_di@1 (mean of >= 6 scored domains, aids/help min 2, 3 dp half-up)"

# Aids/devices or help raise a domain to at least 2; the DI needs at least 6 of the 8 domains
# scored (Stanford HAQ convention, project convention 4).
AID_MINIMUM = 2
MIN_DOMAINS = 6
_NA = "na"


def chaq_domain_scores(values: Mapping[str, object]) -> tuple[dict[str, int | None],
                                                              list[str]]:
    """Each CHAQ domain's score, None when the domain has no scored item.

    Domain = highest item score, "na" items ignored; an aid/device or help from another person
    raises a scored domain to at least 2 (a 3 stays 3). A domain whose items are all absent or
    "na" is not scored even when an aid is ticked (nothing was rated).

    Returns:
        (domain -> score or None, list of invalid-value messages).
    """
    domains, errors, _ = _chaq_domains(values)
    return domains, errors


def _chaq_domains(values: Mapping[str, object]) -> tuple[dict[str, int | None], list[str],
                                                         list[str]]:
    """Domain scores, invalid-value messages, and the domains raised by aids/help."""
    domains: dict[str, int | None] = {}
    errors: list[str] = []
    raised_domains: list[str] = []
    for domain in DOMAIN_KEYS:
        item_scores: list[int] = []
        for name in domain_items(domain):
            raw = values.get(name)
            if isinstance(raw, str) and raw.strip().lower() == _NA:
                continue  # not applicable = missing, never 0
            score = read_item(values, name, errors)
            if score is not None:
                item_scores.append(score)
        raised = False
        for flag in (_BY_KEY[domain].aid_field, _BY_KEY[domain].help_field):
            try:
                raised = bool(read_bool(values, flag)) or raised
            except InvalidValue as exc:
                errors.append(str(exc))
        if not item_scores:
            domains[domain] = None
            continue
        score = max(item_scores)
        if raised and score < AID_MINIMUM:
            score = AID_MINIMUM  # aids/devices or help: at least 2 (a 3 stays 3)
            raised_domains.append(domain)
        domains[domain] = score
    return domains, errors, raised_domains


def chaq_di(values: Mapping[str, object]) -> Score:
    """CHAQ disability index: mean of the scored domains, when at least 6 of 8 are scored.

    The stored value is rounded half-up to the registry's decimals (3); :attr:`Score.exact`
    keeps the exact mean, which the response criteria use.
    """
    version = RULE_VERSIONS["chaq_di"]
    domains, errors, raised = _chaq_domains(values)
    if errors:
        return Score("chaq_di", None, invalid("CHAQ", errors), version, parts=domains)
    scored = {d: s for d, s in domains.items() if s is not None}
    n_domains = len(DOMAINS)
    if len(scored) < MIN_DOMAINS:
        unscored = [d for d, s in domains.items() if s is None]
        reason = _("CHAQ: only {n} of {total} domains scored ({needed} needed)").format(
            n=len(scored), total=n_domains, needed=MIN_DOMAINS)
        summary = _("CHAQ: only {n} of {total} domains scored").format(
            n=len(scored), total=n_domains)
        if scored:
            reason += _("; not scored: {domains}").format(domains=", ".join(
                _(_DOMAIN_LABELS[d]) for d in unscored))
        return Score("chaq_di", None, reason, version, parts=domains, summary=summary,
                     missing=tuple(n for d in unscored for n in domain_items(d)))
    exact = Fraction(sum(scored.values()), len(scored))
    places = DI.decimals
    value = quantize(exact, places)
    detail = (" + ".join(f"{_(_DOMAIN_LABELS[d])} {s}" for d, s in scored.items())
              + _(" = {sum} / {n} domains = {mean}").format(
                  sum=sum(scored.values()), n=len(scored), mean=fmt(exact)))
    if raised:
        detail += _(" (raised to {minimum} by aids or help: {domains})").format(
            minimum=AID_MINIMUM,
            domains=", ".join(_(_DOMAIN_LABELS[d]) for d in raised))
    return Score("chaq_di", value, "", version, detail, exact, parts=domains)


def _score(values: Mapping[str, object], _scores: Mapping[str, Score]) -> dict[str, Score]:
    return {"chaq_di": chaq_di(values)}


INSTRUMENT = Instrument(
    form=FORM,
    fields=_fields(),
    derived=(Derived((DI,), VERSION, "CHAQ", _score),),
    roles=(RoleBinding(Role.PHYSICAL_FUNCTION, "chaq_di"),),
    domains=(DomainPart(Domain.PHYSICAL_FUNCTION, totals=("chaq_di",),
                        missing_reason_counts=True),),
    report=(ReportRow(ReportGroup.FUNCTION, "chaq_di"),),
    sections=tuple(Section(d.key, d.label) for d in DOMAINS),
)

"""What an instrument declares: typed data, read by the registry and every layer above it.

One module per instrument (``forms/instruments/cmas.py``, ``mmt8.py``, ...) builds one
:class:`Instrument`: its form, its entered fields, its derived scores bound to their rule
functions and rule versions, its cross-checks, its roles in the response criteria and the
sign-off core set, its rows in the patient report and its section headers. ``forms.registry``
collects them (:data:`forms.registry.INSTRUMENTS`) and keeps the aggregate API
(``get``, ``fields_for``, ``FORMS``, ...).

Nothing here imports the registry: the registry is built from these modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum, StrEnum
from typing import TYPE_CHECKING

from forms.fields import Choice, Field, Form
from forms.i18n import N_
from forms.records import frozen

if TYPE_CHECKING:
    from forms.score_base import Score

#: A scoring rule: a visit's entered values and the scores computed so far (rules run in
#: :data:`forms.registry.SCORING_ORDER`) -> the scores of its derived fields.
ScoreRule = Callable[[Mapping[str, object], Mapping[str, "Score"]], Mapping[str, "Score"]]


@frozen
class Derived:
    """One scoring rule and the derived fields it produces.

    Attributes:
        fields: the derived fields (defined here, in the order they are stored).
        version: the rule version (project convention 9), e.g. ``"cmas_total@1 (...)"``;
            the tag before the space is bumped when the rule changes, which rescores stored
            visits (``forms.scoring.RULE_VERSIONS``).
        name: readable name of the rule tag for report footers ("CMAS").
        compute: the rule; None for values computed between two visits (``forms.response``).
    """

    fields: tuple[Field, ...]
    version: str
    name: str
    compute: ScoreRule | None = None

    @property
    def tag(self) -> str:
        """``cmas_total@1``: the versioned name of the rule."""
        return self.version.split(" ", 1)[0]


@frozen
class CrossCheck:
    """A cross-field rule of the instrument, run by ``forms.validation.check_visit``.

    Attributes:
        key: the name ``forms.validation`` implements it under (``CROSS_CHECKS``).
        description: what it checks, in words.
    """

    key: str
    description: str


class Role(StrEnum):
    """What a field is for in the response criteria (instruments.md sections 6-8)."""

    PHYSICIAN_GLOBAL = "physician_global"  #: PhGA: TIS, PRINTO, CID
    PARENT_GLOBAL = "parent_global"  #: parent global well-being (PRINTO; TIS fallback)
    PARENT_GLOBAL_ACTIVITY = "parent_global_activity"  #: IMACS parent/patient activity global
    EXTRAMUSCULAR_GLOBAL = "extramuscular_global"  #: TIS extramuscular row
    PHYSICAL_FUNCTION = "physical_function"  #: CHAQ DI: TIS, PRINTO
    DISEASE_ACTIVITY_SCORE = "disease_activity_score"  #: DAS total: PRINTO
    QUALITY_OF_LIFE = "quality_of_life"  #: CHQ physical summary: PRINTO


@frozen
class RoleBinding:
    """``field`` plays ``role`` in the response criteria."""

    role: Role
    field: str


@frozen
class MuscleMeasure:
    """A muscle-strength total usable as the TIS muscle row (instruments.md 7.1).

    Attributes:
        key: the ``tis_muscle_measure`` setting code (``mmt8``, ``mmt8_bilateral``, ``cmas``).
        field: the derived total it reads; its registry maximum scales the percent change.
        choice: the ``tis_muscle_measure`` choice label ("MMT-8 (0-80)").
        fallback: CMAS is the TIS fallback when the chosen MMT measure is missing, and the
            PRINTO muscle-strength measure before the MMT-8.
        cid_minimum: the PRINTO clinically inactive disease cut-off (inclusive), if any.
    """

    key: str
    field: str
    choice: str
    fallback: bool = False
    cid_minimum: Decimal | None = None


@frozen
class Enzyme:
    """A muscle enzyme with its local upper limit of normal (instruments.md 7.5, 10).

    Attributes:
        name: the value field (``ck``).
        uln_field: the field holding the laboratory's ULN for this child (``ck_uln``).
        default_uln: the study default ULN when a visit has none (a scoring setting).
        cid_maximum: the PRINTO CID cut-off in U/L, absolute (CK <= 150), if any.

    The order of the enzymes is the TIS tie order (CK > aldolase > LDH > AST > ALT).
    """

    name: str
    uln_field: str
    default_uln: Decimal
    cid_maximum: Decimal | None = None


class Domain(Enum):
    """The core set domains a visit needs before sign-off (instruments.md section 5.2, the IMACS
    core set of the ACR/EULAR 2016 TIS; the PRINTO set of 5.1 overlaps), in reading order.
    The value is the English description ``storage.signoff`` prints."""

    PHYSICIAN_GLOBAL = "physician global activity"
    PARENT_GLOBAL = "parent/patient global"
    MUSCLE_STRENGTH = "muscle strength (CMAS or MMT-8 total)"
    PHYSICAL_FUNCTION = "physical function (CHAQ disability index)"
    MUSCLE_ENZYMES = "muscle enzymes (at least one of CK, aldolase, LDH, AST, ALT)"
    EXTRAMUSCULAR = "extramuscular global activity"


@frozen
class DomainPart:
    """What an instrument contributes to a core set domain: a derived total that satisfies it,
    entered fields that satisfy it, and whether a recorded missing reason on one of the
    instrument's fields satisfies it ("not assessed" is an answer; a silent gap is not)."""

    domain: Domain
    totals: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    missing_reason_counts: bool = False


@frozen
class CoreDomain:
    """One domain of the sign-off core set, merged over the instruments that serve it."""

    domain: Domain
    totals: tuple[str, ...]
    fields: tuple[str, ...]
    forms: tuple[str, ...]

    @property
    def description(self) -> str:
        return self.domain.value


class ReportGroup(Enum):
    """The groups of the patient report's core set table, in reading order; the value is the
    English heading (translated when printed)."""

    MUSCLE = N_("Muscle strength and function")
    GLOBAL = N_("Global assessments and activity")
    FUNCTION = N_("Physical function")
    SKIN = N_("Skin")
    DAMAGE = N_("Damage")
    LABORATORY = N_("Laboratory")
    TREATMENT = N_("Treatment")


class RowKind(StrEnum):
    VALUE = "value"  #: the field's value at each visit
    ULN_RATIO = "uln_ratio"  #: an enzyme's value / its ULN (the visit's, else the default)


@frozen
class ReportRow:
    """One row of the patient report's core set table (``exports.pdf``)."""

    group: ReportGroup
    field: str
    kind: RowKind = RowKind.VALUE


@frozen
class Section:
    """A section header (REDCap ``Section Header``) before the first field of ``group``."""

    group: str
    label: str


@frozen
class Instrument:
    """Everything one instrument declares.

    Attributes:
        form: the page / REDCap instrument.
        fields: the entered fields, in entry order.
        derived: the scoring rules and the derived fields they produce.
        cross_checks: cross-field rules (``forms.validation``).
        roles: response-criteria roles of its fields.
        muscle_measures: its totals usable as the TIS/PRINTO muscle measure.
        enzymes: its muscle enzymes with their ULN fields.
        domains: its parts of the sign-off core set.
        report: its rows in the patient report's core set table.
        sections: section headers of its field groups (REDCap dictionary).
        response_fields: fields between a baseline and a follow-up (response instrument only).
    """

    form: Form
    fields: tuple[Field, ...] = ()
    derived: tuple[Derived, ...] = ()
    cross_checks: tuple[CrossCheck, ...] = ()
    roles: tuple[RoleBinding, ...] = ()
    muscle_measures: tuple[MuscleMeasure, ...] = ()
    enzymes: tuple[Enzyme, ...] = ()
    domains: tuple[DomainPart, ...] = ()
    report: tuple[ReportRow, ...] = ()
    sections: tuple[Section, ...] = ()

    @property
    def key(self) -> str:
        return self.form.key

    @property
    def derived_fields(self) -> tuple[Field, ...]:
        return tuple(f for rule in self.derived for f in rule.fields)


def levels(*labels: str, start: int = 0) -> tuple[Choice, ...]:
    """Described ordinal levels ``start``, ``start + 1``, ... (CMAS descriptors, CDASI levels)."""
    return tuple(Choice(start + i, text) for i, text in enumerate(labels))


YES_NO = (Choice("yes", "Yes"), Choice("no", "No"))

"""The building blocks of the field registry: what one field is.

A :class:`Field` is the single definition of one recorded or derived value. The GUI builds its
widget from it, ``storage`` builds the column and its CHECK constraint from it, ``exports``
writes the data dictionary from it, and ``forms.validation`` checks values against it. Nothing
else in the project restates a range, a label or a choice list.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any, overload

from forms.i18n import _
from forms.records import frozen


class Translated:
    """A text attribute written in English and read in the current language.

    Used as the type-annotated default of a dataclass field (a descriptor-typed field): the
    constructor stores the English text (``en("label")``, ``label_en``) and reading ``label``
    returns its translation (:func:`forms.i18n._`). The English originals are the message ids
    of the catalogs and what the data dictionaries' English columns print.

    ``dataclasses.replace()`` reads every field back, so call it inside
    ``with forms.i18n.in_language("en"):`` or the copy keeps translated text as its English.
    """

    def __init__(self, default: str | None = None) -> None:
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.store = "_en_" + name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> str: ...
    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> str: ...
    def __get__(self, obj: object | None, objtype: type | None = None) -> str:
        if obj is None:
            if self.default is None:
                # no default: dataclass sees AttributeError as "this field is required"
                raise AttributeError(self.store)
            return self.default
        return _(obj.__dict__[self.store])

    def __set__(self, obj: Any, value: str) -> None:
        obj.__dict__[self.store] = value


class English:
    """The English originals of :class:`Translated` attributes (``label_en``, ``en("help")``)."""

    def en(self, attr: str) -> str:
        """The English text of the translated attribute ``attr``."""
        return str(self.__dict__["_en_" + attr])

    @property
    def label_en(self) -> str:
        return self.en("label")


class FieldType(StrEnum):
    """How a value is represented in Python, in SQLite and in the case file."""

    INTEGER = "integer"  #: whole number (CMAS items, Kendall grades, counts)
    DECIMAL = "decimal"  #: number with at most ``Field.decimals`` decimal places
    BOOLEAN = "boolean"  #: true/false (CHAQ aids and help, Gottron papules)
    CHOICE = "choice"  #: one code of ``Field.choices`` (sex, yes/no findings)
    DATE = "date"  #: ISO ``YYYY-MM-DD``
    TEXT = "text"  #: free text typed by a user


class Deid(StrEnum):
    """What a de-identified output (workbook, REDCap, PDF) does with a field.

    The one policy lives in :mod:`exports.deid`; the registry states it per field
    (:attr:`Field.deid_policy`).
    """

    KEEP = "keep"  #: exported as entered (codes, numbers, the pseudonymous study ID)
    DROP = "drop"  #: identified outputs only (identifiers, free text)
    DATE = "date"  #: replaced by days from the patient's baseline visit
    CODE = "code"  #: replaced by its code in a registry vocabulary (``Field.vocabulary``)
    LABEL = "label"  #: a visit label: kept only when it is a protocol label, else "day N"


@frozen
class Term(English):
    """One entry of a controlled vocabulary (drugs, adverse-event terms).

    ``synonyms`` are other spellings a clinician types for the same thing; they are matched
    whole (case, spacing and a trailing full stop ignored), never as a part of longer text.
    """

    code: str
    label: Translated = Translated()
    synonyms: tuple[str, ...] = ()
    group: str = ""


class Level(StrEnum):
    """Where a field lives: once per patient, per visit, or per medication/adverse-event record."""

    PATIENT = "patient"
    VISIT = "visit"
    MEDICATION = "medication"
    ADVERSE_EVENT = "adverse_event"
    RESPONSE = "response"  #: between a baseline and a follow-up visit (derived only)


@frozen
class Choice(English):
    """One allowed code of a choice field, or one described level of an ordinal item."""

    code: str | int
    label: Translated = Translated()


@frozen
class Form(English):
    """An instrument or page: the unit the GUI shows as one page and REDCap as one instrument."""

    key: str
    label: Translated = Translated()  # required: the descriptor has no default
    level: Level  # type: ignore[misc]  # (mypy takes the descriptor for a default)
    description: Translated = Translated("")


@frozen
class Field(English):
    """One field of the data contract (data-contract.md section 3).

    Attributes:
        name: the REDCap-style field name used everywhere (case file, columns, exports).
        label: the words a clinician sees, in the current language (:mod:`forms.i18n`);
            ``label_en`` is the English original (the catalog's message id and the data
            dictionaries' English column). ``unit``, ``help``, ``derivation``,
            ``pattern_help`` and ``short`` work the same way (:class:`Translated`).
        form: key of the :class:`Form` the field belongs to.
        type: value representation.
        level: patient, visit, medication or adverse-event record.
        minimum, maximum: inclusive hard range for numbers (errors outside).
        decimals: decimal places allowed (0 for integers).
        warn_below, warn_above: plausibility limits; outside them is a warning, not an error.
        choices: allowed codes for CHOICE fields.
        levels: described ordinal levels (CMAS descriptors, Kendall grades, CDASI levels) for
            INTEGER fields whose every value has a meaning; the GUI offers them as a picker.
        na_allowed: the string ``"na"`` (not applicable) is a valid value (CHAQ items).
        unit: unit of measure, empty when unitless.
        help: longer help text shown next to the widget and in the data dictionary.
        identifier: directly identifies the child (dropped by de-identified exports).
        derived: computed by ``forms`` and never entered or imported.
        derivation: how a derived field is computed, in words.
        group: sub-grouping inside a form (CHAQ domain, CDASI location, MMT muscle).
        max_length: for TEXT fields, the longest accepted text.
        required: a record cannot be saved without it.
        pattern: for TEXT fields, a regular expression the whole value must match.
        pattern_help: the pattern in words, for messages.
        short: the abbreviation for narrow table columns and legends ("PhGA"); defaults to
            the label (see :attr:`short_label`).
        multiline: for TEXT fields, line breaks (and TAB) are allowed; single-line text
            refuses them. Control and format characters are refused in both.
        deid: what de-identified outputs do with the field (see :attr:`deid_policy` for the
            default when unset).
        vocabulary: for ``Deid.CODE`` fields, the name of the registry vocabulary
            (``forms.registry.VOCABULARIES``) the text is coded from.
    """

    name: str
    label: Translated = Translated()  # required: the descriptor has no default
    form: str  # type: ignore[misc]  # (mypy takes the descriptor for a default)
    type: FieldType  # type: ignore[misc]
    level: Level = Level.VISIT
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    decimals: int = 0
    warn_below: Decimal | None = None
    warn_above: Decimal | None = None
    choices: tuple[Choice, ...] = ()
    levels: tuple[Choice, ...] = ()
    na_allowed: bool = False
    unit: Translated = Translated("")
    help: Translated = Translated("")
    identifier: bool = False
    derived: bool = False
    derivation: Translated = Translated("")
    group: str = ""
    max_length: int | None = None
    required: bool = False
    pattern: str | None = None
    pattern_help: Translated = Translated("")
    short: Translated = Translated("")
    multiline: bool = False
    deid: Deid | None = None
    vocabulary: str = ""

    @property
    def short_label(self) -> str:
        """The abbreviation for narrow columns, else the label."""
        return self.short or self.label

    @property
    def deid_policy(self) -> Deid:
        """The de-identification policy: ``deid`` when set, else identifiers and free text
        are dropped, dates become day numbers, and codes and numbers are kept."""
        if self.deid is not None:
            return self.deid
        if self.identifier or self.type is FieldType.TEXT:
            return Deid.DROP
        if self.type is FieldType.DATE:
            return Deid.DATE
        return Deid.KEEP

    @property
    def is_numeric(self) -> bool:
        return self.type in (FieldType.INTEGER, FieldType.DECIMAL)

    @property
    def choice_codes(self) -> tuple[str | int, ...]:
        return tuple(c.code for c in self.choices)

    def choice_label(self, code: object) -> str:
        """The label of a choice or described level, or ``str(code)`` when it has none."""
        for c in (*self.choices, *self.levels):
            if c.code == code:
                return c.label
        return str(code)

    def range_text(self) -> str:
        """``"0-52"`` for a field with both bounds (chart and table titles), else ``""``."""
        if self.minimum is None or self.maximum is None:
            return ""
        return f"{plain_number(self.minimum)}-{plain_number(self.maximum)}"

    def allowed_text(self) -> str:
        """What is allowed, in the form messages and the data dictionary use ("0-2", "yes/no")."""
        if self.type in (FieldType.INTEGER, FieldType.DECIMAL):
            lo = plain_number(self.minimum)
            hi = plain_number(self.maximum)
            if self.minimum is not None and self.maximum is not None:
                text = f"{lo}-{hi}"
            elif self.minimum is not None:
                text = f">= {lo}"
            elif self.maximum is not None:
                text = f"<= {hi}"
            else:
                text = _("any number")
            if self.type is FieldType.DECIMAL and self.decimals:
                text += (_(" (1 decimal place)") if self.decimals == 1
                         else _(" ({n} decimal places)").format(n=self.decimals))
            if self.na_allowed:
                text += _(' or "na" (not applicable)')
            return text
        if self.type is FieldType.CHOICE:
            return "/".join(str(c) for c in self.choice_codes)
        if self.type is FieldType.BOOLEAN:
            return _("true/false")
        if self.type is FieldType.DATE:
            return _("a date YYYY-MM-DD")
        if self.pattern_help:
            return self.pattern_help
        if self.max_length:
            return _("text up to {n} characters").format(n=self.max_length)
        return _("text")


def plain_number(value: Decimal | int | None) -> str:
    """A number without exponent or trailing zeros (``Decimal('2.50')`` -> ``2.5``); None -> ""."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


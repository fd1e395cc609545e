"""forms.records: the value classes behave as the dataclasses they replace.

Each shape below is declared twice, with :func:`forms.records.frozen` (or ``mutable``) and with
``dataclasses.dataclass``, under the same qualified name, and instances built from the same
random values must give the same ``==``, ``hash()``, ``repr()``, ``replace``, ``asdict`` and the
same refusals.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.fields import Translated
from forms.records import frozen, mutable

ROOT = Path(__file__).resolve().parents[2]

Decorator = Callable[[type], type]
FROZEN_PAIR: tuple[Decorator, Decorator] = (frozen, dataclasses.dataclass(frozen=True))
MUTABLE_PAIR: tuple[Decorator, Decorator] = (mutable, dataclasses.dataclass)


def shapes(decorate: Decorator) -> dict[str, type]:
    """The same class shapes, made with ``decorate``."""

    @decorate
    class Empty:
        pass

    @decorate
    class One:
        a: int

    @decorate
    class Several:
        a: int
        b: str = "x"
        c: tuple[int, ...] = ()
        d: list[int] = dataclasses.field(default_factory=list)

    @decorate
    class Partial:
        a: int
        hidden: int = dataclasses.field(default=0, compare=False)
        unhashed: int = dataclasses.field(default=0, hash=False)
        unshown: int = dataclasses.field(default=0, repr=False)
        derived: int | None = dataclasses.field(default=None, init=False, repr=False,
                                                compare=False)
        kind: ClassVar[str] = "partial"

        def __post_init__(self) -> None:
            object.__setattr__(self, "derived", self.a * 2)

    @decorate
    class Made:
        """Fields set by factories only."""

        a: int = 0
        made: list[int] = dataclasses.field(default_factory=lambda: [7], init=False)
        given: dict[str, int] = dataclasses.field(default_factory=dict)

    @decorate
    class Worded:
        code: str
        label: Translated = Translated()

    @decorate
    class Child(Several):
        e: int = 5

    return {"Empty": Empty, "One": One, "Several": Several, "Partial": Partial,
            "Made": Made, "Worded": Worded, "Child": Child}


def build(classes: dict[str, type], a: int, b: str, n: int) -> list[Any]:
    """One instance of every shape from the given values."""
    return [
        classes["Empty"](),
        classes["One"](a),
        classes["Several"](a, b, (a, n), [n]),
        classes["Partial"](a, hidden=n, unhashed=n, unshown=n),
        classes["Partial"](a, hidden=n),  # differs from another only in an uncompared field
        classes["Made"](a, given={b: n}) if n else classes["Made"](),
        classes["Worded"](b, b.upper()),
        classes["Child"](a, b, e=n),
    ]


VALUES = st.tuples(st.integers(-3, 3), st.sampled_from(["", "x", "Ab", "a'b\"", "CK 949"]),
                   st.integers(-2, 2))


@pytest.mark.parametrize("pair", [FROZEN_PAIR, MUTABLE_PAIR], ids=["frozen", "mutable"])
@given(first=VALUES, second=VALUES)
def test_equality_and_repr_are_dataclasses_own(pair: tuple[Decorator, Decorator],
                                               first: tuple[int, str, int],
                                               second: tuple[int, str, int]) -> None:
    ours, theirs = shapes(pair[0]), shapes(pair[1])
    for x, y, dx, dy in zip(build(ours, *first), build(ours, *second),
                            build(theirs, *first), build(theirs, *second), strict=True):
        assert (x == y) is (dx == dy), (x, y)
        assert (x != y) is (dx != dy), (x, y)
        assert repr(x) == repr(dx)
        assert dataclasses.asdict(x) == dataclasses.asdict(dx)
        assert dataclasses.astuple(x) == dataclasses.astuple(dx)
        assert [f.name for f in dataclasses.fields(x)] == [f.name for f in dataclasses.fields(dx)]
        changes = {f.name: getattr(y, f.name) for f in dataclasses.fields(y) if f.init}
        assert repr(dataclasses.replace(x, **changes)) == repr(dataclasses.replace(dx, **changes))
        assert (dataclasses.replace(x, **changes) == y) is (
            dataclasses.replace(dx, **changes) == dy)
        assert x.__match_args__ == dx.__match_args__


@given(first=VALUES, second=VALUES)
def test_frozen_hashes_as_dataclasses_do(first: tuple[int, str, int],
                                         second: tuple[int, str, int]) -> None:
    ours, theirs = shapes(frozen), shapes(dataclasses.dataclass(frozen=True))
    for x, y, dx in zip(build(ours, *first), build(ours, *second), build(theirs, *first),
                        strict=True):
        if any(isinstance(v, list | dict) for v in vars(x).values()):
            continue  # a list or dict field: unhashable in both
        assert hash(x) == hash(dx), x  # the same tuple of the same values is hashed
        if x == y:
            assert hash(x) == hash(y)


def test_a_list_field_is_unhashable_in_both() -> None:
    for decorate in FROZEN_PAIR:
        several = shapes(decorate)["Several"](1, "x", (), [2])
        with pytest.raises(TypeError, match="unhashable"):
            hash(several)


@pytest.mark.parametrize("decorate", FROZEN_PAIR, ids=["frozen", "dataclass"])
def test_frozen_instances_refuse_every_change(decorate: Decorator) -> None:
    classes = shapes(decorate)
    several, worded = classes["Several"](1), classes["Worded"]("c", "Label")
    for obj, name in ((several, "a"), (several, "new"), (worded, "label"), (worded, "code")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, name, 2)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(obj, name)
    assert several.a == 1 and worded.label == "Label"


def test_mutable_instances_change_and_are_unhashable() -> None:
    for decorate in MUTABLE_PAIR:
        several_class = shapes(decorate)["Several"]
        several = several_class(1)
        several.a = 2
        assert several == several_class(2) and several.a == 2
        with pytest.raises(TypeError, match="unhashable"):
            hash(several)


def test_another_class_with_the_same_fields_is_not_equal() -> None:
    ours, others = shapes(frozen), shapes(frozen)
    assert ours["One"](1) != others["One"](1)
    assert ours["One"](1).__eq__(others["One"](1)) is NotImplemented
    assert ours["One"](1).__eq__((1,)) is NotImplemented
    assert ours["Child"](1) != ours["Several"](1)  # a subclass is another class too


def test_a_self_containing_instance_repr_ends() -> None:
    for decorate in MUTABLE_PAIR:
        one = shapes(decorate)["One"](0)
        one.a = one
        assert repr(one) == "shapes.<locals>.One(a=...)"


@frozen
class Picklable:
    a: int
    b: tuple[str, ...] = ()


def test_copies_and_pickles_are_equal() -> None:
    value = Picklable(3, ("x",))
    for copied in (copy.copy(value), copy.deepcopy(value),
                   pickle.loads(pickle.dumps(value))):
        assert copied == value and hash(copied) == hash(value) and copied is not value


@pytest.mark.parametrize("method", ["__eq__", "__hash__", "__repr__"])
def test_a_class_writing_its_own_comparison_or_repr_is_refused(method: str) -> None:
    body = {method: lambda self, *args: 0, "__annotations__": {"a": "int"}}
    for decorate in (frozen, mutable):
        with pytest.raises(TypeError, match=method):
            decorate(type("Own", (), dict(body)))


def test_the_application_layers_use_these_value_classes() -> None:
    """A plain ``@dataclass`` in forms/, storage/, exports/ or gui/ compiles its comparison and
    repr at every start again (issue 16)."""
    found = []
    for path in sorted([ROOT / "main.py", *(p for layer in ("forms", "storage", "exports", "gui")
                                            for p in (ROOT / layer).rglob("*.py"))]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*@(dataclasses\.)?dataclass\b", line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "use forms.records.frozen / mutable:\n" + "\n".join(found)


def test_the_constructors_take_and_refuse_the_same_arguments() -> None:
    ours, theirs = shapes(frozen), shapes(dataclasses.dataclass(frozen=True))
    for name in ours:
        assert ours[name].__doc__ == theirs[name].__doc__
        assert str(inspect.signature(ours[name])) == str(inspect.signature(theirs[name]))
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("One", (), {}), ("One", (1, 2), {}), ("One", (), {"b": 1}), ("Made", (), {"made": [1]}),
        ("Several", (1,), {"a": 2}), ("Partial", (1,), {"derived": 3}), ("Worded", ("c",), {}),
    ]
    for name, args, kwargs in calls:
        messages = []
        for classes in (ours, theirs):
            with pytest.raises(TypeError) as refused:
                classes[name](*args, **kwargs)
            messages.append(str(refused.value))
        assert messages[0] == messages[1]  # e.g. "...One.__init__() missing 1 required ..."
    made = ours["Made"](), ours["Made"]()
    assert made[0].made == [7] and made[0].made is not made[1].made  # a fresh list each time
    assert made[0].given == {} and made[0].given is not made[1].given


def test_the_argument_order_is_checked_like_dataclasses() -> None:
    for decorate in FROZEN_PAIR:
        with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
            @decorate
            class Bad:
                a: int = 0
                b: int


@pytest.mark.parametrize("annotation", ["dataclasses.InitVar[int]", "KW_ONLY"])
def test_keyword_only_fields_and_initvars_are_refused(annotation: str) -> None:
    namespace: dict[str, Any] = {"__annotations__": {"a": "int"}}
    if annotation == "KW_ONLY":
        namespace["a"] = dataclasses.field(kw_only=True)
    else:
        namespace["__annotations__"]["b"] = annotation
    with pytest.raises(TypeError, match="not supported"):
        frozen(type("Refused", (), namespace))


@pytest.mark.parametrize("name", ["_set", "self", "_default_a"])
def test_a_field_named_like_the_constructors_own_names_is_refused(name: str) -> None:
    with pytest.raises(TypeError, match="uses itself"):
        frozen(type("Clash", (), {"__annotations__": {name: "int"}}))

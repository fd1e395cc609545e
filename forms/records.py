"""Value classes: dataclasses whose comparison and repr are shared, not compiled per class.

:func:`dataclasses.dataclass` writes each method it adds as source text and compiles it, class
by class: ``@dataclass(frozen=True)`` compiles six (``__init__``, ``__setattr__``,
``__delattr__``, ``__eq__``, ``__hash__``, ``__repr__``), about 70 us each. The ~130 value
classes of forms/, storage/ and exports/ spent ~35 ms of every cold report and GUI start on it
(issue 16), in a process whose floor is ~0.1 s.

:func:`frozen` and :func:`mutable` are ``@dataclass(frozen=True)`` and ``@dataclass`` with
``eq=False, repr=False``: dataclasses still make ``__init__`` (defaults, ``default_factory``,
``init=False``, ``__post_init__`` and descriptor fields behave as documented) and, for
:func:`frozen`, the methods that refuse assignment. ``__eq__``, ``__hash__`` and ``__repr__`` are
the shared functions below, which read the class's field names, taken once from
:func:`dataclasses.fields`, and give what the generated ones give:

* ``==`` compares the fields with ``compare=True`` of two instances of exactly the same class
  (anything else: ``NotImplemented``);
* ``hash()`` (:func:`frozen` only) hashes the fields dataclasses would (``hash=True``, or
  ``compare=True`` when ``hash`` is unset); a :func:`mutable` instance is unhashable;
* ``repr()`` is ``Name(a=1, b='x')`` over the fields with ``repr=True``.

:func:`dataclasses.fields`, :func:`dataclasses.replace`, :func:`dataclasses.asdict`,
``dataclasses.is_dataclass`` and ``match`` work as on any dataclass.
``tests/forms/test_records.py`` checks all of this against dataclasses' own methods. A class
body that defines one of the shared methods itself is refused at definition time.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

__all__ = ["frozen", "mutable"]

_T = TypeVar("_T")

#: the methods this module shares; a class that defines one itself keeps dataclasses' contract
#: ambiguous (dataclasses would keep it and drop, or not, its generated twin), so it is refused
_SHARED = ("__eq__", "__hash__", "__repr__")


def _no_fields(obj: object) -> tuple[()]:
    return ()


def _getter(names: tuple[str, ...]) -> Callable[[Any], Any]:
    """A C-level reader of ``names``: a tuple of their values (one name: the value itself)."""
    return attrgetter(*names) if names else _no_fields


def _tuple_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of the values of ``names``, as dataclasses hashes it (one name too)."""
    if len(names) != 1:
        return _getter(names)
    read = attrgetter(names[0])
    return lambda obj: (read(obj),)


def _eq(self: Any, other: object) -> Any:
    cls: Any = self.__class__
    key = cls._record_compare
    if other.__class__ is cls:
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    cls: Any = self.__class__
    return hash(cls._record_hash(self))


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    cls: Any = self.__class__
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in cls._record_repr)
    return f"{cls.__qualname__}({shown})"


def _share_methods(cls: type[_T], *, hashable: bool) -> type[_T]:
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    cls._record_compare = _getter(compared)  # type: ignore[attr-defined]
    cls._record_hash = _tuple_getter(hashed)  # type: ignore[attr-defined]
    cls._record_repr = tuple(f.name for f in fields if f.repr)  # type: ignore[attr-defined]
    cls.__eq__ = _eq  # type: ignore[method-assign]
    cls.__repr__ = _repr  # type: ignore[method-assign]
    cls.__hash__ = _hash if hashable else None  # type: ignore[method-assign,assignment]
    return cls


def _refuse_own_methods(cls: type) -> None:
    own = [name for name in _SHARED if name in cls.__dict__]
    if own:
        raise TypeError(
            f"{cls.__qualname__} defines {', '.join(own)}: use @dataclass for a class that "
            "writes its own comparison or repr")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True)``, with the shared ``==``, ``hash()`` and ``repr()``."""
    _refuse_own_methods(cls)
    return _share_methods(dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls),
                          hashable=True)


@dataclass_transform(field_specifiers=(dataclasses.field,))
def mutable(cls: type[_T]) -> type[_T]:
    """``@dataclass``, with the shared ``==`` and ``repr()``; instances are unhashable."""
    _refuse_own_methods(cls)
    return _share_methods(dataclasses.dataclass(eq=False, repr=False)(cls), hashable=False)

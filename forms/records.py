"""Value classes: dataclasses with one compiled method instead of six.

:func:`dataclasses.dataclass` writes each method it adds as source text and compiles it, class
by class: ``@dataclass(frozen=True)`` compiles six (``__init__``, ``__setattr__``,
``__delattr__``, ``__eq__``, ``__hash__``, ``__repr__``), about 70 us each. The ~130 value
classes of forms/, storage/, exports/ and gui/ spent ~35 ms of every cold report and GUI start
on it (issue 16), in a process whose floor is ~0.1 s.

:func:`frozen` and :func:`mutable` let :func:`dataclasses.dataclass` collect the fields (their
defaults, ``default_factory``, ``init``, ``compare``, ``hash``, ``repr``, inheritance,
``ClassVar``, descriptor fields) and compile one method per class, ``__init__``:

* :func:`mutable`: dataclasses' own ``__init__``;
* :func:`frozen`: an ``__init__`` written here the way a frozen dataclass's is (each field set
  with ``object.__setattr__``, a ``default_factory`` called when its argument is left out, then
  ``__post_init__``), and shared ``__setattr__`` / ``__delattr__`` that raise
  :class:`dataclasses.FrozenInstanceError` for every name.

``__eq__``, ``__hash__`` and ``__repr__`` are shared functions that read the field names taken
once from :func:`dataclasses.fields`, and give what the generated ones give:

* ``==`` compares the fields with ``compare=True`` of two instances of exactly the same class
  (anything else: ``NotImplemented``);
* ``hash()`` (:func:`frozen` only) is the hash of the tuple of the fields dataclasses would hash
  (``hash=True``, or ``compare=True`` when ``hash`` is unset), the same number; a
  :func:`mutable` instance is unhashable;
* ``repr()`` is ``Name(a=1, b='x')`` over the fields with ``repr=True``.

:func:`dataclasses.fields`, :func:`dataclasses.replace`, :func:`dataclasses.asdict`,
``dataclasses.is_dataclass``, pickling and ``match`` work as on any dataclass. Two differences,
neither used here: a frozen class's ``__dataclass_params__`` says ``frozen=False`` (so a
``@dataclass(frozen=True)`` subclass is refused; decorate subclasses with :func:`frozen`), and an
undecorated subclass cannot set attributes of its own either. Keyword-only fields and
``InitVar`` are refused, as is a class body that writes one of the shared methods.
``tests/forms/test_records.py`` checks all of this against dataclasses' own methods.
"""

from __future__ import annotations

import dataclasses
import inspect
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


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delete(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


class _Factory:
    """The default of an argument whose field has a ``default_factory``."""

    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY = _Factory()


def _frozen_init(cls: type) -> Callable[..., None]:
    """``cls.__init__`` as ``@dataclass(frozen=True)`` writes it, compiled once."""
    names: dict[str, Any] = {"_set": object.__setattr__, "_HAS_FACTORY": _HAS_FACTORY}
    params, body, seen_default = ["self"], [], False
    for f in dataclasses.fields(cls):
        if f.name in names or f.name == "self" or f.name.startswith("_default_"):
            raise TypeError(f"{cls.__qualname__}.{f.name}: a name forms.records' __init__ "
                            "uses itself")
        if f.kw_only:
            raise TypeError(f"{cls.__qualname__}.{f.name}: keyword-only fields are not "
                            "supported by forms.records")
        default = f"_default_{f.name}"
        if f.default_factory is not dataclasses.MISSING:
            names[default] = f.default_factory
            if f.init:
                params.append(f"{f.name}=_HAS_FACTORY")
                value = f"{default}() if {f.name} is _HAS_FACTORY else {f.name}"
                seen_default = True
            else:
                value = f"{default}()"
        elif not f.init:
            continue  # its default is the class attribute, as with dataclasses
        elif f.default is not dataclasses.MISSING:
            names[default] = f.default
            params.append(f"{f.name}={default}")
            value = f.name
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
            params.append(f.name)
            value = f.name
        body.append(f"    _set(self, {f.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__({', '.join(params)}):\n" + "\n".join(body or ["    pass"])
    exec(source, names)  # noqa: S102 - our own text, built from the field names
    init: Callable[..., None] = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {f.name: f.type for f in dataclasses.fields(cls) if f.init}
    init.__annotations__["return"] = None
    return init


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
            f"{cls.__qualname__} defines {', '.join(own)}, which forms.records provides "
            "for every class")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen(cls: type[_T]) -> type[_T]:
    """``@dataclass(frozen=True)``, with one compiled method (``__init__``)."""
    _refuse_own_methods(cls)
    if any("InitVar" in str(t) for t in vars(cls).get("__annotations__", {}).values()):
        raise TypeError(f"{cls.__qualname__}: InitVar is not supported by forms.records")
    documented = bool(cls.__dict__.get("__doc__"))
    if not documented:  # for now: dataclasses would parse object()'s signature (3-5 ms, once)
        cls.__doc__ = cls.__name__
    cls = dataclasses.dataclass(init=False, eq=False, repr=False)(cls)
    cls.__init__ = _frozen_init(cls)  # type: ignore[method-assign]
    cls.__setattr__ = _refuse_set  # type: ignore[method-assign]
    cls.__delattr__ = _refuse_delete  # type: ignore[method-assign]
    if not documented:  # what dataclasses writes, from the real __init__
        cls.__doc__ = cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    return _share_methods(cls, hashable=True)


@dataclass_transform(field_specifiers=(dataclasses.field,))
def mutable(cls: type[_T]) -> type[_T]:
    """``@dataclass``, with one compiled method (``__init__``); instances are unhashable."""
    _refuse_own_methods(cls)
    return _share_methods(dataclasses.dataclass(eq=False, repr=False)(cls), hashable=False)

"""Stand-in for ``forms.protocol`` (h7-clinic) until it is merged into main: same API.

Delete this module once ``forms.protocol`` exists and import that instead.
"""

from __future__ import annotations

import re

DEFAULT_PROTOCOL: tuple[str, ...] = ("M0", "M1", "M3", "M6", "M9", "M12", "M18", "M24")
_MONTH = re.compile(r"^(?:m|month)\s*(\d+)$|^(\d+)\s*(?:m|months?)$")
_OTHER = {"flare": "flare", "unscheduled": "unscheduled"}


def canonical_label(text: str | None) -> str | None:
    """'M3', 'm3', '3M', 'month 3' -> 'M3'; 'flare' -> 'flare'; unknown -> None."""
    key = (text or "").strip().casefold()
    if key in _OTHER:
        return _OTHER[key]
    if key == "baseline":
        return "M0"
    m = _MONTH.match(key)
    if m:
        return f"M{int(m.group(1) or m.group(2))}"
    return None


def is_protocol_label(label: str | None) -> bool:
    return bool(label) and re.fullmatch(r"M\d+", label or "") is not None


def protocol_order(label: str) -> int:
    if is_protocol_label(label):
        return int(label[1:])
    return 10_000 + sorted(_OTHER).index(label) if label in _OTHER else 20_000

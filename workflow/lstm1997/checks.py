"""Checks of option and argument values: each failure is one line naming the key and what is allowed."""

from __future__ import annotations

import math
import numbers


def choice(key: str, value, allowed) -> None:
    """``value`` must be one of ``allowed``."""
    if isinstance(value, bool) and not any(isinstance(a, bool) for a in allowed) or value not in allowed:
        raise ValueError(f"{key}: must be one of {sorted(allowed)}, got {value!r}")


def subset(key: str, values, allowed) -> None:
    """``values`` must be a tuple of distinct members of ``allowed``."""
    if not isinstance(values, tuple) or len(set(values)) != len(values) or not set(values) <= set(allowed):
        raise ValueError(f"{key}: must be a list of distinct values from {list(allowed)}, got {values!r}")


def integer(key: str, value, minimum: int) -> int:
    """``value`` must be an integer (not a bool, not a float) >= ``minimum``; returns it as int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{key}: must be an integer >= {minimum}, got {value!r}")
    return int(value)


def positive(key: str, value) -> float:
    """``value`` must be a finite real number > 0 (not a bool, not a string); returns it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{key}: must be a finite number > 0, got {value!r}")
    return float(value)


def flag(key: str, value) -> None:
    """``value`` must be a bool."""
    if not isinstance(value, bool):
        raise ValueError(f"{key}: must be true or false, got {value!r}")

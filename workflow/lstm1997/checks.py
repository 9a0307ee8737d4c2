"""Checks of option values: each failure is one line naming the key and what is allowed."""

from __future__ import annotations


def choice(key: str, value, allowed) -> None:
    """``value`` must be one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{key}: must be one of {sorted(allowed)}, got {value!r}")


def subset(key: str, values, allowed) -> None:
    """``values`` must be a tuple of distinct members of ``allowed``."""
    if not isinstance(values, tuple) or len(set(values)) != len(values) or not set(values) <= set(allowed):
        raise ValueError(f"{key}: must be a list of distinct values from {list(allowed)}, got {values!r}")

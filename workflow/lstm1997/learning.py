"""The learning rule's two open choices (section 4, A.1): which gradient, which error E."""

from __future__ import annotations

GRADIENTS = ("truncated", "full")
"""The paper's truncated gradient (section 4, A.1), or exact backpropagation through time."""
LOSSES = {"half": 1.0, "squared": 2.0}
"""E = (t - y)^2 / 2 (A.1 eq. 19's error signal, the default) or E = (t - y)^2 (A.1 eq. 16 as written):
the factor err_factor of E = err_factor / 2 (t - y)^2."""

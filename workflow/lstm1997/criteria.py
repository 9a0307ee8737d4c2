"""The paper's stopping rule (5.4) over a stream of end-of-sequence errors.

"Training is stopped once the average training error is below 0.01, and the 2000 most recent
sequences were processed correctly" (correct: absolute error below 0.04).  The paper never says
what "average training error" averages, so four readings are tracked side by side:

- ``window_mse``: mean squared error of the 2000 most recent sequences (default: the window is the
  one the same sentence names; note it is implied by the 2000-correct condition, since every
  correct sequence has squared error below 0.0016);
- ``cumulative_mse``: mean squared error since the start of training (the asker's running mean);
- ``window_mae`` / ``cumulative_mae``: the same with the absolute error, as some later
  reproductions read it; far stricter, since a correct sequence may have absolute error up to 0.04.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from . import paper

DEFINITIONS = ("window_mse", "cumulative_mse", "window_mae", "cumulative_mae")
MEASURES = DEFINITIONS + ("correct_in_window", "asker_correct_in_window")
ASKER_CORRECT = 0.2
"""The asker's "correct": squared error below 0.04, i.e. absolute error below 0.2 (a measure only, never a criterion)."""


@dataclass
class StoppingRule:
    """Feeds on blocks of errors (target - y), reports per-sequence measures and when each of ``definitions`` is first met."""

    definitions: tuple[str, ...] = DEFINITIONS
    window: int = paper.WINDOW
    error_threshold: float = paper.ERROR_THRESHOLD
    correct_threshold: float = paper.CORRECT
    n: int = 0
    sums: dict[str, float] = field(default_factory=lambda: {"mse": 0.0, "mae": 0.0})
    tail: np.ndarray = field(default_factory=lambda: np.zeros(0))
    met: dict[str, int] = field(default_factory=dict)

    def update(self, errors: np.ndarray) -> dict[str, np.ndarray]:
        """Consume one block; return each measure of ``MEASURES`` after every sequence of the block.

        Newly met definitions are added to ``met`` with the 1-based sequence count at which they are first met.
        """
        errors = np.asarray(errors, dtype=np.float64)
        joined = np.concatenate([self.tail, errors])
        sums = np.array([self.sums["mse"], self.sums["mae"]])
        thresholds = np.array([self.correct_threshold, ASKER_CORRECT, self.error_threshold])
        values, correct, first = _measures(joined, len(self.tail), self.window, self.n, sums, thresholds)
        self.sums = {"mse": float(sums[0]), "mae": float(sums[1])}
        for name in self.definitions:
            if name not in self.met and (i := first[DEFINITIONS.index(name)]) >= 0:
                self.met[name] = self.n + int(i) + 1
        self.n += len(errors)
        self.tail = joined[-self.window :]
        return dict(zip(DEFINITIONS, values)) | dict(zip(MEASURES[len(DEFINITIONS) :], correct))

    def copy(self) -> StoppingRule:
        """A copy that later updates of either leave alone (``update`` replaces ``tail``, rebinds ``sums``, fills ``met``)."""
        return StoppingRule(self.definitions, self.window, self.error_threshold, self.correct_threshold, self.n, self.sums, self.tail, dict(self.met))


@njit(cache=True, error_model="numpy")
def _measures(joined, n_tail, window, n, sums, thresholds):
    """The measures after each new error of ``joined`` (the kept tail, then the block; ``n`` sequences before
    it): rows window_mse, cumulative_mse, window_mae, cumulative_mae, and the counts correct_in_window,
    asker_correct_in_window (``thresholds``: correct, asker-correct, then the error threshold); and for each
    definition the first new error where it is met (-1: none).  Sums run in numpy's cumsum order; ``sums``
    (squared, absolute error since the start) is advanced past the block."""
    n_new = len(joined) - n_tail
    run = np.zeros((4, len(joined) + 1))  # running sums over joined: squared error, absolute error, correct, asker-correct
    for i in range(len(joined)):
        e = abs(joined[i])
        run[0, i + 1] = run[0, i] + joined[i] * joined[i]
        run[1, i + 1] = run[1, i] + e
        run[2, i + 1] = run[2, i] + (e < thresholds[0])
        run[3, i + 1] = run[3, i] + (e < thresholds[1])
    values, correct, block = np.empty((4, n_new)), np.empty((2, n_new), np.int64), np.zeros(2)
    first = np.full(4, -1)
    for i in range(n_new):
        end = n_tail + i + 1
        start = max(end - window, 0)
        x = joined[end - 1]
        block[0] += x * x
        block[1] += abs(x)
        for m in range(2):
            values[2 * m, i] = (run[m, end] - run[m, start]) / (end - start)
            values[2 * m + 1, i] = (sums[m] + block[m]) / (n + i + 1)
            correct[m, i] = int(run[2 + m, end] - run[2 + m, start])
        if n + i + 1 >= window and correct[0, i] == window:  # the 2000 most recent sequences all correct
            for d in range(4):
                if first[d] < 0 and values[d, i] < thresholds[2]:
                    first[d] = i
    if n_new:
        sums += block
    return values, correct, first

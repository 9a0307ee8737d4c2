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
        ends = np.arange(len(self.tail), len(joined)) + 1
        starts = np.maximum(ends - self.window, 0)
        counts = self.n + np.arange(1, len(errors) + 1)
        full = counts >= self.window
        measures = {}
        for name, measure in (("mse", np.square), ("mae", np.abs)):
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging run's errors: inf and nan measures
                values = measure(joined)
            run = np.concatenate([[0.0], np.cumsum(values)])
            measures[f"window_{name}"] = (run[ends] - run[starts]) / (ends - starts)
            cumulative = self.sums[name] + np.cumsum(values[len(self.tail) :])
            measures[f"cumulative_{name}"] = cumulative / counts
            self.sums[name] = float(cumulative[-1])
        for name, threshold in (("correct_in_window", self.correct_threshold), ("asker_correct_in_window", ASKER_CORRECT)):
            correct = np.concatenate([[0], np.cumsum(np.abs(joined) < threshold)])
            measures[name] = correct[ends] - correct[starts]
        all_correct = full & (measures["correct_in_window"] == self.window)
        for name in self.definitions:
            hits = np.flatnonzero(all_correct & (measures[name] < self.error_threshold))
            if name not in self.met and len(hits):
                self.met[name] = int(counts[hits[0]])
        self.n += len(errors)
        self.tail = joined[-self.window :]
        return measures

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

``StoppingRule`` holds one run's rule; ``feed`` feeds a block of errors to the rules of many runs in one
compiled call (a sweep's thousands of runs), each stopping where the definitions its run waits for are met.
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
        return feed([self], errors[None], np.array([len(errors)])).measures(0)


@dataclass(frozen=True)
class Fed:
    """What ``feed`` found, a row per rule: ``end``, the block's errors taken where the wanted definitions were all
    met inside it (the run ends there; -1: not inside it); ``newly`` met definitions, {row: {name: sequences into
    the block}}; the measures after every ``every``-th sequence (``kept`` of them, the first after ``first`` sequences:
    ``values`` the definitions', ``correct`` the two counts) and after the last error taken (``latest``,
    ``latest_correct``: None unless asked for; zeros where a row took none)."""

    end: list[int]
    newly: dict[int, dict[str, int]]
    every: int
    first: np.ndarray
    kept: np.ndarray
    values: np.ndarray
    correct: np.ndarray
    latest: np.ndarray | None
    latest_correct: np.ndarray | None

    def sequences(self, r: int) -> np.ndarray:
        """The sequence counts of row ``r``'s kept measures."""
        return self.first[r] + self.every * np.arange(self.kept[r])

    def measures(self, r: int) -> dict[str, np.ndarray]:
        k = self.kept[r]
        return dict(zip(MEASURES, [*self.values[r, :, :k].copy(), *self.correct[r, :, :k].copy()]))

    def last(self, r: int) -> dict[str, float]:
        return dict(zip(MEASURES, [*self.latest[r].tolist(), *self.latest_correct[r].tolist()]))


def feed(rules: list[StoppingRule], errors: np.ndarray, counts: np.ndarray, wanted: tuple[str, ...] = (), every: int = 1, latest: bool = True) -> Fed:
    """Feed row r of ``errors`` (its first ``counts[r]``) to ``rules[r]``, all rules of one protocol, in one compiled
    call: each stops taking errors where its ``wanted`` definitions are all met (the run's end); the measures are
    kept after every sequence whose count is a multiple of ``every``, and after the last taken if ``latest``.  The
    same bytes as feeding each alone."""
    like, window = rules[0], rules[0].window
    shared = (like.definitions, window, like.error_threshold, like.correct_threshold)
    if any((rule.definitions, rule.window, rule.error_threshold, rule.correct_threshold) != shared for rule in rules):
        raise ValueError("feed: rules must share definitions, window and thresholds (those of one protocol)")
    if errors.ndim != 2 or len(errors) != len(rules) or np.any(counts > errors.shape[1]):
        raise ValueError(f"feed: errors must have a row per rule ({len(rules)}) at least as long as its count")
    tails, tail_len = np.zeros((len(rules), window)), np.array([len(rule.tail) for rule in rules])
    n, sums = np.array([rule.n for rule in rules]), np.array([(rule.sums["mse"], rule.sums["mae"]) for rule in rules])
    met = np.array([[rule.met.get(name, -1) for name in DEFINITIONS] for rule in rules]).reshape(len(rules), 4)
    for r, rule in enumerate(rules):
        tails[r, : tail_len[r]] = rule.tail
    n_before, met_before, slots = n.copy(), met.copy(), errors.shape[1] // every + 1
    values, correct = np.empty((len(rules), 4, slots)), np.empty((len(rules), 2, slots), np.int64)
    latest_v, latest_c = np.zeros((len(rules), 4)), np.zeros((len(rules), 2), np.int64)
    tracked, want = (np.array([name in names for name in DEFINITIONS]) for names in (like.definitions, wanted))
    thresholds = np.array([like.correct_threshold, ASKER_CORRECT, like.error_threshold])
    end, kept = _feed(tails, tail_len, errors, counts, n, sums, met, tracked, want, thresholds, window, every, latest, values, correct, latest_v, latest_c)
    for r, rule in enumerate(rules):
        rule.n, rule.sums["mse"], rule.sums["mae"], rule.tail = int(n[r]), float(sums[r, 0]), float(sums[r, 1]), tails[r, : tail_len[r]].copy()
    newly, new = {}, (met >= 0) & (met_before < 0)
    for r in np.flatnonzero(new.any(axis=1)):
        found = {name: int(met[r, d]) for d, name in enumerate(DEFINITIONS) if new[r, d]}
        rules[r].met |= {name: found[name] for name in rules[r].definitions if name in found}
        newly[int(r)] = {name: k - int(n_before[r]) for name, k in found.items()}
    first = n_before + every - n_before % every
    return Fed(end.tolist(), newly, every, first, kept, values, correct, *((latest_v, latest_c) if latest else (None, None)))


@njit(cache=True, nogil=True, error_model="numpy")
def _feed(tails, tail_len, errors, counts, n, sums, met, tracked, wanted, thresholds, window, every, latest, values, correct, latest_v, latest_c):
    """``feed``'s rows: row r's kept ``tails`` (its last ``tail_len`` errors, n sequences before the block), then
    its new ``errors``.  The measures after each new error: window_mse, cumulative_mse, window_mae, cumulative_mae
    (``values``), the counts correct_in_window, asker_correct_in_window (``correct``; ``thresholds``: correct,
    asker-correct, then the error threshold), kept where the count is a multiple of ``every`` (and, if ``latest``,
    after the last error taken: ``latest_v``, ``latest_c``); definitions ``tracked`` are ``met`` (1-based count) once the
    ``window`` most recent sequences are all correct and the measure is below the threshold.  Sums run in numpy's
    cumsum order.  ``tails``, ``tail_len``, ``n``, ``sums`` are advanced in place; returns each row's end (-1:
    none) and kept count."""
    end, kept = np.full(len(counts), -1), np.zeros(len(counts), np.int64)
    run = np.zeros((4, tails.shape[1] + errors.shape[1] + 1))  # running sums: squared, absolute error, correct, asker-correct
    v, c = np.zeros(4), np.zeros(2, np.int64)
    for r in range(len(counts)):
        nt = tail_len[r]
        taken, block, end[r], kept[r] = _row(tails[r], nt, errors[r], counts[r], n[r], sums[r], met[r], tracked, wanted, thresholds, window, every, latest, values[r], correct[r], run, v, c)
        if taken:
            sums[r, 0], sums[r, 1] = sums[r, 0] + block[0], sums[r, 1] + block[1]
        if taken and latest:
            latest_v[r], latest_c[r] = v, c
        total = nt + taken
        keep = min(total, window)
        for j in range(total - keep, total):  # the new tail, shifted left in place (the source lies right of the target)
            tails[r, j - total + keep] = tails[r, j] if j < nt else errors[r, j - nt]
        tail_len[r], n[r] = keep, n[r] + taken
    return end, kept


@njit(cache=True, nogil=True, error_model="numpy")
def _row(tail, nt, errors, counts, n, sums, met, tracked, wanted, thresholds, window, every, latest, values, correct, run, v, c):
    """One row of ``_feed``, its ``met`` advanced in place: returns the errors taken, their sums (squared,
    absolute error), the end (-1: none) and the measures kept; ``v``, ``c`` hold the measures after the last
    computed.  The running sums over the tail and the block are accumulated only as far as a measure is needed
    (most blocks of a long run need none): the same bytes."""
    taken, block, keep_at, end, kept = 0, (0.0, 0.0), n + every - n % every, -1, 0
    streak, done, sum_run = _streak(tail, nt, thresholds[0]), 0, (0.0, 0.0, 0.0, 0.0)
    for i in range(counts):
        x, j, count = errors[i], nt + i, n + i + 1
        e = abs(x)
        block, streak = (block[0] + x * x, block[1] + e), streak + 1 if e < thresholds[0] else 0
        all_correct = streak >= window  # the window's sequences all correct
        taken, newly = i + 1, False
        if not (all_correct or count == keep_at or (latest and taken == counts)):
            continue
        for k in range(done, j + 1):  # the running sums, caught up to this error
            sum_run = _accumulate(run, k, tail[k] if k < nt else errors[k - nt], sum_run, thresholds)
        done = j + 1
        _measure(run, j, max(j + 1 - window, 0), sums, block, count, v, c)
        if all_correct:
            for d in range(4):
                if tracked[d] and met[d] < 0 and v[d] < thresholds[2]:
                    met[d], newly = count, True
        if count == keep_at:
            values[:, kept], correct[:, kept] = v, c
            kept, keep_at = kept + 1, keep_at + every
        if newly and _all_met(met, wanted):
            end = taken if taken < counts else -1
            break
    return taken, block, end, kept


@njit(cache=True, inline="always")
def _measure(run, j, stop, sums, block, count, v, c):
    """The measures after the ``j``-th error of the running sums (its window from ``stop``; ``count`` sequences in
    all, ``block`` of them new, ``sums`` before): ``v`` window_mse, cumulative_mse, window_mae, cumulative_mae;
    ``c`` correct_in_window, asker_correct_in_window."""
    for m in range(2):
        v[2 * m] = (run[m, j + 1] - run[m, stop]) / (j + 1 - stop)
        v[2 * m + 1] = (sums[m] + block[m]) / count
        c[m] = int(run[2 + m, j + 1] - run[2 + m, stop])


@njit(cache=True, inline="always")
def _streak(tail, nt, threshold):
    """How many of the ``nt`` errors of ``tail`` are correct in a row at its end."""
    k = nt
    while k > 0 and abs(tail[k - 1]) < threshold:
        k -= 1
    return nt - k


@njit(cache=True, inline="always")
def _accumulate(run, j, x, sums, thresholds):
    """Extend the running ``sums`` (column ``j`` of ``run``, kept in registers) by error ``x``, the ``j``-th, into
    column j + 1; returns them."""
    e = abs(x)
    sums = (sums[0] + x * x, sums[1] + e, sums[2] + (e < thresholds[0]), sums[3] + (e < thresholds[1]))
    run[0, j + 1], run[1, j + 1], run[2, j + 1], run[3, j + 1] = sums
    return sums


@njit(cache=True, nogil=True)
def _all_met(met, wanted):
    """Whether the ``wanted`` definitions (some) are all met."""
    return wanted.any() and not np.any(wanted & (met < 0))

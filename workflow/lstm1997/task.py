"""The adding problem of Hochreiter & Schmidhuber (1997), section 5.4, Experiment 4.

Each sequence element is a pair (value, marker).  A sequence of length L, drawn uniformly from
T .. T + T//10, carries values uniform in [-1, 1]; its markers are 0 except for the first and the
last pair (-1) and two marked pairs (1.0): X1 among the first ten pairs, X2 among the first T/2
positions other than X1 ("the first T/2 - 1 still unmarked pairs").  The target, presented only at
the sequence end, is 0.5 + (X1 + X2) / 4.

Randomness is numpy's Philox seeded through ``SeedSequence``: sequence ``i`` of the stream for
(T, seed, purpose) is a function of those values alone, never of how many sequences a consumer
asks for at a time.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checks import integer
from .io import reading, write_npz

FIRST_MARK_RANGE = 10
"""X1 is one of the first ten pairs (5.4)."""

BLOCK = 1000
"""Sequences per generator block: block k of a stream holds sequences k*BLOCK .. k*BLOCK + BLOCK - 1."""
BLOCK_COPIES = 5
"""float64 arrays of the kept sequences' shape alive at once while they are drawn (values, markers, inputs, copies)."""
CHUNK = 1 << 22
"""Values drawn at once for sequences that are drawn but not kept (32 MiB)."""

SEED_SPACES = {"train": 0, "test": 1, "init": 2}
"""Disjoint seed spaces of one seed: training stream, test sets, weight initialisation; a training
stream never repeats a test set drawn with the same seed."""

MARKED_FIRST_PAIR_MARKERS = (1.0, -1.0)


@dataclass(frozen=True)
class AddingData:
    """A batch of zero-padded adding-problem sequences.

    ``inputs`` (n, T + T//10, 2) float64 holds (value, marker) pairs; only the first ``lengths[i]``
    steps of sequence i are real.  ``targets`` (n,) float64 is 0.5 + (X1 + X2) / 4.
    """

    T: int
    inputs: np.ndarray
    lengths: np.ndarray
    targets: np.ndarray

    def __post_init__(self):
        """Shapes that fit together and every length within the padded width: the kernels read the first
        ``lengths[i]`` steps of ``inputs[i]`` unchecked."""
        n = len(self.targets)
        if self.inputs.ndim != 3 or self.inputs.shape[::2] != (n, 2) or not self.lengths.shape == self.targets.shape == (n,):
            shapes = f"{self.inputs.shape}, {self.lengths.shape}, {self.targets.shape}"
            raise ValueError(f"AddingData: inputs must be (n, width, 2), lengths and targets (n,); got {shapes}")
        width = self.inputs.shape[1]
        if n and not (1 <= self.lengths.min() and self.lengths.max() <= width):
            raise ValueError(f"lengths: must lie in 1 .. {width} (the padded width of inputs), got {self.lengths.min()} .. {self.lengths.max()}")

    def __len__(self) -> int:
        return len(self.targets)

    def save(self, path: str | Path) -> None:
        """Write to ``path`` (.npz) atomically."""
        write_npz(path, {"T": np.array(self.T), "inputs": self.inputs, "lengths": self.lengths, "targets": self.targets})

    @classmethod
    def load(cls, path: str | Path) -> AddingData:
        with reading(path), np.load(path) as z:
            return cls(int(z["T"]), z["inputs"], z["lengths"], z["targets"])


def check_T(T: int) -> int:
    """Return T if the paper's task is defined for it (even, so T/2 is a position), else raise."""
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 10 or T % 2:
        raise ValueError(f"T: must be an even integer >= 10, got {T!r}")
    return int(T)


def max_length(T: int) -> int:
    """Longest sequence for T: T + T//10 (5.4, "length uniform between T and T + T/10")."""
    return T + T // 10


def mean_length(T: int) -> float:
    """Time steps of a sequence on average: T + T//20, the middle of T .. T + T//10."""
    return (T + max_length(T)) / 2


def generate(T: int, n: int, gen: np.random.Generator, marked_first_marker: float = 1.0, keep: int | None = None) -> AddingData:
    """Draw n sequences (5.4); with ``keep``, return only the first ``keep`` of them, holding no more in memory
    than those (the same draws from ``gen``, the others' values drawn in chunks of ``CHUNK`` numbers and dropped).

    - length L uniform in T .. T + T//10 inclusive; values uniform in [-1, 1);
    - markers -1 at the first and the last pair, 0 elsewhere, then 1.0 at the two marks;
    - X1 uniform among positions 0..9; X2 uniform among positions 0 .. T/2 - 1 other than X1's;
    - a marked position 0 gets value 0, whichever of the two marks landed there: the paper's
      "we set X1 to zero in the rare case where the first pair of the sequence gets marked"
      (a marked first pair can hold X2 as well as X1);
    - the marker of a marked position 0 is ``marked_first_marker``: 1.0 (the mark wins, default) or
      -1.0 (the start marker wins); the paper does not say (paper-notes, "open").

    For 10 <= T < 20 the first mark can fall at or beyond T/2, and X2 is then uniform over all T/2
    positions 0 .. T/2 - 1; for T = 10 and L = 10 the first mark can land on the last pair, whose
    marker becomes 1.0.  Neither happens for the paper's T >= 100.
    """
    T = check_T(T)
    if marked_first_marker not in MARKED_FIRST_PAIR_MARKERS:
        raise ValueError(f"marked_first_marker: must be one of {MARKED_FIRST_PAIR_MARKERS}, got {marked_first_marker!r}")
    keep = n if keep is None else keep
    width, half, rows = max_length(T), T // 2, np.arange(keep)
    lengths = gen.integers(T, width + 1, size=n)[:keep]
    values = gen.uniform(-1.0, 1.0, size=(keep, width))
    rows_per_chunk = max(1, CHUNK // width)
    for start in range(keep, n, rows_per_chunk):
        gen.uniform(-1.0, 1.0, size=(min(n - start, rows_per_chunk), width))
    first = gen.integers(0, FIRST_MARK_RANGE, size=n)
    second = gen.integers(0, half - (first < half))[:keep]
    first = first[:keep]
    second += second >= first
    values[np.arange(width) >= lengths[:, None]] = 0.0
    markers = np.zeros((keep, width))
    markers[:, 0] = -1.0
    markers[rows, lengths - 1] = -1.0
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    first_marked = (first == 0) | (second == 0)
    values[first_marked, 0] = 0.0
    markers[first_marked, 0] = marked_first_marker
    targets = 0.5 + (values[rows, first] + values[rows, second]) / 4.0
    return AddingData(T, np.stack([values, markers], axis=-1), lengths, targets)


def rng(seed: int, purpose: str, *key: int) -> np.random.Generator:
    """Philox generator for ``seed`` in the seed space of ``purpose`` (``SEED_SPACES``), refined by ``key``."""
    integer("seed", seed, 0)
    spawn_key = (SEED_SPACES[purpose], *key)
    return np.random.Generator(np.random.Philox(np.random.SeedSequence(seed, spawn_key=spawn_key)))


def block(T: int, seed: int, index: int, purpose: str = "train", marked_first_marker: float = 1.0) -> AddingData:
    """Block ``index`` of the stream for (T, seed, purpose): its sequences index*BLOCK .. index*BLOCK + BLOCK - 1."""
    return generate(T, BLOCK, rng(seed, purpose, T, index), marked_first_marker)


def stream(T: int, seed: int, purpose: str = "train", marked_first_marker: float = 1.0) -> Iterator[AddingData]:
    """Endless stream for (T, seed): yields its blocks of ``BLOCK`` sequences, one at a time."""
    T = check_T(T)
    return (block(T, seed, index, purpose, marked_first_marker) for index in itertools.count())


def make_dataset(T: int, n: int, seed: int, marked_first_marker: float = 1.0) -> AddingData:
    """The first n sequences of the test stream for (T, seed), e.g. the paper's 2560 test sequences."""
    n, T = integer("n", n, 1), check_T(T)
    integer("seed", seed, 0)
    check_memory(T, n)
    blocks = [
        generate(T, BLOCK, rng(seed, "test", T, index), marked_first_marker, keep=min(BLOCK, n - index * BLOCK))
        for index in range(-(-n // BLOCK))
    ]
    return concat(blocks, n)


def check_memory(T: int, n: int) -> None:
    """Refuse n sequences at T that would not fit in the memory available now: the n kept (inputs: values and
    markers), the working copies of one block's kept part while it is drawn, and the chunk of dropped values."""
    needed = (2 * n + BLOCK_COPIES * min(n, BLOCK)) * max_length(T) * 8 + CHUNK * 8
    available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if needed > available:
        raise ValueError(f"n, T: {n:,} sequences at T={T:,} need {needed / 2**30:.1f} GiB; {available / 2**30:.1f} GiB are available")


def stack(blocks: list[AddingData]) -> list[np.ndarray]:
    """inputs, lengths, targets of blocks of one T, each stacked on a new leading axis (the engines' stream index)."""
    return [np.stack([getattr(b, k) for b in blocks]) for k in ("inputs", "lengths", "targets")]


def concat(blocks: list[AddingData], n: int | None = None) -> AddingData:
    """Join blocks of one T, keeping the first n sequences."""
    take = slice(0, n)
    return AddingData(
        blocks[0].T,
        np.concatenate([b.inputs for b in blocks])[take],
        np.concatenate([b.lengths for b in blocks])[take],
        np.concatenate([b.targets for b in blocks])[take],
    )

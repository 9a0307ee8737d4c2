"""The compiled engine on a CUDA GPU: many independent runs at once, one run per CUDA thread.

Each thread runs the CPU engine's own sequence kernels (``engine.truncated_sequence`` and
``engine.full_sequence``), which numba compiles a second time as device functions, then the same
online SGD step as ``engine.train_block``: the same float64 arithmetic, up to the device's fused
multiply-adds and its ``exp`` (weights within 1e-9 of the CPU engine's after 1,000 sequences: tests/test_gpu.py).
Scratch lives in thread-local arrays; full BPTT's history in one global array per quantity.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda, float64

from . import engine
from .engine import N_BLOCKS, N_CELLS, N_COLS, N_HIDDEN, N_OUT, N_ROWS_MAX

THREADS_PER_BLOCK = 64
HISTORY = (N_COLS, N_HIDDEN, N_CELLS, N_CELLS, N_BLOCKS)
"""Widths of full BPTT's per-step history: z, act, sg, s, yf (``engine.workspace``)."""


def available() -> bool:
    """Whether numba sees a CUDA GPU."""
    return cuda.is_available()


def require(key: str = "device") -> None:
    """Raise a one-line error, naming the option ``key`` that asked for cuda, where the cuda engine cannot run."""
    if not available():
        raise RuntimeError(f"{key}: 'cuda' needs a CUDA GPU visible to numba (numba.cuda.is_available() is False); allowed here: 'cpu'")


@cuda.jit
def _train(Wh, Wo, inputs, lengths, targets, stream, counts, lr, n_cols, linear, err_factor, full, z_h, act_h, sg_h, s_h, yf_h, errors):
    """Thread r: ``engine.train_block`` for run r on block ``stream[r]``."""
    r = cuda.grid(1)
    if r >= Wh.shape[0]:
        return
    h = r if full else 0
    ws = (
        cuda.local.array(N_COLS, float64),
        cuda.local.array(N_ROWS_MAX, float64),
        cuda.local.array(N_CELLS, float64),
        cuda.local.array(N_HIDDEN, float64),
        cuda.local.array(N_CELLS, float64),
        cuda.local.array(N_BLOCKS, float64),
        cuda.local.array(N_CELLS, float64),
        cuda.local.array((N_CELLS, N_COLS), float64),
        cuda.local.array((N_CELLS, N_COLS), float64),
        cuda.local.array((N_CELLS, N_COLS), float64),
        cuda.local.array(N_CELLS, float64),
        cuda.local.array(N_HIDDEN, float64),
        cuda.local.array(N_ROWS_MAX, float64),
        cuda.local.array(N_CELLS, float64),
        z_h[h],
        act_h[h],
        sg_h[h],
        s_h[h],
        yf_h[h],
    )
    W, V, k, rate = Wh[r], Wo[r], stream[r], lr[r]
    gWh = cuda.local.array((N_ROWS_MAX, N_COLS), float64)[: W.shape[0]]
    gWo = cuda.local.array(N_OUT, float64)
    for i in range(counts[r]):
        if full:
            err = engine.full_sequence(W, V, inputs[k, i], lengths[k, i], targets[k, i], n_cols, linear, err_factor, gWh, gWo, ws)
        else:
            err = engine.truncated_sequence(W, V, inputs[k, i], lengths[k, i], targets[k, i], n_cols, linear, err_factor, gWh, gWo, ws)
        errors[r, i] = err
        for a in range(W.shape[0]):
            for b in range(N_COLS):
                W[a, b] -= rate * gWh[a, b]
        for b in range(N_OUT):
            V[b] -= rate * gWo[b]


def train_runs(theta, inputs, lengths, targets, stream, counts, lr, n_cols, linear, err_factor, full, errors) -> None:
    """``engine.train_runs`` on the GPU: the same arguments, theta and errors filled in place."""
    require()
    R, split = theta.shape[0], theta.shape[1] - N_OUT
    Wh = cuda.to_device(np.ascontiguousarray(theta[:, :split].reshape(R, -1, N_COLS)))
    Wo = cuda.to_device(np.ascontiguousarray(theta[:, split:]))
    steps = inputs.shape[2] if full else 1
    hist = tuple(cuda.device_array((R if full else 1, steps, width)) for width in HISTORY)
    d_errors = cuda.to_device(errors)  # entries past a run's count keep the caller's values, as on the CPU
    data = [cuda.to_device(np.ascontiguousarray(a)) for a in (inputs, lengths, targets, stream, counts, lr)]
    _train[math.ceil(R / THREADS_PER_BLOCK), THREADS_PER_BLOCK](Wh, Wo, *data, n_cols, linear, err_factor, full, *hist, d_errors)
    theta[:, :split] = Wh.copy_to_host().reshape(R, split)
    theta[:, split:] = Wo.copy_to_host()
    errors[:] = d_errors.copy_to_host()

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
from .engine import HISTORY, N_BLOCKS, N_CELLS, N_COLS, N_HIDDEN, N_OUT, N_ROWS_MAX

THREADS_PER_BLOCK = 64


def available() -> bool:
    """Whether numba sees a CUDA GPU."""
    return cuda.is_available()


def require(key: str = "device") -> None:
    """Raise a one-line error, naming the option ``key`` that asked for cuda, where the cuda engine cannot run."""
    if not available():
        raise RuntimeError(f"{key}: 'cuda' needs a CUDA GPU visible to numba (numba.cuda.is_available() is False); allowed here: 'cpu'")


@cuda.jit
def _train(Wh, Wo, inputs, lengths, targets, stream, counts, lr, opts, z_h, act_h, sg_h, s_h, yf_h, errors):
    """Thread r: ``engine.train_block`` for run r on block ``stream[r]``; scratch in thread-local arrays,
    slot by slot as ``engine.Workspace`` names them, full BPTT's history in global memory."""
    r = cuda.grid(1)
    if r >= Wh.shape[0]:
        return
    h = r if opts.full else 0
    ws = engine.Workspace(
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
        errors[r, i] = engine.sequence_gradient(W, V, inputs[k, i], lengths[k, i], targets[k, i], gWh, gWo, ws, opts)
        for a in range(W.shape[0]):  # engine.sgd_step on the (Wh, Wo) views
            for b in range(N_COLS):
                W[a, b] -= rate * (gWh[a, b] * opts.trainable[a * N_COLS + b])
        for b in range(N_OUT):
            V[b] -= rate * (gWo[b] * opts.trainable[W.shape[0] * N_COLS + b])


def train_runs(theta, inputs, lengths, targets, stream, counts, lr, opts, errors) -> None:
    """``engine.train_runs`` on the GPU: the same arguments, theta and errors filled in place."""
    require()
    R, split = theta.shape[0], theta.shape[1] - N_OUT
    Wh = cuda.to_device(np.ascontiguousarray(theta[:, :split].reshape(R, -1, N_COLS)))
    Wo = cuda.to_device(np.ascontiguousarray(theta[:, split:]))
    steps = inputs.shape[2] if opts.full else 1
    hist = tuple(cuda.device_array((R if opts.full else 1, steps, width)) for width in HISTORY.values())
    d_errors = cuda.to_device(errors)  # entries past a run's count keep the caller's values, as on the CPU
    data = [cuda.to_device(np.ascontiguousarray(a)) for a in (inputs, lengths, targets, stream, counts, lr)]
    d_opts = opts._replace(trainable=cuda.to_device(opts.trainable))
    _train[math.ceil(R / THREADS_PER_BLOCK), THREADS_PER_BLOCK](Wh, Wo, *data, d_opts, *hist, d_errors)
    theta[:, :split] = Wh.copy_to_host().reshape(R, split)
    theta[:, split:] = Wo.copy_to_host()
    errors[:] = d_errors.copy_to_host()

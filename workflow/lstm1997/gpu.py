"""The compiled engine on a CUDA GPU: many independent runs at once.

The paper's network with its truncated gradient (section 4, A.1) runs on a team of 8 threads per run
(``_train_teams``): thread l holds row l of the hidden weights (cells 0-3, input gates 4-5, output gates
6-7) and one row of the RTRL sums (d s_c / d w_c for l < 4, d s_c / d w_in of cell l - 4 otherwise) in
fixed-size thread-local arrays, and the team trades activations by warp shuffles.  Runs are ordered by training stream, so
the 4 teams of a warp step through the same sequences in lockstep.

The ablations (full BPTT, forget gates) run one run per thread (``_train``): each thread runs the CPU
engine's own sequence kernels (``engine.truncated_sequence`` and ``engine.full_sequence``), which numba
compiles a second time as device functions, with scratch in thread-local arrays and full BPTT's history
in one global array per quantity.

Both do the same float64 arithmetic as ``engine.train_block``, up to the device's fused multiply-adds and
its ``exp`` (weights within 1e-9 of the CPU engine's after 1,000 sequences: tests/test_gpu.py).
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda, float64

from . import engine
from .engine import (
    CELLS_PER_BLOCK,
    FORGET,
    HISTORY,
    IN_GATE,
    N_BLOCKS,
    N_CELLS,
    N_COLS,
    N_HIDDEN,
    N_OUT,
    N_ROWS_MAX,
    OUT_GATE,
    RECURRENT,
    sigmoid,
    squash,
)

THREADS_PER_BLOCK = 64
"""Threads per CUDA block of ``_train``, the one-run-per-thread kernel."""
TEAM = N_HIDDEN
"""Threads per run of ``_train_teams``: one per hidden unit."""
TEAMS_PER_BLOCK = 16
"""Runs per CUDA block of ``_train_teams`` (128 threads)."""


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


@cuda.jit(device=True, inline=True)
def _from(mask, base, lane, value):
    """``value`` as lane ``base + lane`` of the warp holds it (a shuffle inside one team)."""
    return cuda.shfl_sync(mask, value, base + lane)


@cuda.jit
def _train_teams(Wh, Wo, inputs, lengths, targets, stream, counts, lr, opts, errors):
    """Team r (threads 8r .. 8r + 7): ``engine.train_block`` for run r on block ``stream[r]`` with the
    truncated gradient, ``engine.truncated_sequence``'s arithmetic split by hidden unit.

    Thread l keeps row l of Wh, z(t), the output weights (every thread of the team, updated alike) and
    dS, the RTRL sums of row l of ``dS_cell`` (l < 4) or of ``dS_in`` (cell l - 4), in fixed-size thread-local arrays."""
    r, l = cuda.grid(1) // TEAM, cuda.grid(1) % TEAM
    if r >= Wh.shape[0]:
        return
    base = cuda.laneid - l
    mask = ((1 << TEAM) - 1) << base
    c = l % N_CELLS  # the cell whose RTRL sums this thread keeps
    b = c // CELLS_PER_BLOCK  # and its block
    w, wo = cuda.local.array(N_COLS, float64), cuda.local.array(N_OUT, float64)
    z, dS = cuda.local.array(N_COLS, float64), cuda.local.array(N_COLS, float64)
    for j in range(N_COLS):  # the columns past opts.n_cols feed nothing and learn nothing, as on the CPU
        w[j] = Wh[r, l, j] if j < opts.n_cols else 0.0
    for j in range(N_OUT):
        wo[j] = Wo[r, j]
    k, rate = stream[r], lr[r]
    for i in range(counts[r]):
        act, s = opts.initial_activation, 0.0  # engine.reset
        for j in range(N_COLS):
            dS[j] = 0.0
        z[0] = 1.0
        for t in range(lengths[k, i]):
            z[1], z[2] = inputs[k, i, t, 0], inputs[k, i, t, 1]
            for u in range(N_HIDDEN):
                z[RECURRENT + u] = _from(mask, base, u, act)
            net = 0.0
            for j in range(N_COLS):
                net += w[j] * z[j]
            sig = sigmoid(net)  # a gate's activation; a cell's logistic of net_c
            sg = _from(mask, base, c, sig)
            y_in, y_out = _from(mask, base, IN_GATE + b, sig), _from(mask, base, OUT_GATE + b, sig)
            act = sig
            if l < N_CELLS:  # engine.step: s_c(t) = s_c(t-1) + y_in g(net_c), y_c = y_out h(s_c)
                s += y_in * squash(sg, opts.g_range)
                act = y_out * squash(sigmoid(s), opts.h_range)
                d = engine.squash_slope(sg, opts.g_range) * y_in
            else:
                d = squash(sg, opts.g_range) * y_in * (1.0 - y_in)
            for j in range(N_COLS):
                dS[j] = dS[j] + d * z[j]
        err = _team_step(w, wo, z, dS, act, s, targets[k, i], mask, base, l, b, rate, opts)
        if l == 0:
            errors[r, i] = err
    for j in range(opts.n_cols):
        Wh[r, l, j] = w[j]
    if l == 0:
        for j in range(N_OUT):
            Wo[r, j] = wo[j]


@cuda.jit(device=True, inline=True)
def _team_step(w, wo, z, dS, act, s, target, mask, base, l, b, rate, opts):
    """The end of a sequence on a team (``engine.output_gradient``, the end of ``engine.truncated_sequence``,
    ``engine.sgd_step``): the output, each thread's row of the gradient, the update; returns target - y."""
    net_k, y_c = wo[0], cuda.local.array(N_CELLS, float64)
    for c in range(N_CELLS):
        y_c[c] = _from(mask, base, c, act)
        net_k += wo[1 + c] * y_c[c]
    y = net_k if opts.linear else sigmoid(net_k)
    err = target - y
    d_net = -opts.err_factor * err * (1.0 if opts.linear else y * (1.0 - y))
    y_out = _from(mask, base, OUT_GATE + b, act)  # an output gate's act is its logistic
    h = squash(sigmoid(s), opts.h_range)
    dyc = d_net * wo[1 + l % N_CELLS]  # dE/dy_c; cell threads only use it and what follows from it
    e_s = dyc * y_out * engine.h_slope(h, opts.h_range)  # dE/ds_c
    d_out = dyc * h * y_out * (1.0 - y_out)
    e_cell = _from(mask, base, l % N_CELLS, e_s)
    first = l % N_BLOCKS * CELLS_PER_BLOCK  # a gate row's block (rows 4-7: block l % 2), by its first cell
    d0, d1 = _from(mask, base, first, d_out), _from(mask, base, first + 1, d_out)  # an output gate's two cells
    for j in range(N_COLS):
        p = e_cell * dS[j]  # a cell's gWh row, or one cell's share of its input gate's
        p0, p1 = _from(mask, base, N_CELLS + first, p), _from(mask, base, N_CELLS + first + 1, p)  # thread 4 + c: dS_in of cell c
        if l < IN_GATE:
            g = p
        elif l < OUT_GATE:
            g = p0 + p1
        else:
            g = d0 * z[j] + d1 * z[j]
        if j < opts.n_cols:
            w[j] -= rate * (g * opts.trainable[l * N_COLS + j])
    for j in range(N_OUT):
        g = d_net * (1.0 if j == 0 else y_c[j - 1])
        wo[j] -= rate * (g * opts.trainable[N_HIDDEN * N_COLS + j])
    return err


def train_runs(theta, inputs, lengths, targets, stream, counts, lr, opts, errors, teams: bool = True) -> None:
    """``engine.train_runs`` on the GPU: the same arguments, theta and errors filled in place.  The paper's
    network with the truncated gradient trains on teams (``_train_teams``), runs ordered by stream; the
    ablations, or every run where ``teams`` is False (the bench's baseline), one run per thread (``_train``)."""
    require()
    R, split = theta.shape[0], theta.shape[1] - N_OUT
    teams = teams and not opts.full and split == FORGET * N_COLS
    order = np.argsort(stream, kind="stable") if teams else np.arange(R)
    Wh = cuda.to_device(np.ascontiguousarray(theta[order, :split].reshape(R, -1, N_COLS)))
    Wo = cuda.to_device(np.ascontiguousarray(theta[order, split:]))
    d_errors = cuda.to_device(np.ascontiguousarray(errors[order]))  # entries past a run's count keep the caller's values
    data = [cuda.to_device(np.ascontiguousarray(a)) for a in (inputs, lengths, targets, stream[order], counts[order], lr[order])]
    d_opts = opts._replace(trainable=cuda.to_device(opts.trainable))
    if teams:
        _train_teams[math.ceil(R / TEAMS_PER_BLOCK), TEAMS_PER_BLOCK * TEAM](Wh, Wo, *data, d_opts, d_errors)
    else:
        steps = inputs.shape[2] if opts.full else 1
        hist = tuple(cuda.device_array((R if opts.full else 1, steps, width)) for width in HISTORY.values())
        _train[math.ceil(R / THREADS_PER_BLOCK), THREADS_PER_BLOCK](Wh, Wo, *data, d_opts, *hist, d_errors)
    theta[order, :split] = Wh.copy_to_host().reshape(R, split)
    theta[order, split:] = Wo.copy_to_host()
    errors[order] = d_errors.copy_to_host()

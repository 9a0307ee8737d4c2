"""Compiled kernels of the LSTM-1997 network (sections 4, 5.4 and appendix A.1): float64, no fastmath.

A run's weights travel as one flat float64 vector ``theta``: ``Wh`` (8, 11), the rows of the hidden
units (cells 0-3, input gates 4-5, output gates 6-7), then ``Wo`` (5,), the output unit.  Column j of
``Wh`` multiplies z[j] of the unit's input vector z(t) = (1, value(t), marker(t), y(t-1) of the 8
hidden units).

The forget-gate ablation (Gers et al. 2000) adds rows 8-9 to ``Wh``, one forget gate per block with
the same inputs as the other gates; its activation y_f scales the state, s_c(t) = y_f s_c(t-1) + ...,
and feeds no unit.  Without those rows y_f is 1.0 exactly, so the 1997 network's arithmetic is untouched.

Every option of the network and of the learning rule reaches the kernels as one value, ``Options``
(built by ``lstm97.Lstm97.options``); every scratch array as one ``Workspace`` with named slots.
Nothing in a per-time-step loop allocates: a block of sequences shares one workspace.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit, prange

N_CELLS = 4
CELLS_PER_BLOCK = 2
N_HIDDEN = 8
N_COLS = 11
IN_GATE = 4
"""Row of the first input gate; input gate of block b is row IN_GATE + b."""
OUT_GATE = 6
"""Row of the first output gate."""
RECURRENT = 3
"""Column of z(t) holding y(t-1) of hidden unit 0 (cell 1); unit k sits at RECURRENT + k."""
N_OUT = 5
FORGET = 8
"""Row of the first forget gate, where there are forget gates."""
N_BLOCKS = 2
N_ROWS_MAX = FORGET + N_BLOCKS

Options = namedtuple("Options", ["n_cols", "linear", "g_range", "h_range", "initial_activation", "err_factor", "full", "trainable"])
"""What the kernels need of ``lstm97.Net`` and the learning rule, as one value.

n_cols: columns of z each hidden unit uses (11 fully connected, 7 cells only); linear: identity
output unit instead of the logistic; g_range, h_range: g in [-g_range, g_range], h likewise (A.1: 2, 1);
initial_activation: y(0) of every cell and gate (5.4: 0); err_factor: E = err_factor / 2 (t - y)^2;
full: exact BPTT instead of the truncated gradient; trainable: float64 (n_params,), 1.0 where a weight
learns, 0.0 where it keeps its initial value.
"""

SCRATCH = {
    "z": (N_COLS,),  # input vector z(t) of the hidden units
    "net": (N_ROWS_MAX,),  # net inputs at t
    "sg": (N_CELLS,),  # logistic of the cells' net inputs: g = squash(sg, g_range)
    "act": (N_HIDDEN,),  # activations y(t) of cells and gates
    "s": (N_CELLS,),  # cell states s_c(t)
    "yf": (N_BLOCKS,),  # forget gates y_f(t), 1.0 without them
    "dyc": (N_CELLS,),  # dE/dy_c at the sequence end
    "dS_cell": (N_CELLS, N_COLS),  # d s_c / d w_c (A.1, truncated)
    "dS_in": (N_CELLS, N_COLS),  # d s_c / d w_in of c's block (A.1, truncated)
    "dS_f": (N_CELLS, N_COLS),  # d s_c / d w_f of c's block (truncated, forget gates)
    "s_prev": (N_CELLS,),  # s_c(t-1) (truncated, forget gates)
    "dact": (N_HIDDEN,),  # dE/dy(t) flowing back through time (BPTT)
    "dnet": (N_ROWS_MAX,),  # dE/dnet(t) (BPTT)
    "ds": (N_CELLS,),  # dE/ds_c(t) (BPTT)
}
"""Per-run scratch of one sequence: slot -> shape."""
HISTORY = {"z_h": N_COLS, "act_h": N_HIDDEN, "sg_h": N_CELLS, "s_h": N_CELLS, "yf_h": N_BLOCKS}
"""Full BPTT's per-step history: slot -> width (one row per time step)."""
Workspace = namedtuple("Workspace", [*SCRATCH, *HISTORY])
"""Every scratch array of the kernels by name: the slots of ``SCRATCH``, then those of ``HISTORY``."""

_jit = njit(cache=True, error_model="numpy", fastmath=False)


@_jit
def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


@_jit
def squash(sig, scale):
    """g and h of A.1 from the logistic ``sig`` of their argument: scale (2 sig - 1), range [-scale, scale].

    g (scale 2) is 4 sigmoid(x) - 2, h (scale 1) is 2 sigmoid(x) - 1, bit for bit.
    """
    return scale * (2.0 * sig - 1.0)


@_jit
def squash_slope(sig, scale):
    """d squash / dx = 2 scale sig (1 - sig): g'(net_c) (A.1) from the logistic ``sig`` of net_c."""
    return 2.0 * scale * sig * (1.0 - sig)


@_jit
def h_slope(h, scale):
    """h'(s_c) from h = h(s_c) itself: (scale^2 - h^2) / (2 scale); 0.5 (1 - h^2) for the text's h."""
    return 0.5 / scale * (scale * scale - h * h)


@_jit
def split(theta):
    """Views (Wh (8 or 10, 11), Wo (5,)) of a flat parameter vector; 10 rows carry forget gates."""
    rows = (theta.shape[0] - N_OUT) // N_COLS
    return theta[: rows * N_COLS].reshape((rows, N_COLS)), theta[rows * N_COLS :]


@_jit
def workspace(width):
    """A ``Workspace`` for one sequence of at most ``width`` steps (slots in ``SCRATCH`` then ``HISTORY`` order)."""
    return Workspace(
        np.zeros(N_COLS),
        np.zeros(N_ROWS_MAX),
        np.zeros(N_CELLS),
        np.zeros(N_HIDDEN),
        np.zeros(N_CELLS),
        np.ones(N_BLOCKS),
        np.zeros(N_CELLS),
        np.zeros((N_CELLS, N_COLS)),
        np.zeros((N_CELLS, N_COLS)),
        np.zeros((N_CELLS, N_COLS)),
        np.zeros(N_CELLS),
        np.zeros(N_HIDDEN),
        np.zeros(N_ROWS_MAX),
        np.zeros(N_CELLS),
        np.zeros((width, N_COLS)),
        np.zeros((width, N_HIDDEN)),
        np.zeros((width, N_CELLS)),
        np.zeros((width, N_CELLS)),
        np.zeros((width, N_BLOCKS)),
    )


@_jit
def copy_into(dst, src):
    """dst[:len(src)] = src element by element: no temporary, so it compiles for CUDA devices too."""
    for j in range(src.shape[0]):
        dst[j] = src[j]


@_jit
def reset(ws, opts):
    """Cell states start at 0 for every sequence, cell and gate outputs at ``initial_activation`` (5.4: 0)."""
    ws.z[:] = 0.0
    ws.z[0] = 1.0
    ws.act[:] = opts.initial_activation
    ws.s[:] = 0.0
    ws.yf[:] = 1.0


@_jit
def step(Wh, x_t, ws, opts):
    """One forward step (A.1): s_c(t) = y_f s_c(t-1) + y_in(t) g(net_c(t)), y_c(t) = y_out(t) h(s_c(t)).

    Gates are logistic; g and h are ``squash`` with ranges g_range and h_range (A.1: 2 and 1); y_f = 1 in 1997.
    """
    z, net, sg, act, s, yf = ws.z, ws.net, ws.sg, ws.act, ws.s, ws.yf
    z[1] = x_t[0]
    z[2] = x_t[1]
    for k in range(N_HIDDEN):
        z[RECURRENT + k] = act[k]
    for r in range(Wh.shape[0]):
        acc = 0.0
        for j in range(opts.n_cols):
            acc += Wh[r, j] * z[j]
        net[r] = acc
    for r in range(IN_GATE, N_HIDDEN):
        act[r] = sigmoid(net[r])
    for b in range(Wh.shape[0] - FORGET):
        yf[b] = sigmoid(net[FORGET + b])
    for c in range(N_CELLS):
        b = c // CELLS_PER_BLOCK
        sg[c] = sigmoid(net[c])
        s[c] = yf[b] * s[c] + act[IN_GATE + b] * squash(sg[c], opts.g_range)
        act[c] = act[OUT_GATE + b] * squash(sigmoid(s[c]), opts.h_range)


@_jit
def output(Wo, act, opts):
    """The output unit, fed by a bias and the 4 cells: logistic (5.4) or, if ``opts.linear``, the identity."""
    net_k = Wo[0]
    for c in range(N_CELLS):
        net_k += Wo[1 + c] * act[c]
    return net_k if opts.linear else sigmoid(net_k)


@_jit
def output_gradient(Wo, target, gWo, ws, opts):
    """Gradient of E at the output; fills gWo and ws.dyc = dE/dy_c, returns target - y.

    E = err_factor / 2 * (target - y)^2: err_factor 1 gives the error signal of A.1 eq. 19.
    """
    y = output(Wo, ws.act, opts)
    err = target - y
    d_net = -opts.err_factor * err * (1.0 if opts.linear else y * (1.0 - y))
    gWo[0] = d_net
    for c in range(N_CELLS):
        gWo[1 + c] = d_net * ws.act[c]
        ws.dyc[c] = d_net * Wo[1 + c]
    return err


@_jit
def truncated_sequence(Wh, Wo, x, length, target, gWh, gWo, ws, opts):
    """The paper's truncated gradient (section 4, A.1 eqs. 25-27), forward in time (RTRL style).

    Errors reaching the net inputs of cells and gates are not propagated back in time; only the
    cell states carry error back.  d s_c / d w is kept for the cell's own input weights and its
    block's input-gate (and forget-gate) weights; output-gate and output weights get the last
    step's gradient.  Fills gWh, gWo; returns target - y.
    """
    z, sg, act, s, yf = ws.z, ws.sg, ws.act, ws.s, ws.yf
    dS_cell, dS_in, dS_f = ws.dS_cell, ws.dS_in, ws.dS_f
    forget = Wh.shape[0] > FORGET
    reset(ws, opts)
    dS_cell[:] = 0.0
    dS_in[:] = 0.0
    dS_f[:] = 0.0
    for t in range(length):
        copy_into(ws.s_prev, s)
        step(Wh, x[t], ws, opts)
        for c in range(N_CELLS):
            b = c // CELLS_PER_BLOCK
            y_in, f = act[IN_GATE + b], yf[b]
            d_cell = squash_slope(sg[c], opts.g_range) * y_in  # g'(net_c) y_in
            d_in = squash(sg[c], opts.g_range) * y_in * (1.0 - y_in)  # g(net_c) f_in'(net_in)
            d_f = ws.s_prev[c] * f * (1.0 - f)  # s_c(t-1) f_f'(net_f)
            for j in range(opts.n_cols):
                dS_cell[c, j] = f * dS_cell[c, j] + d_cell * z[j]
                dS_in[c, j] = f * dS_in[c, j] + d_in * z[j]
                if forget:
                    dS_f[c, j] = f * dS_f[c, j] + d_f * z[j]
    err = output_gradient(Wo, target, gWo, ws, opts)
    gWh[:] = 0.0
    for c in range(N_CELLS):
        b = c // CELLS_PER_BLOCK
        h = squash(sigmoid(s[c]), opts.h_range)
        y_out = act[OUT_GATE + b]
        e_s = ws.dyc[c] * y_out * h_slope(h, opts.h_range)  # dE/ds_c through h
        d_out = ws.dyc[c] * h * y_out * (1.0 - y_out)
        for j in range(opts.n_cols):
            gWh[c, j] = e_s * dS_cell[c, j]
            gWh[IN_GATE + b, j] += e_s * dS_in[c, j]
            gWh[OUT_GATE + b, j] += d_out * z[j]
            if forget:
                gWh[FORGET + b, j] += e_s * dS_f[c, j]
    return err


@_jit
def full_sequence(Wh, Wo, x, length, target, gWh, gWo, ws, opts):
    """Exact backpropagation through time of the same network (the non-truncated ablation)."""
    dact, dnet, ds = ws.dact, ws.dnet, ws.ds
    z_h, act_h, sg_h, s_h, yf_h = ws.z_h, ws.act_h, ws.sg_h, ws.s_h, ws.yf_h
    rows = Wh.shape[0]
    reset(ws, opts)
    for t in range(length):
        step(Wh, x[t], ws, opts)
        copy_into(z_h[t], ws.z)
        copy_into(act_h[t], ws.act)
        copy_into(sg_h[t], ws.sg)
        copy_into(s_h[t], ws.s)
        copy_into(yf_h[t], ws.yf)
    err = output_gradient(Wo, target, gWo, ws, opts)
    gWh[:] = 0.0
    ds[:] = 0.0
    dact[:] = 0.0
    copy_into(dact, ws.dyc)
    for t in range(length - 1, -1, -1):
        dnet[IN_GATE:] = 0.0
        copy_into(dnet[IN_GATE:], dact[IN_GATE:])
        for c in range(N_CELLS):
            b = c // CELLS_PER_BLOCK
            h = squash(sigmoid(s_h[t, c]), opts.h_range)
            dnet[OUT_GATE + b] += dact[c] * h
            ds[c] += dact[c] * act_h[t, OUT_GATE + b] * h_slope(h, opts.h_range)
            dnet[IN_GATE + b] += ds[c] * squash(sg_h[t, c], opts.g_range)
            # g'(net_c) = squash_slope, written out: this association is the published runs' rounding
            dnet[c] = ds[c] * act_h[t, IN_GATE + b] * (2.0 * opts.g_range) * sg_h[t, c] * (1.0 - sg_h[t, c])
            if rows > FORGET and t > 0:
                dnet[FORGET + b] += ds[c] * s_h[t - 1, c]
            ds[c] *= yf_h[t, b]
        for r in range(IN_GATE, N_HIDDEN):
            dnet[r] *= act_h[t, r] * (1.0 - act_h[t, r])
        for b in range(rows - FORGET):
            dnet[FORGET + b] *= yf_h[t, b] * (1.0 - yf_h[t, b])
        for r in range(rows):
            for j in range(opts.n_cols):
                gWh[r, j] += dnet[r] * z_h[t, j]
        for k in range(N_HIDDEN):
            acc = 0.0
            if RECURRENT + k < opts.n_cols:
                for r in range(rows):
                    acc += dnet[r] * Wh[r, RECURRENT + k]
            dact[k] = acc
    return err


@_jit
def sequence_gradient(Wh, Wo, x, length, target, gWh, gWo, ws, opts):
    """dE/dw of one sequence into gWh, gWo: the truncated gradient, or full BPTT where ``opts.full``."""
    if opts.full:
        return full_sequence(Wh, Wo, x, length, target, gWh, gWo, ws, opts)
    return truncated_sequence(Wh, Wo, x, length, target, gWh, gWo, ws, opts)


@_jit
def sgd_step(theta, grad, lr, trainable):
    """theta -= lr grad where a weight learns (trainable 1.0); the others keep their values."""
    for j in range(theta.shape[0]):
        theta[j] -= lr * (grad[j] * trainable[j])


@_jit
def train_block(theta, inputs, lengths, targets, count, lr, opts, errors):
    """Online learning (5.4) on the first ``count`` sequences: per sequence one gradient, one SGD step.

    Updates theta in place; errors[i] = target - y of sequence i before its update.
    """
    Wh, Wo = split(theta)
    ws = workspace(inputs.shape[1])
    grad = np.zeros_like(theta)
    gWh, gWo = split(grad)
    for i in range(count):
        errors[i] = sequence_gradient(Wh, Wo, inputs[i], lengths[i], targets[i], gWh, gWo, ws, opts)
        sgd_step(theta, grad, lr, opts.trainable)


@njit(cache=True, error_model="numpy", fastmath=False, parallel=True)
def train_runs(theta, inputs, lengths, targets, stream, counts, lr, opts, errors):
    """``train_block`` for R independent runs at once, parallel over runs (leading axis of theta, stream,
    counts, lr, errors); run r learns from block ``stream[r]`` of inputs, lengths, targets."""
    for r in prange(theta.shape[0]):
        k = stream[r]
        train_block(theta[r], inputs[k], lengths[k], targets[k], counts[r], lr[r], opts, errors[r])


@njit(cache=True, error_model="numpy", fastmath=False, parallel=True)
def predict(theta, inputs, lengths, opts, out):
    """Network output at the end of each sequence, parallel over sequences."""
    Wh, Wo = split(theta)
    for i in prange(inputs.shape[0]):
        ws = workspace(0)
        reset(ws, opts)
        for t in range(lengths[i]):
            step(Wh, inputs[i, t], ws, opts)
        out[i] = output(Wo, ws.act, opts)

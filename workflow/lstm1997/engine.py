"""Compiled kernels of the LSTM-1997 network (sections 4, 5.4 and appendix A.1): float64, no fastmath.

A run's weights travel as one flat float64 vector ``theta`` of 93 values: ``Wh`` (8, 11),
the rows of the hidden units (cells 0-3, input gates 4-5, output gates 6-7), then ``Wo`` (5,), the
output unit.  Column j of ``Wh`` multiplies z[j] of the unit's input vector
z(t) = (1, value(t), marker(t), y(t-1) of the 8 hidden units).

The forget-gate ablation (Gers et al. 2000) adds rows 8-9 to ``Wh``, one forget gate per block with
the same inputs as the other gates; its activation y_f scales the state, s_c(t) = y_f s_c(t-1) + ...,
and feeds no unit.  Without those rows y_f is 1.0 exactly, so the 1997 network's arithmetic is untouched.
``n_cols`` = 11 connects cells and gates to all hidden units, 7 to the cells only.

Nothing in a per-time-step loop allocates: a block of sequences shares one workspace.
"""

from __future__ import annotations

import math

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

_jit = njit(cache=True, error_model="numpy", fastmath=False)


@_jit
def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


@_jit
def split(theta):
    """Views (Wh (8 or 10, 11), Wo (5,)) of a flat parameter vector; 10 rows carry forget gates."""
    rows = (theta.shape[0] - N_OUT) // N_COLS
    return theta[: rows * N_COLS].reshape((rows, N_COLS)), theta[rows * N_COLS :]


@_jit
def workspace(width):
    """Scratch arrays for one sequence of at most ``width`` steps (the BPTT history included)."""
    return (
        np.zeros(N_COLS),  # z: input vector of the hidden units at t
        np.zeros(N_ROWS_MAX),  # net: net inputs at t
        np.zeros(N_CELLS),  # sg: logistic of the cells' net inputs, g = 4 sg - 2
        np.zeros(N_HIDDEN),  # act: activations y(t) of cells and gates
        np.zeros(N_CELLS),  # s: cell states s_c(t)
        np.ones(N_BLOCKS),  # yf: forget gates y_f(t), 1.0 without them
        np.zeros(N_CELLS),  # dyc: dE/dy_c at the sequence end
        np.zeros((N_CELLS, N_COLS)),  # dS_cell: d s_c / d w_c (A.1, truncated)
        np.zeros((N_CELLS, N_COLS)),  # dS_in: d s_c / d w_in of c's block (A.1, truncated)
        np.zeros((N_CELLS, N_COLS)),  # dS_f: d s_c / d w_f of c's block (truncated, forget gates)
        np.zeros(N_CELLS),  # s_prev: s_c(t-1) (truncated, forget gates)
        np.zeros(N_HIDDEN),  # dact: dE/dy(t) flowing back through time (BPTT)
        np.zeros(N_ROWS_MAX),  # dnet: dE/dnet(t) (BPTT)
        np.zeros(N_CELLS),  # ds: dE/ds_c(t) (BPTT)
        np.zeros((width, N_COLS)),  # history of z
        np.zeros((width, N_HIDDEN)),  # history of act
        np.zeros((width, N_CELLS)),  # history of sg
        np.zeros((width, N_CELLS)),  # history of s
        np.zeros((width, N_BLOCKS)),  # history of yf
    )


@_jit
def copy_into(dst, src):
    """dst[:len(src)] = src element by element: no temporary, so it compiles for CUDA devices too."""
    for j in range(src.shape[0]):
        dst[j] = src[j]


@_jit
def reset(z, act, s, yf):
    """Activations and cell states start at 0 for every sequence (5.4)."""
    z[:] = 0.0
    z[0] = 1.0
    act[:] = 0.0
    s[:] = 0.0
    yf[:] = 1.0


@_jit
def step(Wh, x_t, n_cols, z, net, sg, act, s, yf):
    """One forward step (A.1): s_c(t) = y_f s_c(t-1) + y_in(t) g(net_c(t)), y_c(t) = y_out(t) h(s_c(t)).

    Gates are logistic, g(x) = 4 sigmoid(x) - 2, h(x) = 2 sigmoid(x) - 1 (A.1); y_f = 1 in 1997.
    """
    z[1] = x_t[0]
    z[2] = x_t[1]
    for k in range(N_HIDDEN):
        z[RECURRENT + k] = act[k]
    for r in range(Wh.shape[0]):
        acc = 0.0
        for j in range(n_cols):
            acc += Wh[r, j] * z[j]
        net[r] = acc
    for r in range(IN_GATE, N_HIDDEN):
        act[r] = sigmoid(net[r])
    for b in range(Wh.shape[0] - FORGET):
        yf[b] = sigmoid(net[FORGET + b])
    for c in range(N_CELLS):
        b = c // CELLS_PER_BLOCK
        sg[c] = sigmoid(net[c])
        s[c] = yf[b] * s[c] + act[IN_GATE + b] * (4.0 * sg[c] - 2.0)
        act[c] = act[OUT_GATE + b] * (2.0 * sigmoid(s[c]) - 1.0)


@_jit
def output(Wo, act, linear):
    """The output unit, fed by a bias and the 4 cells: logistic (5.4) or, if ``linear``, the identity."""
    net_k = Wo[0]
    for c in range(N_CELLS):
        net_k += Wo[1 + c] * act[c]
    return net_k if linear else sigmoid(net_k)


@_jit
def output_gradient(Wo, act, target, linear, err_factor, gWo, dyc):
    """Gradient of E at the output; fills gWo and dyc = dE/dy_c, returns target - y.

    E = err_factor / 2 * (target - y)^2: err_factor 1 gives the error signal of A.1 eq. 19.
    """
    y = output(Wo, act, linear)
    err = target - y
    d_net = -err_factor * err * (1.0 if linear else y * (1.0 - y))
    gWo[0] = d_net
    for c in range(N_CELLS):
        gWo[1 + c] = d_net * act[c]
        dyc[c] = d_net * Wo[1 + c]
    return err


@_jit
def truncated_sequence(Wh, Wo, x, length, target, n_cols, linear, err_factor, gWh, gWo, ws):
    """The paper's truncated gradient (section 4, A.1 eqs. 25-27), forward in time (RTRL style).

    Errors reaching the net inputs of cells and gates are not propagated back in time; only the
    cell states carry error back.  d s_c / d w is kept for the cell's own input weights and its
    block's input-gate (and forget-gate) weights; output-gate and output weights get the last
    step's gradient.  Fills gWh, gWo; returns target - y.
    """
    z, net, sg, act, s, yf, dyc, dS_cell, dS_in, dS_f, s_prev = ws[:11]
    forget = Wh.shape[0] > FORGET
    reset(z, act, s, yf)
    dS_cell[:] = 0.0
    dS_in[:] = 0.0
    dS_f[:] = 0.0
    for t in range(length):
        copy_into(s_prev, s)
        step(Wh, x[t], n_cols, z, net, sg, act, s, yf)
        for c in range(N_CELLS):
            b = c // CELLS_PER_BLOCK
            y_in, f = act[IN_GATE + b], yf[b]
            d_cell = 4.0 * sg[c] * (1.0 - sg[c]) * y_in  # g'(net_c) y_in
            d_in = (4.0 * sg[c] - 2.0) * y_in * (1.0 - y_in)  # g(net_c) f_in'(net_in)
            d_f = s_prev[c] * f * (1.0 - f)  # s_c(t-1) f_f'(net_f)
            for j in range(n_cols):
                dS_cell[c, j] = f * dS_cell[c, j] + d_cell * z[j]
                dS_in[c, j] = f * dS_in[c, j] + d_in * z[j]
                if forget:
                    dS_f[c, j] = f * dS_f[c, j] + d_f * z[j]
    err = output_gradient(Wo, act, target, linear, err_factor, gWo, dyc)
    gWh[:] = 0.0
    for c in range(N_CELLS):
        b = c // CELLS_PER_BLOCK
        h = 2.0 * sigmoid(s[c]) - 1.0
        y_out = act[OUT_GATE + b]
        e_s = dyc[c] * y_out * 0.5 * (1.0 - h * h)  # dE/ds_c through h
        d_out = dyc[c] * h * y_out * (1.0 - y_out)
        for j in range(n_cols):
            gWh[c, j] = e_s * dS_cell[c, j]
            gWh[IN_GATE + b, j] += e_s * dS_in[c, j]
            gWh[OUT_GATE + b, j] += d_out * z[j]
            if forget:
                gWh[FORGET + b, j] += e_s * dS_f[c, j]
    return err


@_jit
def full_sequence(Wh, Wo, x, length, target, n_cols, linear, err_factor, gWh, gWo, ws):
    """Exact backpropagation through time of the same network (the non-truncated ablation)."""
    z, net, sg, act, s, yf, dyc, _, _, _, _, dact, dnet, ds, z_h, act_h, sg_h, s_h, yf_h = ws
    rows = Wh.shape[0]
    reset(z, act, s, yf)
    for t in range(length):
        step(Wh, x[t], n_cols, z, net, sg, act, s, yf)
        copy_into(z_h[t], z)
        copy_into(act_h[t], act)
        copy_into(sg_h[t], sg)
        copy_into(s_h[t], s)
        copy_into(yf_h[t], yf)
    err = output_gradient(Wo, act, target, linear, err_factor, gWo, dyc)
    gWh[:] = 0.0
    ds[:] = 0.0
    dact[:] = 0.0
    copy_into(dact, dyc)
    for t in range(length - 1, -1, -1):
        dnet[IN_GATE:] = 0.0
        copy_into(dnet[IN_GATE:], dact[IN_GATE:])
        for c in range(N_CELLS):
            b = c // CELLS_PER_BLOCK
            h = 2.0 * sigmoid(s_h[t, c]) - 1.0
            dnet[OUT_GATE + b] += dact[c] * h
            ds[c] += dact[c] * act_h[t, OUT_GATE + b] * 0.5 * (1.0 - h * h)
            dnet[IN_GATE + b] += ds[c] * (4.0 * sg_h[t, c] - 2.0)
            dnet[c] = ds[c] * act_h[t, IN_GATE + b] * 4.0 * sg_h[t, c] * (1.0 - sg_h[t, c])
            if rows > FORGET and t > 0:
                dnet[FORGET + b] += ds[c] * s_h[t - 1, c]
            ds[c] *= yf_h[t, b]
        for r in range(IN_GATE, N_HIDDEN):
            dnet[r] *= act_h[t, r] * (1.0 - act_h[t, r])
        for b in range(rows - FORGET):
            dnet[FORGET + b] *= yf_h[t, b] * (1.0 - yf_h[t, b])
        for r in range(rows):
            for j in range(n_cols):
                gWh[r, j] += dnet[r] * z_h[t, j]
        for k in range(N_HIDDEN):
            acc = 0.0
            if RECURRENT + k < n_cols:
                for r in range(rows):
                    acc += dnet[r] * Wh[r, RECURRENT + k]
            dact[k] = acc
    return err


@_jit
def train_block(theta, inputs, lengths, targets, count, lr, n_cols, linear, err_factor, full, errors):
    """Online learning (5.4) on the first ``count`` sequences: per sequence one gradient, one SGD step.

    Updates theta in place; errors[i] = target - y of sequence i before its update.
    """
    Wh, Wo = split(theta)
    ws = workspace(inputs.shape[1])
    grad = np.zeros_like(theta)
    gWh, gWo = split(grad)
    for i in range(count):
        if full:
            err = full_sequence(Wh, Wo, inputs[i], lengths[i], targets[i], n_cols, linear, err_factor, gWh, gWo, ws)
        else:
            err = truncated_sequence(Wh, Wo, inputs[i], lengths[i], targets[i], n_cols, linear, err_factor, gWh, gWo, ws)
        errors[i] = err
        for j in range(theta.shape[0]):
            theta[j] -= lr * grad[j]


@njit(cache=True, error_model="numpy", fastmath=False, parallel=True)
def train_runs(theta, inputs, lengths, targets, stream, counts, lr, n_cols, linear, err_factor, full, errors):
    """``train_block`` for R independent runs at once, parallel over runs (leading axis of theta, stream,
    counts, lr, errors); run r learns from block ``stream[r]`` of inputs, lengths, targets."""
    for r in prange(theta.shape[0]):
        k = stream[r]
        train_block(theta[r], inputs[k], lengths[k], targets[k], counts[r], lr[r], n_cols, linear, err_factor, full, errors[r])


@njit(cache=True, error_model="numpy", fastmath=False, parallel=True)
def predict(theta, inputs, lengths, n_cols, linear, out):
    """Network output at the end of each sequence, parallel over sequences."""
    Wh, Wo = split(theta)
    for i in prange(inputs.shape[0]):
        z, net, sg, act, s, yf = workspace(0)[:6]
        reset(z, act, s, yf)
        for t in range(lengths[i]):
            step(Wh, inputs[i, t], n_cols, z, net, sg, act, s, yf)
        out[i] = output(Wo, act, linear)

"""Compiled kernels of a ``torch.nn.LSTM`` stack with a logistic head: float64, exact BPTT.

Parameters of one run are a flat vector in ``named_parameters()`` order of
``nn.LSTM(2, H, num_layers=L)`` then ``nn.Linear(H, 1)``: per layer weight_ih (4H, in),
weight_hh (4H, H), bias_ih (4H), bias_hh (4H); then head weight (1, H) and bias (1).  Gate
order i, f, g, o as in PyTorch: c = f c + i g, h = o tanh(c).  Output: sigmoid(w . h_top + b) at
the sequence end.  One workspace per block; nothing allocates per time step.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .stack import N_INPUTS
_jit = njit(cache=True, error_model="numpy", fastmath=False)


@_jit
def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


@_jit
def offsets(layers, H):
    """Start of weight_ih, weight_hh, bias_ih, bias_hh of each layer, then of the head (last row)."""
    out = np.zeros((layers + 1, 4), dtype=np.int64)
    start = 0
    for k in range(layers):
        width = N_INPUTS if k == 0 else H
        out[k, 0] = start
        out[k, 1] = start + 4 * H * width
        out[k, 2] = out[k, 1] + 4 * H * H
        out[k, 3] = out[k, 2] + 4 * H
        start = out[k, 3] + 4 * H
    out[layers, 0] = start
    return out


@_jit
def workspace(width, layers, H):
    """History per step and layer: input (H or 2), h_prev, c_prev, i, f, g, o, c."""
    return (
        np.zeros((width, layers, 7 * H + max(H, N_INPUTS))),  # history
        np.zeros((layers, H)),  # h
        np.zeros((layers, H)),  # c
        np.zeros(4 * H),  # gate pre-activations / their gradients
        np.zeros((layers, H)),  # dh carried back in time
        np.zeros((layers, H)),  # dc carried back in time
        np.zeros(max(H, N_INPUTS)),  # gradient to the layer below
        np.zeros(H),  # dh at the current layer
    )


@_jit
def forward_step(theta, off, layers, H, x_t, h, c, gates, hist_t):
    """One time step through all layers; records each layer's inputs and gates in ``hist_t``."""
    In = max(H, N_INPUTS)
    for k in range(layers):
        width = N_INPUTS if k == 0 else H
        rec = hist_t[k]
        for j in range(width):
            rec[j] = x_t[j] if k == 0 else h[k - 1, j]
        for j in range(H):
            rec[In + j] = h[k, j]
            rec[In + H + j] = c[k, j]
        for r in range(4 * H):
            acc = theta[off[k, 2] + r] + theta[off[k, 3] + r]
            for j in range(width):
                acc += theta[off[k, 0] + r * width + j] * rec[j]
            for j in range(H):
                acc += theta[off[k, 1] + r * H + j] * rec[In + j]
            gates[r] = acc
        for j in range(H):
            i = sigmoid(gates[j])
            f = sigmoid(gates[H + j])
            g = math.tanh(gates[2 * H + j])
            o = sigmoid(gates[3 * H + j])
            c[k, j] = f * c[k, j] + i * g
            h[k, j] = o * math.tanh(c[k, j])
            rec[In + 2 * H + j] = i
            rec[In + 3 * H + j] = f
            rec[In + 4 * H + j] = g
            rec[In + 5 * H + j] = o
            rec[In + 6 * H + j] = c[k, j]


@_jit
def output(theta, off, layers, H, h):
    acc = theta[off[layers, 0] + H]
    for j in range(H):
        acc += theta[off[layers, 0] + j] * h[layers - 1, j]
    return sigmoid(acc)


@_jit
def sequence_gradient(theta, off, layers, H, x, length, target, err_factor, grad, ws):
    """Exact BPTT of E = err_factor / 2 (target - y)^2 into ``grad`` (overwritten); returns target - y."""
    hist, h, c, gates, dh_next, dc_next, d_below, dh = ws
    In = max(H, N_INPUTS)
    h[:] = 0.0
    c[:] = 0.0
    for t in range(length):
        forward_step(theta, off, layers, H, x[t], h, c, gates, hist[t])
    y = output(theta, off, layers, H, h)
    err = target - y
    d_net = -err_factor * err * y * (1.0 - y)
    grad[:] = 0.0
    head = off[layers, 0]
    for j in range(H):
        grad[head + j] = d_net * h[layers - 1, j]
    grad[head + H] = d_net
    dh_next[:] = 0.0
    dc_next[:] = 0.0
    for t in range(length - 1, -1, -1):
        d_below[:] = 0.0
        for k in range(layers - 1, -1, -1):
            width = N_INPUTS if k == 0 else H
            rec = hist[t, k]
            for j in range(H):
                dh[j] = dh_next[k, j] + (d_below[j] if k < layers - 1 else 0.0)
                if k == layers - 1 and t == length - 1:
                    dh[j] += d_net * theta[head + j]
            for j in range(H):
                i, f, g, o, cj = rec[In + 2 * H + j], rec[In + 3 * H + j], rec[In + 4 * H + j], rec[In + 5 * H + j], rec[In + 6 * H + j]
                tc = math.tanh(cj)
                dc = dc_next[k, j] + dh[j] * o * (1.0 - tc * tc)
                gates[j] = dc * g * i * (1.0 - i)
                gates[H + j] = dc * rec[In + H + j] * f * (1.0 - f)
                gates[2 * H + j] = dc * i * (1.0 - g * g)
                gates[3 * H + j] = dh[j] * tc * o * (1.0 - o)
                dc_next[k, j] = dc * f
            for j in range(H):
                dh_next[k, j] = 0.0
            for j in range(width):
                d_below[j] = 0.0
            for r in range(4 * H):
                d = gates[r]
                grad[off[k, 2] + r] += d
                grad[off[k, 3] + r] += d
                for j in range(width):
                    grad[off[k, 0] + r * width + j] += d * rec[j]
                    d_below[j] += d * theta[off[k, 0] + r * width + j]
                for j in range(H):
                    grad[off[k, 1] + r * H + j] += d * rec[In + j]
                    dh_next[k, j] += d * theta[off[k, 1] + r * H + j]
    return err


@_jit
def train_block(theta, layers, H, inputs, lengths, targets, count, lr, err_factor, errors):
    """Online SGD on the first ``count`` sequences; theta updated in place, errors[i] = target - y before the update."""
    off = offsets(layers, H)
    ws = workspace(inputs.shape[1], layers, H)
    grad = np.zeros_like(theta)
    for i in range(count):
        errors[i] = sequence_gradient(theta, off, layers, H, inputs[i], lengths[i], targets[i], err_factor, grad, ws)
        for j in range(theta.shape[0]):
            theta[j] -= lr * grad[j]


@njit(cache=True, error_model="numpy", fastmath=False, parallel=True)
def train_runs(theta, layers, H, inputs, lengths, targets, counts, lr, err_factor, errors):
    """``train_block`` for R independent runs, parallel over runs."""
    for r in prange(theta.shape[0]):
        train_block(theta[r], layers, H, inputs[r], lengths[r], targets[r], counts[r], lr[r], err_factor, errors[r])


@njit(cache=True, error_model="numpy", fastmath=False, parallel=True)
def predict(theta, layers, H, inputs, lengths, out):
    off = offsets(layers, H)
    for i in prange(inputs.shape[0]):
        hist, h, c, gates = workspace(1, layers, H)[:4]
        for t in range(lengths[i]):
            forward_step(theta, off, layers, H, inputs[i, t], h, c, gates, hist[0])
        out[i] = output(theta, off, layers, H, h)

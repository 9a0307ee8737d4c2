"""The LSTM-1997 network of Experiment 4 (sections 4, 5.4, Table 10, appendix A.1).

2 inputs, 2 memory-cell blocks of 2 cells, one input and one output gate per block, no forget
gate, one output unit fed by the 4 cells.  Cells and gates receive a bias, both inputs and the
previous activations of all 4 cells and 4 gates: 8 x 11 + 5 = 93 weights (Table 7).

Weight layout (stable; compare against it): a dict of float64 arrays
``cell`` (4, 11), ``in_gate`` (2, 11), ``out_gate`` (2, 11), ``output`` (1, 5), and, for the
forget-gate ablation only, ``forget_gate`` (2, 11).  Columns of the 11: ``COLUMNS``; of the
output's 5: ``OUTPUT_COLUMNS``.  Cells 1-2 form block 1 (input gate 1, output gate 1), cells 3-4 block 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import engine

COLUMNS = ("bias", "x_value", "x_marker", "y_c1", "y_c2", "y_c3", "y_c4", "y_in1", "y_in2", "y_out1", "y_out2")
OUTPUT_COLUMNS = ("bias", "y_c1", "y_c2", "y_c3", "y_c4")
SHAPES = {"cell": (4, 11), "in_gate": (2, 11), "out_gate": (2, 11), "output": (1, 5)}
FORGET_SHAPE = {"forget_gate": (2, 11)}
CONNECTIVITY = {"full": 11, "cells": 7}
"""Columns each hidden unit uses: all cells' and gates' previous outputs (5.4, "the hidden layer is
fully connected"), or the cells' only; the weights of absent connections are held at 0."""
OUTPUTS = ("sigmoid", "linear")
LOSSES = {"half": 1.0, "squared": 2.0}
"""E = (t - y)^2 / 2 (A.1 eq. 19's error signal, the default) or E = (t - y)^2 (A.1 eq. 16 as written)."""
GRADIENTS = ("truncated", "full")
DEVICES = ("cpu", "cuda")
"""Where ``Lstm97.train_runs`` runs: the CPU cores (numba, parallel over runs) or a CUDA GPU (``gpu``)."""


def _choice(key: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{key}: must be one of {sorted(allowed)}, got {value!r}")


@dataclass(frozen=True)
class Net:
    """Architecture and initialisation; defaults are the paper's (5.4, Table 10).

    in_gate_bias: initial input-gate biases per block, -3.0 and -6.0 (5.4: "though the precise
        values hardly matter"), or None for random like every other weight.
    out_gate_bias: initial output-gate biases per block, or None for random like every other
        weight (Table 10: "r"); other experiments of the paper use negative values.
    init_range: all other weights start uniform in [-init_range, init_range] (5.4: 0.1).
    output: "sigmoid" (5.4, "all activation functions are logistic") or "linear".
    connectivity: "full" (93 weights) or "cells" (61 weights): see ``CONNECTIVITY``.
    forget_gate: add one forget gate per block (Gers et al. 2000; not in 1997), fed like the other
        gates, its activation scaling the state: s_c(t) = y_f s_c(t-1) + y_in g.
    forget_gate_bias: its initial biases per block, positive so that the gates start open (Gers et
        al. 2000 initialise them to positive values; +1.0 here, a choice).
    """

    in_gate_bias: tuple[float, float] | None = (-3.0, -6.0)
    out_gate_bias: tuple[float, float] | None = None
    init_range: float = 0.1
    output: str = "sigmoid"
    connectivity: str = "full"
    forget_gate: bool = False
    forget_gate_bias: tuple[float, float] = (1.0, 1.0)

    def __post_init__(self):
        _choice("output", self.output, OUTPUTS)
        _choice("connectivity", self.connectivity, CONNECTIVITY)
        if not self.init_range > 0:
            raise ValueError(f"init_range: must be > 0, got {self.init_range!r}")
        for key in ("in_gate_bias", "out_gate_bias", "forget_gate_bias"):
            value = getattr(self, key)
            if value is not None and len(value) != 2:
                raise ValueError(f"{key}: must give one value per block (2), got {value!r}")

    @property
    def n_cols(self) -> int:
        return CONNECTIVITY[self.connectivity]

    @property
    def n_rows(self) -> int:
        """Hidden units with weights: 8, and 2 forget gates where there are any."""
        return engine.N_HIDDEN + engine.N_BLOCKS * self.forget_gate

    @property
    def n_params(self) -> int:
        return self.n_rows * engine.N_COLS + engine.N_OUT

    @property
    def n_weights(self) -> int:
        """Trainable weights: 93 for the paper's network (Table 7)."""
        return self.n_rows * self.n_cols + engine.N_OUT


def init_weights(net: Net, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """All weights uniform in [-init_range, init_range], then the gate biases of ``net`` (5.4)."""
    theta = rng.uniform(-net.init_range, net.init_range, size=net.n_params)
    Wh, _ = _views(theta)
    Wh[:, net.n_cols :] = 0.0
    if net.in_gate_bias is not None:
        Wh[engine.IN_GATE : engine.OUT_GATE, 0] = net.in_gate_bias
    if net.out_gate_bias is not None:
        Wh[engine.OUT_GATE : engine.FORGET, 0] = net.out_gate_bias
    if net.forget_gate:
        Wh[engine.FORGET :, 0] = net.forget_gate_bias
    return unpack(theta)


def _views(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Wh (8 or 10, 11), Wo (5,)) views of a flat parameter vector, as ``engine.split`` sees it."""
    rows = (len(theta) - engine.N_OUT) // engine.N_COLS
    return theta[: rows * engine.N_COLS].reshape(rows, engine.N_COLS), theta[rows * engine.N_COLS :]


def _order(weights: dict[str, np.ndarray]) -> dict[str, tuple[int, int]]:
    """Layout entries in the engine's row order: cells, gates, forget gates (if any), then the output."""
    rows = {k: SHAPES[k] for k in ("cell", "in_gate", "out_gate")}
    return rows | (FORGET_SHAPE if "forget_gate" in weights else {}) | {"output": SHAPES["output"]}


def pack(weights: dict[str, np.ndarray]) -> np.ndarray:
    """Layout dict -> the engine's flat float64 vector (a fresh copy): Wh row by row, then Wo (5,)."""
    order = _order(weights)
    for name, shape in order.items():
        if np.shape(weights[name]) != shape:
            raise ValueError(f"weights[{name!r}]: must have shape {shape}, got {np.shape(weights[name])}")
    return np.concatenate([np.ravel(weights[name]) for name in order]).astype(np.float64)


def unpack(theta: np.ndarray) -> dict[str, np.ndarray]:
    """The engine's flat vector -> layout dict (copies)."""
    Wh, Wo = _views(np.asarray(theta, dtype=np.float64))
    weights = {
        "cell": Wh[: engine.IN_GATE].copy(),
        "in_gate": Wh[engine.IN_GATE : engine.OUT_GATE].copy(),
        "out_gate": Wh[engine.OUT_GATE : engine.FORGET].copy(),
        "output": Wo[None, :].copy(),
    }
    return weights | ({"forget_gate": Wh[engine.FORGET :].copy()} if len(Wh) > engine.FORGET else {})


@dataclass(frozen=True)
class Lstm97:
    """The 1997 network as a trainable model of the protocol: flat parameters, compiled kernels."""

    net: Net = Net()
    device: str = "cpu"
    gradients = GRADIENTS

    def __post_init__(self):
        _choice("device", self.device, DEVICES)

    @property
    def engine_name(self) -> str:
        return "lstm97 compiled (numba, float64)" + (", one run per CUDA thread" if self.device == "cuda" else "")

    @property
    def n_params(self) -> int:
        return self.net.n_params

    @property
    def n_weights(self) -> int:
        """Trainable weights (93 for the paper's network)."""
        return self.net.n_weights

    def init(self, rng: np.random.Generator) -> np.ndarray:
        return pack(init_weights(self.net, rng))

    def flatten(self, weights: dict[str, np.ndarray]) -> np.ndarray:
        return pack(weights)

    def unflatten(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        return unpack(theta)

    def train_runs(self, theta, inputs, lengths, targets, stream, counts, lr, errors, gradient: str, loss: str) -> None:
        """Online SGD for R runs at once (``engine.train_runs``, or ``gpu.train_runs`` on cuda), theta updated in place."""
        options = (self.net.n_cols, self.net.output == "linear", LOSSES[loss], gradient == "full")
        if self.device == "cuda":
            from . import gpu

            gpu.train_runs(theta, inputs, lengths, targets, stream, counts, lr, *options, errors)
        else:
            engine.train_runs(theta, inputs, lengths, targets, stream, counts, lr, *options, errors)

    def predict(self, theta: np.ndarray, inputs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        out = np.zeros(len(inputs))
        engine.predict(theta, np.ascontiguousarray(inputs, dtype=np.float64), lengths, self.net.n_cols, self.net.output == "linear", out)
        return out


def forward(weights: dict[str, np.ndarray], inputs: np.ndarray, net: Net = Net()) -> float:
    """Output at the end of one sequence ``inputs`` (L, 2)."""
    return float(Lstm97(net).predict(pack(weights), np.asarray(inputs)[None], np.array([len(inputs)]))[0])


def gradient(
    weights: dict[str, np.ndarray],
    inputs: np.ndarray,
    target: float,
    kind: str = "truncated",
    net: Net = Net(),
    loss: str = "half",
) -> dict[str, np.ndarray]:
    """dE/dw for one sequence ``inputs`` (L, 2), error at its end only; ``kind`` "truncated" or "full"."""
    _choice("gradient", kind, GRADIENTS)
    _choice("loss", loss, LOSSES)
    theta = pack(weights)
    grad = np.zeros_like(theta)
    x = np.ascontiguousarray(inputs, dtype=np.float64)
    kernel = engine.truncated_sequence if kind == "truncated" else engine.full_sequence
    kernel(*_views(theta), x, len(x), float(target), net.n_cols, net.output == "linear", LOSSES[loss], *_views(grad), engine.workspace(len(x)))
    return unpack(grad)


def truncated_gradient(weights, inputs, target, net: Net = Net(), loss: str = "half") -> dict[str, np.ndarray]:
    """The paper's truncated gradient (section 4, A.1) of E = (target - y)^2 / 2."""
    return gradient(weights, inputs, target, "truncated", net, loss)


def full_gradient(weights, inputs, target, net: Net = Net(), loss: str = "half") -> dict[str, np.ndarray]:
    """Exact BPTT gradient of the same E, for the non-truncated ablation."""
    return gradient(weights, inputs, target, "full", net, loss)

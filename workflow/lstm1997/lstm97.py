"""The LSTM-1997 network of Experiment 4 (sections 4, 5.4, Table 10, appendix A.1).

2 inputs, 2 memory-cell blocks of 2 cells, one input and one output gate per block, no forget
gate, one output unit fed by the 4 cells.  Cells and gates receive a bias, both inputs and the
previous activations of all 4 cells and 4 gates: 8 x 11 + 5 = 93 weights (Table 7).

Weight layout (stable; compare against it): a dict of float64 arrays
``cell`` (4, 11), ``in_gate`` (2, 11), ``out_gate`` (2, 11), ``output`` (1, 5), and, for the
forget-gate ablation only, ``forget_gate`` (2, 11).  Columns of the 11: ``COLUMNS``; of the
output's 5: ``OUTPUT_COLUMNS``.  Cells 1-2 form block 1 (input gate 1, output gate 1), cells 3-4 block 2.

A new option of the network is a field of ``Net``, its value in ``Lstm97.options`` and the kernel
line that reads it (``engine.Options``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from . import engine
from .checks import choice, flag, positive, subset
from .learning import GRADIENTS, LOSSES

COLUMNS = ("bias", "x_value", "x_marker", "y_c1", "y_c2", "y_c3", "y_c4", "y_in1", "y_in2", "y_out1", "y_out2")
OUTPUT_COLUMNS = ("bias", "y_c1", "y_c2", "y_c3", "y_c4")
SHAPES = {"cell": (4, 11), "in_gate": (2, 11), "out_gate": (2, 11), "output": (1, 5)}
FORGET_SHAPE = {"forget_gate": (2, 11)}
CONNECTIVITY = {"full": 11, "cells": 7}
"""Columns each hidden unit uses: all cells' and gates' previous outputs (5.4, "the hidden layer is
fully connected"), or the cells' only; the weights of absent connections are held at 0."""
OUTPUTS = ("sigmoid", "linear")
UNIT_KINDS = ("cell", "in_gate", "out_gate", "output")
"""The non-input units that carry a bias weight (5.4: "biasing all non-input units"), by layout name."""
SQUASH = {"text": (2.0, 1.0), "table10": (1.0, 2.0)}
"""(g range, h range): the text's g in [-2, 2], h in [-1, 1] (5.4, A.1), or Table 10's caption, which
gives this experiment h in [-2, 2] and g in [-1, 1]."""
DEVICES = ("cpu", "cuda")
"""Where ``Lstm97.train_runs`` runs: the CPU cores (numba, parallel over runs) or a CUDA GPU (``gpu``)."""
ENGINES = ("scalar", "batched")
"""The CPU kernels: one run per thread (``engine``, the reference) or 16 runs in the vector lanes of one core
(``engine_batched``: same arithmetic but its own exp, weights within 1e-12 of the scalar engine's after
1,000 sequences; a run's trajectory does not depend on the runs beside it)."""


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
    learned_biases: the unit kinds (``UNIT_KINDS``) whose bias weights learn; the others keep their
        initial values.  5.4 biases every non-input unit "thus artificially inducing internal state
        drift" and initialises the bias weights like all others, but never says whether they then
        learn.  Default: all of them learn, like every other weight.
    cell_bias: whether the cell inputs have a bias weight at all (93 weights) or not (89): 5.4 adds
        biases to make the task "even more difficult".  Without them the cells still drift, less: the
        output gates' activations (about 0.5 at the start) reach every cell input like a bias.
    squash: the ranges of g and h (``SQUASH``): "text" (5.4, A.1) or "table10" (its caption).
    initial_activation: the outputs y(0) of every cell and gate before the first step; 5.4 resets
        activations to 0; the authors' group's published LSTM simulator starts them at 0.5.  Cell
        states start at 0 either way.
    """

    in_gate_bias: tuple[float, float] | None = (-3.0, -6.0)
    out_gate_bias: tuple[float, float] | None = None
    init_range: float = 0.1
    output: str = "sigmoid"
    connectivity: str = "full"
    forget_gate: bool = False
    forget_gate_bias: tuple[float, float] = (1.0, 1.0)
    learned_biases: tuple[str, ...] = UNIT_KINDS
    cell_bias: bool = True
    squash: str = "text"
    initial_activation: float = 0.0

    def __post_init__(self):
        choice("output", self.output, OUTPUTS)
        choice("connectivity", self.connectivity, CONNECTIVITY)
        choice("squash", self.squash, SQUASH)
        subset("learned_biases", self.learned_biases, UNIT_KINDS)
        positive("init_range", self.init_range)
        flag("forget_gate", self.forget_gate)
        flag("cell_bias", self.cell_bias)
        for key in ("in_gate_bias", "out_gate_bias", "forget_gate_bias"):
            value = getattr(self, key)
            if value is not None and not (isinstance(value, tuple) and len(value) == engine.N_BLOCKS and all(_real(v) for v in value)):
                raise ValueError(f"{key}: must give one number per block (2), got {value!r}")
        if not (_real(self.initial_activation) and 0.0 <= self.initial_activation <= 1.0):
            raise ValueError(f"initial_activation: must be a number in [0, 1] (a logistic unit's range), got {self.initial_activation!r}")

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
        """Weights of the network, frozen biases included: 93 for the paper's (Table 7), 89 without cell biases."""
        return self.n_rows * self.n_cols + engine.N_OUT - (0 if self.cell_bias else engine.N_CELLS)

    def trainable(self) -> np.ndarray:
        """1.0 for every entry of the flat parameter vector that learns, 0.0 where a weight keeps its value:
        absent connections, absent cell biases and the biases of kinds not in ``learned_biases``."""
        mask = np.ones(self.n_params)
        Wh, Wo = _views(mask)
        Wh[:, self.n_cols :] = 0.0
        for kind, rows in _BIAS_ROWS.items():
            if kind not in self.learned_biases:
                Wh[rows, 0] = 0.0
        if "output" not in self.learned_biases:
            Wo[0] = 0.0
        if not self.cell_bias:
            Wh[_BIAS_ROWS["cell"], 0] = 0.0
        return mask


def _real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


_BIAS_ROWS = {"cell": slice(0, engine.IN_GATE), "in_gate": slice(engine.IN_GATE, engine.OUT_GATE), "out_gate": slice(engine.OUT_GATE, engine.FORGET)}
"""Rows of ``Wh`` per unit kind (the output unit's bias is Wo[0])."""


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
    if not net.cell_bias:
        Wh[_BIAS_ROWS["cell"], 0] = 0.0
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
    if not isinstance(weights, dict):
        raise ValueError(f"weights: must be a dict of the layout {list(SHAPES)}, got {type(weights).__name__}")
    order = _order(weights)
    if missing := [name for name in order if name not in weights]:
        raise ValueError(f"weights: missing {missing[0]!r}; the layout is {list(order)}")
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
    engine: str = "scalar"
    gradients = GRADIENTS

    def __post_init__(self):
        choice("device", self.device, DEVICES)
        choice("engine", self.engine, ENGINES)
        if self.device == "cuda" and self.engine != "scalar":
            raise ValueError(f"engine: {self.engine!r} is a CPU engine; device 'cuda' runs its own kernels (gpu)")

    @property
    def engine_name(self) -> str:
        if self.engine == "batched":
            return "lstm97 compiled (numba, float64), 16 runs in the vector lanes of a core"
        return "lstm97 compiled (numba, float64)" + (", on a CUDA GPU" if self.device == "cuda" else "")

    @property
    def runs_per_core(self) -> int:
        """Runs one core trains at once: a group of vector lanes on the batched engine, else one."""
        if self.engine == "batched":
            from . import engine_batched

            return engine_batched.LANES
        return 1

    @property
    def on_device(self) -> bool:
        """Trains on a CUDA GPU: the protocol trains the next block there while the host absorbs this one."""
        return self.device == "cuda"

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

    def options(self, gradient: str = "truncated", loss: str = "half") -> engine.Options:
        """The kernels' view of the network and the learning rule: every option as one value."""
        choice("gradient", gradient, GRADIENTS)
        choice("loss", loss, LOSSES)
        g_range, h_range = SQUASH[self.net.squash]
        return engine.Options(
            n_cols=self.net.n_cols,
            linear=self.net.output == "linear",
            g_range=g_range,
            h_range=h_range,
            initial_activation=float(self.net.initial_activation),
            err_factor=LOSSES[loss],
            full=gradient == "full",
            trainable=self.net.trainable(),
        )

    def train_runs(self, theta, inputs, lengths, targets, stream, counts, lr, errors, gradient: str, loss: str) -> None:
        """Online SGD for R runs at once (``engine.train_runs``, ``engine_batched.train_runs`` for engine
        "batched", or ``gpu.train_runs`` on cuda), theta updated in place."""
        if self.engine == "batched":
            from . import engine_batched

            engine_batched.train_runs(theta, inputs, lengths, targets, stream, counts, lr, self.options(gradient, loss), errors)
        elif self.device == "cuda":
            from . import gpu

            gpu.train_runs(theta, inputs, lengths, targets, stream, counts, lr, self.options(gradient, loss), errors)
        else:
            engine.train_runs(theta, inputs, lengths, targets, stream, counts, lr, self.options(gradient, loss), errors)

    def predict(self, theta: np.ndarray, inputs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        out = np.zeros(len(inputs))
        engine.predict(theta, np.ascontiguousarray(inputs, dtype=np.float64), lengths, self.options(), out)
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
    options = Lstm97(net).options(kind, loss)
    theta = pack(weights)
    grad = np.zeros_like(theta)
    x = np.ascontiguousarray(inputs, dtype=np.float64)
    engine.sequence_gradient(*_views(theta), x, len(x), float(target), *_views(grad), engine.workspace(len(x)), options)
    return unpack(grad)


def truncated_gradient(weights, inputs, target, net: Net = Net(), loss: str = "half") -> dict[str, np.ndarray]:
    """The paper's truncated gradient (section 4, A.1) of E = (target - y)^2 / 2."""
    return gradient(weights, inputs, target, "truncated", net, loss)


def full_gradient(weights, inputs, target, net: Net = Net(), loss: str = "half") -> dict[str, np.ndarray]:
    """Exact BPTT gradient of the same E, for the non-truncated ablation."""
    return gradient(weights, inputs, target, "full", net, loss)

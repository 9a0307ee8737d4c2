"""The asker's network: a ``torch.nn.LSTM`` stack with a logistic head, and the rungs between it and 1997.

``Stack`` describes it: ``nn.LSTM(2, hidden, num_layers=layers)``, the last step's top-layer output
through ``nn.Linear(hidden, 1)`` and a sigmoid.  Weight layout: PyTorch's own parameter names and
order (``weight_ih_l0`` ... ``bias_hh_l{L-1}``, ``head.weight``, ``head.bias``), so a state dict
loads into a real module (``module``).

Options (for the ladder from the asker's setup to the 1997 network):
- ``init="pytorch"``: every weight and bias uniform in +-1/sqrt(hidden), PyTorch's default for
  nn.LSTM and (fan_in = hidden) nn.Linear; ``"paper"``: uniform in [-0.1, 0.1] and the input-gate
  biases of ``in_gate_bias``, one value per block of hidden units (5.4's -3, -6).
- ``forget_gate=False``: the 1997 cell's missing forget gate, inside nn.LSTM's semantics: forget
  weights 0 and bias_ih 1000, so f = sigmoid(1000) = 1.0 exactly in float64 and its gradient is
  exactly 0; the state is then a pure sum, c = c + i g.
- ``engine``: "compiled" (numba kernels, CPU) or "torch" (``torch_batched``: R trials at once with
  torch.bmm, ``device`` "cpu" or "cuda").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import nnlstm_kernels as kernels
from .lstm97 import LOSSES, _choice

INITS = ("pytorch", "paper")
ENGINES = ("compiled", "torch")
DEVICES = ("cpu", "cuda")
FORGET_OPEN = 1000.0
"""bias_ih of a removed forget gate: sigmoid(1000) == 1.0 in float64, and its derivative 0.0."""


@dataclass(frozen=True)
class Stack:
    layers: int = 3
    hidden: int = 2
    forget_gate: bool = True
    init: str = "pytorch"
    in_gate_bias: tuple[float, ...] = (-3.0, -6.0)
    engine: str = "compiled"
    device: str = "cpu"

    def __post_init__(self):
        _choice("init", self.init, INITS)
        _choice("engine", self.engine, ENGINES)
        _choice("device", self.device, DEVICES)
        for key in ("layers", "hidden"):
            if not (isinstance(getattr(self, key), int) and getattr(self, key) >= 1):
                raise ValueError(f"{key}: must be a positive integer, got {getattr(self, key)!r}")
        if self.init == "paper" and self.hidden % len(self.in_gate_bias):
            raise ValueError(f"in_gate_bias: one value per block; {len(self.in_gate_bias)} blocks do not divide hidden={self.hidden}")
        if self.device == "cuda" and self.engine != "torch":
            raise ValueError("device: cuda runs on the torch engine only; set engine: torch")

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Parameter names and shapes in PyTorch's order (nn.LSTM, then the head nn.Linear)."""
        H, out = self.hidden, {}
        for k in range(self.layers):
            width = kernels.N_INPUTS if k == 0 else H
            out |= {f"weight_ih_l{k}": (4 * H, width), f"weight_hh_l{k}": (4 * H, H), f"bias_ih_l{k}": (4 * H,), f"bias_hh_l{k}": (4 * H,)}
        return out | {"head.weight": (1, H), "head.bias": (1,)}

    @property
    def n_params(self) -> int:
        return sum(int(np.prod(s)) for s in self.shapes().values())

    def init_weights(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        bound = 1 / np.sqrt(self.hidden) if self.init == "pytorch" else 0.1
        weights = {name: rng.uniform(-bound, bound, size=shape) for name, shape in self.shapes().items()}
        H = self.hidden
        for k in range(self.layers):
            if self.init == "paper":
                weights[f"bias_ih_l{k}"][:H] = np.repeat(self.in_gate_bias, H // len(self.in_gate_bias))
                weights[f"bias_hh_l{k}"][:H] = 0.0
            if not self.forget_gate:
                for name in ("weight_ih", "weight_hh", "bias_hh"):
                    weights[f"{name}_l{k}"][H : 2 * H] = 0.0
                weights[f"bias_ih_l{k}"][H : 2 * H] = FORGET_OPEN
        return weights


@dataclass(frozen=True)
class NNLstm:
    """A ``Stack`` as a trainable model of the protocol (full BPTT; the compiled or the torch engine)."""

    net: Stack = Stack()
    gradients = ("full",)

    @property
    def engine_name(self) -> str:
        return "nn.LSTM compiled (numba, float64)" if self.net.engine == "compiled" else f"nn.LSTM torch.bmm ({self.net.device}, float64)"

    @property
    def n_params(self) -> int:
        return self.net.n_params

    @property
    def n_weights(self) -> int:
        """Trainable weights, PyTorch's count (both bias vectors) less a removed forget gate's fixed ones."""
        H, fixed = self.net.hidden, 0
        if not self.net.forget_gate:
            fixed = sum(H * ((kernels.N_INPUTS if k == 0 else H) + H + 2) for k in range(self.net.layers))
        return self.net.n_params - fixed

    def init(self, rng: np.random.Generator) -> np.ndarray:
        return self.flatten(self.net.init_weights(rng))

    def flatten(self, weights: dict[str, np.ndarray]) -> np.ndarray:
        return np.concatenate([np.ravel(weights[name]) for name in self.net.shapes()]).astype(np.float64)

    def unflatten(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        out, start = {}, 0
        for name, shape in self.net.shapes().items():
            size = int(np.prod(shape))
            out[name] = np.array(theta[start : start + size]).reshape(shape)
            start += size
        return out

    def train_runs(self, theta, inputs, lengths, targets, stream, counts, lr, errors, gradient: str, loss: str) -> None:
        """Online SGD for R runs at once, theta (R, n_params) updated in place; run r learns from block
        ``stream[r]`` of the data; exact BPTT only."""
        if gradient != "full":
            raise ValueError(f"gradient: nn.LSTM stacks train with the full gradient (BPTT) only, got {gradient!r}")
        inputs, lengths, targets = inputs[stream], lengths[stream], targets[stream]
        if self.net.engine == "torch":
            from .torch_batched import train_runs

            train_runs(self.net, theta, inputs, lengths, targets, counts, lr, errors, LOSSES[loss])
        else:
            kernels.train_runs(theta, self.net.layers, self.net.hidden, inputs, lengths, targets, counts, lr, LOSSES[loss], errors)

    def predict(self, theta: np.ndarray, inputs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        out = np.zeros(len(inputs))
        kernels.predict(theta, self.net.layers, self.net.hidden, np.ascontiguousarray(inputs, dtype=np.float64), lengths, out)
        return out


def module(net: Stack, weights: dict[str, np.ndarray]):
    """A real ``nn.LSTM`` + ``nn.Linear`` (float64) holding ``weights``: the asker's model, for checks and the benchmark."""
    import torch

    lstm = torch.nn.LSTM(kernels.N_INPUTS, net.hidden, num_layers=net.layers, batch_first=True, dtype=torch.float64)
    head = torch.nn.Linear(net.hidden, 1, dtype=torch.float64)
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            p.copy_(torch.from_numpy(weights[name]))
        head.weight.copy_(torch.from_numpy(weights["head.weight"]))
        head.bias.copy_(torch.from_numpy(weights["head.bias"]))
    return lstm, head


def module_output(lstm, head, inputs) -> "torch.Tensor":
    """The asker's forward: last step's top-layer output -> Linear -> sigmoid."""
    import torch

    return torch.sigmoid(head(lstm(inputs[None])[0][0, -1]))[0]

"""The asker's network as plain data: ``Stack``, an ``nn.LSTM`` stack with a logistic head, and its options.

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

from .checks import choice

N_INPUTS = 2
"""(value, marker) per time step (5.4)."""

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
        choice("init", self.init, INITS)
        choice("engine", self.engine, ENGINES)
        choice("device", self.device, DEVICES)
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
            width = N_INPUTS if k == 0 else H
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

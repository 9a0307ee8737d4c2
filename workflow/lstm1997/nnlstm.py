"""The asker's network: a ``torch.nn.LSTM`` stack with a logistic head, and the rungs between it and 1997.

``Stack`` describes it: ``nn.LSTM(2, hidden, num_layers=layers)``, the last step's top-layer output
through ``nn.Linear(hidden, 1)`` and a sigmoid.  Weight layout: PyTorch's own parameter names and
order (``weight_ih_l0`` ... ``bias_hh_l{L-1}``, ``head.weight``, ``head.bias``), so a state dict
loads into a real module (``module``).

The stack and its options: ``stack.Stack``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import nnlstm_kernels as kernels
from .learning import LOSSES
from .stack import N_INPUTS, Stack


@dataclass(frozen=True)
class NNLstm:
    """A ``Stack`` as a trainable model of the protocol (full BPTT; the compiled or the torch engine)."""

    net: Stack = Stack()
    gradients = ("full",)
    runs_per_core = 1
    on_device = False
    """Its torch engine drives even a GPU from Python, step by step: the host is never idle."""

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
            fixed = sum(H * ((N_INPUTS if k == 0 else H) + H + 2) for k in range(self.net.layers))
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
            from . import torch_batched  # imports torch: only where this engine runs

            torch_batched.train_runs(self.net, theta, inputs, lengths, targets, counts, lr, errors, LOSSES[loss])
        else:
            kernels.train_runs(theta, self.net.layers, self.net.hidden, inputs, lengths, targets, counts, lr, LOSSES[loss], errors)

    def predict(self, theta: np.ndarray, inputs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        out = np.zeros(len(inputs))
        kernels.predict(theta, self.net.layers, self.net.hidden, np.ascontiguousarray(inputs, dtype=np.float64), lengths, out)
        return out


def module(net: Stack, weights: dict[str, np.ndarray]):
    """A real ``nn.LSTM`` + ``nn.Linear`` (float64) holding ``weights``: the asker's model, for checks and the benchmark."""
    import torch

    lstm = torch.nn.LSTM(N_INPUTS, net.hidden, num_layers=net.layers, batch_first=True, dtype=torch.float64)
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

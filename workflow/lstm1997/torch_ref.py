"""The LSTM-1997 network in PyTorch autograd, step by step: a reference for tests and the benchmark.

Slow by design (one Python iteration per time step); never used for training in the pipeline.
``truncate=True`` detaches the previous activations y(t-1) entering the cells and gates, exactly
where the paper truncates (section 4, A.1), so autograd then returns the truncated gradient.
"""

from __future__ import annotations

import numpy as np
import torch

from .learning import LOSSES
from .lstm97 import CONNECTIVITY, SQUASH, Net


def parameters(weights: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """Float64 leaf tensors, one per layout entry, requiring grad."""
    return {k: torch.tensor(np.asarray(v), dtype=torch.float64, requires_grad=True) for k, v in weights.items()}


def forward(params: dict[str, torch.Tensor], inputs: torch.Tensor, net: Net = Net(), truncate: bool = False) -> torch.Tensor:
    """Output at the end of one sequence ``inputs`` (L, 2) (5.4, A.1)."""
    rows = [params["cell"], params["in_gate"], params["out_gate"]] + ([params["forget_gate"]] if net.forget_gate else [])
    W = torch.cat(rows)[:, : CONNECTIVITY[net.connectivity]]
    g_range, h_range = SQUASH[net.squash]
    prev = torch.full((8,), net.initial_activation, dtype=torch.float64)
    s = torch.zeros(4, dtype=torch.float64)
    one = torch.ones(1, dtype=torch.float64)
    for x_t in inputs:
        recurrent = prev.detach() if truncate else prev
        z = torch.cat([one, x_t, recurrent])[: W.shape[1]]
        net_in = W @ z
        y_in, y_out = torch.sigmoid(net_in[4:6]), torch.sigmoid(net_in[6:8])
        g = g_range * (2 * torch.sigmoid(net_in[:4]) - 1)
        y_f = torch.sigmoid(net_in[8:10]).repeat_interleave(2) if net.forget_gate else 1.0
        s = y_f * s + y_in.repeat_interleave(2) * g
        y_c = y_out.repeat_interleave(2) * h_range * (2 * torch.sigmoid(s) - 1)
        prev = torch.cat([y_c, y_in, y_out])
    net_k = params["output"][0, 0] + params["output"][0, 1:] @ prev[:4]
    return net_k if net.output == "linear" else torch.sigmoid(net_k)


def loss(y: torch.Tensor, target: float, loss: str = "half") -> torch.Tensor:
    return LOSSES[loss] / 2 * (target - y) ** 2


def gradient(weights, inputs, target, net: Net = Net(), truncate: bool = False, loss_kind: str = "half") -> dict[str, np.ndarray]:
    """Autograd dE/dw, shaped like the layout dict."""
    params = parameters(weights)
    y = forward(params, torch.as_tensor(np.asarray(inputs), dtype=torch.float64), net, truncate)
    loss(y, target, loss_kind).backward()
    return {k: p.grad.numpy() for k, p in params.items()}

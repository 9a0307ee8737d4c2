"""nn.LSTM stacks for R independent trials at once in PyTorch: weights with a leading trial axis, torch.bmm.

Equivalent to R separate ``nn.LSTM`` + ``nn.Linear`` models, each trained online on its own stream
(one sequence, one gradient, one SGD step).  Trials whose sequence has ended keep their state
(``torch.where``), so each trial's output is its own last step's.  Runs on "cpu" or "cuda" in
float64; asking for cuda without a CUDA device is an error, never a silent CPU run.
"""

from __future__ import annotations

import numpy as np
import torch

from .stack import Stack


def device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device: cuda requested but torch.cuda.is_available() is False on this machine; allowed here: cpu")
    return torch.device(name)


def views(net: Stack, theta: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-parameter views (R, *shape) of flat parameters theta (R, n_params), PyTorch's order."""
    out, start = {}, 0
    for name, shape in net.shapes().items():
        size = int(np.prod(shape))
        out[name] = theta[:, start : start + size].view(theta.shape[0], *shape)
        start += size
    return out


def forward(net: Stack, p: dict[str, torch.Tensor], x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Outputs (R,) at each trial's last step; x (R, steps, 2), lengths (R,)."""
    R, H = x.shape[0], net.hidden
    h = [x.new_zeros(R, H) for _ in range(net.layers)]
    c = [x.new_zeros(R, H) for _ in range(net.layers)]
    for t in range(int(lengths.max())):
        alive = (t < lengths)[:, None]
        below = x[:, t]
        for k in range(net.layers):
            gates = torch.bmm(p[f"weight_ih_l{k}"], below[..., None])[..., 0] + torch.bmm(p[f"weight_hh_l{k}"], h[k][..., None])[..., 0]
            i, f, g, o = (gates + p[f"bias_ih_l{k}"] + p[f"bias_hh_l{k}"]).chunk(4, dim=1)
            c_new = torch.sigmoid(f) * c[k] + torch.sigmoid(i) * torch.tanh(g)
            h_new = torch.sigmoid(o) * torch.tanh(c_new)
            c[k] = torch.where(alive, c_new, c[k])
            h[k] = torch.where(alive, h_new, h[k])
            below = h[k]
    net_k = torch.bmm(p["head.weight"], h[-1][..., None])[:, 0, 0] + p["head.bias"][:, 0]
    return torch.sigmoid(net_k)


def train_runs(net: Stack, theta, inputs, lengths, targets, counts, lr, errors, err_factor: float) -> None:
    """Online SGD of R trials (numpy in and out, theta and errors written in place)."""
    dev = device(net.device)
    params = torch.tensor(theta, dtype=torch.float64, device=dev, requires_grad=True)
    x_all, len_all, y_all = (torch.as_tensor(a, device=dev) for a in (inputs, lengths, targets))
    steps = torch.as_tensor(lr, dtype=torch.float64, device=dev)[:, None]
    counts_t = torch.as_tensor(counts, device=dev)
    for i in range(int(counts.max())):
        y = forward(net, views(net, params), x_all[:, i], len_all[:, i])
        err = y_all[:, i] - y
        (err_factor / 2 * (err**2).sum()).backward()
        with torch.no_grad():
            active = (i < counts_t)[:, None]
            params -= torch.where(active, steps * params.grad, 0.0)
            params.grad = None
        errors[:, i] = np.where(counts > i, err.detach().cpu().numpy(), errors[:, i])
    theta[:] = params.detach().cpu().numpy()

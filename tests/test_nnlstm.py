"""nn.LSTM stacks: the compiled kernel and the batched torch trainer against real nn.LSTM modules (float64, 1e-10)."""

import numpy as np
import pytest
import torch

from lstm1997 import nnlstm, stack, task
from lstm1997 import nnlstm_kernels as kernels
from lstm1997.nnlstm import NNLstm
from lstm1997.stack import Stack

STACKS = [Stack(), Stack(1, 4, init="paper"), Stack(1, 4, forget_gate=False, init="paper"), Stack(2, 3)]


def ids(net):
    return f"{net.layers}x{net.hidden}-{net.init}-{'forget' if net.forget_gate else 'noforget'}"


def module_gradient(net, weights, x, target, err_factor):
    lstm, head = nnlstm.module(net, weights)
    y = nnlstm.module_output(lstm, head, torch.from_numpy(x))
    (err_factor / 2 * (target - y) ** 2).backward()
    grads = {n: p.grad.numpy() for n, p in lstm.named_parameters()}
    return grads | {"head.weight": head.weight.grad.numpy(), "head.bias": head.bias.grad.numpy()}


@pytest.mark.parametrize("net", STACKS, ids=ids)
@pytest.mark.parametrize("err_factor", [1.0, 2.0])
def test_compiled_gradient_matches_nn_lstm_autograd(net, err_factor):
    model = NNLstm(net)
    weights = net.init_weights(np.random.default_rng(1))
    d = task.make_dataset(30, 1, seed=2)
    x = d.inputs[0, : d.lengths[0]]
    grad = np.zeros(model.n_params)
    ws = kernels.workspace(len(x), net.layers, net.hidden)
    off = kernels.offsets(net.layers, net.hidden)
    kernels.sequence_gradient(model.flatten(weights), off, net.layers, net.hidden, x, len(x), d.targets[0], err_factor, grad, ws)
    expected = module_gradient(net, weights, x, d.targets[0], err_factor)
    for name, g in model.unflatten(grad).items():
        np.testing.assert_allclose(g, expected[name], rtol=1e-10, atol=1e-14, err_msg=name)


def sgd_with_modules(net, weights, data, count, lr, err_factor):
    """The asker's loop with real modules: one sequence, loss, backward, p -= lr * grad."""
    lstm, head = nnlstm.module(net, weights)
    params = list(lstm.parameters()) + list(head.parameters())
    for i in range(count):
        y = nnlstm.module_output(lstm, head, torch.from_numpy(data.inputs[i, : data.lengths[i]]))
        for p in params:
            p.grad = None
        (err_factor / 2 * (data.targets[i] - y) ** 2).backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
    state = {n: p.detach().numpy() for n, p in lstm.named_parameters()}
    return NNLstm(net).flatten(state | {"head.weight": head.weight.detach().numpy(), "head.bias": head.bias.detach().numpy()})


@pytest.mark.parametrize("net", STACKS[:3], ids=ids)
@pytest.mark.parametrize("engine", ["compiled", "torch"])
def test_batched_training_equals_separate_nn_lstm_models(net, engine):
    net = Stack(**{**net.__dict__, "engine": engine})
    model, R, B = NNLstm(net), 3, 4
    theta = np.stack([model.init(np.random.default_rng(r)) for r in range(R)])
    blocks = [task.make_dataset(20, B, seed=k) for k in range(2)]
    stacked = task.stack(blocks)
    stream, counts, lr = np.array([1, 0, 1]), np.array([B, 2, B]), np.array([0.5, 0.5, 0.1])
    trained, errors = theta.copy(), np.zeros((R, B))
    model.train_runs(trained, *stacked, stream, counts, lr, errors, "full", "squared")
    for r in range(R):
        expected = sgd_with_modules(net, model.unflatten(theta[r]), blocks[stream[r]], counts[r], lr[r], 2.0)
        np.testing.assert_allclose(trained[r], expected, rtol=1e-10, atol=1e-12)
    assert np.all(errors[1, 2:] == 0.0) and np.all(errors[0] != 0.0)


def test_no_forget_gate_is_exactly_open_and_never_learns():
    net = Stack(1, 4, forget_gate=False, init="paper")
    model = NNLstm(net)
    theta = model.init(np.random.default_rng(0))[None]
    data = next(task.stream(20, seed=0))
    model.train_runs(theta, data.inputs[None], data.lengths[None], data.targets[None], np.array([0]), np.array([50]), np.array([0.5]), np.zeros((1, 1000)), "full", "squared")
    w = model.unflatten(theta[0])
    assert np.all(w["weight_ih_l0"][4:8] == 0.0) and np.all(w["weight_hh_l0"][4:8] == 0.0)
    assert np.all(w["bias_ih_l0"][4:8] == stack.FORGET_OPEN) and np.all(w["bias_hh_l0"][4:8] == 0.0)
    assert torch.sigmoid(torch.tensor(stack.FORGET_OPEN, dtype=torch.float64)).item() == 1.0


def test_initialisations():
    pytorch = Stack().init_weights(np.random.default_rng(0))
    values = np.concatenate([v.ravel() for v in pytorch.values()])
    assert len(values) == NNLstm(Stack()).n_params
    assert np.abs(values).max() <= 1 / np.sqrt(2) and np.abs(values).max() > 0.6
    paper = Stack(1, 4, init="paper").init_weights(np.random.default_rng(0))
    assert paper["bias_ih_l0"][:4].tolist() == [-3.0, -3.0, -6.0, -6.0] and np.all(paper["bias_hh_l0"][:4] == 0.0)
    assert np.abs(paper["weight_hh_l0"]).max() <= 0.1


def test_parameter_count_and_order_follow_pytorch():
    lstm, head = nnlstm.module(Stack(), Stack().init_weights(np.random.default_rng(0)))
    names = [n for n, _ in lstm.named_parameters()] + ["head.weight", "head.bias"]
    assert list(Stack().shapes()) == names
    assert NNLstm(Stack()).n_params == sum(p.numel() for p in lstm.parameters()) + 3 == 147
    assert NNLstm(Stack()).n_weights == 147
    assert NNLstm(Stack(1, 4, forget_gate=False)).n_weights == 133 - (4 * 2 + 4 * 4 + 8)


def test_cuda_without_a_gpu_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    model = NNLstm(Stack(engine="torch", device="cuda"))
    data = next(task.stream(20, seed=0))
    with pytest.raises(RuntimeError, match="^device: cuda requested but torch.cuda.is_available"):
        model.train_runs(model.init(np.random.default_rng(0))[None], data.inputs[None], data.lengths[None], data.targets[None], np.array([0]), np.array([1]), np.array([0.5]), np.zeros((1, 1000)), "full", "half")


@pytest.mark.parametrize(
    "kwargs, key",
    [({"init": "xavier"}, "init"), ({"engine": "jax"}, "engine"), ({"device": "cuda"}, "device"), ({"hidden": 3, "init": "paper"}, "in_gate_bias"), ({"layers": 0}, "layers")],
)
def test_bad_stack_options_name_the_key(kwargs, key):
    with pytest.raises(ValueError, match=f"^{key}: "):
        Stack(**kwargs)


def test_nn_lstm_refuses_the_truncated_gradient():
    with pytest.raises(ValueError, match="^gradient: nn.LSTM stacks train with the full gradient"):
        NNLstm().train_runs(None, None, None, None, None, None, None, None, "truncated", "half")

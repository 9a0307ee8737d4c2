"""The 93-weight LSTM-1997 network: layout, initialisation and gradients against autograd and finite differences."""

import numpy as np
import pytest

from lstm1997 import engine, lstm97, task, torch_ref
from lstm1997.lstm97 import Net

OPTIONS = [
    Net(),
    Net(output="linear"),
    Net(connectivity="cells"),
    Net(forget_gate=True, forget_gate_bias=(0.5, -0.5)),
    Net(squash="table10"),
    Net(initial_activation=0.5, connectivity="cells"),
    Net(cell_bias=False, learned_biases=("in_gate",), output="linear"),
]


def option_id(net):
    changed = {k: v for k, v in vars(net).items() if getattr(Net(), k) != v}
    return ",".join(f"{k}={v}" for k, v in changed.items()) or "paper"


def perturbed(net=Net(), seed=0, scale=0.5):
    """Paper initialisation plus noise, so that every weight matters to the gradient."""
    rng = np.random.default_rng(seed)
    w = lstm97.init_weights(net, rng)
    w = {k: v + rng.normal(0, scale, v.shape) for k, v in w.items()}
    for name in ("cell", "in_gate", "out_gate", "forget_gate")[: 3 + net.forget_gate]:
        w[name][:, net.n_cols :] = 0.0
    return w


def sequence(T=20, seed=0):
    d = task.make_dataset(T, 1, seed)
    return d.inputs[0, : d.lengths[0]], d.targets[0]


def assert_close(a, b, rtol=1e-10, atol=1e-14):
    assert set(a) == set(b)
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=rtol, atol=atol, err_msg=k)


def test_layout_has_93_weights():
    assert sum(np.prod(s) for s in lstm97.SHAPES.values()) == 93
    assert Net().n_weights == 93
    assert Net(connectivity="cells").n_weights == 61
    assert len(lstm97.COLUMNS) == 11 and len(lstm97.OUTPUT_COLUMNS) == 5


def test_init_is_uniform_with_paper_gate_biases():
    w = lstm97.init_weights(Net(), np.random.default_rng(0))
    assert w["in_gate"][:, 0].tolist() == [-3.0, -6.0]
    others = np.concatenate([w["cell"].ravel(), w["in_gate"][:, 1:].ravel(), w["out_gate"].ravel(), w["output"].ravel()])
    assert len(others) == 91
    assert np.abs(others).max() <= 0.1 and np.abs(others).max() > 0.08
    assert np.all(w["out_gate"][:, 0] != 0.0)


def test_init_options():
    w = lstm97.init_weights(Net(in_gate_bias=(0.0, -1.0), out_gate_bias=(-2.0, -4.0), init_range=0.2), np.random.default_rng(0))
    assert w["in_gate"][:, 0].tolist() == [0.0, -1.0]
    assert w["out_gate"][:, 0].tolist() == [-2.0, -4.0]
    assert 0.1 < np.abs(w["cell"]).max() <= 0.2
    random_gates = lstm97.init_weights(Net(in_gate_bias=None), np.random.default_rng(0))
    assert np.all(np.abs(random_gates["in_gate"][:, 0]) <= 0.1)
    cells_only = lstm97.init_weights(Net(connectivity="cells"), np.random.default_rng(0))
    assert np.all(cells_only["cell"][:, 7:] == 0.0) and np.all(cells_only["out_gate"][:, 7:] == 0.0)


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"output": "tanh"}, "output"),
        ({"connectivity": "none"}, "connectivity"),
        ({"init_range": 0}, "init_range"),
        ({"in_gate_bias": (1.0,)}, "in_gate_bias"),
        ({"learned_biases": ("cell", "forget")}, "learned_biases"),
        ({"learned_biases": ("cell", "cell")}, "learned_biases"),
        ({"squash": "tanh"}, "squash"),
        ({"initial_activation": 1.5}, "initial_activation"),
        ({"initial_activation": True}, "initial_activation"),
        ({"cell_bias": "no"}, "cell_bias"),
        ({"forget_gate": "no"}, "forget_gate"),
        ({"in_gate_bias": ("a", "b")}, "in_gate_bias"),
        ({"in_gate_bias": -3}, "in_gate_bias"),
        ({"init_range": float("nan")}, "init_range"),
    ],
)
def test_bad_net_options_name_the_key(kwargs, key):
    with pytest.raises(ValueError, match=f"^{key}: "):
        Net(**kwargs)


def test_pack_unpack_roundtrip_and_shape_check():
    w = perturbed()
    theta = lstm97.pack(w)
    assert theta.shape == (93,) and theta[:11].tolist() == w["cell"][0].tolist()
    assert_close(lstm97.unpack(theta), w, rtol=0, atol=0)
    w["cell"] = w["cell"][:, :10]
    with pytest.raises(ValueError, match=r"weights\['cell'\]: must have shape \(4, 11\)"):
        lstm97.pack(w)
    with pytest.raises(ValueError, match=r"^weights: missing 'out_gate'; the layout is \['cell', 'in_gate', 'out_gate', 'output'\]"):
        lstm97.pack({k: v for k, v in w.items() if k != "out_gate"})
    with pytest.raises(ValueError, match="^weights: must be a dict of the layout"):
        lstm97.pack(theta)


@pytest.mark.parametrize("net", OPTIONS, ids=option_id)
def test_forward_matches_torch(net):
    w, (x, _) = perturbed(net), sequence()
    y = torch_ref.forward(torch_ref.parameters(w), torch_ref.torch.as_tensor(x), net).detach()
    assert lstm97.forward(w, x, net) == pytest.approx(y.item(), rel=1e-13)


@pytest.mark.parametrize("net", OPTIONS, ids=option_id)
def test_full_gradient_matches_autograd(net):
    w, (x, target) = perturbed(net), sequence(T=30)
    assert_close(lstm97.full_gradient(w, x, target, net), torch_ref.gradient(w, x, target, net, truncate=False))


@pytest.mark.parametrize("net", OPTIONS, ids=option_id)
def test_truncated_gradient_matches_detached_autograd(net):
    w, (x, target) = perturbed(net), sequence(T=30)
    assert_close(lstm97.truncated_gradient(w, x, target, net), torch_ref.gradient(w, x, target, net, truncate=True))


def test_full_gradient_matches_finite_differences():
    w, (x, target) = perturbed(), sequence(T=20)
    grad, eps = lstm97.full_gradient(w, x, target), 1e-6

    def loss(v):
        return 0.5 * (target - lstm97.forward(v, x)) ** 2

    for k, shape in lstm97.SHAPES.items():
        for idx in np.ndindex(shape):
            up, down = ({n: a.copy() for n, a in w.items()} for _ in range(2))
            up[k][idx] += eps
            down[k][idx] -= eps
            assert (loss(up) - loss(down)) / (2 * eps) == pytest.approx(grad[k][idx], rel=1e-5, abs=1e-10), (k, idx)


def test_truncation_matters_on_long_sequences_only():
    w = perturbed(scale=1.0)
    x, target = sequence(T=100)
    full, truncated = lstm97.full_gradient(w, x, target), lstm97.truncated_gradient(w, x, target)
    assert np.array_equal(full["output"], truncated["output"])
    rel = {k: np.abs(full[k] - truncated[k]).max() / np.abs(full[k]).max() for k in ("cell", "in_gate", "out_gate")}
    assert min(rel.values()) > 1e-3, rel
    # one step: nothing recurrent to truncate, the two gradients agree exactly
    assert_close(lstm97.full_gradient(w, x[:1], target), lstm97.truncated_gradient(w, x[:1], target), rtol=1e-14, atol=0)


@pytest.mark.parametrize("kind", lstm97.GRADIENTS)
def test_squared_loss_doubles_the_gradient_exactly(kind):
    w, (x, target) = perturbed(), sequence()
    half, squared = (lstm97.gradient(w, x, target, kind, loss=loss) for loss in lstm97.LOSSES)
    for k in lstm97.SHAPES:
        assert np.array_equal(squared[k], 2.0 * half[k])


def test_forget_gate_layout_and_init():
    net = Net(forget_gate=True)
    w = lstm97.init_weights(net, np.random.default_rng(0))
    assert w["forget_gate"].shape == (2, 11) and w["forget_gate"][:, 0].tolist() == [1.0, 1.0]
    assert net.n_weights == 93 + 22 and len(lstm97.pack(w)) == 115
    assert_close(lstm97.unpack(lstm97.pack(w)), w, rtol=0, atol=0)
    assert "forget_gate" not in lstm97.unpack(lstm97.pack(lstm97.init_weights(Net(), np.random.default_rng(0))))


def test_forget_gate_gradient_matches_finite_differences_in_truncated_sense():
    """Wide open forget gates (bias 30: y_f = 1 - 1e-13) give the 1997 gradient of the other weights."""
    net = Net(forget_gate=True, forget_gate_bias=(30.0, 30.0))
    w = perturbed(net, scale=0.3)
    w["forget_gate"][:, 1:] = 0.0
    x, target = sequence(T=40)
    with_forget = lstm97.truncated_gradient(w, x, target, net)
    plain = lstm97.truncated_gradient({k: v for k, v in w.items() if k != "forget_gate"}, x, target)
    for k in plain:
        np.testing.assert_allclose(with_forget[k], plain[k], rtol=1e-9, atol=1e-15)


def test_cells_connectivity_leaves_absent_weights_untouched():
    net = Net(connectivity="cells")
    w, (x, target) = perturbed(net), sequence()
    for kind in lstm97.GRADIENTS:
        g = lstm97.gradient(w, x, target, kind, net)
        assert np.all(g["cell"][:, 7:] == 0.0) and np.all(g["in_gate"][:, 7:] == 0.0) and np.all(g["out_gate"][:, 7:] == 0.0)
        assert np.any(g["cell"][:, 3:7] != 0.0)


def test_weight_counts_of_the_bias_readings():
    """Table 7 counts 93 weights; frozen biases are still weights, absent cell biases are not."""
    assert Net(learned_biases=()).n_weights == 93
    assert Net(cell_bias=False).n_weights == 89
    assert Net(cell_bias=False, connectivity="cells").n_weights == 57


def test_trainable_mask_marks_exactly_the_frozen_biases():
    mask = lstm97.unpack(Net(learned_biases=("in_gate", "output")).trainable())
    assert mask["cell"][:, 0].tolist() == [0.0] * 4 and mask["out_gate"][:, 0].tolist() == [0.0] * 2
    assert mask["in_gate"][:, 0].tolist() == [1.0] * 2 and mask["output"][0, 0] == 1.0
    assert all(np.all(m[:, 1:] == 1.0) for m in mask.values())
    cells_only = lstm97.unpack(Net(connectivity="cells", cell_bias=False).trainable())
    assert np.all(cells_only["cell"][:, 0] == 0.0) and np.all(cells_only["in_gate"][:, 7:] == 0.0)
    assert lstm97.init_weights(Net(cell_bias=False), np.random.default_rng(0))["cell"][:, 0].tolist() == [0.0] * 4


def test_squash_ranges_are_the_text_and_table10():
    """g in [-2, 2], h in [-1, 1] (5.4, A.1), or the other way round (Table 10's caption)."""
    assert lstm97.SQUASH == {"text": (2.0, 1.0), "table10": (1.0, 2.0)}
    sig = np.array([0.0, 0.25, 1.0])
    assert [engine.squash(v, 2.0) for v in sig] == [-2.0, -1.0, 2.0]
    assert [engine.squash(v, 1.0) for v in sig] == [-1.0, -0.5, 1.0]
    h = engine.squash(0.3, 2.0)
    assert engine.h_slope(h, 2.0) == pytest.approx(2 * 2.0 * 0.3 * 0.7, rel=1e-14) == engine.squash_slope(0.3, 2.0)


def test_initial_activation_only_changes_the_first_step():
    """Starting every cell and gate output at 0.5 changes y(0), which enters z(1) only: the output differs."""
    w, (x, _) = perturbed(), sequence()
    assert lstm97.forward(w, x, Net(initial_activation=0.5)) != lstm97.forward(w, x)
    assert lstm97.forward(w, x, Net(initial_activation=0.5, connectivity="cells")) != lstm97.forward(w, x, Net(connectivity="cells"))

"""The batched engine (runs in the vector lanes) against the scalar engine, and its exponential."""

import math

import numpy as np
import pytest

from lstm1997 import engine, engine_batched, task
from lstm1997.lstm97 import Lstm97, Net
from lstm1997.protocol import Protocol, train

# relaxed so that T = 10 succeeds within a few thousand sequences (as in test_protocol)
EASY = Protocol(budget=30_000, window=200, correct_threshold=0.2, error_threshold=0.02, curve_every=100)

NETS = {
    "paper": {},
    "linear": {"output": "linear"},
    "cells only": {"connectivity": "cells"},
    "forget gates": {"forget_gate": True},
    "table10 squash": {"squash": "table10"},
    "initial activation 0.5": {"initial_activation": 0.5},
    "frozen biases, no cell bias": {"learned_biases": ("in_gate", "output"), "cell_bias": False},
    "random gate biases": {"in_gate_bias": None, "out_gate_bias": (-2.0, -4.0)},
}
R = 19
"""Runs per test batch: a full group of engine_batched.LANES (16) and a partial one, on two threads."""


def _train_both(net: Net, gradient: str, loss: str, T: int = 60, counts=None):
    model = Lstm97(net)
    opts = model.options(gradient, loss)
    theta = np.stack([model.init(task.rng(r, "init")) for r in range(R)])
    data = task.stack([task.block(T, seed, 0, "train") for seed in range(3)])  # three streams: lengths differ per lane
    stream = np.arange(R) % 3
    counts = np.full(R, task.BLOCK) if counts is None else counts
    lr = np.linspace(0.3, 0.7, R)
    out = {}
    for name, kernel in (("scalar", engine.train_runs), ("batched", engine_batched.train_runs)):
        t, errors = theta.copy(), np.zeros((R, task.BLOCK))
        kernel(t, *data, stream, counts, lr, opts, errors)
        out[name] = (t, errors)
    return theta, out


@pytest.mark.parametrize("gradient", ["truncated", "full"])
@pytest.mark.parametrize("name", list(NETS))
def test_weights_within_1e_12_of_the_scalar_engine_after_1000_sequences(name, gradient):
    loss = "squared" if name == "linear" else "half"
    theta, out = _train_both(Net(**NETS[name]), gradient, loss)
    (a, ea), (b, eb) = out["scalar"], out["batched"]
    assert np.abs(a - theta).max() > 1e-3  # the runs learned
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(eb, ea, rtol=0, atol=1e-12)


@pytest.mark.parametrize("gradient", ["truncated", "full"])
def test_runs_that_stop_early_stop_changing(gradient):
    counts = np.array([1000, 517, 0, 3, 1000, 999, 1, 250, 1000, 0, 731, 17, 1000, 2, 998, 600, 0, 1000, 40])
    theta, out = _train_both(Net(), gradient, "half", T=20, counts=counts)
    (a, ea), (b, eb) = out["scalar"], out["batched"]
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(eb, ea, rtol=0, atol=1e-12)
    assert np.array_equal(b[counts == 0], theta[counts == 0])
    for r, n in enumerate(counts):
        assert np.all(eb[r, n:] == 0.0)  # no error written past a run's count


def test_a_run_does_not_depend_on_the_runs_beside_it():
    model = Lstm97(Net())
    opts = model.options()
    data = task.stack([task.block(20, seed, 0, "train") for seed in range(2)])
    theta = np.stack([model.init(task.rng(r, "init")) for r in range(9)])
    together, alone = theta.copy(), theta[5:6].copy()
    errors = np.zeros((9, task.BLOCK))
    engine_batched.train_runs(together, *data, np.arange(9) % 2, np.full(9, 300), np.full(9, 0.5), opts, errors)
    engine_batched.train_runs(alone, *data, np.array([1]), np.array([300]), np.array([0.5]), opts, errors[:1])
    assert np.array_equal(together[5], alone[0])


@pytest.mark.parametrize("gradient", ["truncated", "full"])
def test_protocol_runs_meet_every_definition_at_the_same_counts(gradient):
    protocol = Protocol(**{**EASY.__dict__, "gradient": gradient})
    seeds = list(range(10))  # a partial group
    scalar = train(10, seeds, Lstm97(), protocol)
    batched = train(10, seeds, Lstm97(engine="batched"), protocol)
    assert any(r.success["window_mse"] is not None for r in scalar)
    for s, b in zip(scalar, batched):
        assert (s.seed, s.sequences, s.success) == (b.seed, b.sequences, b.success)
        for key in s.weights:
            for k in s.weights[key]:
                np.testing.assert_allclose(b.weights[key][k], s.weights[key][k], rtol=0, atol=1e-9)


def _ulps(y: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|y - exact| in units in the last place of the float64 nearest to exact (exact in long double)."""
    return np.abs((y.astype(np.longdouble) - exact) / np.spacing(np.abs(exact.astype(np.float64))).astype(np.longdouble))


def test_vexp_error_bound_on_millions_of_points():
    """Within EXP_ULP_BOUND (0.75) ulp of exp in extended precision, within 1 ulp of math.exp, over the
    arguments the kernels meet (|x| < 40 densely; the whole normal range too)."""
    assert np.finfo(np.longdouble).nmant >= 63, "needs x87 long double as the reference"
    rng = np.random.default_rng(0)
    dense, wide, small = rng.uniform(-40, 40, 2_000_000), rng.uniform(-708, 709, 1_000_000), rng.uniform(-1e-3, 1e-3, 96_000)
    x = np.concatenate([dense, wide, small])
    y = np.empty_like(x)
    engine_batched.vexp_array(x, y)
    assert _ulps(y, np.exp(x.astype(np.longdouble))).max() <= engine_batched.EXP_ULP_BOUND
    sample = x[:: 3]
    libm = np.array([math.exp(v) for v in sample])
    assert np.max(np.abs(y[::3] - libm) / np.spacing(libm)) <= 1.0


def test_vexp_large_arguments_and_the_saturating_logistic():
    x = np.array([710.0, 1e300, np.inf, -746.0, -1e300, -np.inf, 709.78, -745.13])
    x = np.concatenate([x, [0.0, -0.0, np.nan, 1.0, -1.0, 20.0, -20.0, 36.8]])
    y = np.empty_like(x)
    engine_batched.vexp_array(x, y)
    assert np.all(y[:3] == np.inf) and np.all(y[3:6] == 0.0)
    assert y[6] == pytest.approx(math.exp(709.78), rel=1e-15) and 0.0 < y[7] <= 1e-323
    assert y[8] == y[9] == 1.0 and np.isnan(y[10])
    for v, e in zip(x[11:], y[11:]):
        assert abs(e - math.exp(v)) <= math.ulp(math.exp(v))
    # the logistic 1 / (1 + exp(-x)) as the kernels form it saturates to exactly 0 and 1, like engine.sigmoid
    z = np.array([-800.0, -746.0, -50.0, 37.0, 40.0, 50.0, 800.0, 1e300])
    e = np.empty_like(z)
    engine_batched.vexp_array(-z, e)
    ours, theirs = 1.0 / (1.0 + e), np.array([engine.sigmoid(v) for v in z])
    assert np.array_equal(ours[[0, 1, 3, 4, 5, 6, 7]], theirs[[0, 1, 3, 4, 5, 6, 7]])
    assert ours[0] == ours[1] == 0.0 and np.all(ours[3:] == 1.0)
    assert ours[2] == pytest.approx(theirs[2], rel=3e-16)


def test_helpers_are_the_scalar_engines():
    rng = np.random.default_rng(3)
    for sig, h, scale in zip(rng.uniform(0, 1, 200), rng.uniform(-2, 2, 200), rng.choice([1.0, 2.0], 200)):
        assert engine_batched.squash(sig, scale) == engine.squash(sig, scale)
        assert engine_batched.squash_slope(sig, scale) == engine.squash_slope(sig, scale)
        assert engine_batched.h_slope(h, scale) == engine.h_slope(h, scale)

"""Online training (5.4): SGD against autograd, determinism, batching, snapshots at the stopping point, testing."""

import hashlib
import re
import time
from dataclasses import dataclass, replace

import numpy as np
import pytest
from conftest import assert_same_results, killed_after, stopping_mix

from lstm1997 import engine, lstm97, task, torch_ref
from lstm1997 import protocol as protocol_module
from lstm1997.criteria import MEASURES
from lstm1997.lstm97 import Lstm97, Net
from lstm1997.protocol import Protocol, Start, evaluate, train, train_from, warm_up

# relaxed so that T = 10 succeeds within a few thousand sequences
EASY = Protocol(budget=30_000, window=200, correct_threshold=0.2, error_threshold=0.02, curve_every=100)


def weights_equal(a, b):
    return set(a) == set(b) and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


@pytest.mark.parametrize("kind", lstm97.GRADIENTS)
def test_online_sgd_matches_autograd_updates(kind):
    """Three sequences of train_block = three autograd gradients with w -= 0.5 g in between."""
    data = next(task.stream(20, seed=0))
    w = lstm97.init_weights(Net(), task.rng(0, "init"))
    theta = lstm97.pack(w)
    errors = np.zeros(3)
    engine.train_block(theta, data.inputs, data.lengths, data.targets, 3, 0.5, Lstm97().options(kind), errors)
    for i in range(3):
        x = data.inputs[i, : data.lengths[i]]
        y = lstm97.forward(w, x)
        assert errors[i] == pytest.approx(data.targets[i] - y, rel=1e-12)
        g = torch_ref.gradient(w, x, data.targets[i], truncate=kind == "truncated")
        w = {k: w[k] - 0.5 * g[k] for k in w}
    for k, v in lstm97.unpack(theta).items():
        np.testing.assert_allclose(v, w[k], rtol=1e-12, atol=1e-15)


def test_same_seed_gives_identical_weights_after_1000_sequences():
    a, b = (train(100, [3], protocol=Protocol(budget=1000))[0] for _ in range(2))
    assert a.sequences == b.sequences == 1000
    assert weights_equal(a.weights["end"], b.weights["end"])
    assert not weights_equal(a.weights["end"], train(100, [4], protocol=Protocol(budget=1000))[0].weights["end"])


def test_runs_trained_together_equal_runs_trained_alone():
    together = train(10, [0, 1, 2], protocol=EASY, threads=2)
    for result in together:
        alone = train(10, [result.seed], protocol=EASY, threads=1)[0]
        assert alone.success == result.success
        assert weights_equal(alone.final_weights, result.final_weights)
        assert np.array_equal(alone.curve["window_mse"], result.curve["window_mse"])


def test_snapshot_is_the_weights_of_a_run_stopped_there():
    result = train(10, [0], protocol=EASY)[0]
    n = result.success["window_mse"]
    assert n is not None and n % task.BLOCK != 0
    assert result.success["cumulative_mse"] > n and result.sequences == result.success["cumulative_mse"]
    stopped = train(10, [0], protocol=Protocol(**{**EASY.__dict__, "until": "primary"}))[0]
    assert stopped.sequences == n
    assert weights_equal(stopped.weights["end"], result.final_weights)
    assert weights_equal(result.weights["window_mse"], result.final_weights)


SCRIPT = np.concatenate([np.full(1000, 0.2), np.full(2300, 0.035), np.full(5700, 0.001)])
"""Errors that meet window_mse at 3000, cumulative_mse at 4282 (once (40 + 2.8175) / n < 0.01), window_mae at 4771."""


@dataclass(frozen=True)
class Scripted(Lstm97):
    """A model that learns nothing: its weights count the sequences trained, its errors are ``SCRIPT``'s; after
    ``finite`` sequences its errors and weights are NaN."""

    finite: int = len(SCRIPT)

    def train_runs(self, theta, inputs, lengths, targets, stream, counts, lr, errors, gradient, loss):
        for r, k in enumerate(counts):
            n = int(theta[r, 0])
            errors[r, :k] = SCRIPT[n : n + k]
            errors[r, max(self.finite - n, 0) : k] = np.nan
            theta[r] = n + k if n + k <= self.finite else np.nan


def test_every_definition_met_keeps_its_weights_in_the_block_where_the_run_ends():
    """The run ends inside a block, where its last definition is met (4771), after another met in the same block
    (4282): each definition's snapshot is the weights after its own count."""
    model, protocol = Scripted(), Protocol(criteria=("window_mse", "window_mae", "cumulative_mse"), budget=len(SCRIPT))
    result = train_from(10, [Start(0, np.zeros(model.n_params), 0.5)], model, protocol)[0]
    assert result.success == {"window_mse": 3000, "window_mae": 4771, "cumulative_mse": 4282} and result.sequences == 4771
    counts = {name: set(model.flatten(weights).tolist()) for name, weights in result.weights.items()}
    assert counts == {"end": {4771}, "window_mse": {3000}, "window_mae": {4771}, "cumulative_mse": {4282}}


@pytest.mark.parametrize(("finite", "diverged", "sequences", "window_mae"), [(4900, None, 4771, 4771), (4771, 4771, 4771, 4771), (4500, 4500, 5000, None)])
def test_a_run_diverges_only_where_its_weights_break_before_it_ends(finite, diverged, sequences, window_mae):
    """Weights NaN after ``finite`` sequences, in the block where the run would end (4771): broken after the end,
    the run ended and did not diverge; broken by the end's own update, it diverged there; broken before, it
    diverged there (stopping after its block) with window_mae never met."""
    model, protocol = Scripted(finite=finite), Protocol(criteria=("window_mse", "window_mae", "cumulative_mse"), budget=len(SCRIPT))
    result = train_from(10, [Start(0, np.zeros(model.n_params), 0.5)], model, protocol)[0]
    assert (result.diverged, result.sequences, result.success["window_mae"]) == (diverged, sequences, window_mae)


def test_budget_ends_a_failed_run():
    result = train(10, [0], protocol=Protocol(budget=2500, curve_every=500))[0]
    assert result.sequences == 2500
    assert result.success == {"window_mse": None, "cumulative_mse": None}
    assert weights_equal(result.final_weights, result.weights["end"])
    assert result.curve["sequences"].tolist() == [500, 1000, 1500, 2000, 2500]


def test_learning_curve_columns():
    curve = train(10, [0], protocol=EASY)[0].curve
    assert set(curve) == {"sequences", "window_mse", "cumulative_mse", "window_mae", "cumulative_mae", "correct_in_window", "asker_correct_in_window"}
    assert np.all(np.diff(curve["sequences"]) == 100)
    assert np.all(curve["correct_in_window"] <= curve["asker_correct_in_window"]) and np.all(curve["asker_correct_in_window"] <= 200)
    assert curve["window_mse"][-1] < curve["window_mse"][0]


def test_evaluate_counts_wrong_and_mse():
    data = task.make_dataset(20, 300, seed=9)
    w = lstm97.init_weights(Net(), task.rng(0, "init"))
    y = np.array([lstm97.forward(w, data.inputs[i, : data.lengths[i]]) for i in range(len(data))])
    result = evaluate(w, data)
    assert result.n == 300
    assert result.wrong == int(np.sum(np.abs(data.targets - y) >= 0.04))
    assert result.mse == pytest.approx(np.mean((data.targets - y) ** 2), rel=1e-12)


@pytest.mark.parametrize(
    "kwargs, key",
    [({"budget": 0}, "budget"), ({"gradient": "bptt"}, "gradient"), ({"criteria": ("window",)}, "criteria"), ({"primary": "window_mae"}, "primary"), ({"lr": -1}, "lr")],
)
def test_bad_protocol_options_name_the_key(kwargs, key):
    with pytest.raises(ValueError, match=f"^{key}: "):
        Protocol(**kwargs)


def test_progress_is_logged(caplog):
    caplog.set_level("INFO", logger="lstm1997.protocol")
    train(10, [0], protocol=Protocol(budget=2000), log_every=0.0)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4
    assert lines[0].startswith("T=10 seeds [0]: Lstm97(net=Net(in_gate_bias=(-3.0, -6.0)")
    progress = [line for line in lines if "sequences | window mse" in line]
    assert len(progress) == 2 and progress[-1].startswith("T=10 seed=0: 2,000/2,000 sequences | window mse ")
    assert "correct of last 2000: " in progress[-1] and "seq/s | ETA <= 0:00:00" in progress[-1]
    assert lines[-1].startswith("T=10 seed=0: done after 2,000 sequences")


@pytest.mark.parametrize("until, then", [("all", "going on for cumulative_mse"), ("primary", "stopping")])
def test_meeting_the_papers_rule_is_logged_when_it_happens(caplog, until, then):
    caplog.set_level("INFO", logger="lstm1997.protocol")
    result = train(10, [0], protocol=Protocol(**{**EASY.__dict__, "until": until}), log_every=1e9)[0]
    met = [r.getMessage() for r in caplog.records if "met the paper's rule" in r.getMessage()]
    assert met == [f"T=10 seed=0: met the paper's rule (window_mse) at {result.success['window_mse']:,} sequences; {then}"]


def test_a_warm_up_logs_no_training_run(caplog):
    caplog.set_level("INFO", logger="lstm1997.protocol")
    warm_up(Lstm97())
    assert caplog.records == []


def test_progress_of_many_runs_is_one_summary_line(caplog):
    """A sweep's line: its rates are those since the last line (every run's sequences, time steps of T = 10 at
    10.5 steps a sequence), its ETA the slowest run's pace to the budget."""
    caplog.set_level("INFO", logger="lstm1997.protocol")
    train(10, list(range(17)), protocol=Protocol(budget=2000), log_every=0.0)
    assert caplog.records[0].getMessage().startswith("T=10 seeds 0-16 (17 runs): Lstm97(")  # not every seed
    progress = [r.getMessage() for r in caplog.records if "sequences" in r.getMessage() and "done after" not in r.getMessage()]
    assert [line.split(" | ")[0] for line in progress] == ["T=10: 17 of 17 runs active, 1,000-1,000/2,000 sequences"] + [
        "T=10: 17 of 17 runs active, 2,000-2,000/2,000 sequences"
    ]
    for line in progress:
        rates = re.search(r"\| ([\d,]+) seq/s, ([\d.]+) M time steps/s in all \| ETA <= (\S+)$", line)
        per_second = int(rates[1].replace(",", ""))
        assert per_second > 0 and float(rates[2]) == pytest.approx(per_second * 10.5 / 1e6, abs=0.051)
    assert float(re.search(r"ETA <= 0:00:(\d+)", progress[0])[1]) >= 0 and progress[-1].endswith("ETA <= 0:00:00")


def test_paper_defaults_train_bit_for_bit_as_pinned():
    """Net(), Protocol() and the registry's lstm1997 are one network: the same bytes after 1,000 sequences.

    The digest pins the engine's arithmetic: any change to it, or to a default, fails here.
    """
    from lstm1997.variants import resolve

    setting = resolve("lstm1997", {})
    assert setting.net == Net() and setting.protocol == Protocol()
    assert Net() == Net(in_gate_bias=(-3.0, -6.0), out_gate_bias=None, init_range=0.1, output="sigmoid", connectivity="full", forget_gate=False)
    result = train(100, [0], setting.model, Protocol(budget=1000))[0]
    digest = hashlib.sha256(lstm97.pack(result.weights["end"]).tobytes()).hexdigest()
    assert digest == "bd51eaaf4b37a5b3e0b976c1f8ffee873e14346523764df7b63eaf38228427ab"


PINNED = {
    "paper": (Net(), "061eb8863f6ea674", "786ebe6c52abeaff"),
    "linear": (Net(output="linear"), "2ad9040ee5766e1d", "039eaebdfd8b8f85"),
    "cells": (Net(connectivity="cells", out_gate_bias=(-2.0, -4.0)), "02e629df986e5039", "4c60380ca204ff68"),
    "forget": (Net(forget_gate=True), "b90dd0a39ee3e362", "1cd480273b52bf6c"),
    "random_gates": (Net(in_gate_bias=None, init_range=0.2), "a5f19a55b8167f8c", "e42ef85f40a63725"),
}
"""Digests of 4 runs' weights after 300 sequences (T = 30, E = (t - y)^2, mixed lrs and counts), truncated
and full gradient, computed by the engine before its options became one value: the options' defaults
(which biases learn, cell biases, squash ranges, starting activations) leave every published run's bytes."""


@pytest.mark.parametrize("name", PINNED)
def test_existing_networks_train_bit_for_bit_as_before_the_options(name):
    net, *digests = PINNED[name]
    data = task.stack([task.generate(30, 300, task.rng(k, "train", 30, 0)) for k in range(2)])
    model = Lstm97(net)
    theta0 = np.stack([model.init(task.rng(r, "init")) for r in range(4)])
    for gradient, digest in zip(lstm97.GRADIENTS, digests):
        theta = theta0.copy()
        args = (np.array([0, 1, 0, 1]), np.array([300, 300, 150, 300]), np.array([0.5, 1.0, 0.5, 0.1]), np.zeros((4, 300)))
        model.train_runs(theta, *data, *args, gradient, "squared")
        assert hashlib.sha256(theta.tobytes()).hexdigest()[:16] == digest, gradient


@pytest.mark.parametrize("kind", lstm97.GRADIENTS)
@pytest.mark.parametrize(
    "net, n_frozen",
    [(Net(learned_biases=()), 9), (Net(learned_biases=("in_gate", "out_gate", "output"), output="linear"), 4), (Net(cell_bias=False), 4)],
)
def test_frozen_weights_do_not_move_in_1000_sequences(net, n_frozen, kind):
    """Every bias the network freezes keeps its initial value exactly; every other weight moves."""
    result = train(20, [0], Lstm97(net), Protocol(budget=1000, gradient=kind))[0]
    start, end = (lstm97.pack(w) for w in (lstm97.init_weights(net, task.rng(0, "init")), result.weights["end"]))
    frozen = net.trainable() == 0.0
    assert frozen.sum() == n_frozen
    assert np.array_equal(end[frozen], start[frozen])
    assert np.all(end[~frozen] != start[~frozen])


def test_both_network_kinds_are_models():
    from lstm1997.nnlstm import NNLstm
    from lstm1997.protocol import Model

    members = [name for name in dir(Model) if not name.startswith("_")] + list(Model.__annotations__)
    assert len(members) == 11
    for model in (Lstm97(), NNLstm()):
        assert isinstance(model, Model) and all(hasattr(model, name) for name in members)
    assert not isinstance(object(), Model)


def test_snapshots_every_n_sequences_are_the_weights_of_a_run_stopped_there():
    result = train(10, [0], protocol=Protocol(budget=4500, snapshot_every=2000))[0]
    assert [k for k in result.weights if k.startswith("after_")] == ["after_2000", "after_4000"]
    stopped = train(10, [0], protocol=Protocol(budget=4000))[0]
    assert weights_equal(result.weights["after_4000"], stopped.weights["end"])
    with pytest.raises(ValueError, match="^snapshot_every: must be 0 or a positive multiple of 1000, got 1500"):
        Protocol(snapshot_every=1500)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": float("inf")}, "lr: must be a finite number > 0, got inf"),
        ({"lr": True}, "lr: must be a finite number > 0, got True"),
        ({"lr": "0.5"}, "lr: must be a finite number > 0, got '0.5'"),
        ({"budget": 2.5}, "budget: must be an integer >= 1, got 2.5"),
        ({"window": 2.5}, "window: must be an integer >= 1, got 2.5"),
        ({"error_threshold": -1}, "error_threshold: must be a finite number > 0, got -1"),
        ({"error_threshold": float("nan")}, "error_threshold: must be a finite number > 0, got nan"),
        ({"correct_threshold": "x"}, "correct_threshold: must be a finite number > 0, got 'x'"),
        ({"marked_first_marker": 0.5}, "marked_first_marker: must be one of [-1.0, 1.0], got 0.5"),
        ({"marked_first_marker": True}, "marked_first_marker: must be one of [-1.0, 1.0], got True"),
        ({"criteria": "window_mse"}, "criteria: must be a non-empty list of"),
    ],
)
def test_bad_protocol_values_name_the_key(kwargs, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        Protocol(**kwargs)


def test_a_diverging_run_stops_as_failed_and_tests_all_wrong():
    """lr 1000 with a linear output: the weights overflow; the run stops in that block, failed, with the count."""
    model = Lstm97(Net(output="linear"))
    result = train(10, [0], model, Protocol(lr=1000.0, budget=50_000))[0]
    assert result.diverged is not None and 0 < result.diverged <= result.sequences == task.BLOCK
    assert result.success == {"window_mse": None, "cumulative_mse": None}
    data = task.make_dataset(10, 50, seed=1)
    evaluation = evaluate(result.weights["end"], data, model)
    assert evaluation.wrong == 50 and evaluation.mse is None
    nan_weights = {k: np.full_like(v, np.nan) for k, v in result.weights["end"].items()}
    assert evaluate(nan_weights, data, model).wrong == 50
    assert train(10, [0], model, Protocol(budget=2000))[0].diverged is None


@pytest.mark.parametrize(("window", "blocks", "back", "back_later"), [(200, 3, 1, 1), (2000, 1, 1, 2), (2000, 3, 2, 2)])
def test_a_killed_training_resumes_from_its_checkpoint_to_the_same_results(tmp_path, monkeypatch, window, blocks, back, back_later):
    """Killed after ``blocks`` blocks, saved after every block: the state holds no stopping rule's tail but the
    weights ``back`` blocks before (the window's blocks, or all so far); the rerun trains those again for the
    tails and starts at the block it was killed in; killed again a block later (``back_later`` blocks kept), and
    rerun, it ends with the same bytes."""
    seeds, protocol = [0, 1], replace(EASY, window=window)
    whole = train(10, seeds, protocol=protocol)
    checkpoint = protocol_module.Checkpoint(tmp_path / "train.checkpoint", key="code", every=0.0)
    killed_after(blocks, monkeypatch, lambda: train(10, seeds, protocol=protocol, checkpoint=checkpoint))
    digest = checkpoint.digest(10, [protocol_module.start(s, Lstm97(), protocol) for s in seeds], Lstm97(), protocol)
    state = checkpoint.load(digest)
    assert state["index"] == blocks and [len(run.rule.tail) for run in state["runs"]] == [0, 0]
    assert state["back"][0] == back and state["back"][1].shape == (2, Lstm97().n_params)
    assert checkpoint.load(digest.replace(digest[0], "x", 1)) is None  # another call's state is never resumed
    killed_after(1, monkeypatch, lambda: train(10, seeds, protocol=protocol, checkpoint=checkpoint))
    assert checkpoint.load(digest)["index"] == blocks + 1 and checkpoint.load(digest)["back"][0] == back_later
    assert_same_results(whole, train(10, seeds, protocol=protocol, checkpoint=checkpoint))
    assert whole[0].sequences > 4 * task.BLOCK


@pytest.mark.parametrize("damage", ["weights", "tails"])
def test_a_checkpoint_whose_blocks_train_to_other_weights_or_errors_is_refused(tmp_path, monkeypatch, damage):
    """Weights a block back that do not train to the saved weights, or errors other than the saved tails' (a
    changed engine, a damaged file): resuming names the checkpoint and stops instead of training on wrong tails."""
    checkpoint = protocol_module.Checkpoint(tmp_path / "train.checkpoint", key="code", every=0.0)
    killed_after(3, monkeypatch, lambda: train(10, [0], protocol=EASY, checkpoint=checkpoint))
    state = checkpoint.load(checkpoint.digest(10, [protocol_module.start(0, Lstm97(), EASY)], Lstm97(), EASY))
    checkpoint.save(state | ({"back": (1, state["back"][1] + 1e-9)} if damage == "weights" else {"tails": "0" * 64}))
    message = f"checkpoint {checkpoint.path}: training blocks 2-2 again did not reach its weights and errors"
    with pytest.raises(RuntimeError, match="^" + re.escape(message)):
        train(10, [0], protocol=EASY, checkpoint=checkpoint)


@pytest.mark.parametrize("engine_name", lstm97.ENGINES)
def test_training_a_block_ahead_gives_the_same_bytes(engine_name):
    """The device's overlap (the next block trains while the host absorbs this one), here on a CPU engine: runs
    that meet the rule inside a block, diverge, or spend the budget stop at the same counts with the same weights,
    snapshots and curves as without it."""
    model = Lstm97(Net(output="linear"), engine=engine_name)
    starts, protocol = stopping_mix(model)
    alone = train_from(10, starts, model, protocol, ahead=False)
    assert_same_results(alone, train_from(10, starts, model, protocol, ahead=True))
    met = [r.success["window_mse"] for r in alone if r.success["window_mse"]]
    assert len(met) >= 3 and any(n % task.BLOCK for n in met) and len({n // task.BLOCK for n in met}) >= 2
    assert alone[6].diverged is not None and alone[7].sequences == protocol.budget and "after_8000" in alone[7].weights


@pytest.mark.parametrize("window", [200, 1500])
def test_a_block_ahead_is_saved_after_its_runs_settle(tmp_path, monkeypatch, window):
    """Killed just after the first block in which a run stopped inside it, its replay slowed down: the checkpoint
    holds that run's end weights (and, for the others' tails, their weights one or two blocks back), and the resumed
    training the same bytes as one without a block ahead."""
    model = Lstm97(Net(output="linear"))
    starts, protocol = stopping_mix(model)
    protocol = replace(protocol, window=window)
    whole = train_from(10, starts, model, protocol, ahead=False)
    stopped = min(r.sequences // task.BLOCK for r in whole if r.sequences % task.BLOCK and r.diverged is None)
    real_replay = protocol_module._replay
    monkeypatch.setattr(protocol_module, "_replay", lambda *args: time.sleep(0.2) or real_replay(*args))
    checkpoint = protocol_module.Checkpoint(tmp_path / "train.checkpoint", every=0.0)
    killed_after(stopped + 1, monkeypatch, lambda: train_from(10, starts, model, protocol, checkpoint=checkpoint, ahead=True))
    assert_same_results(whole, train_from(10, starts, model, protocol, checkpoint=checkpoint, ahead=True))


def test_what_fails_on_the_devices_thread_is_raised(monkeypatch):
    """A replay that fails on the device's thread (the first block's, which has nothing to replay) stops the training
    with its error, though later blocks settle."""
    model = Lstm97(Net(output="linear"))
    starts, protocol = stopping_mix(model)
    calls, real_replay = [], protocol_module._replay

    def first_fails(*args):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("replay failed")
        return real_replay(*args)

    monkeypatch.setattr(protocol_module, "_replay", first_fails)
    with pytest.raises(RuntimeError, match="^replay failed$"):
        train_from(10, starts, model, protocol, ahead=True)
    assert len(calls) >= 2


def test_a_run_shorter_than_its_curve_step_keeps_an_empty_curve():
    result = train(10, [0], protocol=Protocol(budget=3000, curve_every=5000))[0]
    assert result.sequences == 3000 and result.curve["sequences"].dtype == np.int64
    assert set(result.curve) == {"sequences", *MEASURES} and all(len(values) == 0 for values in result.curve.values())


def test_a_checkpoint_of_other_settings_is_not_resumed(tmp_path):
    checkpoint = protocol_module.Checkpoint(tmp_path / "train.checkpoint", key="code", every=0.0)
    other = Protocol(**{**EASY.__dict__, "lr": 0.25})
    checkpoint.save({"digest": checkpoint.digest(10, [protocol_module.start(0, Lstm97(), other)], Lstm97(), other), "runs": [], "index": 7, "elapsed": 0.0})
    result = train(10, [0], protocol=EASY, checkpoint=checkpoint)[0]
    assert result.sequences == train(10, [0], protocol=EASY)[0].sequences > 0

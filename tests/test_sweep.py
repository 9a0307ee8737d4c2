"""The robustness sweep's training: cells share seeds, a cell at the base setting equals an ordinary run, a killed sweep
resumes."""

import dataclasses
import pickle

import pandas as pd
import pytest
from conftest import killed_after

from lstm1997 import gpu, sweep
from lstm1997.protocol import Checkpoint, train
from lstm1997.variants import resolve

EASY = {"window": 200, "correct_threshold": 0.2, "error_threshold": 0.02}


def _easy(label: str, entry: dict | None = None, engine: str = "scalar"):
    """A config's setting with the stopping rule relaxed so that T = 10 succeeds within a small budget."""
    setting = resolve(label, entry, engine)
    return dataclasses.replace(setting, protocol=dataclasses.replace(setting.protocol, **EASY))


@pytest.mark.parametrize("engine", ["scalar", "batched"])
def test_cell_at_the_base_setting_equals_an_ordinary_run(engine):
    # a config variant, not a registry one: the cell inputs' bias weights keep their initial values
    base = _easy("lin_bias_iok", {"base": "lstm1997", "net": {"output": "linear", "learned_biases": ["in_gate", "out_gate", "output"]}}, engine)
    trials = sweep.run(base, sweep.Grid((-3.0, -6.0), (0.5, 1.0), trials=2), 10, budget=20_000)
    assert len(trials) == 4 * 2 * 2 and set(trials["trial"]) == {0, 1}
    protocol = dataclasses.replace(base.protocol, budget=20_000, criteria=("window_mse",), until="primary")
    for seed in (0, 1):
        expected = train(10, [seed], base.model, protocol)[0]
        row = trials[(trials["bias1"] == -3.0) & (trials["bias2"] == -6.0) & (trials["lr"] == 0.5) & (trials["trial"] == seed)]
        assert row["sequences"].item() == expected.sequences and row["success"].item() == expected.success["window_mse"]
    assert trials["success"].notna().any()
    faster = trials.groupby("lr")["sequences"].median()
    assert faster.loc[1.0] != faster.loc[0.5]


def test_a_killed_sweep_resumes_from_its_checkpoint_to_the_same_trials(tmp_path, monkeypatch, caplog):
    base, grid = _easy("lstm1997_linear", None, "batched"), sweep.Grid((0.0, -3.0), (0.5,), trials=2)
    whole = sweep.run(base, grid, 10, budget=8_000)
    checkpoint = Checkpoint(tmp_path / "train.checkpoint", every=0.0)
    blocks = killed_after(2, monkeypatch, lambda: sweep.run(base, grid, 10, budget=8_000, checkpoint=checkpoint))
    assert blocks == [0, 1] and checkpoint.path.exists()
    assert all(run.curve == [] for run in pickle.loads(checkpoint.path.read_bytes())["runs"])  # a sweep carries no curves
    with caplog.at_level("INFO", logger="lstm1997.protocol"):
        resumed = sweep.run(base, grid, 10, budget=8_000, checkpoint=checkpoint)
    pd.testing.assert_frame_equal(resumed, whole)
    assert "at block 2 (0 of 8 runs finished, the others at 2,000 sequences)" in caplog.text  # 4 cells x 2, killed in block 2
    assert whole["sequences"].min() > 2 * 1000 and whole["success"].notna().any()


def test_sweep_needs_a_1997_network():
    with pytest.raises(ValueError, match="^sweep.base: must name a 1997-network variant"):
        sweep.run(resolve("asker", {}), sweep.Grid((0.0,), (0.5,), trials=1), 10, budget=10)


@pytest.mark.skipif(gpu.available(), reason="a CUDA GPU is present")
def test_sweep_on_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match="^sweep.engine: 'cuda' needs a CUDA GPU"):
        sweep.run(resolve("lstm1997", {}), sweep.Grid((0.0,), (0.5,), trials=1, engine="cuda"), 10, budget=10)

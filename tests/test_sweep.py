"""The robustness sweep: cells share seeds, a cell at the registry's own setting equals an ordinary run."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from lstm1997 import gpu, sweep
from lstm1997.protocol import train
from lstm1997.variants import resolve

EASY = {"window": 200, "correct_threshold": 0.2, "error_threshold": 0.02}


def test_cell_at_the_variants_setting_equals_an_ordinary_run(monkeypatch):
    # relax the stopping rule of the registry variant so that T = 10 succeeds within the budget
    setting = resolve("lstm1997_linear", {})
    relaxed = dataclasses.replace(setting.protocol, **EASY)
    monkeypatch.setattr(sweep, "resolve", lambda base, entry: dataclasses.replace(setting, protocol=relaxed))
    grid = sweep.Grid("lstm1997_linear", (-3.0, -6.0), (0.5, 1.0), trials=2)
    trials = sweep.run(grid, 10, budget=20_000)
    assert len(trials) == 4 * 2 * 2 and set(trials["trial"]) == {0, 1}
    protocol = dataclasses.replace(relaxed, budget=20_000, criteria=("window_mse",), until="primary")
    for seed in (0, 1):
        expected = train(10, [seed], setting.model, protocol)[0]
        row = trials[(trials["bias1"] == -3.0) & (trials["bias2"] == -6.0) & (trials["lr"] == 0.5) & (trials["trial"] == seed)]
        assert row["sequences"].item() == expected.sequences and row["success"].item() == expected.success["window_mse"]
    assert trials["success"].notna().any()
    faster = trials.groupby("lr")["sequences"].median()
    assert faster.loc[1.0] != faster.loc[0.5]


def test_summary_counts_successes_per_cell():
    trials = sweep.run(sweep.Grid("lstm1997", (0.0,), (0.5,), trials=3), 10, budget=500)
    cells = sweep.summarize(trials)
    assert len(cells) == 1 and cells["trials"].item() == 3 and cells["successes"].item() == 0
    assert cells["success_probability"].item() == 0.0 and np.isnan(cells["median_sequences"].item())
    facts = sweep.facts(cells)
    assert facts[["T", "lr", "pairs", "good"]].values.tolist() == [[10, 0.5, 1, 0]]
    assert np.isnan(facts["paper"].item()) and facts["weakest"].item() == [(0.0, 0.0, 0.0)]


def test_facts_find_the_papers_pair_and_the_weakest():
    cells = pd.DataFrame(
        [(100, b1, b2, 0.5, p) for (b1, b2), p in {(-3.0, -6.0): 1.0, (0.0, 0.0): 0.5, (-8.0, -8.0): 0.0, (-1.0, -1.0): 0.95}.items()],
        columns=["T", "bias1", "bias2", "lr", "success_probability"],
    )
    facts = sweep.facts(cells).iloc[0]
    assert facts["pairs"] == 4 and facts["good"] == 2 and facts["paper"] == 1.0
    assert facts["weakest"] == [(-8.0, -8.0, 0.0), (0.0, 0.0, 0.5), (-1.0, -1.0, 0.95)]


def test_sweep_needs_a_1997_network():
    with pytest.raises(ValueError, match="^sweep.base: must name a 1997-network variant"):
        sweep.run(sweep.Grid("asker", (0.0,), (0.5,), trials=1), 10, budget=10)


@pytest.mark.skipif(gpu.available(), reason="a CUDA GPU is present")
def test_sweep_on_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match="^sweep.engine: 'cuda' needs a CUDA GPU"):
        sweep.run(sweep.Grid("lstm1997", (0.0,), (0.5,), trials=1, engine="cuda"), 10, budget=10)

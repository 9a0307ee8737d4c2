"""The plateau anatomy: weight names, the escape point, snapshots read back, movers, cell-state drift."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from lstm1997 import anatomy, engine, lstm97, task
from lstm1997.io import write_csv, write_npz
from lstm1997.lstm97 import Lstm97, Net
from lstm1997.protocol import Protocol, train
from lstm1997.trials import _write_trial, weights_arrays
from lstm1997.variants import REGISTRY, Setting


def test_weight_names_follow_the_layout():
    names = anatomy.weight_names(Net())
    assert len(names) == 93 and names[0] == "cell1.bias" and names[11 * 4] == "in_gate1.bias"
    assert names[11 * 4 + 3] == "in_gate1.y_c1" and names[-5:] == ["output.bias", "output.y_c1", "output.y_c2", "output.y_c3", "output.y_c4"]
    assert len(anatomy.weight_names(Net(forget_gate=True))) == 115


def test_escape_is_the_first_row_below_the_plateau():
    curve = pd.DataFrame({"sequences": [1000, 2000, 3000, 4000], "window_mse": [0.052, 0.041, 0.0004, 0.0001]})
    assert anatomy.escape(curve) == 3000
    assert anatomy.escape(curve.iloc[:2]) is None


def test_trajectory_reads_the_runs_snapshots_back(tmp_path):
    model = Lstm97()
    result = train(10, [3], model, Protocol(budget=3000, snapshot_every=1000))[0]
    write_npz(tmp_path / "weights.npz", weights_arrays(result))
    sequences, thetas = anatomy.trajectory(tmp_path / "weights.npz", model, seed=3)
    assert sequences.tolist() == [0, 1000, 2000, 3000]
    assert np.array_equal(thetas[0], model.init(task.rng(3, "init")))
    assert np.array_equal(thetas[3], lstm97.pack(result.weights["end"]))
    moved = anatomy.movers(sequences, thetas, Net(), until=2500, k=3)
    assert moved["weight"].nunique() == 3 and len(moved) == 12
    first = moved["weight"].iloc[0]
    change = lambda name: abs(np.diff(moved.loc[(moved["weight"] == name) & moved["sequences"].isin([0, 2000]), "value"])[0])
    assert change(first) == pytest.approx(np.abs(thetas[2] - thetas[0]).max(), rel=1e-12)


def test_cell_states_drift_linearly_under_a_bias_alone():
    """All weights 0 but the cell biases b and open input gates: s_c(t) = t g(b), the drift of 5.4."""
    w = {name: np.zeros(shape) for name, shape in lstm97.SHAPES.items()}
    w["cell"][:, 0] = [0.1, -0.1, 0.2, 0.0]
    w["in_gate"][:, 0] = 50.0  # sigmoid(50) == 1.0 in float64
    x = task.make_dataset(20, 1, seed=0).inputs[0, :20]
    states = anatomy.cell_states(Net(), lstm97.pack(w), x)
    g = 4.0 / (1.0 + np.exp(-np.array([0.1, -0.1, 0.2, 0.0]))) - 2.0
    np.testing.assert_allclose(states, np.arange(1, 21)[:, None] * g, rtol=1e-12, atol=1e-15)
    no_bias = anatomy.cell_states(Net(cell_bias=False), lstm97.pack(w | {"cell": np.zeros((4, 11))}), x)
    assert np.all(no_bias == 0.0) and states.shape == (20, engine.N_CELLS)


def test_drift_points_are_the_start_half_the_escape_and_the_escape():
    sequences = np.arange(0, 50_001, 5000)
    assert anatomy.drift_points(sequences, 22_000) == {"start": 0, "plateau": 2, "escape": 5}  # 10,000 and 25,000
    assert anatomy.drift_points(sequences, 25_000) == {"start": 0, "plateau": 2, "escape": 5}  # 25,000 is at the escape
    assert anatomy.drift_points(sequences, 30_000) == {"start": 0, "plateau": 3, "escape": 6}  # 15,000 is on the plateau
    with pytest.raises(ValueError, match="no weight snapshot at or after the escape"):
        anatomy.drift_points(sequences, 50_001)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """A finished run folder at T = 10 (seed 3, snapshots every 1000), its curve crafted to escape after 2000."""
    folder = tmp_path_factory.mktemp("run")
    net = Net(output="linear", learned_biases=("cell", "output"))
    setting = Setting("lin_bias_ck", REGISTRY["lstm1997"], net, Protocol(budget=3000, snapshot_every=1000))
    result = train(10, [3], setting.model, setting.protocol)[0]
    _write_trial(setting, 10, 3, 1, result, folder / "summary.json", folder / "curve.csv", folder / "weights.npz")
    write_csv(folder / "curve.csv", pd.DataFrame({"sequences": [1000, 2000, 3000], "window_mse": [0.052, 0.015, 0.001]}))
    return folder, setting, result


def test_drift_follows_the_cells_at_the_start_half_the_escape_and_the_escape(run_folder):
    folder, setting, result = run_folder
    name, states, marks = anatomy.run_drift(folder)
    data = task.make_dataset(10, 1, anatomy.SEQUENCE_SEED)
    x = data.inputs[0, : data.lengths[0]]
    assert name == "lin_bias_ck, trial 3" and list(states) == ["start", "plateau", "escape"]
    assert [n for n, _ in states.values()] == [0, 1000, 2000]
    assert np.array_equal(states["start"][1], anatomy.cell_states(setting.net, setting.model.init(task.rng(3, "init")), x))
    assert np.array_equal(states["escape"][1], anatomy.cell_states(setting.net, lstm97.pack(result.weights["after_2000"]), x))
    assert states["plateau"][1].shape == (len(x), 4) and not np.array_equal(states["plateau"][1], states["start"][1])
    assert marks.tolist() == np.flatnonzero(x[:, 1] == 1.0).tolist() and len(marks) == 2


def test_the_cli_draws_the_drift_and_the_movers(run_folder, tmp_path):
    folder, _, _ = run_folder
    anatomy.main(["--drift", str(tmp_path / "drift.png"), str(folder), str(folder)])
    anatomy.main([str(tmp_path / "anatomy.png"), str(folder)])
    assert all((tmp_path / f).stat().st_size > 10_000 for f in ("drift.png", "drift.svg", "anatomy.png", "anatomy.svg"))


def test_a_run_without_snapshots_is_refused(run_folder, tmp_path):
    folder, _, result = run_folder
    for name in ("summary.json", "curve.csv"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    write_npz(tmp_path / "weights.npz", weights_arrays(dataclasses.replace(result, weights={"end": result.weights["end"]})))
    with pytest.raises(ValueError, match="holds no snapshots"):
        anatomy.read_run(tmp_path)

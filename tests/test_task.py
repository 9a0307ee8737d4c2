"""The adding problem's generator against the paper's specification (5.4) on >= 100,000 sequences."""

import hashlib
import re

import numpy as np
import pytest

from lstm1997 import task

T = 100
N = 100_000


@pytest.fixture(scope="module")
def data():
    return task.make_dataset(T, N, seed=7)


def marks(data):
    return data.inputs[:, :, 1] == 1.0


def test_shapes_and_dtypes(data):
    assert data.inputs.shape == (N, T + T // 10, 2)
    assert data.inputs.dtype == data.targets.dtype == np.float64
    assert data.lengths.shape == data.targets.shape == (N,)


def test_lengths_uniform_over_T_to_T_plus_T_over_10(data):
    counts = np.bincount(data.lengths - T)
    assert len(counts) == T // 10 + 1
    expected = N / (T // 10 + 1)
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


def test_padding_is_zero(data):
    beyond = np.arange(data.inputs.shape[1]) >= data.lengths[:, None]
    assert np.all(data.inputs[beyond] == 0.0)


def test_exactly_two_marks_and_end_markers(data):
    m = data.inputs[:, :, 1]
    assert np.all(marks(data).sum(axis=1) == 2)
    assert np.all(m[np.arange(N), data.lengths - 1] == -1.0)
    first_marked = m[:, 0] == 1.0
    assert np.all(m[~first_marked, 0] == -1.0)
    assert np.all((m == -1.0).sum(axis=1) == np.where(first_marked, 1, 2))
    assert set(np.unique(m)) == {-1.0, 0.0, 1.0}


def test_mark_positions(data):
    pos = np.sort(np.nonzero(marks(data))[1].reshape(N, 2), axis=1)
    assert np.all(pos[:, 0] < task.FIRST_MARK_RANGE)
    assert np.all(pos[:, 1] < T // 2)
    freq = marks(data)[:, : T // 2].mean(axis=0)
    later = 1 / (T // 2 - 1)
    early = 1 / 10 + 9 / 10 * later
    assert np.allclose(freq[:10], early, atol=5 * np.sqrt(early / N))
    assert np.allclose(freq[10:], later, atol=5 * np.sqrt(later / N))
    assert marks(data)[:, T // 2 :].sum() == 0


def test_marked_first_pair_has_value_zero(data):
    first_marked = data.inputs[:, 0, 1] == 1.0
    assert 0.08 < first_marked.mean() < 0.12
    assert np.all(data.inputs[first_marked, 0, 0] == 0.0)
    assert np.any(data.inputs[~first_marked, 0, 0] != 0.0)


def test_values_uniform_in_minus_one_one(data):
    real = np.arange(data.inputs.shape[1]) < data.lengths[:, None]
    values = data.inputs[:, 1:, 0][real[:, 1:]]
    assert values.min() >= -1.0 and values.max() < 1.0
    assert abs(values.mean()) < 1e-3
    assert abs(values.var() - 1 / 3) < 1e-3


def test_target_formula_and_statistics(data):
    x = np.where(marks(data), data.inputs[:, :, 0], 0.0).sum(axis=1)
    assert np.array_equal(data.targets, 0.5 + x / 4.0)
    assert data.targets.min() >= 0.0 and data.targets.max() <= 1.0
    # var = (var X1 + var X2) / 16; X1 is zero with probability 1/10, X2 with probability 9/10 * 1/49 * 1/10
    var = (0.9 / 3 + (1 - 0.9 / 49 / 10) / 3) / 16
    assert abs(data.targets.mean() - 0.5) < 5 * np.sqrt(var / N)
    assert abs(data.targets.var() - var) < 0.001


def test_marked_first_pair_marker_option():
    d = task.make_dataset(20, 5000, seed=1, marked_first_marker=-1.0)
    first_marked = d.inputs[:, 0, 0] == 0.0
    assert np.all(d.inputs[:, 0, 1] == -1.0)
    assert np.all((d.inputs[:, :, 1] == 1.0).sum(axis=1) == np.where(first_marked, 1, 2))
    with pytest.raises(ValueError, match="marked_first_marker"):
        task.make_dataset(20, 5, seed=1, marked_first_marker=0.0)


@pytest.mark.parametrize("T", [9, 11, 8, 101, 0, -4, 10.0, True])
def test_bad_T_is_rejected(T):
    with pytest.raises(ValueError, match="T: must be an even integer >= 10"):
        task.make_dataset(T, 5, seed=0)


def test_small_T_keeps_the_end_marker_apart_from_marks():
    d = task.make_dataset(10, 20_000, seed=3)
    assert np.all(marks(d).sum(axis=1) == 2)
    assert np.all(np.nonzero(marks(d))[1] < 10)


def test_stream_is_independent_of_consumption_and_purpose():
    blocks = task.stream(T, seed=5)
    first, second = next(blocks), next(blocks)
    again = task.stream(T, seed=5)
    assert np.array_equal(next(again).inputs, first.inputs)
    assert np.array_equal(next(again).targets, second.targets)
    test = task.make_dataset(T, 2 * task.BLOCK + 10, seed=5)
    assert not np.array_equal(test.targets[: task.BLOCK], first.targets)
    assert np.array_equal(task.make_dataset(T, 10, seed=5).inputs, test.inputs[:10])


def test_same_seed_same_bytes_on_every_machine():
    d = task.make_dataset(100, 3, seed=0)
    digest = hashlib.sha256(d.inputs.tobytes() + d.lengths.astype(np.int64).tobytes() + d.targets.tobytes()).hexdigest()
    assert digest == "b500327e409d731d1b9d63c2ffba77726510a560d44ca3047b0c529a63b3b8b6"


def test_save_load_roundtrip(tmp_path):
    d = task.make_dataset(20, 50, seed=2)
    d.save(tmp_path / "d.npz")
    e = task.AddingData.load(tmp_path / "d.npz")
    assert e.T == 20
    for k in ("inputs", "lengths", "targets"):
        assert np.array_equal(getattr(d, k), getattr(e, k))
    assert [p.name for p in tmp_path.iterdir()] == ["d.npz"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"seed": -1}, "seed: must be an integer >= 0, got -1"),
        ({"seed": None}, "seed: must be an integer >= 0, got None"),
        ({"n": 2.5}, "n: must be an integer >= 1, got 2.5"),
        ({"n": "5"}, "n: must be an integer >= 1, got '5'"),
        ({"n": 0}, "n: must be an integer >= 1, got 0"),
        ({"T": 10**7, "n": 2000}, "n, T: 2,000 sequences at T=10,000,000 need 737.6 GiB;"),
    ],
)
def test_bad_dataset_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        task.make_dataset(**({"T": 10, "n": 5, "seed": 0} | kwargs))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lengths": np.array([22, 23])}, "lengths: must lie in 1 .. 22 (the padded width of inputs), got 22 .. 23"),
        ({"lengths": np.array([0, 20])}, "lengths: must lie in 1 .. 22 (the padded width of inputs), got 0 .. 20"),
        ({"targets": np.zeros(3)}, "AddingData: inputs must be (n, width, 2), lengths and targets (n,); got (2, 22, 2), (2,), (3,)"),
        ({"inputs": np.zeros((2, 22))}, "AddingData: inputs must be (n, width, 2), lengths and targets (n,); got (2, 22), (2,), (2,)"),
    ],
)
def test_data_that_the_kernels_would_read_beyond_is_rejected(change, message):
    d = task.make_dataset(20, 2, seed=0)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        task.AddingData(**({"T": 20, "inputs": d.inputs, "lengths": d.lengths, "targets": d.targets} | change))


@pytest.mark.parametrize("n", [1, 7, 999, 1000, 1001, 2560])
def test_a_dataset_is_the_streams_prefix_however_few_sequences_it_keeps(n):
    """make_dataset draws only the sequences it keeps, and they are the test stream's first n, bit for bit."""
    blocks = [task.block(30, 3, index, "test") for index in range(-(-n // task.BLOCK))]
    whole = task.concat(blocks, n)
    kept = task.make_dataset(30, n, seed=3)
    for k in ("inputs", "lengths", "targets"):
        assert np.array_equal(getattr(kept, k), getattr(whole, k))


def test_one_sequence_of_a_very_long_lag_holds_one_sequence_in_memory():
    data = task.make_dataset(200_000, 1, seed=0)
    assert data.inputs.shape == (1, task.max_length(200_000), 2) and 200_000 <= data.lengths[0] <= 220_000

"""The bound a run prints at its start (Snakefile onstart, lstm1997.estimate): CPU-hours and wall time of the
training it is about to do, and the README's figures for the paper's reproduction."""

import re

import yaml
from conftest import REPO

from lstm1997 import estimate
from lstm1997.estimate import Job

SCALAR = estimate.DEFAULT_RATES["scalar"]["truncated"]


def paper_jobs(engine="scalar", lanes=1, threads=10):
    """config/config.yaml's train jobs: every (variant, T), its 10 trials side by side."""
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    return [
        Job(f"{v} T={T}", "lstm97", engine, "truncated", T, config["trials"], config["budget"][T], threads, lanes)
        for v in config["variants"]
        for T in config["T"]
    ]


def test_a_run_counts_to_its_budget_at_the_rate_of_its_engine():
    job = Job("x T=100", "lstm97", "scalar", "truncated", 100, 1, 1_000_000, 1)
    e = estimate.estimate([job], {}, 1)
    assert e.steps == 105_000_000 and e.cpu_seconds == e.wall_seconds == 105_000_000 / SCALAR


def test_a_batched_group_costs_its_sixteen_lanes_whatever_runs_fill_it():
    ten, sixteen = (Job("x T=100", "lstm97", "batched", "truncated", 100, runs, 100_000, 1, 16) for runs in (10, 16))
    assert estimate.estimate([ten], {}, 2).cpu_seconds == estimate.estimate([sixteen], {}, 2).cpu_seconds
    assert estimate.estimate([ten], {}, 2).cpu_seconds == 16 * 100_000 * 105 / estimate.DEFAULT_RATES["batched"]["truncated"]


def test_ten_runs_on_eight_threads_take_two_runs_time():
    job = Job("x T=100", "lstm97", "scalar", "truncated", 100, 10, 100_000, 10)
    one_run = 100_000 * 105 / SCALAR
    assert estimate.job_seconds(job, SCALAR, 8) == (2 * one_run, 8)
    assert estimate.job_seconds(job, SCALAR, 2) == (5 * one_run, 2)
    assert estimate.job_seconds(job, SCALAR, None) == (one_run, 10)


def test_jobs_are_packed_onto_the_cores_longest_first():
    assert estimate.pack([(10.0, 1), (10.0, 1)], 2) == 10.0
    assert estimate.pack([(10.0, 2), (5.0, 1), (5.0, 1)], 2) == 15.0
    assert estimate.pack([(3.0, 1), (10.0, 1), (4.0, 1), (3.0, 1)], 2) == 10.0


def test_the_rate_compile_engine_measured_replaces_the_default_for_its_engine_and_gradient():
    job = Job("x T=100", "lstm97", "scalar", "full", 100, 1, 1_000, 1)
    marker = {"engine": "scalar", "steps_per_s_per_core": {"truncated": 1e6, "full": 5e5}}
    assert estimate.rate(job, marker) == estimate.Rate(5e5, True)
    assert estimate.rate(job, marker | {"engine": "batched"}) == estimate.Rate(estimate.DEFAULT_RATES["scalar"]["full"], False)
    assert estimate.rate(job, None).measured is False
    said = estimate.say([job], {"lstm97": marker}, 2)
    assert "full gradient: 0.50 M time steps/s per core (measured by compile_engine on this machine)" in said


def test_the_nnlstm_kind_has_its_own_rate_on_any_engine():
    job = Job("asker T=100", "nnlstm", "batched", "full", 100, 10, 740_000, 10)
    assert estimate.rate(job, {}).steps_per_s == estimate.DEFAULT_RATES["nnlstm"]["full"]


def test_nothing_to_train_says_so():
    assert estimate.say([], {}, 2) == "Training ahead: none (every planned run's outputs are up to date)."


def test_the_readme_states_the_bound_for_the_paper_config_at_8_and_2_cores():
    first = estimate.say(paper_jobs(), {}, 8).splitlines()[0]
    assert re.search(r"6 jobs, 60 runs, .*; 16\.1 CPU-hours, 3 h 13 min on 8 cores", first), first
    two = estimate.estimate(paper_jobs(), {}, 2)
    assert estimate.duration(two.wall_seconds) == "8 h 02 min"
    batched = [estimate.estimate(paper_jobs("batched", 16, 1), {}, cores) for cores in (8, 2)]
    readme = " ".join((REPO / "README.md").read_text().split())
    assert "bounded by 16.1 CPU-hours: at most 3 h 13 min with `--cores 8`, 8 h 02 min with `--cores 2`" in readme
    assert (
        f"at most {batched[0].cpu_seconds / 3600:.1f} CPU-hours: {estimate.duration(batched[0].wall_seconds)} on 8 cores"
        f" and {estimate.duration(batched[1].wall_seconds)} on 2" in readme
    )

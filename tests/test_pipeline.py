"""The real Snakemake pipeline on a tiny config, in a temporary directory: outputs, caching, determinism, errors."""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import yaml
from conftest import REPO, TINY, job_counts, snakemake
from matplotlib import image


@pytest.fixture(scope="module")
def finished(workdir, source):
    """The tiny pipeline's folder with every output up to date, whatever the tests before left behind."""
    snakemake("--configfile", "tiny.yaml", "--cores", "2", cwd=workdir, source=source)
    return workdir


def test_jobs_import_the_package_of_the_workflow_they_run(workdir, source):
    for kind in ("lstm97", "nnlstm"):
        marker = json.loads((workdir / f"results/engine/{kind}/numba.json").read_text())
        assert marker["kind"] == kind and marker["package"] == str((source / "workflow/lstm1997").resolve())


def test_compile_engine_measures_what_one_core_trains(workdir):
    for kind, gradients in (("lstm97", {"truncated", "full"}), ("nnlstm", {"full"})):
        marker = json.loads((workdir / f"results/engine/{kind}/numba.json").read_text())
        assert marker["engine"] == "batched" and set(marker["steps_per_s_per_core"]) == gradients
        assert all(rate > 10_000 for rate in marker["steps_per_s_per_core"].values())


def test_a_run_starts_with_the_bound_on_its_training(workdir):
    first = sorted((workdir / ".snakemake/log").glob("*.snakemake.log"))[0].read_text()
    # 5 train jobs of 2 trials each and the sweep's 2 x 2 bias pairs x 1 lr x 2 trials; no marker yet: the defaults
    assert re.search(r"Training ahead, at most \(every run to its budget.*\): 6 jobs, 18 runs, .* CPU-hours, .* on 2 cores", first), first[:3000]
    assert "the batched 1997 engine (16 runs per core), truncated gradient: 21.35 M time steps/s per core (docs/reproduction/bench.md's default" in first
    assert "the compiled nn.LSTM stack, full gradient" in first


def test_table7_has_one_row_per_variant_and_T(workdir):
    table = pd.read_csv(workdir / "results/tables/table7.csv")
    assert list(zip(table["label"], table["T"])) == [("asker", 10), ("lstm1997", 10), ("lstm1997", 20), ("lstm1997_linear", 10), ("lstm1997_linear", 20)]
    assert (table["trials"] == 2).all() and (table["test_sequences"] == 200).all()
    assert table["weights"].tolist() == [147, 93, 93, 93, 93]
    assert (table["verdict"] == "no paper row for this T").all()
    markdown = (workdir / "results/tables/table7.md").read_text()
    assert markdown.count("\n| lstm1997") == 4 and markdown.count("\n| asker | 10 |") == 1


def test_trial_outputs_are_sane(workdir):
    run = workdir / "results/runs/lstm1997/T20/trial1"
    summary = json.loads((run / "summary.json").read_text())
    assert summary["seed"] == 1 and summary["budget"] == 2500 and summary["sequences"] == 2500
    assert set(summary["success"]) == {"window_mse", "cumulative_mse"}
    curve = pd.read_csv(run / "curve.csv")
    assert curve["sequences"].tolist() == [1000, 2000]
    evaluation = json.loads((run / "evaluation.json").read_text())
    assert evaluation["sequences"] == 200 and 0 <= evaluation["wrong"] <= 200 and 0 < evaluation["mse"] < 0.2
    manifest = json.loads((workdir / "results/data/T20/test.manifest.json").read_text())
    assert manifest["seed"] == 5 and len(manifest["sha256"]) == 64
    trials = pd.read_csv(workdir / "results/tables/trials.csv")
    assert len(trials) == 10 and trials["wrong"].between(0, 200).all()
    asker = json.loads((workdir / "results/runs/asker/T10/trial0/summary.json").read_text())
    assert asker["engine"] == "nn.LSTM compiled (numba, float64)" and asker["settings"]["protocol"]["loss"] == "squared"


def test_figures_are_valid_images(workdir):
    names = ["overview", "success", "test_errors", "failures", "curves/lstm1997_T10", "curves/lstm1997_linear_T20", "curves/asker_T10"]
    names += ["sweep_success_probability", "sweep_median_sequences"]
    for name in names:
        pixels = image.imread(workdir / f"results/figures/{name}.png")
        assert pixels.shape[0] > 200 and pixels.shape[1] > 300 and pixels.std() > 0.01
        assert (workdir / f"results/figures/{name}.svg").read_text().lstrip().startswith("<?xml")


def test_report_html_contains_the_table(workdir):
    html = (workdir / "results/report/report.html").read_text()
    assert "<table" in html and "lstm1997_linear" in html and "74,000" in html
    assert "The answer to the asker" in html and "Diagnosis" in html and "data:image/png;base64" in html
    assert "of 4 bias pairs hold" in html and "No description has been provided" not in html
    assert "No trial diverged" in html
    assert "Traceback" not in html and "Error" not in html.split("The answer to the asker")[0][-2000:]


def test_a_run_combines_to_its_own_tables(workdir, tmp_path):
    """``lstm1997.combine`` on a results folder reads its runs as the aggregate rule does."""
    from lstm1997 import combine

    combine.combine(tmp_path, [workdir / "tiny.yaml"], [workdir / "results"])
    for name in ("trials.csv", "table7.md"):
        assert (tmp_path / name).read_bytes() == (workdir / "results/tables" / name).read_bytes(), name
    # Table 7 from the trials as published (10 significant digits): its means agree with the aggregate's to 1e-9
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "table7.csv"), pd.read_csv(workdir / "results/tables/table7.csv"), rtol=1e-9)
    curves = sorted(p.name for p in (workdir / "results/figures/curves").glob("*.png"))
    assert curves and sorted(p.name for p in (tmp_path / "figures/curves").glob("*.png")) == curves
    running = tmp_path / "running"  # a run still going: one trial trained, not yet evaluated
    shutil.copytree(workdir / "results/runs", running / "runs")
    first = sorted((running / "runs").glob("*/T*/trial0"))[0]
    (first / "evaluation.json").unlink()
    left = combine.read_source(running).trials
    assert len(left) > 0 and not ((left["label"] == first.parent.parent.name) & (left["T"] == int(first.parent.name[1:]))).any()


def test_publishing_a_run_copies_its_report_tables_figures_and_sweep(workdir, tmp_path):
    """docs/reproduction/publish.sh: what a reader sees without running anything, the sweep's runs per T too."""
    script = tmp_path / "docs/reproduction/publish.sh"  # it publishes beside itself
    script.parent.mkdir(parents=True)
    shutil.copy(REPO / "docs/reproduction/publish.sh", script)
    subprocess.run(["bash", str(script), "tiny", str(workdir / "results")], check=True, capture_output=True)
    published, results = tmp_path / "docs/reproduction/tiny", workdir / "results"
    for name, source in {"sweep_cells.csv": "sweep/cells.csv", "sweep_runs_T10.csv": "sweep/T10/trials.csv", "table7.md": "tables/table7.md"}.items():
        assert (published / name).read_bytes() == (results / source).read_bytes(), name
    assert (published / "report.html").exists() and (published / "figures/sweep_median_sequences.png").exists()
    assert not list(published.rglob("*.svg"))


def test_the_sweep_run_by_hand_writes_the_rules_trials(finished, tmp_path):
    """docs/reproduction/gpu_sweep.py, the sweep_train job for a machine without Snakemake: its prepare reads the
    config as the Snakefile does, its run writes the rule's trials.csv byte for byte."""
    script, job, out = REPO / "docs/reproduction/gpu_sweep.py", tmp_path / "job.json", tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow")}
    subprocess.run([sys.executable, str(script), "prepare", str(finished / "tiny.yaml"), "10", str(job)], check=True, env=env)
    subprocess.run([sys.executable, str(script), "run", str(job), str(out), str(tmp_path / "sweep.checkpoint")], check=True, env=env)
    assert (out / "trials.csv").read_bytes() == (finished / "results/sweep/T10/trials.csv").read_bytes()
    assert not (tmp_path / "sweep.checkpoint").exists()


def test_snakemakes_own_report(workdir, source):
    snakemake("--configfile", "tiny.yaml", "--report", "results/report/snakemake.html", cwd=workdir, source=source)
    html = (workdir / "results/report/snakemake.html").read_text()
    assert "Table 7" in html and "Figures" in html and "Sweep" in html


def test_no_temporary_files_left(workdir):
    assert not [p for p in (workdir / "results").rglob("*.tmp*")]


def test_second_run_does_nothing(workdir, source):
    result = snakemake("--configfile", "tiny.yaml", "--cores", "2", cwd=workdir, source=source)
    assert "Nothing to be done" in result.stdout + result.stderr


# What each module's edit reruns in the tiny config: its dependants and what follows from them, nothing else.
LSTM97_RUNS = {"train": 4, "evaluate": 8, "curves": 4}  # lstm1997 and lstm1997_linear at T = 10 and 20, 2 trials each, one train job a pair
NNLSTM_RUNS = {"train": 1, "evaluate": 2, "curves": 1}  # asker at T = 10
TABLES_AND_AFTER = {"aggregate": 1, "overview": 1, "success": 1, "report": 1, "all": 1}
SWEEP_JOBS = {"sweep_train": 1, "sweep_cells": 1, "sweep_heatmap": 2}
LSTM97_KIND = {"compile_engine": 1, **LSTM97_RUNS, **SWEEP_JOBS, **TABLES_AND_AFTER, "test_errors": 1}
NNLSTM_KIND = {"compile_engine": 1, **NNLSTM_RUNS, **TABLES_AND_AFTER, "test_errors": 1}
EVERY_MODEL = {  # both kinds' compile_engine, train and evaluate jobs import it
    "compile_engine": 2, "train": 5, "evaluate": 10, "curves": 5, **SWEEP_JOBS, **TABLES_AND_AFTER, "test_errors": 1
}
EVERYTHING = {"test_set": 2, **EVERY_MODEL}
RERUNS = {
    "__init__.py": EVERYTHING,  # every job imports the package
    "checks.py": EVERYTHING,
    "io.py": EVERYTHING,
    "jobs.py": EVERYTHING,
    "task.py": EVERYTHING,
    "paper.py": EVERY_MODEL,
    "criteria.py": EVERY_MODEL,
    "learning.py": EVERY_MODEL,
    "protocol.py": EVERY_MODEL,
    "stack.py": EVERY_MODEL,
    "variants.py": EVERY_MODEL,
    "trials.py": EVERY_MODEL,  # compile_engine's body: the sweep's jobs load the kernels it compiles
    "testset.py": EVERYTHING,  # trials reads test sets through it: compile_engine imports it
    "lstm97.py": LSTM97_KIND,
    "engine.py": LSTM97_KIND,
    "engine_batched.py": LSTM97_KIND,
    "gpu.py": LSTM97_KIND,
    "nnlstm.py": NNLSTM_KIND,
    "nnlstm_kernels.py": NNLSTM_KIND,
    "torch_batched.py": NNLSTM_KIND,
    "tables.py": TABLES_AND_AFTER,
    "plots.py": {"curves": 5, "overview": 1, "success": 1, "test_errors": 1, "sweep_heatmap": 2, "report": 1, "all": 1},
    "report.py": {"report": 1, "all": 1},
    "sweep.py": {**SWEEP_JOBS, "report": 1, "all": 1},
    "robustness.py": {"sweep_cells": 1, "sweep_heatmap": 2, "report": 1, "all": 1},  # not the training
    "anatomy.py": {},  # tools beside the pipeline
    "bench.py": {},
    "combine.py": {},
    "browser.py": {},
    "estimate.py": {"report": 1, "all": 1},  # the Snakefile's onstart; the report's durations
    "scaling.py": {"curves": 5, "overview": 1, "success": 1, "test_errors": 1, "sweep_heatmap": 2, "report": 1, "all": 1},  # plots imports it
    "torch_ref.py": {},
}
"""Every module of the package: a new one must say here what its edit reruns."""


def test_every_module_says_what_its_edit_reruns(source):
    assert sorted(RERUNS) == sorted(p.name for p in (source / "workflow/lstm1997").glob("*.py"))


@pytest.mark.parametrize("module, reruns", RERUNS.items())
def test_editing_a_module_reruns_exactly_the_jobs_that_run_it(finished, source, module, reruns):
    path = source / "workflow/lstm1997" / module
    original = path.read_bytes()
    path.write_bytes(original + b"\n# an edit\n")
    try:
        result = snakemake("--configfile", "tiny.yaml", "-n", cwd=finished, source=source)
    finally:
        path.write_bytes(original)
    assert job_counts(result.stdout) == reruns


def _planned_jobs(workdir, source) -> dict[str, tuple[list[str], list[str]]]:
    """The first job of each rule in a forced dry run of the tiny config: its declared inputs and outputs."""
    result = snakemake("--configfile", "tiny.yaml", "-n", "--forceall", cwd=workdir, source=source)
    jobs = {}
    for block in re.split(r"^(?:local)?rule ", result.stdout, flags=re.M)[1:]:
        fields = dict(re.findall(r"^\s+(input|output): (.*)$", block, flags=re.M))
        jobs.setdefault(block.split(":", 1)[0], (fields.get("input", "").split(", "), fields.get("output", "").split(", ")))
    return jobs


def _run_alone(rule, inputs, outputs, workdir, source, tmp_path):
    """Run one job in a fresh folder holding only its declared inputs: (return code, outputs not written, log)."""
    alone = tmp_path / rule
    alone.mkdir()
    shutil.copy(workdir / "tiny.yaml", alone / "tiny.yaml")
    for path in (p for p in inputs if p.startswith("results/")):
        (alone / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(workdir / path, alone / path)
    if any(p.startswith("results/engine/") for p in inputs):  # a compile_engine marker stands for numba's cache, its folder
        shutil.copytree(workdir / "results/engine", alone / "results/engine", dirs_exist_ok=True)
    result = snakemake("--configfile", "tiny.yaml", "--cores", "1", "--allowed-rules", rule, "--", *outputs, cwd=alone, source=source, check=False)
    return result.returncode, [p for p in outputs if not (alone / p).exists()], result.stdout + result.stderr


def test_every_job_reads_only_its_declared_inputs(finished, source, tmp_path):
    """One job of each rule that reads files, run alone in a folder with nothing but its inputs, writes all its outputs.

    The other rules read no file: compile_engine and test_set have no inputs, train only its engine marker,
    for numba's cache in its folder.
    """
    jobs = _planned_jobs(finished, source)
    readers = {rule for rule, (inputs, _) in jobs.items() if inputs != [""]} - {"all", "train"}
    assert set(jobs) - readers == {"all", "compile_engine", "test_set", "train"}
    assert jobs["train"][0] == ["results/engine/lstm97/numba.json"]
    assert sorted(jobs["sweep_train"][0]) == ["results/data/T10/test.manifest.json", "results/data/T10/test.npz", "results/engine/lstm97/numba.json"]
    with ThreadPoolExecutor(2) as pool:
        runs = {rule: pool.submit(_run_alone, rule, *jobs[rule], finished, source, tmp_path) for rule in sorted(readers)}
    for rule, run in runs.items():
        returncode, missing, log = run.result()
        assert returncode == 0 and not missing, f"{rule} alone with its declared inputs:\n{log}"


@pytest.mark.parametrize(
    "path, job",
    [
        ("results/runs/lstm1997/T10/trial0/summary.json", "train"),
        ("results/runs/lstm1997/T10/trial0/curve.csv", "train"),
        ("results/runs/lstm1997/T10/trial0/weights.npz", "train"),
        ("results/runs/lstm1997/T10/trial0/evaluation.json", "evaluate"),
        ("results/runs/asker/T10/trial1/test_errors.npz", "evaluate"),
        ("results/data/T10/test.npz", "test_set"),
        ("results/tables/timings.csv", "aggregate"),
        ("results/figures/curves/lstm1997_T20.svg", "curves"),
        ("results/sweep/T10/trials.csv", "sweep_train"),
    ],
)
def test_a_deleted_file_is_rebuilt_by_the_next_run(finished, source, path, job):
    kept = finished / "kept"
    (finished / path).rename(kept)
    try:
        result = snakemake("--configfile", "tiny.yaml", "-n", cwd=finished, source=source)
    finally:
        kept.rename(finished / path)
    assert job_counts(result.stdout)[job] == 1


def _damage_run_and_rebuild(workdir, source, damaged: dict):
    """Damage files, run (fails: each damaged file named and deleted by the job that read it), run again (rebuilt)."""
    for path, damage in damaged.items():
        (workdir / path).write_bytes(damage((workdir / path).read_bytes()))
    failed = snakemake("--configfile", "tiny.yaml", "--cores", "2", "--keep-going", cwd=workdir, source=source, check=False)
    assert failed.returncode != 0
    for path in damaged:
        assert f"{path}: damaged (" in failed.stdout + failed.stderr and not (workdir / path).exists(), path
    snakemake("--configfile", "tiny.yaml", "--cores", "2", cwd=workdir, source=source)
    assert all((workdir / path).exists() for path in damaged)


def test_damaged_files_are_named_and_the_next_run_rebuilds_them(finished, source):
    """Damaged files, each read by a job that runs (evaluation.json, which only aggregate reads: test_io.py); then
    a damaged test set, alone: the first job to read it deletes it, and the others that need it stop."""
    tables = finished / "results/tables"
    before = {p.name: p.read_bytes() for p in tables.glob("*") if p.name != "timings.csv"}
    half = lambda b: b[: len(b) // 2]  # noqa: E731
    _damage_run_and_rebuild(
        finished,
        source,
        {
            "results/runs/lstm1997/T10/trial0/weights.npz": half,
            "results/runs/lstm1997_linear/T20/trial1/summary.json": half,
            "results/runs/lstm1997/T20/trial0/curve.csv": lambda b: b[:-3],  # cut mid-row
        },
    )
    _damage_run_and_rebuild(finished, source, {"results/data/T20/test.npz": lambda b: b[:100] + bytes([b[100] ^ 0xFF]) + b[101:]})
    assert {p.name: p.read_bytes() for p in tables.glob("*") if p.name != "timings.csv"} == before


def test_same_config_gives_byte_identical_tables(workdir, source):
    tables = workdir / "results/tables"
    before = {p.name: p.read_bytes() for p in tables.glob("*") if p.name != "timings.csv"}
    shutil.rmtree(workdir / "results/runs")
    shutil.rmtree(tables)
    snakemake("--configfile", "tiny.yaml", "--cores", "2", "results/tables/table7.csv", cwd=workdir, source=source)
    after = {p.name: p.read_bytes() for p in tables.glob("*") if p.name != "timings.csv"}
    assert after == before and set(before) == {"table7.csv", "table7.md", "trials.csv"}


def test_changing_one_variant_reruns_only_its_jobs(workdir, source):
    changed = TINY.replace("lstm1997_linear: {}", "lstm1997_linear: {protocol: {lr: 0.25}}")
    assert changed != TINY
    (workdir / "changed.yaml").write_text(changed)
    result = snakemake("--configfile", "changed.yaml", "-n", cwd=workdir, source=source)
    counts = job_counts(result.stdout)
    assert counts["train"] == 2 and counts["evaluate"] == 4
    assert "compile_engine" not in counts and "test_set" not in counts
    assert "output: results/runs/lstm1997/" not in result.stdout and "output: results/runs/lstm1997_linear/" in result.stdout


def test_until_of_one_T_reruns_only_that_Ts_training(workdir, source):
    (workdir / "until.yaml").write_text(TINY.replace("test:", "until: {20: primary}\ntest:"))
    result = snakemake("--configfile", "until.yaml", "-n", cwd=workdir, source=source)
    assert job_counts(result.stdout)["train"] == 2
    retrained = {line.split("/")[3] for line in result.stdout.splitlines() if line.strip().startswith("output: results/runs/")}
    assert retrained == {"T20"}


def test_lint_is_clean():
    result = snakemake("--lint", cwd=REPO)
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr


def test_dry_run_of_the_paper_config_lists_every_job(tmp_path):
    result = snakemake("--configfile", str(REPO / "config/config.yaml"), "-n", cwd=tmp_path)
    variants = 2
    assert job_counts(result.stdout) == {
        "aggregate": 1,
        "all": 1,
        "compile_engine": 1,
        "curves": variants * 3,
        "evaluate": variants * 3 * 10,
        "overview": 1,
        "report": 1,
        "success": 1,
        "test_errors": 1,
        "test_set": 3,
        "train": variants * 3,
    }


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "config").glob("*.yaml")))
def test_every_shipped_config_plans_one_train_job_per_variant_and_T(tmp_path, name):
    """Every trial of a (variant, T) trains in one job (side by side: threads or vector lanes), evaluated one by one."""
    config = yaml.safe_load((REPO / "config" / name).read_text())
    pairs = sum(len((entry or {}).get("T", config["T"])) for entry in config["variants"].values())
    counts = job_counts(snakemake("--configfile", str(REPO / "config" / name), "-n", cwd=tmp_path).stdout)
    assert counts["train"] == pairs and counts["evaluate"] == pairs * config["trials"]


def test_a_cuda_sweep_asks_for_one_gpu_and_training_for_none(tmp_path):
    (tmp_path / "gpu.yaml").write_text(TINY.replace("budget: {10: 1000}}", "budget: {10: 1000}, engine: cuda}"))
    result = snakemake("--configfile", "gpu.yaml", "-n", cwd=tmp_path)
    jobs = {block.split("\n")[0].strip(": "): block for block in result.stdout.split("\nrule ")[1:]}
    assert "gpu=1" in jobs["sweep_train"] and "gpu=0" in jobs["train"]


def test_a_given_config_replaces_the_paper_config(tmp_path):
    (tmp_path / "one.yaml").write_text("T: [10]\ntrials: 1\nbudget: {10: 100}\nvariants: {asker: {}}\n")
    result = snakemake("--configfile", "one.yaml", "-n", cwd=tmp_path)
    assert job_counts(result.stdout)["train"] == 1
    assert "results/runs/asker/T10/trial0/" in result.stdout and "results/runs/lstm1997" not in result.stdout


@pytest.mark.parametrize(
    "config, message",
    [
        ("T: [8]\ntrials: 1\nbudget: {8: 10}\nvariants: {lstm1997: {}}\n", "T.0: 8 is less than the minimum of 10"),
        ("T: [102]\ntrials: 1\nbudget: {102: -5}\nvariants: {lstm1997: {}}\n", "budget.102: -5 is less than the minimum of 1"),
        ("T: [100, 500]\ntrials: 1\nbudget: {100: 5}\nvariants: {lstm1997: {}}\n", "budget: no entry for T=500"),
        ("T: [100]\ntrials: 1\nbudget: {100: 5}\nvariants: {lstm2000: {}}\n", "variants.lstm2000: unknown variant 'lstm2000'; allowed: lstm1997, lstm1997_linear"),
        ("T: [100]\ntrials: 1\nbudget: {100: 5}\nvariants: {x: {base: lstm1997, net: {output: tanh}}}\n", "variants.x.net.output: 'tanh' is not one of ['sigmoid', 'linear']"),
        ("T: [100]\ntrials: 1\nbudget: {100: 5}\nuntil: {100: sometimes}\nvariants: {lstm1997: {}}\n", "until.100: 'sometimes' is not one of ['all', 'primary']"),
        ("T: [100\ntrials: 1\n", "Config file is not valid JSON or YAML"),
        (TINY.replace("budget: {10: 1000}}", "budget: {10: 1000}, engine: tpu}"), "sweep.engine: 'tpu' is not one of ['cpu', 'cuda']"),
        ("T: [20.0]\ntrials: 1\nbudget: {20: 5}\nvariants: {lstm1997: {}}\n", "T.0: 20.0 is not of type 'integer'"),
        ("T: [20]\ntrials: 1\nbudget: {20.0: 5}\nvariants: {lstm1997: {}}\n", "budget: a key: 20.0 is not of type 'integer'"),
        ("T: [20]\ntrials: 1\nbudget: {20: 5.0}\nvariants: {lstm1997: {}}\n", "budget.20: 5.0 is not of type 'integer'"),
        ("T: [20]\ntrials: 1\nbudget: {20: 5}\nvariants: {lstm1997: {T: [20.0]}}\n", "variants.lstm1997.T.0: 20.0 is not of type 'integer'"),
        (TINY.replace("T: [10], trials: 2", "T: [10, 20], trials: 2"), "sweep.budget: no entry for T=20; give one per T of sweep.T: [10, 20]"),
        (TINY.replace("base: lstm1997_linear", "base: lin_bias_iok"), "sweep.base: 'lin_bias_iok' is not a variant of this config; allowed: lstm1997, lstm1997_linear, asker"),
        (TINY.replace("base: lstm1997_linear", "base: asker"), "sweep.base: must name a 1997-network variant, got 'asker' (a nnlstm model)"),
        (TINY.replace("in_gate_bias: [0.0, -3.0]", "in_gate_bias: {20: [0.0, -3.0]}"), "sweep.in_gate_bias: no entry for T=10; give one per T of sweep.T: [10]"),
    ],
    ids=[
        "T<10", "negative-budget", "T-without-budget", "unknown-variant", "bad-option", "bad-until", "malformed-yaml", "bad-engine",
        "float-T", "float-budget-key", "float-budget", "float-variant-T", "sweep-T-without-budget", "sweep-base-not-in-config",
        "sweep-base-not-1997", "sweep-grid-without-T",
    ],
)
def test_bad_config_fails_before_any_job_with_the_key(tmp_path, config, message):
    (tmp_path / "bad.yaml").write_text(textwrap.dedent(config))
    result = snakemake("--configfile", "bad.yaml", "-n", cwd=tmp_path, check=False)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()

"""The real Snakemake pipeline on a tiny config, in a temporary directory: outputs, caching, determinism, errors."""

import json
import shutil
import textwrap

import pandas as pd
import pytest
import yaml
from conftest import REPO, TINY, checkout, job_counts, snakemake
from matplotlib import image

@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return checkout(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, source):
    path = tmp_path_factory.mktemp("pipeline")
    (path / "tiny.yaml").write_text(TINY)
    snakemake("--configfile", "tiny.yaml", "--cores", "2", cwd=path, source=source)
    return path


def test_jobs_import_the_package_of_the_workflow_they_run(workdir, source):
    marker = json.loads((workdir / "results/engine/numba/compiled.json").read_text())
    assert marker["package"] == str((source / "workflow/lstm1997").resolve())


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
    assert "Answers to the asker" in html and "data:image/png;base64" in html
    assert "bias pairs succeed in at least 90% of trials" in html
    assert "Traceback" not in html and "Error" not in html.split("Answers to the asker")[0][-2000:]


def test_snakemakes_own_report(workdir, source):
    snakemake("--configfile", "tiny.yaml", "--report", "results/report/snakemake.html", cwd=workdir, source=source)
    html = (workdir / "results/report/snakemake.html").read_text()
    assert "Table 7" in html and "Figures" in html and "Sweep" in html


def test_no_temporary_files_left(workdir):
    assert not [p for p in (workdir / "results").rglob("*.tmp*")]


def test_second_run_does_nothing(workdir, source):
    result = snakemake("--configfile", "tiny.yaml", "--cores", "2", cwd=workdir, source=source)
    assert "Nothing to be done" in result.stdout + result.stderr


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
    assert counts["train"] == 4 and counts["evaluate"] == 4
    assert "compile_engine" not in counts and "test_set" not in counts
    assert "output: results/runs/lstm1997/" not in result.stdout and "output: results/runs/lstm1997_linear/" in result.stdout


def test_until_of_one_T_reruns_only_that_Ts_training(workdir, source):
    (workdir / "until.yaml").write_text(TINY.replace("test:", "until: {20: primary}\ntest:"))
    result = snakemake("--configfile", "until.yaml", "-n", cwd=workdir, source=source)
    assert job_counts(result.stdout)["train"] == 4
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
        "evaluate": variants * 3 * 10,
        "figures": 1,
        "report": 1,
        "test_set": 3,
        "train": variants * 3 * 10,
    }


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "config").glob("*.yaml")))
def test_every_shipped_config_plans_one_train_job_per_variant_T_and_trial(tmp_path, name):
    config = yaml.safe_load((REPO / "config" / name).read_text())
    pairs = sum(len((entry or {}).get("T", config["T"])) for entry in config["variants"].values())
    result = snakemake("--configfile", str(REPO / "config" / name), "-n", cwd=tmp_path)
    assert job_counts(result.stdout)["train"] == pairs * config["trials"]


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
    ],
    ids=["T<10", "negative-budget", "T-without-budget", "unknown-variant", "bad-option", "bad-until", "malformed-yaml", "bad-engine"],
)
def test_bad_config_fails_before_any_job_with_the_key(tmp_path, config, message):
    (tmp_path / "bad.yaml").write_text(textwrap.dedent(config))
    result = snakemake("--configfile", "bad.yaml", "-n", cwd=tmp_path, check=False)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()

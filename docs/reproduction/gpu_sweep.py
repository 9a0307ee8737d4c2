"""One T of a config's robustness sweep on a lent GPU machine, which has no Snakemake: the ``sweep_train`` rule's
job, run by hand.

    python docs/reproduction/gpu_sweep.py prepare CONFIG T JOB.json      # here: the rule's params, from the config
    PYTHONPATH=workflow python3 docs/reproduction/gpu_sweep.py run JOB.json DIR [CHECKPOINT]
                                                          # there: DIR/trials.csv, DIR/sweep.log; killed, it resumes

``prepare`` fills the config's schema defaults and resolves the sweep's base as the Snakefile does (``check_config``,
``resolve_settings``, ``sweep_grid``, ``sweep_setting``); ``run`` draws the test set from its seed and writes what
``workflow/scripts/sweep_train.py`` writes.  Put DIR/trials.csv at results/sweep/T{T}/trials.csv of a checkout at
the same commit and render the map there (``docs/reproduction/gpu_h200/notes.md`` says how).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def prepare(config_path: str, T: int, job_path: str) -> None:
    import yaml
    from lstm1997 import sweep, variants
    from snakemake.utils import validate

    config = yaml.safe_load(Path(config_path).read_text())
    validate(config, schema=str(Path(__file__).resolve().parents[2] / "workflow/schemas/config.schema.yaml"))
    swept = config["sweep"]
    base = variants.resolve(swept["base"], config["variants"][swept["base"]], config["engine"])
    job = {
        "T": T,
        "base": swept["base"],
        "setting": base.params(swept["budget"][T], "primary"),
        "grid": sweep.grid_params(swept, T),
        "test": {**config["test"], "marker": base.protocol.marked_first_marker},
    }
    Path(job_path).write_text(json.dumps(job, indent=1) + "\n")


def run(job_path: str, out: str, checkpoint_path: str | None = None) -> None:
    from lstm1997 import jobs

    Path(out).mkdir(parents=True, exist_ok=True)
    jobs.start(f"{out}/sweep.log")
    from lstm1997 import io, sweep, testset
    from lstm1997.protocol import Checkpoint
    from lstm1997.variants import Setting

    job = json.loads(Path(job_path).read_text())
    T, test = job["T"], job["test"]
    base = Setting.from_params(job["base"], job["setting"])
    testset.make_test_set(T, test["sequences"], test["seed"], f"{out}/test.npz", f"{out}/test.manifest.json", test["marker"])
    data = testset.load(f"{out}/test.npz", f"{out}/test.manifest.json")
    checkpoint = Checkpoint(checkpoint_path, key=json.dumps(job), every=60.0) if checkpoint_path else None
    io.write_csv(f"{out}/trials.csv", sweep.run(base, sweep.Grid.from_params(job["grid"]), T, base.protocol.budget, checkpoint=checkpoint, test=data))
    if checkpoint:
        checkpoint.clear()


if __name__ == "__main__":
    verb, *args = sys.argv[1:]
    prepare(args[0], int(args[1]), args[2]) if verb == "prepare" else run(*args)

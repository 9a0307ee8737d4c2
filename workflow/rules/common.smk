import hashlib
import os
import sys
from pathlib import Path

import jsonschema
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# The package lives beside the rules.  Jobs import this checkout's copy, ahead of any installed one
# (PYTHONPATH precedes site-packages), locally, in conda envs and on cluster nodes alike.
PACKAGE_ROOT = Path(workflow.basedir) / "workflow"
sys.path.insert(0, str(PACKAGE_ROOT))
# Set for the jobs, not required from the user: hence no envvars directive.
os.environ.update(PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])))

from lstm1997 import variants as registry  # noqa: E402


def check_config():
    """The schema, then a budget for every T: the first problem as one line naming the key (dotted path)."""
    try:
        validate(config, schema="../schemas/config.schema.yaml")
    except WorkflowError as err:
        cause = err.__context__
        if not isinstance(cause, jsonschema.ValidationError):
            raise
        key = ".".join(str(p) for p in cause.absolute_path) or "config"
        raise WorkflowError(f"{key}: {cause.message}") from None
    for label, T in pairs():
        if T not in config["budget"]:
            raise WorkflowError(f"budget: no entry for T={T} (variant {label}); give one per T of T: {config['T']}")


def resolve_settings():
    """Each config entry through the variant registry; its own ``T`` list is the pipeline's business."""
    try:
        return {
            label: registry.resolve(label, {k: v for k, v in (entry or {}).items() if k != "T"})
            for label, entry in config["variants"].items()
        }
    except ValueError as err:
        raise WorkflowError(str(err)) from None


def pairs():
    """(variant, T) of every trained combination: a variant's own T list, else the config's."""
    return [(label, T) for label, entry in config["variants"].items() for T in (entry or {}).get("T", config["T"])]


check_config()
SETTINGS = resolve_settings()
TRIALS = list(range(config["trials"]))
RUN = "results/runs/{variant}/T{T}/trial{trial}"
TEST_SETS = {1.0: "test", -1.0: "test_start_marker"}
"""Test set file per marker of a marked first pair (Protocol.marked_first_marker)."""
CORE_ENV = "../../envs/core.yaml"
REPORT_ENV = "../../envs/report.yaml"


wildcard_constraints:
    variant="[A-Za-z0-9_.-]+",
    T=r"\d+",
    trial=r"\d+",
    testset="|".join(TEST_SETS.values()),


def source_hash(*modules):
    """Hash of package modules: a params value, so a change to the engine reruns what it computed."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update((PACKAGE_ROOT / "lstm1997" / f"{module}.py").read_bytes())
    return digest.hexdigest()[:16]


TRAINING_SOURCES = source_hash("task", "engine", "lstm97", "criteria", "protocol", "trials")


def setting(wildcards):
    """The resolved settings of a variant at one T, its budget and ``until`` included: rule params."""
    T = int(wildcards.T)
    return SETTINGS[wildcards.variant].params(config["budget"][T], config["until"].get(T, "all"))


def test_set(wildcards):
    """The test set a variant is scored on: drawn with its own marker of a marked first pair."""
    marker = SETTINGS[wildcards.variant].protocol.marked_first_marker
    return f"results/data/T{wildcards.T}/{TEST_SETS[marker]}.npz"


def marker(wildcards):
    return next(m for m, name in TEST_SETS.items() if name == wildcards.testset)


def train_runtime(wildcards, attempt):
    """Minutes for one training job: the budget's time steps at a conservative 1e6 steps per second, doubled, per attempt."""
    T = int(wildcards.T)
    steps = config["budget"][T] * (T + T // 20)
    return attempt * (10 + int(2 * steps / 1e6 / 60))


def gpus(wildcards):
    """One GPU for variants that train on cuda (net.device), none otherwise."""
    return int(getattr(SETTINGS[wildcards.variant].net, "device", "cpu") == "cuda")


def runs(name):
    """Paths of one per-trial file over every (variant, T, trial) of the config."""
    return [f"{RUN}/{name}".format(variant=v, T=T, trial=k) for v, T in pairs() for k in TRIALS]


def run_keys():
    """(variant, T, trial) of every run, in the order of ``runs``."""
    return [{"label": v, "T": T, "trial": k} for v, T in pairs() for k in TRIALS]


def curve_figures(ext="png"):
    return [f"results/figures/curves/{v}_T{T}.{ext}" for v, T in pairs()]


SWEEP = config.get("sweep")


def sweep_figures(ext="png"):
    return [f"results/figures/sweep_{value}.{ext}" for value in ("success_probability", "median_sequences")] if SWEEP else []


def sweep_grid():
    """The sweep's grid as plain data (rule params); none without a sweep."""
    return {k: SWEEP[k] for k in ("base", "in_gate_bias", "lr", "trials", "engine")} if SWEEP else {}


def figures(ext="png"):
    return curve_figures(ext) + [f"results/figures/{name}.{ext}" for name in ("overview", "success", "test_errors", "failures")]

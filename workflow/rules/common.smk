import ast
import functools
import hashlib
import json
import os
import sys
from pathlib import Path

import jsonschema
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# The package lives beside the rules.  Jobs import this checkout's copy, ahead of any installed one
# (PYTHONPATH precedes site-packages), locally, in conda envs and on cluster nodes alike.
PACKAGE_ROOT = Path(workflow.basedir) / "workflow"
sys.path.insert(0, str(PACKAGE_ROOT))
# Set for the jobs, not required from the user: hence no envvars directive.
os.environ.update(PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])))

from snakemake.logging import logger  # noqa: E402

from lstm1997 import estimate, sweep, task  # noqa: E402
from lstm1997 import variants as registry  # noqa: E402
from lstm1997.engine_batched import LANES  # noqa: E402


SCHEMA = PACKAGE_ROOT / "schemas/config.schema.yaml"
STRICT = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda checker, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)
"""The schema's validator with YAML's 20.0 not an integer (JSON Schema's is): a T, a budget, a count is an int."""


def check_config():
    """The schema, then a budget for every T: the first problem as one line naming the key (dotted path)."""
    first = next(STRICT(yaml.safe_load(SCHEMA.read_text())).iter_errors(config), None)  # in the schema's order: T first
    if first is not None:
        error = jsonschema.exceptions.best_match([first])  # into a oneOf: the branch that fits best
        key = ".".join(str(p) for p in error.absolute_path) or "config"
        raise WorkflowError(f"{key}: {'a key: ' if 'propertyNames' in error.schema_path else ''}{error.message}")
    validate(config, schema=str(SCHEMA))  # the schema's defaults
    for label, T in pairs():
        if T not in config["budget"]:
            raise WorkflowError(f"budget: no entry for T={T} (variant {label}); give one per T of T: {config['T']}")
    sweep_config = config.get("sweep") or {"T": [], "budget": {}, "base": None}
    for key in ("budget", "in_gate_bias", "lr"):
        for T in sweep_config["T"]:
            if isinstance(sweep_config.get(key), dict) and T not in sweep_config[key]:
                raise WorkflowError(f"sweep.{key}: no entry for T={T}; give one per T of sweep.T: {sweep_config['T']}")
    if sweep_config["base"] is not None and sweep_config["base"] not in config["variants"]:
        raise WorkflowError(f"sweep.base: {sweep_config['base']!r} is not a variant of this config; allowed: {', '.join(config['variants'])}")


def resolve_settings():
    """Each config entry through the variant registry; its own ``T`` list is the pipeline's business.  A sweep's
    base must be a 1997 network (``sweep.run``)."""
    try:
        settings = {
            label: registry.resolve(label, {k: v for k, v in (entry or {}).items() if k != "T"}, config["engine"])
            for label, entry in config["variants"].items()
        }
    except ValueError as err:
        raise WorkflowError(str(err)) from None
    base = (config.get("sweep") or {}).get("base")
    if base is not None and (kind := settings[base].variant.model) != "lstm97":
        raise WorkflowError(f"sweep.base: must name a 1997-network variant, got {base!r} (a {kind} model)")
    return settings


def pairs():
    """(variant, T) of every trained combination: a variant's own T list, else the config's."""
    return [(label, T) for label, entry in config["variants"].items() for T in (entry or {}).get("T", config["T"])]


check_config()
SETTINGS = resolve_settings()
TRIALS = list(range(config["trials"]))
RUN = "results/runs/{variant}/T{T}/trial{trial}"
TRIAL_FILES = ("summary.json", "curve.csv", "weights.npz", "evaluation.json", "test_errors.npz")
"""What a trial leaves in its folder (``trials``), each an input of the target: a deleted one is rebuilt."""
TEST_SETS = {1.0: "test", -1.0: "test_start_marker"}
"""Test set file per marker of a marked first pair (Protocol.marked_first_marker)."""
CORE_ENV = "../../envs/core.yaml"
REPORT_ENV = "../../envs/report.yaml"
PACKAGE = PACKAGE_ROOT / "lstm1997"
KIND_MODULES = {kind: cls.__module__.rpartition(".")[2] for kind, cls in registry.MODELS.items()}
"""The module of each model kind (``Variant.model``): its kernels are the code that differs between kinds."""
SWEEP = config.get("sweep")
SWEEP_KIND = "lstm97"
"""The model kind a sweep trains: ``sweep.run`` builds 1997 networks only."""
SWEEP_VALUES = ("success_probability", "median_sequences")
"""Columns of the sweep's cells drawn as heatmaps."""


wildcard_constraints:
    variant="[A-Za-z0-9_.-]+",
    T=r"\d+",
    trial=r"\d+",
    testset="|".join(TEST_SETS.values()),
    kind="|".join(registry.MODELS),
    value="|".join(SWEEP_VALUES),


def imports(code):
    """The package modules some Python code imports, at any depth (imports inside functions too).

    Importing any module of the package runs ``__init__``, and ``from . import __version__`` reads it.
    """
    found = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names = [a.name.partition(".")[2] for a in node.names if a.name.partition(".")[0] == "lstm1997"]
        elif isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").partition(".")[0] == "lstm1997"):
            dotted = (node.module or "").removeprefix("lstm1997").lstrip(".")
            names = [dotted] if dotted else [a.name for a in node.names]
        else:
            continue
        found |= {"__init__"} | {name for name in names if (PACKAGE / f"{name}.py").exists()}
    return found


@functools.cache
def closure(roots, skip=frozenset()):
    """``roots`` and every package module they import, transitively, not entering the modules in ``skip``."""
    seen, todo = set(), [m for m in roots if m not in skip]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += imports((PACKAGE / f"{name}.py").read_text()) - skip - seen
    return frozenset(seen)


def code_of(path):
    """The Python code of a workflow file: a script, or a notebook's code cells."""
    text = (Path(workflow.basedir) / "workflow" / path).read_text()
    if path.endswith(".ipynb"):
        return "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"] if cell["cell_type"] == "code")
    return text


@functools.cache
def sources(*files, kind=None):
    """Key of the package code a job runs: sha256 of every module ``files`` (paths under workflow/) import,
    transitively, as a rule param, so that editing any of them reruns the job and nothing else.

    A job of one model ``kind`` skips the other kinds' modules, unless its own kind imports them: an
    lstm1997 run imports ``nnlstm`` (the variant registry names every kind) but never runs its kernels.
    """
    roots = frozenset().union(*(imports(code_of(path)) for path in files))
    skip = frozenset()
    if kind is not None:
        own = closure(frozenset({KIND_MODULES[kind]}))
        skip = frozenset(name for name in KIND_MODULES.values() if name not in own)
    digest = hashlib.sha256()
    for name in sorted(closure(roots, skip)):
        digest.update(f"{name}\0".encode() + (PACKAGE / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def model_kind(wildcards):
    """The model kind a job trains, tests or compiles: its ``kind`` wildcard, else its variant's."""
    return wildcards.get("kind") or SETTINGS[wildcards.variant].variant.model


def kind_sources(*files):
    """``sources`` of a job that runs one model kind, as a params function of its wildcards."""
    return lambda wildcards: sources(*files, kind=model_kind(wildcards))


def engine(wildcards):
    """The compile_engine marker of a job's model kind: its kernels are in numba's cache once that job ran."""
    return f"results/engine/{model_kind(wildcards)}/numba.json"


def setting(wildcards):
    """The resolved settings of a variant at one T, its budget and ``until`` included: rule params."""
    T = int(wildcards.T)
    return SETTINGS[wildcards.variant].params(config["budget"][T], config["until"].get(T, "all"))


def test_set_of(variant, T, suffix=".npz"):
    """The test set a variant is scored on at T (``suffix`` ".manifest.json": its manifest, with its sha256):
    drawn with the variant's own marker of a marked first pair."""
    marker = SETTINGS[variant].protocol.marked_first_marker
    return f"results/data/T{T}/{TEST_SETS[marker]}{suffix}"


def test_set(wildcards):
    return test_set_of(wildcards.variant, wildcards.T)


def test_manifest(wildcards):
    return test_set_of(wildcards.variant, wildcards.T, ".manifest.json")


def test_sets():
    """Every test set of the config and its manifest."""
    return sorted({test_set_of(v, T, suffix) for v, T in pairs() for suffix in (".npz", ".manifest.json")})


def marker(wildcards):
    return next(m for m, name in TEST_SETS.items() if name == wildcards.testset)


def train_threads(wildcards):
    """Cores of a train job: one per trial on the scalar engine (a thread per run), one per group of
    ``LANES`` trials on the batched engine (a group per core); nn.LSTM stacks one per trial."""
    if config["engine"] == "batched" and SETTINGS[wildcards.variant].variant.model == "lstm97":
        return -(-len(TRIALS) // LANES)
    return len(TRIALS)


def train_runtime(wildcards, attempt):
    """Minutes for one train job (every trial of a variant at T, side by side): the budget's time steps of one
    run at a conservative 1e6 steps per second, 3x that on the batched engine (a lane's share), doubled, per attempt."""
    T = int(wildcards.T)
    steps = config["budget"][T] * task.mean_length(T) * (3 if config["engine"] == "batched" else 1)
    return attempt * (10 + int(2 * steps / 1e6 / 60))


def gpus(wildcards):
    """One GPU for variants that train on cuda (net.device), none otherwise."""
    return int(getattr(SETTINGS[wildcards.variant].net, "device", "cpu") == "cuda")


def runs(name):
    """Paths of one per-trial file over every (variant, T, trial) of the config, in one order for every name."""
    return [f"{RUN}/{name}".format(variant=v, T=T, trial=k) for v, T in pairs() for k in TRIALS]


def trial_files():
    """Every per-trial file of the config (``trials``' list)."""
    return [path for name in TRIAL_FILES for path in runs(name)]


def trials_of(name):
    """Paths of one per-trial file over the trials of a job's (variant, T) wildcards."""
    return expand(f"{RUN}/{name}", trial=TRIALS, allow_missing=True)


def curve_figures(ext="png"):
    return [f"results/figures/curves/{v}_T{T}.{ext}" for v, T in pairs()]


def sweep_figures(ext="png"):
    return [f"results/figures/sweep_{value}.{ext}" for value in SWEEP_VALUES] if SWEEP else []


def sweep_trials():
    """The sweep's per-T trials; none without a sweep."""
    return expand("results/sweep/T{T}/trials.csv", T=SWEEP["T"]) if SWEEP else []


def sweep_grid(wildcards):
    """The sweep's grid at one T as plain data, for rule params (``sweep.grid_params``)."""
    return sweep.grid_params(SWEEP, int(wildcards.T))


def sweep_setting(wildcards):
    """The setting the sweep's grid is drawn around (its ``base``, a variant of the config) at one T: rule params."""
    return SETTINGS[SWEEP["base"]].params(SWEEP["budget"][int(wildcards.T)], "primary")


def figures(ext="png"):
    return curve_figures(ext) + [f"results/figures/{name}.{ext}" for name in ("overview", "success", "test_errors", "failures")]


def planned_training():
    """The training jobs this run is about to run (the DAG's, less the finished), as ``estimate.Job``s: every
    train job, and a sweep's on the CPU (on a GPU it is not estimated)."""
    jobs = []
    for job in workflow.dag.needrun_jobs():
        w = job.wildcards
        if job.rule.name == "train":
            s, T = SETTINGS[w.variant], int(w.T)
            kind, gradient = s.variant.model, s.protocol.gradient
            lanes = LANES if config["engine"] == "batched" and kind == "lstm97" else 1
            runs, budget = len(TRIALS), config["budget"][T]
            jobs.append(estimate.Job(f"{w.variant} T={T}", kind, config["engine"], gradient, T, runs, budget, train_threads(w), lanes))
        elif job.rule.name == "sweep_train" and SWEEP["engine"] == "cpu":  # sweep.run: the base's CPU engine
            T, gradient = int(w.T), SETTINGS[SWEEP["base"]].protocol.gradient
            grid = sweep_grid(w)
            runs = len(grid["in_gate_bias"]) ** 2 * len(grid["lr"]) * SWEEP["trials"]  # sweep.Grid.cells x trials
            lanes = LANES if config["engine"] == "batched" else 1
            jobs.append(estimate.Job(f"sweep T={T}", SWEEP_KIND, config["engine"], gradient, T, runs, SWEEP["budget"][T], SWEEP["threads"], lanes))
    return jobs


def say_the_training_ahead():
    """Log the bound on this run's training (``estimate.say``) at its start, from the compile_engine markers' rates."""
    markers = {}
    for kind in registry.MODELS:
        path = Path(f"results/engine/{kind}/numba.json")
        if path.exists():
            markers[kind] = json.loads(path.read_text())
    logger.info(estimate.say(planned_training(), markers, workflow.cores if workflow.local_exec else None))

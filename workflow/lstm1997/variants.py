"""The variant registry: named (network, learning rule) settings the pipeline trains and compares.

A config entry picks a registry variant (``base``, default: its own label) and may override
fields of its ``Net`` and ``Protocol``; ``resolve`` turns it into a ``Setting`` or raises an error
naming the key and the allowed values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .checks import choice
from .lstm97 import Lstm97, Net
from .nnlstm import NNLstm
from .stack import Stack
from .protocol import Protocol

MODELS = {"lstm97": Lstm97, "nnlstm": NNLstm}
"""Model kinds: a variant's ``net`` (the kind's config dataclass) builds its trainable model."""


@dataclass(frozen=True)
class Variant:
    name: str
    summary: str
    net: object = Net()
    protocol: dict = field(default_factory=dict)
    model: str = "lstm97"


ASKER = {"gradient": "full", "loss": "squared"}
"""The asker's learning rule: autograd through the whole sequence, loss (y - target)^2."""

REGISTRY = {
    v.name: v
    for v in [
        Variant(
            "lstm1997",
            "The paper as written (5.4, A.1): 93 weights, logistic output unit, truncated gradient, "
            "lr 0.5, input-gate biases -3/-6.",
        ),
        Variant(
            "lstm1997_linear",
            "The paper with a linear output unit instead of the logistic one the text states (5.4); "
            "everything else as written.",
            net=Net(output="linear"),
        ),
        # The ladder from the asker's setup to the paper's, one change per rung.
        Variant(
            "asker",
            "The asker's setup: nn.LSTM(2, 2, num_layers=3) with forget gates, PyTorch's default initialisation, "
            "last step's top output -> Linear(2, 1) -> sigmoid, full BPTT, loss (y - target)^2, SGD lr 0.5.",
            net=Stack(),
            protocol=ASKER,
            model="nnlstm",
        ),
        Variant("asker_1layer", "The asker's setup with one layer of 4 units instead of three of 2.", net=Stack(1, 4), protocol=ASKER, model="nnlstm"),
        Variant(
            "asker_1layer_paperinit",
            "... and the paper's initialisation: weights in [-0.1, 0.1], input-gate biases -3 (units 1-2) and -6 (units 3-4).",
            net=Stack(1, 4, init="paper"),
            protocol=ASKER,
            model="nnlstm",
        ),
        Variant(
            "asker_1layer_paperinit_noforget",
            "... and no forget gate (the cell state a pure sum, as in 1997).",
            net=Stack(1, 4, forget_gate=False, init="paper"),
            protocol=ASKER,
            model="nnlstm",
        ),
        Variant(
            "cell1997_bptt_sqloss",
            "The 1997 network (2 blocks of 2 cells sharing gates, gates fed by cells and gates, g in [-2, 2], "
            "h in [-1, 1], 93 weights) trained like the asker: full BPTT, loss (y - target)^2.",
            protocol=ASKER,
        ),
        Variant("cell1997_bptt", "... with the paper's error E = (y - target)^2 / 2 (A.1 eq. 19).", protocol={"gradient": "full"}),
        Variant(
            "lstm1997_forget",
            "The paper's network with a forget gate per block (Gers et al. 2000), forget-gate biases +1 (open), "
            "truncated gradient; 115 weights.",
            net=Net(forget_gate=True),
        ),
    ]
}
"""The paper's network, the reading that reproduces it, and the ladder from the asker's setup to it."""

LADDER = (
    ("asker", "the asker's code"),
    ("asker_1layer", "one layer of 4 units instead of three layers of 2"),
    ("asker_1layer_paperinit", "the paper's initialisation (weights in [-0.1, 0.1], input-gate biases -3/-6)"),
    ("asker_1layer_paperinit_noforget", "no forget gate"),
    ("cell1997_bptt_sqloss", "the 1997 cell: blocks sharing gates, gates fed by gates, g in [-2, 2], h in [-1, 1]"),
    ("cell1997_bptt", "the paper's error E = (t - y)^2 / 2 instead of (t - y)^2"),
    ("lstm1997", "the paper's truncated gradient (the paper as written)"),
    ("lstm1997_linear", "a linear output unit (the reading that reproduces Table 7)"),
)
"""Rungs from the asker's setup to the paper's, in order, each with the one change it makes."""

CONFIG_KEYS = {"base", "net", "protocol"}
PER_T = {"budget", "until"}
"""Protocol fields the pipeline sets per T from the config (top-level ``budget`` and ``until``), not per variant."""


def build(kind: str, net=None, engine: str = "scalar"):
    """The trainable model of a kind (``MODELS``) for ``net`` (default: the kind's own default); 1997
    networks run on the CPU ``engine`` (``lstm97.ENGINES``), the other kinds have one engine."""
    args = {} if net is None else {"net": net}
    return MODELS[kind](**args, engine=engine) if kind == "lstm97" else MODELS[kind](**args)


@dataclass(frozen=True)
class Setting:
    """A resolved config entry: label, registry variant, network and protocol (PER_T fields still per T),
    and the CPU engine of 1997 networks (the config's ``engine``)."""

    label: str
    variant: Variant
    net: Net
    protocol: Protocol
    engine: str = "scalar"

    @property
    def model(self):
        """The trainable model of ``protocol.train``."""
        return build(self.variant.model, self.net, self.engine)

    def params(self, budget: int, until: str = "all") -> dict:
        """Plain data for Snakemake params, with the PER_T fields of one T: a change in any value reruns the jobs."""
        protocol = dataclasses.replace(self.protocol, budget=budget, until=until)
        return {"variant": self.variant.name, "net": _plain(self.net), "protocol": _plain(protocol), "engine": self.engine}

    @classmethod
    def from_params(cls, label: str, params: dict) -> Setting:
        variant = REGISTRY[params["variant"]]
        net = type(variant.net)(**{k: _tuple(v) for k, v in params["net"].items()})
        protocol = Protocol(**{k: _tuple(v) for k, v in params["protocol"].items()})
        return cls(label, variant, net, protocol, params["engine"])


def _plain(obj) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(obj).items()}


def _tuple(value):
    return tuple(value) if isinstance(value, list) else value


def _fields(cls, exclude=()) -> list[str]:
    return sorted(f.name for f in dataclasses.fields(cls) if f.name not in exclude)


def resolve(label: str, entry: dict | None, engine: str = "scalar") -> Setting:
    """Config entry ``variants.<label>`` -> Setting on the CPU ``engine``, with errors naming the key and the allowed values."""
    entry = entry or {}
    where = f"variants.{label}"
    if unknown := set(entry) - CONFIG_KEYS:
        raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(CONFIG_KEYS))}")
    base = entry.get("base", label)
    if base not in REGISTRY:
        key = f"{where}.base" if "base" in entry else where
        raise ValueError(f"{key}: unknown variant {base!r}; allowed: {', '.join(REGISTRY)}")
    variant = REGISTRY[base]
    net = _override(variant.net, entry.get("net", {}), f"{where}.net", ())
    protocol = _override(Protocol(**variant.protocol), entry.get("protocol", {}), f"{where}.protocol", PER_T)
    setting = Setting(label, variant, net, protocol, engine)
    choice(f"{where}.protocol.gradient", protocol.gradient, setting.model.gradients)
    return setting


def _override(obj, changes: dict, where: str, exclude):
    allowed = _fields(type(obj), exclude)
    for key in changes:
        if key not in allowed:
            raise ValueError(f"{where}: unknown key {key!r}; allowed: {', '.join(allowed)}")
    try:
        return dataclasses.replace(obj, **{k: _tuple(v) for k, v in changes.items()})
    except ValueError as err:
        raise ValueError(f"{where}.{err}") from None


def changes(params: dict) -> str:
    """What a setting changes from the paper's defaults (lstm1997); for nn.LSTM stacks, from their registry entry."""
    variant = REGISTRY[params["variant"]]
    reference = REGISTRY["lstm1997"] if isinstance(variant.net, Net) else variant
    defaults = {"net": _plain(reference.net), "protocol": _plain(Protocol(**reference.protocol))}
    diffs = [
        f"{part}.{key}={value}"
        for part in ("net", "protocol")
        for key, value in params[part].items()
        if key not in PER_T and defaults[part][key] != value
    ]
    if reference is variant and variant.name != "lstm1997":
        return f"nn.LSTM stack {variant.name}" + "".join(f"; {d}" for d in diffs)
    return "; ".join(diffs) or "paper defaults"

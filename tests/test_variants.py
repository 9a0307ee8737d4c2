"""The variant registry: every entry trains and tests on a tiny config; config errors name the key."""

import re

import numpy as np
import pytest

from lstm1997 import task
from lstm1997.protocol import Protocol, evaluate, train
from lstm1997.variants import LADDER, REGISTRY, Setting, changes, resolve


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_variant_trains_and_tests_on_a_tiny_config(name):
    setting = resolve(name, {})
    protocol = Protocol(**{**setting.protocol.__dict__, "budget": 300, "curve_every": 100})
    result = train(10, [0], setting.model, protocol)[0]
    assert result.sequences == 300 and len(result.curve["sequences"]) == 3
    assert np.all(np.isfinite(setting.model.flatten(result.final_weights)))
    ev = evaluate(result.final_weights, task.make_dataset(10, 50, seed=1), setting.model)
    assert 0 <= ev.wrong <= 50 and 0 < ev.mse < 1


def test_params_round_trip_for_every_variant():
    for name in REGISTRY:
        setting = resolve(name, {})
        assert Setting.from_params(name, setting.params(1000)).model == setting.model


def test_ladder_names_registry_variants_in_order():
    assert [name for name, _ in LADDER][0] == "asker" and [name for name, _ in LADDER][-2:] == ["lstm1997", "lstm1997_linear"]
    assert all(name in REGISTRY for name, _ in LADDER)


def test_changes_from_the_paper_defaults():
    assert changes(resolve("lstm1997", {}).params(10)) == "paper defaults"
    assert changes(resolve("lstm1997", {}).params(10, "primary")) == "paper defaults"
    assert changes(resolve("x", {"base": "lstm1997", "protocol": {"lr": 1.0}}).params(10)) == "protocol.lr=1.0"
    assert changes(resolve("lstm1997_linear", {}).params(10)) == "net.output=linear"
    assert changes(resolve("cell1997_bptt", {}).params(10)) == "protocol.gradient=full"
    assert changes(resolve("asker", {}).params(10)) == "nn.LSTM stack asker"
    assert changes(resolve("x", {"base": "asker", "protocol": {"lr": 0.1}}).params(10)) == "nn.LSTM stack asker; protocol.lr=0.1"


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"base": "nope"}, "variants.x.base: unknown variant 'nope'; allowed: "),
        ({"base": "lstm1997", "net": {"layers": 2}}, "variants.x.net: unknown key 'layers'; allowed: cell_bias, connectivity, forget_gate, forget_gate_bias, in_gate_bias"),
        ({"base": "asker", "net": {"output": "linear"}}, "variants.x.net: unknown key 'output'; allowed: device, engine, forget_gate"),
        ({"base": "lstm1997", "protocol": {"budget": 5}}, "variants.x.protocol: unknown key 'budget'"),
        ({"base": "lstm1997", "protocol": {"until": "primary"}}, "variants.x.protocol: unknown key 'until'"),
        ({"base": "lstm1997", "protocol": {"lr": 0}}, "variants.x.protocol.lr: must be a finite number > 0, got 0"),
        ({"bsae": "lstm1997"}, "variants.x: unknown key 'bsae'; allowed: base, net, protocol"),
        ({"base": "asker", "protocol": {"gradient": "truncated"}}, "variants.x.protocol.gradient: must be one of ['full'], got 'truncated'"),
    ],
)
def test_config_errors_name_the_key_and_the_allowed_values(entry, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        resolve("x", entry)

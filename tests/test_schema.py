"""The config schema's ``net`` and ``protocol`` against the dataclasses they override: same keys, same enums."""

import dataclasses

import jsonschema
import pytest
import yaml
from conftest import REPO

from lstm1997 import criteria, learning, lstm97, stack
from lstm1997.lstm97 import Net
from lstm1997.protocol import UNTIL, Protocol
from lstm1997.stack import Stack
from lstm1997.variants import PER_T

SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
DEFS = SCHEMA["$defs"]


def fields(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_net_keys_are_the_fields_of_both_network_kinds():
    assert set(DEFS["net"]["properties"]) == fields(Net) | fields(Stack)


def test_protocol_keys_are_the_protocols_fields_less_the_per_T_ones():
    assert set(DEFS["protocol"]["properties"]) == fields(Protocol) - PER_T
    assert set(SCHEMA["properties"]["until"]["additionalProperties"]["enum"]) == set(UNTIL)


@pytest.mark.parametrize(
    "where, allowed",
    [
        (("net", "output"), lstm97.OUTPUTS),
        (("net", "connectivity"), lstm97.CONNECTIVITY),
        (("net", "squash"), lstm97.SQUASH),
        (("net", "init"), stack.INITS),
        (("net", "engine"), stack.ENGINES),
        (("net", "device"), stack.DEVICES),
        (("protocol", "gradient"), learning.GRADIENTS),
        (("protocol", "loss"), learning.LOSSES),
        (("protocol", "primary"), criteria.DEFINITIONS),
    ],
)
def test_enums_are_the_packages_vocabularies(where, allowed):
    part, key = where
    assert DEFS[part]["properties"][key]["enum"] == list(allowed)


def test_list_enums_are_the_packages_vocabularies():
    assert DEFS["net"]["properties"]["learned_biases"]["items"]["enum"] == list(lstm97.UNIT_KINDS)
    assert DEFS["protocol"]["properties"]["criteria"]["items"]["enum"] == list(criteria.DEFINITIONS)


def config(net=None, protocol=None) -> dict:
    entry = {"base": "lstm1997"} | ({"net": net} if net else {}) | ({"protocol": protocol} if protocol else {})
    return {"T": [100], "trials": 1, "budget": {100: 10}, "variants": {"x": entry}}


@pytest.mark.parametrize(
    "net, protocol, path",
    [
        ({"squash": "tanh"}, None, "variants.x.net.squash"),
        ({"learned_biases": ["cell", "forget_gate"]}, None, "variants.x.net.learned_biases.1"),
        ({"cell_bias": "no"}, None, "variants.x.net.cell_bias"),
        ({"initial_activation": 2}, None, "variants.x.net.initial_activation"),
        ({"outputs": "linear"}, None, "variants.x.net"),
        ({"forget_gate": "no"}, None, "variants.x.net.forget_gate"),
        ({"in_gate_bias": ["a", "b"]}, None, "variants.x.net.in_gate_bias"),
        ({"in_gate_bias": -3}, None, "variants.x.net.in_gate_bias"),
        (None, {"lr": True}, "variants.x.protocol.lr"),
        (None, {"error_threshold": "abc"}, "variants.x.protocol.error_threshold"),
        (None, {"lr": "0.5"}, "variants.x.protocol.lr"),
        (None, {"window": 1500.5}, "variants.x.protocol.window"),
        (None, {"error_threshold": -1}, "variants.x.protocol.error_threshold"),
        (None, {"criteria": "window_mse"}, "variants.x.protocol.criteria"),
        (None, {"marked_first_marker": 0.5}, "variants.x.protocol.marked_first_marker"),
        (None, {"budget": 10}, "variants.x.protocol"),
    ],
)
def test_bad_values_fail_validation_at_their_key(net, protocol, path):
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(config(net, protocol)))
    assert [".".join(map(str, e.absolute_path)) for e in errors] == [path]


def test_good_overrides_pass():
    net = {"output": "linear", "learned_biases": [], "cell_bias": False, "squash": "table10", "initial_activation": 0.5}
    jsonschema.validate(config(net, {"lr": 1.0, "criteria": ["window_mse"], "marked_first_marker": -1.0}), SCHEMA)

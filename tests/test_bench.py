"""The bench's host tables (``python -m lstm1997.bench --host``) run and say what they measured."""

import re

from lstm1997 import bench


def test_the_rules_table_times_both_ways_of_feeding():
    lines = list(bench.rules_table(64, 2))
    assert lines[0].startswith("| stopping rules of 64 runs fed 2 blocks |")
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["one call per run", "one call for all runs"]
    assert all(float(line.split("|")[2]) > 0 for line in lines[2:]) and lines[2].endswith("| 1x |")


def test_the_host_table_times_the_loop_both_ways_around_the_stand_in():
    lines = list(bench.host_table(10, 64, 2, 2.2e9))
    assert "64 runs, T = 10, a stand-in device at 2.2 G time steps/s" in lines[0]
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["block after block", "a block ahead", "the device alone"]
    assert all(re.fullmatch(r" [\d.]+ ", line.split("|")[2]) for line in lines[2:])

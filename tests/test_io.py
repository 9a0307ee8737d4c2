"""What the jobs write: strict JSON."""

import re

import pytest

from lstm1997 import io


def test_json_is_strict_and_names_the_file(tmp_path):
    with pytest.raises(ValueError, match=f"^{re.escape(str(tmp_path / 'e.json'))}: Out of range float values are not JSON compliant"):
        io.write_json(tmp_path / "e.json", {"mse": float("nan")})
    assert not list(tmp_path.iterdir())

"""The shared length and value rules of the task definitions."""

from __future__ import annotations

import numpy as np
import pytest

from tpjax.config import base_config
from tpjax.tasks import spec


def test_value_tokens_counts_specials():
    assert spec.value_tokens("sort", 8, 3) == ("0", "1", "2", "3", "4")
    assert spec.value_tokens("hist", 8, 2) == ("0", "1", "2", "3", "4", "5")
    with pytest.raises(ValueError, match="vocab_size=3 is too small for sort"):
        spec.value_tokens("sort", 3, 3)


def test_body_lengths_default_and_length_gen():
    data = base_config().data
    assert spec.body_lengths("t", data, 6) == ((1, 6), None)
    data.length_gen = 10
    assert spec.body_lengths("t", data, 6) == ((1, 10), (11, 20))
    data.min_len = 12
    with pytest.raises(ValueError, match="length_gen=10 is below"):
        spec.body_lengths("t", data, 6)
    data.length_gen = 0
    with pytest.raises(ValueError, match="min_len"):
        spec.body_lengths("t", data, 6)


def test_min_len_zero_means_one():
    data = base_config().data
    data.min_len = 0
    assert spec.body_lengths("t", data, 6)[0] == (1, 6)


def test_uniform_bodies_cover_the_range():
    bodies = spec.uniform_bodies(np.random.default_rng(0), 5000, (2, 5), 3)
    assert {len(b) for b in bodies} == {2, 3, 4, 5}
    assert {v for b in bodies for v in b} == {0, 1, 2}

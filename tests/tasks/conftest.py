"""Shared fixtures for the task tests: configs built from the base config, no configs/ files needed."""

from __future__ import annotations

import ml_collections
import numpy as np
import pytest

from tpjax import tasks
from tpjax.config import base_config


def config(task: str, **data) -> ml_collections.ConfigDict:
    c = base_config()
    c.task = task
    if task.startswith("dyck"):
        c.data.max_len = 16  # the paper's Dyck inputs: <s> and 15 brackets
    if task == "induction":
        c.data.vocab_size = 10
    for key, value in data.items():
        c.data[key] = value
    return c


@pytest.fixture
def make_config():
    return config


@pytest.fixture
def drawn():
    """drawn(task, n, **data) -> n sampled inputs (train lengths) and the task, from a fixed generator."""
    def draw(task: str, n: int = 3000, **data):
        _, t = tasks.get_task(config(task, **data))
        return t.sample(np.random.default_rng(1234), n, t.train_lengths), t
    return draw

"""Config validation: every bad config fails up front with one line naming the problem."""

import os
import subprocess
import sys

import pytest

from tpjax import config as config_lib
from tpjax import tasks

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_base_and_task_configs_are_valid():
    for task in tasks.TASKS:
        c = config_lib.tiny_config(task)
        if task.startswith("dyck"):
            c.data.max_len = 16
        if task == "induction":
            c.data.vocab_size = 10
        config_lib.validate(c)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("task", "sorting", "unknown task 'sorting'"),
        ("n_seeds", 0, "config.n_seeds must be a positive integer"),
        ("model.n_layers", -1, "config.model.n_layers must be a positive integer"),
        ("model.n_heads_cat", -2, "config.model.n_heads_cat must be a non-negative integer"),
        ("batch_size", 0, "config.batch_size must be a positive integer"),
        ("lr", -0.1, "config.lr must be a positive number"),
        ("model.kind", "lstm", "unknown config.model.kind 'lstm'"),
        ("data.test_frac", 0.7, "config.data.test_frac must lie in (0, 0.5)"),
        ("seed_chunk", -3, "config.seed_chunk must be a non-negative integer"),
        ("seed_chunk", 1, "config.seed_chunk must be 0 (all seeds at once) or at least 2, got 1"),
    ],
)
def test_bad_field_is_named(field, value, message):
    c = config_lib.tiny_config("sort")
    parent, _, name = field.rpartition(".")
    (c[parent] if parent else c)[name] = value
    with pytest.raises(config_lib.ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        config_lib.validate(c)


def test_d_var_too_small_is_named():
    c = config_lib.tiny_config("sort")
    c.model.d_var = 5
    with pytest.raises(config_lib.ConfigError, match="d_var=5 is too small: task 'sort' has 8 input tokens"):
        config_lib.validate_against_data(c, vocab_size=8, n_ctx=8)
    with pytest.raises(config_lib.ConfigError, match="context length 12"):
        config_lib.validate_against_data(c, vocab_size=4, n_ctx=12)
    c.model.d_var = 0
    assert config_lib.validate_against_data(c, vocab_size=8, n_ctx=12) == 12


def test_annealing_must_go_down():
    c = config_lib.tiny_config("sort")
    c.gumbel.tau_end = 5.0
    with pytest.raises(config_lib.ConfigError, match="tau_end <= tau_start"):
        config_lib.validate(c)


@pytest.mark.parametrize(
    "override, message",
    [
        ("--config.task=sorting", "error: unknown task 'sorting'"),
        ("--config.model.d_var=4", "error: config.model.d_var=4 is too small"),
        ("--config.model.n_layers=-3", "error: config.model.n_layers must be a positive integer"),
        ("--cpu_devices=0", "error: --cpu_devices must be at least 1, got 0"),
    ],
)
def test_main_fails_with_one_line(tmp_path, override, message):
    proc = subprocess.run(
        [sys.executable, "-m", "tpjax.main", "--config=configs/sort.py", override, f"--workdir={tmp_path / 'w'}"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(message)
    assert not (tmp_path / "w" / "results.json").exists()


def test_sizes_the_snapped_model_cannot_hold_are_refused_in_one_line():
    c = config_lib.base_config()
    c.model.num_max = 5000  # n_ctx 52, 3 layers: values up to 5000 would need a 5001**2-entry table
    with pytest.raises(config_lib.ConfigError, match=r"num_max=5000 makes a snapped numerical-MLP table of 5001\*\*2"):
        config_lib.validate_against_data(c, 8, 52)
    c.model.num_max = 0
    c.model.n_layers = 6  # counts could reach 52**6 > 2**31
    with pytest.raises(config_lib.ConfigError, match=r"counts reach 52\*\*6, past the snapped model's int32"):
        config_lib.validate_against_data(c, 8, 52)
    c.model.n_heads_num = 0  # no numerical heads: nothing is summed
    assert config_lib.validate_against_data(c, 8, 52) == 52

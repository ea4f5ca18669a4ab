"""Config validation: every bad config fails up front with one line naming the problem."""

import glob
import json
import os
import re
import subprocess
import sys

import ml_collections
import pytest
from absl import flags
from ml_collections import config_flags

from tpjax import config as config_lib
from tpjax import tasks

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG_DIR = os.path.join(REPO, "configs")
# Every shipped configs/<name>.py but the baseline wrapper, which takes a task: configs/standard.py:<task>.
TASK_CONFIGS = sorted(
    os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(CONFIG_DIR, "*.py"))
    if os.path.basename(p) != "standard.py"
)
SHIPPED = [f"configs/{name}.py" for name in TASK_CONFIGS] + [f"configs/standard.py:{t}" for t in TASK_CONFIGS]
_DATASETS: dict[str, tasks.Dataset] = {}  # the standard configs share their task's data: draw it once


def load_as_main(arg: str):
    """The config `python -m tpjax.main --config=<arg>` runs, parsed by the same config_flags definition."""
    fv = flags.FlagValues()
    config_flags.DEFINE_config_file("config", None, "", flag_values=fv, lock_config=True)
    fv(["tpjax.main", f"--config={os.path.join(REPO, arg)}"])
    return fv.config


def test_tiny_configs_of_every_task_are_valid():
    for task in tasks.TASKS:
        c = config_lib.tiny_config(task)
        if task.startswith("dyck"):
            c.data.max_len = 16
        if task == "induction":
            c.data.vocab_size = 10
        config_lib.validate(c)


def test_every_task_has_a_shipped_config():
    assert set(TASK_CONFIGS) == set(tasks.TASKS)  # standard.py:<task> then covers every task too


@pytest.mark.parametrize("arg", SHIPPED)
def test_shipped_configs_are_valid_against_their_data(arg):
    """Each configs/*.py as shipped passes what training checks first: validate, the data, the model's sizes."""
    from tpjax.model.build import build_model  # as tpjax.train.loop builds it; imported here: JAX is slow to load

    c = load_as_main(arg)
    path, _, task = arg.partition(":")
    assert c.task == (task or os.path.splitext(os.path.basename(path))[0])
    assert c.model.kind == ("standard" if task else "program")
    config_lib.validate(c)
    key = json.dumps([c.task, c.data.to_dict()], sort_keys=True)
    if key not in _DATASETS:
        _DATASETS[key] = tasks.make_dataset(c)
    ds = _DATASETS[key]
    _, spec = tasks.get_task(c)  # what the sweeps check without drawing data must match the drawn data
    assert (len(spec.vocab), spec.n_ctx) == (len(ds.vocab), ds.n_ctx)
    model = build_model(c, ds)  # program kind: runs validate_against_data on the real vocabulary and n_ctx
    if c.model.kind == "program":
        assert model.spec.d_var == config_lib.validate_against_data(c, len(ds.vocab), ds.n_ctx)
        assert model.spec.d_var >= max(len(ds.vocab), ds.n_ctx)
    else:
        assert c.model.d_model % c.model.n_heads == 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"task": "sorting"}, "unknown task 'sorting'"),
        ({"n_seeds": 0}, "config.n_seeds must be a positive integer"),
        ({"model.n_layers": -1}, "config.model.n_layers must be a positive integer"),
        ({"model.n_heads_cat": -2}, "config.model.n_heads_cat must be a non-negative integer"),
        ({"batch_size": 0}, "config.batch_size must be a positive integer"),
        ({"lr": -0.1}, "config.lr must be a positive number"),
        ({"model.kind": "lstm"}, "unknown config.model.kind 'lstm'"),
        ({"data.test_frac": 0.7}, "config.data.test_frac must lie in (0, 0.5)"),
        ({"seed_chunk": -3}, "config.seed_chunk must be a non-negative integer"),
        ({"seed_chunk": 1}, "config.seed_chunk must be 0 (all seeds at once) or at least 2, got 1"),
        # ml_collections refuses a non-bool for a bool field (TypeError) and absl's flag parser refuses
        # --config.model.embed_gumbel=maybe, but None passes both (a config file can set it).
        ({"model.embed_gumbel": None}, "config.model.embed_gumbel must be true or false, got None"),
        ({"model.kind": "standard", "model.n_heads": 3},
         "config.model.d_model=32 must be divisible by config.model.n_heads=3"),
        ({"gumbel.tau_end": 0.0}, "config.gumbel needs 0 < tau_end <= tau_start, got 3.0 -> 0.0"),
        ({"gumbel.tau_end": -0.5}, "config.gumbel needs 0 < tau_end <= tau_start, got 3.0 -> -0.5"),
    ],
)
def test_bad_field_is_named(changes, message):
    c = config_lib.tiny_config("sort")
    for field, value in changes.items():
        parent, _, name = field.rpartition(".")
        (c[parent] if parent else c)[name] = value
    with pytest.raises(config_lib.ConfigError, match=re.escape(message)) as info:
        config_lib.validate(c)
    assert "\n" not in str(info.value)


def test_embed_gumbel_of_a_config_rebuilt_from_a_dict_is_named():
    """A config rebuilt from saved JSON (checkpoint.py, export.py) keeps the saved value's type."""
    d = config_lib.tiny_config("sort").to_dict()
    d["model"]["embed_gumbel"] = "maybe"
    with pytest.raises(config_lib.ConfigError, match="config.model.embed_gumbel must be true or false, got 'maybe'"):
        config_lib.validate(ml_collections.ConfigDict(d))


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
    assert not (tmp_path / "w").exists()  # refused before the workdir is made


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
    c.model.mlp_vars_in = 4  # a categorical MLP's table: one row per combination of 4 values of d_var 52
    with pytest.raises(config_lib.ConfigError, match=r"table of 52\*\*4 = 7,311,616 entries \(at most 1,048,576\)"):
        config_lib.validate_against_data(c, 8, 52)
    c.model.n_mlps_cat = 0
    assert config_lib.validate_against_data(c, 8, 52) == 52  # numerical MLPs: the default clip fits the table
    c.model.mlp_vars_in = 21  # even values 0-1 make 2**21 combinations
    with pytest.raises(config_lib.ConfigError, match=r"numerical-MLP table of at least 2\*\*21 entries"):
        config_lib.validate_against_data(c, 8, 52)

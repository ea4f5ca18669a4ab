"""`python -m tpjax.data`: JSON lines of one split, and one-line errors with exit code 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tpjax import tasks
from tpjax.config import base_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def config_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("configs") / "task.py"
    path.write_text(
        "from tpjax.config import base_config\n\n\n"
        "def get_config():\n"
        "    c = base_config()\n"
        "    c.task = 'hist'\n"
        "    c.data.size = 300\n"
        "    return c\n"
    )
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tpjax.data", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("split", ["train", "test"])
def test_writes_the_split_as_json_lines(config_file, split):
    done = run(f"--config={config_file}", f"--split={split}", "--config.task=addition_hints")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    c = base_config()
    c.task, c.data.size = "addition_hints", 300
    assert [(r["input"], r["target"]) for r in rows] == tasks.examples(c, split)
    assert all(set(r) == {"input", "target"} for r in rows)


def test_overrides_reach_the_data(config_file):
    done = run(f"--config={config_file}", "--split=val", "--config.data.size=1000")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 90  # val: 10% of the 900 non-test examples
    done = run(f"--config={config_file}", "--split=test", "--config.data.size=1000", "--config.data.length_gen=5")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    c = base_config()
    c.task, c.data.size, c.data.length_gen = "hist", 1000, 5
    assert [(r["input"], r["target"]) for r in rows] == tasks.examples(c, "test")
    c.data.length_gen = 0
    assert [(r["input"], r["target"]) for r in rows] != tasks.examples(c, "test")  # the override changes the split


@pytest.mark.parametrize("args,message", [
    (["--split=dev"], "unknown split 'dev'"),
    (["--config.task=nope"], "unknown task 'nope'"),
    (["--config.data.vocab_size=2"], "vocab_size=2 is too small"),
    (["--config.data.size=0"], "config.data.size must be a positive integer"),
    (["--config.data.nope=1"], "--config.data.nope: the config has no field 'nope'"),
    (["--config.data.sizee=1"], "--config.data.sizee: the config has no field 'sizee' (did you mean 'size'?)"),
    (["--config.data.size=5"], "config.data.size=5 at test_frac=0.1 gives splits of train 5, val 0, test 0 "
                               "examples: raise config.data.size"),
    (["--config.task=dyck1", "--config.data.max_len=3"], "only 4 distinct inputs of its training lengths: raise config.data.max_len"),
    (["--config.task=addition", "--config.data.length_gen=4", "--config.data.sum_label=True"],
     "sum_label has no length-generalisation split"),
])
def test_bad_input_is_one_line_and_exit_code_1(config_file, args, message):
    done = run(f"--config={config_file}", *args)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in done.stderr


def test_missing_config_file(tmp_path):
    done = run(f"--config={tmp_path / 'missing.py'}")
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "missing.py" in done.stderr

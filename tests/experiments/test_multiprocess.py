"""Two JAX processes on localhost share a sweep: every point is trained exactly once, process 0 writes the
summary after both have finished, and a re-run of both trains nothing (points are idempotent).

Each process replaces train_and_evaluate by a stub that logs the point and writes its files at once.
"""

import csv
import json
import os
import socket
import subprocess
import sys

import pytest

from tpjax import distributed

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKER = """
import importlib.util, json, os, sys, time
import jax
from tpjax import train
from tpjax.experiments import runner, sweep
from tpjax.train import records

out, log = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("paper", os.path.join({repo!r}, "configs", "sweeps", "paper.py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
config = module.get_config()
config.n_layers, config.n_heads, config.n_mlps = (1, 2, 3), (2,), (2, 4)


def stub(c, workdir):
    time.sleep(0.2 if jax.process_index() == 0 else 1.0)  # process 1 finishes last
    with open(log, "a") as f:
        f.write(json.dumps([jax.process_index(), os.path.basename(workdir)]) + "\\n")
    seeds = list(range(c.seed, c.seed + c.n_seeds))
    acc = [0.5] * len(seeds)
    results = {{"task": c.task, "seeds": seeds, "train_acc": acc, "val_acc": acc, "test_acc": acc,
                "best_seed": seeds[0], "best_test_acc": 0.5, "program_agreement": [1.0] * len(seeds),
                "wall_seconds": 1.0}}
    run = records.RunFiles(workdir)
    run.write_config(c)
    run.write_results(results)
    return results


train.train_and_evaluate = stub
plan = sweep.make_plan(config, "sort", "0/1", out)
assert sweep.run(plan) == []
if runner.is_reporter():
    sweep.write_summaries(plan)
    print("wrote summaries")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _launch(out, log):
    port = _free_port()
    procs = []
    for i in range(2):
        env = {**os.environ, "JAX_PLATFORMS": "cpu", "TPJAX_COORDINATOR": f"localhost:{port}",
               "TPJAX_NUM_PROCESSES": "2", "TPJAX_PROCESS_ID": str(i)}
        procs.append(subprocess.Popen(
            [sys.executable, "-c", WORKER.format(repo=REPO), str(out), str(log)], cwd=REPO, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err[-3000:]
    return [o for o, _ in outputs]


def test_two_processes_share_a_sweep_each_point_once_and_a_rerun_trains_nothing(tmp_path):
    out, log = tmp_path / "out", tmp_path / "log"
    stdouts = _launch(out, log)
    runs = [json.loads(line) for line in log.read_text().splitlines()]
    names = ["L1_H2_M2", "L1_H2_M4", "L2_H2_M2", "L2_H2_M4", "L3_H2_M2", "L3_H2_M4"]
    assert sorted(name for _, name in runs) == names  # each point exactly once
    assert {i for i, _ in runs} == {0, 1}
    assert sorted(name for i, name in runs if i == 1) == names[1::2]  # process i takes points i::2
    assert ["wrote summaries" in s for s in stdouts] == [True, False]
    with open(out / "paper" / "sort" / "summary.csv") as f:
        assert [row["status"] for row in csv.DictReader(f)] == ["done"] * 6  # written after both finished

    _launch(out, log)
    assert len(log.read_text().splitlines()) == 6


@pytest.mark.parametrize(
    "env, message",
    [({"TPJAX_COORDINATOR": "localhost:1"}, "needs integer TPJAX_NUM_PROCESSES and TPJAX_PROCESS_ID"),
     ({"TPJAX_COORDINATOR": "localhost:1", "TPJAX_NUM_PROCESSES": "2", "TPJAX_PROCESS_ID": "2"},
      "TPJAX_PROCESS_ID=2 must lie in 0..TPJAX_NUM_PROCESSES-1")],
)
def test_bad_cluster_settings_fail_in_one_line(monkeypatch, env, message):
    for name in ("TPJAX_COORDINATOR", "TPJAX_NUM_PROCESSES", "TPJAX_PROCESS_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(distributed.DistributedError, match=message):
        distributed.initialize()


def test_alone_without_settings(monkeypatch):
    monkeypatch.delenv("TPJAX_COORDINATOR", raising=False)
    assert distributed.initialize() == (0, 1)
    assert distributed.share(list(range(7)), 1, 3) == [1, 4]
    assert distributed.gather_json("x", [1]) == [[1]]

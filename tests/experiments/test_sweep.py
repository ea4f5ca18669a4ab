"""Sweeps: a shard runs its points and skips finished ones; a killed sweep re-run finishes only what is missing.

The in-process tests replace train_and_evaluate by a stub that writes a run's files at once; the kill test
trains a real two-point sweep of tiny runs (a few seconds each on a quiet CPU) in a subprocess, killed inside
its second point.
"""

import csv
import json
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from tpjax import train
from tpjax.experiments import grid, sweep
from tpjax.train import records

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAPER = os.path.join(REPO, "configs", "sweeps", "paper.py")
# The paper sweep cut down to two points of tiny one-epoch runs.
TINY = {
    "n_layers": "1", "n_heads": "2", "n_mlps": "(2,4)", "n_seeds": "2", "override.n_epochs": "1",
    "override.data.size": "300", "override.batch_size": "64", "override.model.d_mlp": "8",
    "override.eval_every": "1", "override.checkpoint_every": "1",
}


def _sweep_config(**overrides):
    config = grid.load_config_file(PAPER)
    config.n_layers, config.n_heads, config.n_mlps = (1, 2), (2,), (2, 4)
    for key, value in overrides.items():
        config.override[key] = value
    return config


def _stub(monkeypatch, diverge=()):
    """Replaces train_and_evaluate by writing config.json and results.json at once; returns the points it ran."""
    ran = []

    def train_and_evaluate(c, workdir):
        name = os.path.basename(workdir)
        ran.append(name)
        if name in diverge:
            raise FloatingPointError("training loss is not finite at epoch 1: [nan, nan]")
        run = records.RunFiles(workdir)
        run.write_config(c)
        seeds = list(range(c.seed, c.seed + c.n_seeds))
        acc = [0.5] * len(seeds)
        results = {"task": c.task, "seeds": seeds, "train_acc": acc, "val_acc": acc, "test_acc": acc,
                   "best_seed": seeds[0], "best_test_acc": 0.5, "program_agreement": [1.0] * len(seeds),
                   "wall_seconds": 1.0}
        run.write_results(results)
        return results

    monkeypatch.setattr(train, "train_and_evaluate", train_and_evaluate)
    return ran


def test_shards_run_their_own_points_and_a_rerun_skips_finished_ones(tmp_path, monkeypatch, caplog):
    ran = _stub(monkeypatch)
    out = str(tmp_path)
    second = sweep.make_plan(_sweep_config(), "sort", "1/2", out)
    assert sweep.run(second) == []
    assert ran == ["L1_H2_M4", "L2_H2_M4"]
    sweep.write_summaries(second)
    with open(os.path.join(out, "paper", "sort", "summary.csv")) as f:
        assert [row["status"] for row in csv.DictReader(f)] == ["missing", "done", "missing", "done"]

    ran.clear()
    whole = sweep.make_plan(_sweep_config(), "sort", "0/1", out)
    with caplog.at_level(logging.INFO):
        assert sweep.run(whole) == []
    assert ran == ["L1_H2_M2", "L2_H2_M2"]
    assert "[2/4] sort/L1_H2_M4: skipped, finished earlier" in caplog.text
    assert "[3/4] sort/L2_H2_M2: running 5 seeds in" in caplog.text
    sweep.write_summaries(whole)
    with open(os.path.join(out, "paper", "sort", "summary.csv")) as f:
        assert [row["status"] for row in csv.DictReader(f)] == ["done"] * 4


def test_a_diverged_point_is_reported_and_the_others_still_run(tmp_path, monkeypatch):
    ran = _stub(monkeypatch, diverge={"L1_H2_M4"})
    plan = sweep.make_plan(_sweep_config(), "sort", "0/1", str(tmp_path))
    assert sweep.run(plan) == [grid.Point("sort", 1, 2, 4)]
    assert ran == ["L1_H2_M2", "L1_H2_M4", "L2_H2_M2", "L2_H2_M4"]
    assert not os.path.exists(os.path.join(str(tmp_path), "paper", "sort", "L1_H2_M4", "results.json"))


def test_a_point_finished_under_other_overrides_is_an_error(tmp_path, monkeypatch):
    _stub(monkeypatch)
    sweep.run(sweep.make_plan(_sweep_config(n_epochs=1), "sort", "0/1", str(tmp_path)))
    other = sweep.make_plan(_sweep_config(n_epochs=2), "sort", "0/1", str(tmp_path))
    message = r"^point sort/L1_H2_M2: .* holds a run of another config \(n_epochs=2 here, 1 there\); use a fresh --out"
    with pytest.raises(grid.SweepError, match=message):
        sweep.run(other)
    with pytest.raises(grid.SweepError, match=message):
        sweep.write_summaries(other)


def _cli(out, *args, **overrides):
    flags = {**TINY, **overrides}
    return [sys.executable, "-m", "tpjax.experiments.sweep", f"--config={PAPER}", f"--out={out}", *args] + [
        f"--config.{k}={v}" for k, v in flags.items()
    ]


@pytest.mark.parametrize(
    "args, overrides, line",
    [
        (["--task=sort", "--shard=2/2"], {}, "error: --shard must be i/n with 0 <= i < n (e.g. 0/4), got '2/2'"),
        (["--task=sorting"], {}, "error: unknown task 'sorting'; known tasks: addition, addition_hints, "
                                 "double_hist, dyck1, dyck2, hist, induction, most_freq, reverse, sort"),
        (["--task=sort"], {"n_heads": "(2,3)"}, "error: sweep config.n_heads must hold even numbers "
                                                "(half categorical, half numerical), got 3 in (2, 3)"),
        (["--task=sort"], {"override.model.n_heads_cat": "1"},
         "error: --config.override.model.n_heads_cat: the sweep config has no field 'n_heads_cat' "
         "(did you mean 'n_heads'?)"),
        (["--task=sort"], {"override.model.d_var": "6"},
         "error: point sort/L1_H2_M2: config.model.d_var=6 is too small: task 'sort' has 8 input tokens"),
        (["--task=sort"], {"override.data.size": "5"},
         "error: point sort/L1_H2_M2: config.data.size=5 at test_frac=0.1 gives splits of train 5, val 0, test 0 "
         "examples: raise config.data.size"),
    ],
    ids=["shard", "task", "grid", "override", "point", "data size"],
)
def test_bad_command_lines_fail_in_one_line_before_anything_is_written(tmp_path, args, overrides, line):
    out = tmp_path / "out"
    proc = subprocess.run(_cli(out, *args, **overrides), cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [line], proc.stderr
    assert not out.exists()


def test_an_out_folder_that_is_a_file_fails_in_one_line(tmp_path):
    (tmp_path / "afile").write_text("")
    for out in (tmp_path / "afile", tmp_path / "afile" / "sweeps"):
        proc = subprocess.run(_cli(out, "--task=sort", "--aggregate_only"), cwd=REPO, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 1
        assert proc.stderr.strip().splitlines() == [f"error: --out {out}: {tmp_path / 'afile'} is a file, not a folder"]


def _log_lines(text, point):
    return [line.split("] ", 1)[1] for line in text.splitlines() if "] [" in line and f"sort/{point}:" in line]


def test_a_killed_sweep_rerun_finishes_only_the_missing_points(tmp_path):
    """Killed inside its second point, after that point's second checkpoint: the re-run skips the finished
    first point, resumes the second from its latest checkpoint (not from epoch 0) and finishes it. That a
    resumed run ends bitwise where an uninterrupted one would is tested on runs (tests/train/test_checkpoint.py)."""
    out = tmp_path / "out"
    longer = {"override.n_epochs": "8"}
    first_point, second_point = (out / "paper" / "sort" / name for name in ("L1_H2_M2", "L1_H2_M4"))
    with open(tmp_path / "killed.log", "w") as log:
        proc = subprocess.Popen(_cli(out, "--task=sort", **longer), cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 300
        while not (second_point / "checkpoints" / "2" / "MANIFEST.json").exists():
            assert proc.poll() is None, f"the sweep ended before it was killed: {(tmp_path / 'killed.log').read_text()}"
            assert time.time() < deadline, "the second point did not reach its second checkpoint within 300 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert (first_point / "results.json").exists()
    assert not (second_point / "results.json").exists(), "killed too late: the second point had finished"
    checkpoints = second_point / "checkpoints"
    saved = max(int(step) for step in os.listdir(checkpoints) if (checkpoints / step / "MANIFEST.json").exists())
    assert 2 <= saved < 8
    before = (first_point / "results.json").read_text(), os.stat(first_point / "results.json").st_mtime_ns
    programs = sorted(os.listdir(first_point / "programs"))

    rerun = subprocess.run(_cli(out, "--task=sort", **longer), cwd=REPO, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _log_lines(rerun.stderr, "L1_H2_M2") == ["[1/2] sort/L1_H2_M2: skipped, finished earlier"]
    second = _log_lines(rerun.stderr, "L1_H2_M4")
    assert second[0].startswith("[2/2] sort/L1_H2_M4: running 2 seeds in") and "done in" in second[1]
    resumed = [line for line in rerun.stderr.splitlines() if "resuming" in line]
    assert len(resumed) == 1 and resumed[0].endswith(f"L1_H2_M4 from epoch {saved}"), rerun.stderr[-3000:]
    assert ((first_point / "results.json").read_text(), os.stat(first_point / "results.json").st_mtime_ns) == before
    assert sorted(os.listdir(first_point / "programs")) == programs == ["seed_0", "seed_1"]
    with open(second_point / "metrics.jsonl") as f:
        evaluated = [(m["epoch"], m["seed"], m["split"]) for m in map(json.loads, f)]
    assert sorted(evaluated) == sorted(
        (epoch, seed, split) for epoch in range(1, 9) for seed in (0, 1) for split in ("train", "val", "test")
    )

    task_dir = out / "paper" / "sort"
    with open(task_dir / "summary.csv") as f:
        rows = list(csv.DictReader(f))
    assert [(row["point"], row["status"]) for row in rows] == [("L1_H2_M2", "done"), ("L1_H2_M4", "done")]
    for row in rows:
        results = json.loads((task_dir / row["point"] / "results.json").read_text())
        assert float(row["best_test_acc"]) == results["best_test_acc"]
        assert results["seeds"] == [0, 1] and len(results["program_agreement"]) == 2
    assert "2 of 2 points finished" in (task_dir / "summary.md").read_text()
    assert (task_dir / "heatmap.png").stat().st_size > 0


def test_a_sweep_splits_each_points_seeds_over_two_cpu_devices_by_default(tmp_path):
    """As `python -m tpjax.main`: on a 2-core CPU both cores train, 4 seeds as 2 + 2 (the numbers are the
    single-device ones, tests/train/test_step.py and test_sharding.py); `--cpu_devices` reaches the setting."""
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_NUM_CPU_DEVICES")}
    env["JAX_PLATFORMS"] = "cpu"
    out = tmp_path / "out"
    proc = subprocess.run(_cli(out, "--task=sort", "--shard=0/2", n_seeds="4"), cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    device = json.loads((out / "paper" / "sort" / "L1_H2_M2" / "results.json").read_text())["device"]
    assert (device["count"], device["used"]) == (2, 2)
    refused = subprocess.run(_cli(out, "--task=sort", "--aggregate_only", "--cpu_devices=0"), cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and refused.stderr.strip().splitlines()[-1] == (
        "error: --cpu_devices must be at least 1, got 0")

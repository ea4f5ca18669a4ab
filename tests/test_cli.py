"""Every command line answers a mistyped flag, a missing required flag or missing arguments with one `error:`
line and exit code 1 (README), not absl's two-line FATAL message or a usage dump (tpjax.cli.flags_parser)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = ["tpjax.main", "tpjax.data", "tpjax.extract", "tpjax.verify", "tpjax.merge", "tpjax.program.ship",
           "tpjax.experiments.sweep", "tpjax.experiments.length_gen", "tpjax.experiments.report",
           "tpjax.experiments.addition_compare"]
SCRIPTS = ["benchmarks/train_speed.py", "benchmarks/seed_scaling.py", "benchmarks/run_breakdown.py"]


def _only_line(*command: str) -> str:
    proc = subprocess.run([sys.executable, *command], capture_output=True, text=True, timeout=300, cwd=ROOT)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    # tpjax.data names itself first: its stdout is data, often piped on into another tool
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert lines[0].removeprefix("tpjax.data: ").startswith("error: "), proc.stderr
    return lines[0]


@pytest.mark.parametrize("command", [["-m", m] for m in MODULES] + [[s] for s in SCRIPTS], ids=MODULES + SCRIPTS)
def test_a_mistyped_flag_is_one_line(command):
    assert _only_line(*command, "--no_such_flag=1").endswith("Unknown command line flag 'no_such_flag'")


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("flag, message", [
    ("--config.no_such=1", "error: --config.no_such: the config has no field 'no_such'"),
    ("--config=configs/no_such.py", "error: cannot load --config=configs/no_such.py: [Errno 2] No such file"),
])
def test_a_benchmarks_bad_config_is_one_line(script, flag, message):
    assert _only_line(script, flag).startswith(message)


@pytest.mark.parametrize("command, message", [
    (["tpjax.extract"], "Flag --workdir must have a value other than None."),
    (["tpjax.merge", "runs/a"], "Flag --out must have a value other than None."),
    (["tpjax.verify"], "name one program folder: python -m tpjax.verify PROGRAM_DIR"),
    (["tpjax.verify", "programs/sort", "programs/hist"], "name one program folder: python -m tpjax.verify PROGRAM_DIR"),
    (["tpjax.experiments.addition_compare"], "name one or more program folders"),
])
def test_a_missing_flag_or_argument_is_one_line(command, message):
    assert message in _only_line("-m", *command)

"""Every command-line module imports beside every other: flags are defined only when a module runs as a script."""

import subprocess
import sys

CLIS = ("tpjax.main", "tpjax.extract", "tpjax.verify", "tpjax.program.ship", "tpjax.data", "tpjax.merge",
        "tpjax.experiments.report", "tpjax.experiments.sweep", "tpjax.experiments.length_gen",
        "tpjax.experiments.addition_compare")

CHECK = f"""
from absl import flags
import importlib
for name in {CLIS!r}:
    importlib.import_module(name)
assert not [f for f in flags.FLAGS if f in ("config", "workdir", "out", "runs", "task", "seed", "split")], list(flags.FLAGS)
"""


def test_the_command_line_modules_import_into_one_process():
    proc = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]

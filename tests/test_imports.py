"""Every command-line module imports beside every other: flags are defined only when a module runs as a script."""

import subprocess
import sys

CLIS = ("tpjax.main", "tpjax.extract", "tpjax.verify", "tpjax.program.ship", "tpjax.data", "tpjax.merge",
        "tpjax.experiments.report", "tpjax.experiments.sweep", "tpjax.experiments.length_gen",
        "tpjax.experiments.addition_compare")

CHECK = f"""
from absl import app, flags
import importlib
import chex, orbax.checkpoint, tpjax.train, tpjax.experiments.runner  # libraries that define flags of their own
before = set(flags.FLAGS)
for name in {CLIS!r}:
    importlib.import_module(name)
assert set(flags.FLAGS) == before, sorted(set(flags.FLAGS) - before)
"""


def test_the_command_line_modules_import_into_one_process():
    proc = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]

"""Train, evaluate and extract every seed of a config: `python -m tpjax.main --config=configs/sort.py`.

Given the --workdir of an earlier run of the same config, it resumes from the run's latest checkpoint.
"""

from __future__ import annotations

import datetime
import os
import sys

from absl import app, flags
import ml_collections
from ml_collections import config_flags

from tpjax import cli
from tpjax import config as config_lib
from tpjax import cpu_devices


def define_flags() -> None:
    """The command line's flags, defined only when the module runs as a script: importing it defines none,
    so that the tpjax command-line modules, several of which share flag names, import into one process."""
    global _CONFIG, _WORKDIR, _CPU_DEVICES, _CHECK_WORKDIR
    _CONFIG = config_flags.DEFINE_config_file("config", None, "Path to a configs/<task>.py file.", lock_config=True)
    _WORKDIR = flags.DEFINE_string("workdir", None, "Output folder; default: a fresh folder under runs/.")
    _CPU_DEVICES = cpu_devices.define_flag()
    _CHECK_WORKDIR = flags.DEFINE_bool(
        "check_workdir", False,
        "Train nothing: only check that --workdir was started with this config (its config.json), so that a script "
        "which skips a finished run (launch/pieces.sh) never skips one of other flags.",
    )
    flags.mark_flag_as_required("config")


def default_workdir(task: str) -> str:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return os.path.join("runs", f"{task}-{stamp}")


def check_workdir(c: ml_collections.ConfigDict, workdir: str | None) -> None:
    """Raises CheckpointError unless `workdir` holds a run (finished or not) started with config `c`."""
    from tpjax.train import checkpoint

    if not workdir:
        raise checkpoint.CheckpointError("--check_workdir needs --workdir")
    config_path = os.path.join(workdir, "config.json")
    if not os.path.isfile(config_path):
        raise checkpoint.CheckpointError(f"{workdir} has no config.json: not the workdir of a tpjax run")
    checkpoint.check_workdir_config(config_path, c)
    print(f"{workdir}: a run of this config")


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {' '.join(argv[1:])!r} (flags are --name=value)")
    c = cli.config_value(_CONFIG)
    cpu_devices.use_cpu_devices(_CPU_DEVICES.value)
    from tpjax import train  # after flag parsing: importing JAX is the slow part

    try:
        config_lib.validate(c)
        if _CHECK_WORKDIR.value:
            check_workdir(c, _WORKDIR.value)
            return
        train.train_and_evaluate(c, _WORKDIR.value or default_workdir(c.task))
    except (config_lib.ConfigError, train.CheckpointError, FloatingPointError) as e:
        sys.exit(f"error: {e}")


if __name__ == "__main__":
    define_flags()
    app.run(main, flags_parser=cli.flags_parser())

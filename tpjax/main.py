"""Train, evaluate (and later extract) every seed of a config: `python -m tpjax.main --config=configs/sort.py`.

Given the --workdir of an earlier run of the same config, it resumes from the run's latest checkpoint.
"""

from __future__ import annotations

import datetime
import os
import sys

from absl import app, flags
from ml_collections import config_flags

from tpjax import config as config_lib

_CONFIG = config_flags.DEFINE_config_file("config", None, "Path to a configs/<task>.py file.", lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", None, "Output folder; default: a fresh folder under runs/.")


def default_workdir(task: str) -> str:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return os.path.join("runs", f"{task}-{stamp}")


def main(argv: list[str]) -> None:
    del argv
    from tpjax import train  # after flag parsing: importing JAX is the slow part

    c = _CONFIG.value
    try:
        config_lib.validate(c)
        train.train_and_evaluate(c, _WORKDIR.value or default_workdir(c.task))
    except (config_lib.ConfigError, train.CheckpointError, FloatingPointError) as e:
        sys.exit(f"error: {e}")


if __name__ == "__main__":
    flags.mark_flag_as_required("config")
    app.run(main)

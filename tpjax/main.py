"""Train, evaluate (and later extract) every seed of a config: `python -m tpjax.main --config=configs/sort.py`.

Given the --workdir of an earlier run of the same config, it resumes from the run's latest checkpoint.
"""

from __future__ import annotations

import datetime
import os
import sys

from absl import app, flags, logging
from ml_collections import config_flags

from tpjax import config as config_lib

_CONFIG = config_flags.DEFINE_config_file("config", None, "Path to a configs/<task>.py file.", lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", None, "Output folder; default: a fresh folder under runs/.")
_CPU_DEVICES = flags.DEFINE_integer(
    "cpu_devices", 2,
    "When JAX runs on CPU: split the seeds over this many CPU devices, each running its seeds' program "
    "(on 2 cores, 5 sort seeds train 12% faster on 2 than on 1); ignored where XLA_FLAGS or JAX_NUM_CPU_DEVICES "
    "sets a device count. 1 and 2 give the same numbers; a process with 3 or more CPU devices does not always "
    "(XLA:CPU's YNNPACK fusions compute differently there: the sort config's seeds then differ in the last bits).",
)


def default_workdir(task: str) -> str:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return os.path.join("runs", f"{task}-{stamp}")


def use_cpu_devices(n: int) -> None:
    """Gives the CPU backend n devices, unless XLA_FLAGS or JAX_NUM_CPU_DEVICES already fix the count.

    The results do not change (tpjax.train.sharding): several CPU devices only let XLA run the seeds' programs
    side by side, which keeps both cores of a small machine busy where one program leaves gaps. It only
    speeds things up, so where JAX has already started (tpjax.main.main called in a process that used JAX)
    it is skipped with a warning.
    """
    if n < 1:
        sys.exit(f"error: --cpu_devices must be at least 1, got {n}")
    if "xla_force_host_platform_device_count" in os.environ.get("XLA_FLAGS", "") or "JAX_NUM_CPU_DEVICES" in os.environ:
        return
    import jax

    if n >= 3:
        logging.warning(
            "--cpu_devices=%d: with 3 or more CPU devices XLA:CPU's YNNPACK fusions compute differently, so seeds "
            "may differ in the last bits from runs with 1 or 2 (see tpjax.train.sharding)", n
        )
    try:
        jax.config.update("jax_num_cpu_devices", n)
    except AttributeError:  # a JAX without the option: the XLA flag does the same before the backend starts
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={n}".strip()
    except RuntimeError as e:
        logging.warning("--cpu_devices=%d not applied: %s", n, e)


def main(argv: list[str]) -> None:
    del argv
    use_cpu_devices(_CPU_DEVICES.value)
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

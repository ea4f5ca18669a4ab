"""How many CPU devices JAX gives this process, set before its backend starts (`--cpu_devices`).

Shared by `python -m tpjax.main`, the sweeps and the benchmarks that time its runs; imports JAX only when called.
"""

from __future__ import annotations

import os
import sys

from absl import flags, logging

HELP = (
    "When JAX runs on CPU: split the seeds over this many CPU devices, each running its seeds' program "
    "(on 2 cores, 5 sort seeds train 12% faster on 2 than on 1); ignored where XLA_FLAGS or JAX_NUM_CPU_DEVICES "
    "sets a device count. Checked bitwise, parameters included: 1, 2 and 3 give Transformer Programs the same numbers "
    "(3: at four paper configs); the standard model's evaluation losses can differ in the last bit on 3."
)


def define_flag() -> flags.FlagHolder:
    """The `--cpu_devices` flag (default 2) of every command line that trains."""
    return flags.DEFINE_integer("cpu_devices", 2, HELP)


def use_cpu_devices(n: int) -> None:
    """Gives the CPU backend n devices, unless XLA_FLAGS or JAX_NUM_CPU_DEVICES already fix the count.

    The results do not change with n as far as checked (tpjax.train.sharding; but for the standard model's
    evaluation losses on 3, in the last bit): several CPU devices only let XLA run the seeds' programs side by
    side, which keeps both cores of a small machine busy where one program leaves gaps. It only speeds things
    up, so where JAX has already started (tpjax.main.main called in a process that used JAX) it is skipped
    with a warning.
    """
    if n < 1:
        sys.exit(f"error: --cpu_devices must be at least 1, got {n}")
    if "xla_force_host_platform_device_count" in os.environ.get("XLA_FLAGS", "") or "JAX_NUM_CPU_DEVICES" in os.environ:
        return
    import jax

    try:
        jax.config.update("jax_num_cpu_devices", n)
    except AttributeError:  # a JAX without the option: the XLA flag does the same before the backend starts
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={n}".strip()
    except RuntimeError as e:
        logging.warning("--cpu_devices=%d not applied: %s", n, e)

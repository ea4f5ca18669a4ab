"""Where the time of one `python -m tpjax.main` run goes: initialisation, each epoch, evaluations, checkpoints, extraction.

  python benchmarks/run_breakdown.py [--config=configs/sort.py] [--config.n_epochs=10] [--cpu_devices=2]

Runs `tpjax.train.train_and_evaluate` on a fresh temporary workdir with timers around its parts and prints a
table: the first epoch (which compiles the epoch program) and the first evaluation (which compiles the snapped
model) are listed apart from the steady ones, so that start-up cost and per-epoch cost can be read separately.
"""

from __future__ import annotations

import collections
import functools
import tempfile
import time

from absl import app

from tpjax import cli, cpu_devices

_CONFIG = cli.define_config_file("configs/sort.py", "Task config to run.")
_CPU_DEVICES = cpu_devices.define_flag()


def main(argv):
    del argv
    cpu_devices.use_cpu_devices(_CPU_DEVICES.value)  # as tpjax.main does, before JAX starts
    import jax

    from tpjax.train import checkpoint, loop, step

    times: dict[str, list[float]] = collections.defaultdict(list)

    def timed(name, fn, wait=False):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            start = time.perf_counter()
            out = fn(*args, **kwargs)
            if wait:
                jax.block_until_ready(out)
            times[name].append(time.perf_counter() - start)
            return out
        return run

    make_epoch_fn = step.make_epoch_fn
    loop.step.make_epoch_fn = lambda *a, **k: timed("epoch", make_epoch_fn(*a, **k), wait=True)
    loop._resume = timed("initialise (compile + run)", loop._resume, wait=True)
    loop._evaluate = timed("evaluate", loop._evaluate)
    loop._extract = timed("extract programs", loop._extract)
    checkpoint.Checkpoints.save = timed("checkpoint", checkpoint.Checkpoints.save)

    c = cli.config_value(_CONFIG)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        loop.train_and_evaluate(c, workdir)
    total = time.perf_counter() - start

    print(f"\n# {c.task}, {c.n_seeds} seeds, {c.n_epochs} epochs, {jax.device_count()} x {jax.devices()[0].device_kind}, "
          f"jax {jax.__version__}")
    print("| part | calls | first s | others s (mean) | total s |")
    print("|---|---:|---:|---:|---:|")
    for name, ts in times.items():
        rest = f"{sum(ts[1:]) / (len(ts) - 1):.3f}" if len(ts) > 1 else ""
        print(f"| {name} | {len(ts)} | {ts[0]:.2f} | {rest} | {sum(ts):.2f} |")
    accounted = sum(sum(ts) for ts in times.values())
    print(f"| everything else (data, files, setup) | | | | {total - accounted:.2f} |")
    print(f"| **run** | | | | **{total:.2f}** |")


if __name__ == "__main__":
    app.run(main, flags_parser=cli.flags_parser())

"""The files a run leaves in its workdir (DESIGN section 5), written so that none looks complete too early."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform

import jax
import jaxlib
import ml_collections
import numpy as np

from tpjax.atomic_files import write_text_atomic


def write_json_atomic(path: str, obj) -> None:
    """`obj` as indented JSON, by write_text_atomic: a killed run never leaves a half-written JSON file."""
    write_text_atomic(path, json.dumps(obj, indent=2, default=_to_builtin) + "\n")


def config_dict(c: ml_collections.ConfigDict) -> dict:
    """The config as config.json stores it (tuples become lists), so that stored and live configs compare."""
    return json.loads(json.dumps(c.to_dict(), default=_to_builtin))


def _to_builtin(obj):
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


class RunFiles:
    """config.json, metrics.jsonl and results.json of one workdir."""

    def __init__(self, workdir: str):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.config_path = os.path.join(workdir, "config.json")
        self.metrics_path = os.path.join(workdir, "metrics.jsonl")
        self.results_path = os.path.join(workdir, "results.json")

    def write_config(self, c: ml_collections.ConfigDict, extra: dict | None = None) -> None:
        """config.json, which a resume checks the workdir against; `extra` (n_ctx, model spec) under "derived"."""
        obj = config_dict(c)
        if extra:
            obj["derived"] = extra
        write_json_atomic(self.config_path, obj)

    def append_metrics(self, epoch: int, seeds: list[int], by_split: dict[str, dict[str, np.ndarray]]) -> None:
        """One metrics.jsonl row per split and seed, appended: a killed run keeps the log of what it evaluated."""
        with open(self.metrics_path, "a") as f:
            for split, m in by_split.items():
                for i, seed in enumerate(seeds):
                    row = {"epoch": epoch, "seed": seed, "split": split, "loss": float(m["loss"][i]), "acc": float(m["acc"][i])}
                    if "exact" in m:  # evaluations restored from checkpoints written before it was measured lack it
                        row["exact"] = float(m["exact"][i])
                    f.write(json.dumps(row) + "\n")

    def truncate_metrics(self, epoch: int) -> None:
        """Keep the evaluations of epochs 1..epoch (a resumed run redoes the later ones) and no torn last line."""
        if not os.path.exists(self.metrics_path):
            return
        kept = []
        with open(self.metrics_path) as f:
            for line in f:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if isinstance(row, dict) and isinstance(row.get("epoch"), int) and row["epoch"] <= epoch:
                    kept.append(json.dumps(row) + "\n")
        write_text_atomic(self.metrics_path, "".join(kept))

    def write_results(self, results: dict) -> None:
        """results.json, written once training ends: its presence is what marks the run finished."""
        write_json_atomic(self.results_path, results)


def results_dict(
    task: str, seeds: list[int], last: dict[str, dict[str, np.ndarray]], wall_seconds: float, devices_used: int = 1
) -> dict:
    """results.json: per-split token accuracy, loss and exact match, lists aligned with `seeds`, and the
    best-validation seed (by token accuracy, the paper's protocol)."""
    val = np.asarray(last["val"]["acc"])
    best = int(np.argmax(val))
    out = {"task": task, "seeds": seeds}
    for split in ("train", "val", "test"):
        out[f"{split}_acc"] = [float(a) for a in last[split]["acc"]]
        out[f"{split}_loss"] = [float(a) for a in last[split]["loss"]]
        if "exact" in last[split]:
            out[f"{split}_exact"] = [float(a) for a in last[split]["exact"]]
    out["best_seed"] = seeds[best]
    out["best_test_acc"] = out["test_acc"][best]
    out["program_agreement"] = [None] * len(seeds)
    out["wall_seconds"] = float(wall_seconds)
    out["device"] = device_info() | {"used": devices_used}
    return out


def add_trained_on(results: dict, trained_on: list[dict] | tuple) -> None:
    """Adds `trained_on` (checkpoint.Progress: the machines the run trained on, in turn) to results.json where
    `device` alone would mislead: the run trained on more than one machine, or on another than `device`
    names (a finished run's results.json written again elsewhere after it was lost, or over one that predates
    `device`, which leaves no device to compare)."""
    device = results.get("device") or {}
    if len(trained_on) > 1 or (trained_on and trained_on[-1] != {k: device.get(k) for k in MACHINE_FIELDS}):
        results["trained_on"] = list(trained_on)


# device_info fields that decide a run's numbers: the kind of device, the software and (CPU) the host CPU.
MACHINE_FIELDS = ("platform", "kind", "jax", "jaxlib", "host", "host_flags")


def device_info() -> dict:
    """Where the run finished: platform, device kind and count (results_dict adds how many the seeds used),
    (GPU/TPU) the peak device memory in use, the JAX and jaxlib versions and the host's CPU model and flags
    (XLA:CPU compiles for the CPU it runs on, so these decide whether two CPU runs' numbers can agree to the bit).

    The peak is that of the process that wrote results.json; after a resume it covers only the resumed part.
    """
    device = jax.local_devices()[0]  # a run uses only its own process's devices
    stats = device.memory_stats() or {}
    return {
        "platform": device.platform,
        "kind": device.device_kind,
        "count": jax.local_device_count(),
        "peak_bytes_in_use": stats.get("peak_bytes_in_use"),
        "jax": jax.__version__,
        "jaxlib": jaxlib.__version__,
        "host": host_cpu(),
        "host_flags": host_cpu_flags(),
    }


def machine() -> dict:
    """The fields of device_info that decide which program XLA runs (MACHINE_FIELDS): a run killed and resumed
    elsewhere lists each machine it trained on (checkpoint.Progress.trained_on)."""
    info = device_info()
    return {k: info[k] for k in MACHINE_FIELDS}


def after_training_here(trained_on: list[dict] | tuple) -> list[dict]:
    """`trained_on` with this machine appended, unless it is the last one already."""
    here = machine()
    return list(trained_on) if trained_on and trained_on[-1] == here else list(trained_on) + [here]


def _cpuinfo(*keys: str) -> str | None:
    """The value of the first /proc/cpuinfo line naming one of `keys` (None without /proc/cpuinfo or the key)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.split(":", 1)[0].strip() in keys:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def host_cpu() -> str:
    """The host's CPU model as /proc/cpuinfo names it (elsewhere, what the platform module knows)."""
    return _cpuinfo("model name") or platform.processor() or platform.machine()


def host_cpu_flags() -> str | None:
    """A short hash of the CPU's feature flags, which XLA:CPU compiles for (two hosts of one model name, a VM
    with some features masked, can differ): None where /proc/cpuinfo does not list them."""
    flags = _cpuinfo("flags", "Features")
    return hashlib.sha256(" ".join(sorted(flags.split())).encode()).hexdigest()[:12] if flags else None


def results_table(results: dict) -> str:
    """The final per-seed table printed at the end of a run."""
    exact = results.get("test_exact")
    lines = [f"{'seed':>6} {'train':>8} {'val':>8} {'test':>8}" + (f" {'test exact':>10}" if exact else "")]
    for i, seed in enumerate(results["seeds"]):
        mark = "  <- best val" if seed == results["best_seed"] else ""
        row = (results["train_acc"][i], results["val_acc"][i], results["test_acc"][i]) + ((exact[i],) if exact else ())
        lines.append(f"{seed:>6} " + " ".join(f"{100 * a:{10 if k == 3 else 8}.2f}" for k, a in enumerate(row)) + mark)
    test = np.asarray(results["test_acc"]) * 100
    lines.append(
        f"{results['task']}: best-val seed {results['best_seed']} test {100 * results['best_test_acc']:.2f}%, "
        f"mean {test.mean():.2f} ± {test.std():.2f}, {results['wall_seconds']:.0f} s"
    )
    return "\n".join(lines)

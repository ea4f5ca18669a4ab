"""Join finished runs of one config that trained different seeds: `python -m tpjax.merge --out=DIR RUN [RUN ...]`.

A seed's numbers do not depend on which seeds trained beside it (tests/train/test_step.py; on CPU through
step.compiler_options), so seeds 0-1 of one run and 2-4 of another are, number for
number, seeds 0-4 of a single run on the same kind of device (tests/test_merge.py). A run too long for one
sitting (a standard baseline on a 2-core CPU) can therefore go in pieces, `--config.seed=2 --config.n_seeds=3`
and so on, on one machine after another or on several at once, and be reported as the run of all its seeds.

DIR gets the files of that run (DESIGN section 5): config.json with `seed` and `n_seeds` of the whole,
metrics.jsonl as a single run writes it, results.json (best-validation seed over all seeds, `wall_seconds`
summed, `device` as the pieces agree on it, `merged_from` naming the pieces and their devices) and each seed's
program folder (whose provenance names the piece it came from, where its checkpoint is). It gets no checkpoint:
a merged run is finished and cannot be resumed or extracted again (its pieces can), nor merged again (merge the
pieces instead). The files are written into DIR.merging and renamed to DIR once complete, so a merge killed
halfway leaves no DIR, and running it again starts over.

Pieces must have run on the same kind of device with the same JAX, and on CPU on the same host CPU model and
flags, for which XLA compiles: only then are they bitwise the single run. `--mixed_hosts` joins CPU pieces from
different host CPUs (same JAX), for a run whose pieces had to go on whatever machine each session got: each
seed is then still a full run of the config, trained by the same program, only rounded by another CPU, and
results.json says so (`mixed_hosts: true`, `device.host` and `host_flags` null, each piece's device in
`merged_from`; pieces on one host CPU merge under it as without it). A piece killed and resumed on another
machine lists each in its results.json's `trained_on`: every machine a piece trained on is held to these rules.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

from absl import app, flags

from tpjax import cli
from tpjax.train import checkpoint, records

# Config fields the pieces differ in by design; checkpoint.IGNORED lists those that move no number.
SEED_FIELDS = ("seed", "n_seeds")
# results.json fields every piece must have (per-seed lists beside them are joined whatever their names).
REQUIRED = ("task", "seeds", "train_acc", "val_acc", "test_acc", "wall_seconds")
# results.json lists that are not one entry per seed (a piece's own: merged_from keeps them).
RUN_LISTS = ("trained_on",)
# Runs written before results.json recorded a device ran on CPU (as tpjax.experiments.report reads them).
CPU = {"platform": "cpu", "kind": "cpu"}
# Device fields that must agree for numbers to join, over the pieces that record them (older runs lack all but
# the first two): XLA compiles for the device kind, the JAX version and, on CPU, the host's CPU model and flags.
SAME_DEVICE = records.MACHINE_FIELDS
# Those that name the host CPU, which matters only on CPU and which --mixed_hosts lets differ.
HOST_FIELDS = ("host", "host_flags")
# The file that marks a staging folder as a merge's own, so that only such a folder is ever deleted.
STAGING_MARK = ".tpjax-merge-staging"


class MergeError(Exception):
    """Runs that cannot be joined; the message is one line for the user."""


def merge_runs(workdirs: list[str], out: str, n_seeds: int | None = None, mixed_hosts: bool = False) -> dict:
    """Writes the run of all seeds of `workdirs` into `out`; returns its results.json content. With `n_seeds`,
    refuses pieces that do not hold that many seeds (one piece missing, for instance); with `mixed_hosts`,
    joins CPU pieces that ran on different host CPUs (module docstring)."""
    if len(workdirs) < 2:
        raise MergeError(f"give at least two runs to merge, got {len(workdirs)}")
    if not out:
        raise MergeError("give the folder for the merged run, --out=DIR")
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise MergeError(f"{out} already exists and is not an empty folder; merge into a fresh --out")
    target = os.path.realpath(out)
    staging = target + ".merging"
    for w in workdirs:
        for path, what in ((target, f"--out={out}"), (staging, f"--out={out}'s staging folder {staging}")):
            if os.path.commonpath([path, os.path.realpath(w)]) == os.path.realpath(w):
                raise MergeError(f"{what} lies inside the run {w}; merge into a folder outside the pieces")
    if os.path.lexists(staging) and not os.path.isfile(os.path.join(staging, STAGING_MARK)):
        raise MergeError(f"{staging} exists and is not a folder tpjax.merge left; move it away or choose another --out")
    pieces = sorted((_read_piece(w) for w in workdirs), key=lambda p: p["seeds"][0])
    first = pieces[0]
    for p in pieces[1:]:
        _check_same_run(first, p)
    _check_same_device(pieces, mixed_hosts)
    seeds = [s for p in pieces for s in p["seeds"]]
    if len(set(seeds)) < len(seeds):
        raise MergeError(f"the runs share seeds ({_seed_list(pieces)}); each seed must come from one run")
    if seeds != list(range(seeds[0], seeds[0] + len(seeds))):
        raise MergeError(f"the seeds must be consecutive, as in one run (seed .. seed+n_seeds-1): {_seed_list(pieces)}")
    if n_seeds is not None and len(seeds) != n_seeds:
        raise MergeError(f"the runs hold {len(seeds)} seeds ({_seed_list(pieces)}), not the {n_seeds} asked for")

    metrics = _merged_metrics(pieces)
    results = _merged_results(pieces, seeds)
    if mixed_hosts and _hosts_differ(pieces):
        results["mixed_hosts"] = True
        results["device"].update(dict.fromkeys(HOST_FIELDS))
    try:
        if os.path.lexists(staging):
            shutil.rmtree(staging)  # left by a merge killed halfway (it holds STAGING_MARK, checked above)
        run = records.RunFiles(staging)
        open(os.path.join(staging, STAGING_MARK), "w").close()
        records.write_json_atomic(run.config_path, dict(first["saved_config"], seed=seeds[0], n_seeds=len(seeds)))
        with open(run.metrics_path, "w") as f:
            f.writelines(json.dumps(row) + "\n" for row in metrics)
        for p in pieces:
            for s, program in p["programs"].items():
                shutil.copytree(program, os.path.join(staging, "programs", f"seed_{s}"))
        run.write_results(results)
        os.remove(os.path.join(staging, STAGING_MARK))
        if os.path.isdir(target):
            os.rmdir(target)  # empty, checked above
        os.rename(staging, target)
    except OSError as e:
        raise MergeError(f"cannot write --out={out}: {e.strerror or e}"
                         + (f" ({e.filename})" if getattr(e, "filename", None) else "")) from None
    return results


def _read_piece(workdir: str) -> dict:
    """One finished run's config, results and metrics, each checked enough that joining them cannot fail."""
    paths = {name: os.path.join(workdir, f"{name}.json") for name in ("config", "results")}
    if not os.path.isfile(paths["config"]):
        raise MergeError(f"{workdir} has no config.json: not the workdir of a tpjax run")
    if not os.path.isfile(paths["results"]):
        raise MergeError(f"{workdir} has no results.json: not a finished run (finish it with tpjax.main first)")
    try:
        config = checkpoint.read_config(paths["config"])
        saved, results = (checkpoint.read_json(paths[name], f"{name} file") for name in ("config", "results"))
    except checkpoint.CheckpointError as e:
        raise MergeError(str(e)) from None
    seeds = list(range(config.seed, config.seed + config.n_seeds))
    if "merged_from" in results:
        raise MergeError(f"{workdir} is itself a merged run; merge the runs it was made of instead")
    missing = [k for k in REQUIRED if k not in results]
    if missing:
        raise MergeError(f"{paths['results']} lacks {', '.join(missing)}")
    if results["seeds"] != seeds:
        raise MergeError(f"{paths['results']} holds seeds {results['seeds']}, its config.json seeds {seeds}")
    short = [k for k, v in results.items() if _per_seed(k, v) and len(v) != len(seeds)]
    if short:
        raise MergeError(f"{paths['results']}: {', '.join(short)} should hold one entry per seed ({len(seeds)})")
    device = results.get("device", CPU)
    machines = results.get("trained_on", [device])
    if not (isinstance(device, dict) and isinstance(results["wall_seconds"], (int, float))
            and isinstance(machines, list) and machines and all(isinstance(m, dict) for m in machines)):
        raise MergeError(f"{paths['results']} has a malformed device, trained_on or wall_seconds")
    programs = {s: os.path.join(workdir, "programs", f"seed_{s}") for s in seeds}
    programs = {s: d for s, d in programs.items() if os.path.isdir(d)}
    if config.model.kind == "program" and len(programs) < len(seeds):
        raise MergeError(f"{workdir} lacks programs/seed_<seed>/ of seeds {sorted(set(seeds) - set(programs))}; "
                         "extract them first (python -m tpjax.extract)")
    return {"workdir": workdir, "config": records.config_dict(config), "saved_config": saved, "results": results,
            "device": device, "machines": machines, "seeds": seeds, "programs": programs,
            "metrics": _read_metrics(os.path.join(workdir, "metrics.jsonl"), seeds)}


def _read_metrics(path: str, seeds: list[int]) -> list[dict]:
    """The rows of metrics.jsonl: every evaluation (epoch, split) must have one row per seed of the run."""
    try:
        with open(path) as f:
            rows = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        raise MergeError(f"cannot read the metrics file {path}: {e}") from None
    seen = {}
    for row in rows:
        if not (isinstance(row, dict) and isinstance(row.get("epoch"), int) and isinstance(row.get("seed"), int)
                and isinstance(row.get("split"), str)):
            raise MergeError(f"{path} has a row that is not an evaluation (epoch, seed, split): {row!r}")
        seen.setdefault((row["epoch"], row["split"]), []).append(row["seed"])
    for (epoch, split), got in seen.items():
        if got != seeds:
            raise MergeError(f"{path}: the {split} evaluation of epoch {epoch} holds seeds {got}, not {seeds}")
    return rows


def _check_same_run(first: dict, p: dict) -> None:
    """Two pieces join only where they are one run's seeds: same config (seeds aside), same model built from
    it (config.json's `derived`), evaluated at the same epochs and splits (the device: _check_same_device)."""
    strip = lambda c: {k: v for k, v in c.items() if k not in SEED_FIELDS}  # noqa: E731
    diffs = checkpoint.config_differences(strip(first["config"]), strip(p["config"]), (p["workdir"], first["workdir"]))
    if diffs:
        raise MergeError(f"{p['workdir']} and {first['workdir']} trained different configs ({diffs[0]})")
    if p["saved_config"].get("derived") != first["saved_config"].get("derived"):
        raise MergeError(f"{p['workdir']} and {first['workdir']} built different models (config.json `derived`)")
    if _evaluations(p["metrics"]) != _evaluations(first["metrics"]):
        raise MergeError(f"{p['workdir']} and {first['workdir']} were evaluated at different epochs or splits")
    keys = [sorted(k for k, v in q["results"].items() if _per_seed(k, v)) for q in (first, p)]
    if keys[0] != keys[1]:
        raise MergeError(f"{p['workdir']} and {first['workdir']} record different figures: {keys[1]} vs {keys[0]}")


def _check_same_device(pieces: list[dict], mixed_hosts: bool = False) -> None:
    """The same platform and device kind on every machine any piece trained on (its `trained_on` where a
    resume moved it, else its device); the same JAX and jaxlib versions, and on CPU the same host CPU (model
    and flags, unless `mixed_hosts`), over the machines that record them (runs from before these were recorded
    lack them and are not held against the others)."""
    always = ("platform", "kind")
    fields = SAME_DEVICE
    if not _on_cpu(pieces) or mixed_hosts:
        fields = [k for k in fields if k not in HOST_FIELDS]
    for k in fields:
        seen = {}
        for p in pieces:
            for m in p["machines"]:
                if k in always or k in m:
                    seen.setdefault(m.get(k), p["workdir"])
        if len(seen) > 1:
            (v1, w1), (v2, w2) = list(seen.items())[:2]
            who = f"{w1} and {w2}" if w1 != w2 else f"{w1}, resumed on another machine,"
            hint = "; --mixed_hosts joins them as seeds rounded by different CPUs" if k in HOST_FIELDS else ""
            raise MergeError(f"{who} ran on different devices or software ({k} {v1!r} vs {v2!r}): "
                             f"their numbers do not join{hint}")


def _on_cpu(pieces: list[dict]) -> bool:
    return pieces[0]["machines"][0].get("platform") == "cpu"


def _hosts_differ(pieces: list[dict]) -> bool:
    """Whether CPU pieces trained on host CPUs that differ in model or flags (over the machines recording it)."""
    machines = [m for p in pieces for m in p["machines"]]
    return _on_cpu(pieces) and any(len({m[k] for m in machines if k in m}) > 1 for k in HOST_FIELDS)


def _per_seed(key: str, value) -> bool:
    """Whether a results.json field is a per-seed list (joined over the pieces)."""
    return isinstance(value, list) and key not in RUN_LISTS


def _evaluations(rows: list[dict]) -> list[tuple[int, str]]:
    """(epoch, split) of each evaluation, in the order the run wrote them."""
    return list(dict.fromkeys((row["epoch"], row["split"]) for row in rows))


def _seed_list(pieces: list[dict]) -> str:
    return ", ".join(f"{p['workdir']}: {p['seeds'][0]}-{p['seeds'][-1]}" for p in pieces)


def _merged_metrics(pieces: list[dict]) -> list[dict]:
    """Rows as one run writes them: each evaluation (epoch, then split, in the pieces' order), then seed."""
    rows = {(row["epoch"], row["split"], row["seed"]): row for p in pieces for row in p["metrics"]}
    seeds = [s for p in pieces for s in p["seeds"]]
    return [rows[(epoch, split, s)] for epoch, split in _evaluations(pieces[0]["metrics"]) for s in seeds]


def _merged_results(pieces: list[dict], seeds: list[int]) -> dict:
    """results.json of the whole, its fields in a single run's order: per-seed lists joined, the
    best-validation seed chosen again over all seeds (the first of equals, as records.results_dict chooses),
    wall time summed, the device as the pieces agree on it (`null` where they differ or one does not record
    it; the largest peak memory), and `merged_from`, with each piece's own device, last."""
    first = pieces[0]["results"]
    joined = {k: [v for p in pieces for v in p["results"][k]] for k, v in first.items() if _per_seed(k, v)}
    best = joined["val_acc"].index(max(joined["val_acc"]))
    peaks = [p["device"]["peak_bytes_in_use"] for p in pieces if p["device"].get("peak_bytes_in_use") is not None]
    devices = [p["device"] for p in pieces]
    keys = list(dict.fromkeys(k for d in devices for k in d))
    agreed = {k: devices[0][k] if all(k in d and d[k] == devices[0][k] for d in devices) else None for k in keys}
    whole = {
        "best_seed": seeds[best],
        "best_test_acc": joined["test_acc"][best],
        "wall_seconds": sum(float(p["results"]["wall_seconds"]) for p in pieces),
        "device": agreed | {"peak_bytes_in_use": max(peaks) if peaks else None},
    }
    out = {k: joined.get(k, whole.get(k, v)) for k, v in first.items() if k not in RUN_LISTS}
    out.setdefault("device", whole["device"])
    out["merged_from"] = [
        {"workdir": os.path.abspath(p["workdir"]), "seeds": p["seeds"], "wall_seconds": p["results"]["wall_seconds"],
         "device": p["device"]} | ({"trained_on": p["machines"]} if "trained_on" in p["results"] else {})
        for p in pieces
    ]
    return out


def define_flags() -> None:
    """The command line's flags, defined only when the module runs as a script: importing it defines none,
    so that the tpjax command-line modules, several of which share flag names, import into one process."""
    global _OUT, _N_SEEDS, _MIXED_HOSTS
    _OUT = flags.DEFINE_string("out", None, "Folder for the merged run; must not exist yet (or be empty).")
    _N_SEEDS = flags.DEFINE_integer("n_seeds", None, "If given, the number of seeds the runs must hold in all.")
    _MIXED_HOSTS = flags.DEFINE_bool(
        "mixed_hosts", False, "Join CPU pieces trained on different host CPUs (same JAX): each seed is a full run, "
        "but the whole is not bitwise one run; results.json records it (mixed_hosts, each piece's device and "
        "trained_on). Pieces on one host CPU merge as without it.")
    flags.mark_flag_as_required("out")


def main(argv: list[str]) -> None:
    try:
        results = merge_runs(argv[1:], _OUT.value, _N_SEEDS.value, _MIXED_HOSTS.value)
    except MergeError as e:
        sys.exit(f"error: {e}")
    print(records.results_table(results))


if __name__ == "__main__":
    define_flags()
    app.run(main, flags_parser=cli.flags_parser())

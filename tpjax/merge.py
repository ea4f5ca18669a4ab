"""Join finished runs of one config that trained different seeds: `python -m tpjax.merge --out=DIR RUN [RUN ...]`.

A seed's numbers do not depend on which seeds trained beside it (tests/train/test_step.py), so seeds 0-1 of one
run and 2-4 of another are, number for number, seeds 0-4 of a single run. A run too long for one sitting (a
standard baseline on a 2-core CPU) can therefore go in pieces, `--config.seed=2 --config.n_seeds=3` and so on,
on one machine after another or on several at once, and be reported as the run of all its seeds.

DIR gets the files of that run (DESIGN section 5): config.json with `seed` and `n_seeds` of the whole, metrics.jsonl
in the order a single run writes it, results.json (best-validation seed over all seeds, `wall_seconds` summed,
`merged_from` naming the pieces) and each seed's program folder. It gets no checkpoint: a merged run is finished
and cannot be resumed or extracted again (its pieces can).
"""

from __future__ import annotations

import json
import os
import shutil
import sys

from absl import app, flags

_OUT = flags.DEFINE_string("out", None, "Folder for the merged run; must not exist yet (or be empty).")

# Config fields the pieces may differ in: they choose seeds or move no number (see checkpoint.IGNORED).
SEED_FIELDS = ("seed", "n_seeds")


class MergeError(Exception):
    """Runs that cannot be joined; the message is one line for the user."""


def merge_runs(workdirs: list[str], out: str) -> dict:
    """Writes the run of all seeds of `workdirs` into `out`; returns its results.json content."""
    from tpjax.train import checkpoint, records

    if len(workdirs) < 2:
        raise MergeError(f"give at least two runs to merge, got {len(workdirs)}")
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise MergeError(f"{out} already exists and is not an empty folder; merge into a fresh --out")
    pieces = sorted((_read_piece(w, checkpoint) for w in workdirs), key=lambda p: p["seeds"][0])
    first = pieces[0]
    for p in pieces[1:]:
        diffs = checkpoint.config_differences(_without_seeds(first["config"]), _without_seeds(p["config"]),
                                              where=(p["workdir"], first["workdir"]))
        if diffs:
            raise MergeError(f"{p['workdir']} and {first['workdir']} trained different configs ({diffs[0]})")
    seeds = [s for p in pieces for s in p["seeds"]]
    if len(set(seeds)) < len(seeds):
        raise MergeError(f"the runs share seeds ({_seed_list(pieces)}); each seed must come from one run")
    if seeds != list(range(seeds[0], seeds[0] + len(seeds))):
        raise MergeError(f"the seeds must be consecutive, as in one run (seed .. seed+n_seeds-1); got {_seed_list(pieces)}")
    where = {(p["results"]["device"].get("platform"), p["results"]["device"].get("kind")) for p in pieces}
    if len(where) > 1:
        raise MergeError(f"the runs trained on different devices {sorted(map(str, where))}; their numbers do not join")
    keys = [k for k, v in first["results"].items() if k != "seeds" and isinstance(v, list)]
    for p in pieces[1:]:
        other = [k for k, v in p["results"].items() if k != "seeds" and isinstance(v, list)]
        if sorted(other) != sorted(keys):
            raise MergeError(f"{p['workdir']} and {first['workdir']} record different figures: {sorted(other)} vs {sorted(keys)}")

    metrics = _merged_metrics(pieces)
    config = dict(first["saved_config"], seed=seeds[0], n_seeds=len(seeds))
    results = _merged_results(pieces, seeds, keys)
    os.makedirs(out, exist_ok=True)
    run = records.RunFiles(out)
    records.write_json_atomic(run.config_path, config)
    with open(run.metrics_path, "w") as f:
        f.writelines(json.dumps(row) + "\n" for row in metrics)
    for p in pieces:
        for s in p["seeds"]:
            program = os.path.join(p["workdir"], "programs", f"seed_{s}")
            if os.path.isdir(program):
                shutil.copytree(program, os.path.join(out, "programs", f"seed_{s}"))
    run.write_results(results)  # last: a merge stopped before this leaves no results.json
    return results


def _read_piece(workdir: str, checkpoint) -> dict:
    paths = {name: os.path.join(workdir, f"{name}.json") for name in ("config", "results")}
    if not os.path.isfile(paths["config"]):
        raise MergeError(f"{workdir} has no config.json: not the workdir of a tpjax run")
    if not os.path.isfile(paths["results"]):
        raise MergeError(f"{workdir} has no results.json: not a finished run (finish it with tpjax.main first)")
    try:
        config = checkpoint.read_config(paths["config"])
    except checkpoint.CheckpointError as e:
        raise MergeError(str(e)) from None
    saved, results = (_read_json(paths[name]) for name in ("config", "results"))
    from tpjax.train import records

    seeds = list(range(config.seed, config.seed + config.n_seeds))
    if results.get("seeds") != seeds or not isinstance(results.get("device"), dict):
        raise MergeError(f"{paths['results']} does not hold the seeds {seeds} of its config.json")
    return {"workdir": workdir, "config": records.config_dict(config), "saved_config": saved, "results": results,
            "seeds": seeds, "metrics": _read_metrics(os.path.join(workdir, "metrics.jsonl"))}


def _read_json(path: str) -> dict:
    try:
        with open(path) as f:
            obj = json.load(f)
    except (OSError, ValueError) as e:
        raise MergeError(f"cannot read {path}: {e}") from None
    if not isinstance(obj, dict):
        raise MergeError(f"{path} does not hold a JSON object")
    return obj


def _read_metrics(path: str) -> list[dict]:
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        raise MergeError(f"cannot read the metrics file {path}: {e}") from None


def _without_seeds(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in SEED_FIELDS}


def _seed_list(pieces: list[dict]) -> str:
    return ", ".join(f"{p['workdir']}: {p['seeds'][0]}-{p['seeds'][-1]}" for p in pieces)


def _merged_metrics(pieces: list[dict]) -> list[dict]:
    """Rows as one run writes them: each evaluation's epoch, then split (in the order the runs wrote them),
    then seed; every piece must have evaluated at the same epochs and splits."""
    def evaluations(rows):
        order = []
        for row in rows:
            if (row["epoch"], row["split"]) not in order:
                order.append((row["epoch"], row["split"]))
        return order

    order = evaluations(pieces[0]["metrics"])
    rows = {}
    for p in pieces:
        if evaluations(p["metrics"]) != order:
            raise MergeError(f"{p['workdir']} and {pieces[0]['workdir']} were evaluated at different epochs or splits")
        for row in p["metrics"]:
            rows[(row["epoch"], row["split"], row["seed"])] = row
    seeds = [s for p in pieces for s in p["seeds"]]
    return [rows[(epoch, split, s)] for epoch, split in order for s in seeds if (epoch, split, s) in rows]


def _merged_results(pieces: list[dict], seeds: list[int], keys: list[str]) -> dict:
    """results.json of the whole, its fields in the order of a single run's: per-seed lists joined, the
    best-validation seed chosen again over all seeds (the first of equals, as tpjax.main chooses), wall time
    summed, and `merged_from` last."""
    first = pieces[0]["results"]
    joined = {k: [v for p in pieces for v in p["results"][k]] for k in keys}
    best = joined["val_acc"].index(max(joined["val_acc"]))
    devices = [p["results"]["device"] for p in pieces]
    peaks = [d["peak_bytes_in_use"] for d in devices if d.get("peak_bytes_in_use") is not None]
    whole = {
        "seeds": seeds,
        "best_seed": seeds[best],
        "best_test_acc": joined["test_acc"][best],
        "wall_seconds": sum(float(p["results"]["wall_seconds"]) for p in pieces),
        "device": dict(devices[0], peak_bytes_in_use=max(peaks) if peaks else None),
    }
    out = {k: joined[k] if k in joined else whole.get(k, v) for k, v in first.items() if k != "merged_from"}
    out["merged_from"] = [
        {"workdir": os.path.abspath(p["workdir"]), "seeds": p["seeds"], "wall_seconds": p["results"]["wall_seconds"],
         "device": p["results"]["device"]}
        for p in pieces
    ]
    return out


def main(argv: list[str]) -> None:
    try:
        results = merge_runs(argv[1:], _OUT.value)
    except MergeError as e:
        sys.exit(f"error: {e}")
    from tpjax.train import records

    print(records.results_table(results))


if __name__ == "__main__":
    flags.mark_flag_as_required("out")
    app.run(main)

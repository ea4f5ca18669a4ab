"""Turn trained seeds into standalone programs: `python -m tpjax.extract --workdir=DIR [--seed=S] [--out=PATH]`.

Reads the latest checkpoint of DIR, writes DIR/programs/seed_<seed>/ (or --out, for one seed), checks each
program on the test split against the snapped model, and records the agreement in DIR/results.json.
"""

from __future__ import annotations

import json
import os
import sys
import time

from absl import app, flags


def define_flags() -> None:
    """The command line's flags, defined only when the module runs as a script: importing it defines none,
    so that the tpjax command-line modules, several of which share flag names, import into one process."""
    global _WORKDIR, _SEED, _OUT
    _WORKDIR = flags.DEFINE_string("workdir", None, "A run folder written by tpjax.main.")
    _SEED = flags.DEFINE_integer("seed", None, "Extract only this seed (default: every seed of the run).")
    _OUT = flags.DEFINE_string(
        "out", None, "Output folder for the program (needs --seed); default DIR/programs/seed_<seed>."
    )
    flags.mark_flag_as_required("workdir")


class ExtractError(Exception):
    """A run that cannot be extracted (no such seed, not a Transformer Program)."""


def extract_workdir(workdir: str, seed: int | None = None, out: str | None = None) -> dict[int, dict]:
    """Extract seeds of a run; returns {seed: program.json content} and updates results.json."""
    from tpjax import tasks
    from tpjax.model.build import build_model
    from tpjax.program import export
    from tpjax.train import checkpoint, records

    run = checkpoint.load_run(workdir)
    if run.config.model.kind != "program":
        raise ExtractError(f"{workdir} trained a standard Transformer ({run.config.model.kind!r}); only Transformer Programs extract")
    if seed is not None and seed not in run.seeds:
        raise ExtractError(f"seed {seed} is not in {workdir}; its seeds are {run.seeds}")
    if out is not None and seed is None:
        raise ExtractError("--out names one program folder; give --seed too")
    dataset = tasks.make_dataset(run.config)
    model = build_model(run.config, dataset)
    only = None if seed is None else [seed]
    infos = export.export_run(run.config, dataset, model, run.params, run.seeds, workdir, run.epoch, only, out)
    results_path = os.path.join(workdir, "results.json")
    if os.path.isfile(results_path):
        with open(results_path) as f:
            results = json.load(f)
        agreement = results.get("program_agreement") or [None] * len(results["seeds"])
        for s, info in infos.items():
            agreement[results["seeds"].index(s)] = info["agreement"]
        results["program_agreement"] = agreement
        records.write_json_atomic(results_path, results)
    return infos


def table(infos: dict[int, dict]) -> str:
    lines = [f"{'seed':>6} {'ops':>5} {'lines':>6} {'model test':>11} {'program test':>13} {'agreement':>10} {'seconds':>8}"]
    for s, i in infos.items():
        lines.append(
            f"{s:>6} {i['n_ops']:>5} {i['program_lines']:>6} {100 * i['model_test_acc']:>10.2f}% "
            f"{100 * i['program_test_acc']:>12.2f}% {i['agreement']:>10.4f} {i['extract_seconds']:>8.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    del argv
    from tpjax.train.checkpoint import CheckpointError

    start = time.time()
    try:
        infos = extract_workdir(_WORKDIR.value, _SEED.value, _OUT.value)
    except (ExtractError, CheckpointError) as e:
        sys.exit(f"error: {e}")
    print(table(infos))
    print(f"extracted {len(infos)} program(s) in {time.time() - start:.1f} s")


if __name__ == "__main__":
    define_flags()
    app.run(main)

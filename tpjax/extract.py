"""Turn trained seeds into standalone programs: `python -m tpjax.extract --workdir=DIR [--seed=S] [--out=PATH]`.

Reads the latest checkpoint of DIR, writes DIR/programs/seed_<seed>/ (or --out, for one seed), checks each
program on the test split against the snapped model, and records the agreement in DIR/results.json.
A run joined by tpjax.merge has no checkpoint: its programs were extracted from its pieces (results.json's
`merged_from`), which is where to extract again. Everything is read and checked before any program is written.
"""

from __future__ import annotations

import os
import sys
import time

from absl import app, flags

from tpjax import cli


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

    if out is not None and seed is None:
        raise ExtractError("--out names one program folder; give --seed too")
    if out is not None:
        _check_out(out)
    results_path = os.path.join(workdir, "results.json")
    results = checkpoint.read_json(results_path, "results file") if os.path.isfile(results_path) else None
    if results is not None and "merged_from" in results:
        raise ExtractError(_merged_run(workdir, results["merged_from"], seed))
    run = checkpoint.load_run(workdir)
    if run.config.model.kind != "program":
        raise ExtractError(f"{workdir} trained a standard Transformer ({run.config.model.kind!r}); only Transformer Programs extract")
    if seed is not None and seed not in run.seeds:
        raise ExtractError(f"seed {seed} is not in {workdir}; its seeds are {run.seeds}")
    only = None if seed is None else [seed]
    if results is not None and not (isinstance(results.get("seeds"), list) and set(only or run.seeds) <= set(results["seeds"])):
        raise ExtractError(f"{results_path} does not list the seeds of the checkpoint ({run.seeds}); not the run's results")
    dataset = tasks.make_dataset(run.config)
    model = build_model(run.config, dataset)
    infos = export.export_run(run.config, dataset, model, run.params, run.seeds, workdir, run.epoch, only, out)
    if results is not None:
        agreement = results.get("program_agreement")
        if not (isinstance(agreement, list) and len(agreement) == len(results["seeds"])):
            agreement = [None] * len(results["seeds"])
        for s, info in infos.items():
            agreement[results["seeds"].index(s)] = info["agreement"]
        results["program_agreement"] = agreement
        records.write_json_atomic(results_path, results)
    return infos


def _check_out(out: str) -> None:
    """--out must be a folder or a path where one can be made: neither it nor a folder above it a file."""
    blocker = cli.file_in_the_way(out)
    if blocker:
        raise ExtractError(f"--out={out}: {blocker} is a file, not a folder")


def _merged_run(workdir: str, pieces: list, seed: int | None) -> str:
    """Why a merged run does not extract, naming the pieces (and their seeds) to extract from instead."""
    named = [p for p in pieces if isinstance(p, dict) and "workdir" in p] if isinstance(pieces, list) else []
    where = [p for p in named if seed in p.get("seeds", [])] if seed is not None else []
    if where:
        return (f"{workdir} is a merged run (tpjax.merge) with no checkpoint of its own; seed {seed} comes from "
                f"{where[0]['workdir']}: extract it there (--workdir={where[0]['workdir']})")
    listed = "; ".join(f"{p['workdir']} (seeds {p.get('seeds')})" for p in named) or "not recorded"
    return (f"{workdir} is a merged run (tpjax.merge) with no checkpoint of its own; its programs come from its "
            f"pieces, extract there: {listed}")


def table(infos: dict[int, dict]) -> str:
    lines = [f"{'seed':>6} {'ops':>5} {'lines':>6} {'model test':>11} {'program test':>13} {'agreement':>10} {'seconds':>8}"]
    for s, i in infos.items():
        lines.append(
            f"{s:>6} {i['n_ops']:>5} {i['program_lines']:>6} {100 * i['model_test_acc']:>10.2f}% "
            f"{100 * i['program_test_acc']:>12.2f}% {i['agreement']:>10.4f} {i['extract_seconds']:>8.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {' '.join(argv[1:])!r} (flags are --name=value)")
    from tpjax.config import ConfigError
    from tpjax.train.checkpoint import CheckpointError

    start = time.time()
    try:
        infos = extract_workdir(_WORKDIR.value, _SEED.value, _OUT.value)
    except (ExtractError, CheckpointError, ConfigError) as e:
        sys.exit(f"error: {e}")
    print(table(infos))
    print(f"extracted {len(infos)} program(s) in {time.time() - start:.1f} s")


if __name__ == "__main__":
    define_flags()
    app.run(main, flags_parser=cli.flags_parser())

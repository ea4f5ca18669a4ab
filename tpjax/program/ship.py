"""Ship the best-val seed's program of each run: `python -m tpjax.program.ship --runs=runs/ship [--out=programs]`.

For every RUNS/<task>/ with a results.json, copies programs/seed_<best>/ to OUT/<task>/, verifies it
(`tpjax.verify`: the whole input space where it is small enough, and the test split) and writes
OUT/README.md, a table of task, config, accuracies and program lines. RUNS without a finished run of any task
(or of a task named in --tasks) is an error before anything is written.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from absl import app, flags

from tpjax import cli, tasks
from tpjax.program.emit import RUNTIME_SOURCE
from tpjax.program.export import PROGRAM_FILES
from tpjax.train.checkpoint import CheckpointError, read_json
from tpjax.verify import VerifyError, verify


def define_flags() -> None:
    """The command line's flags, defined only when the module runs as a script: importing it defines none,
    so that the tpjax command-line modules, several of which share flag names, import into one process."""
    global _RUNS, _OUT, _TASKS
    _RUNS = flags.DEFINE_string("runs", "runs/ship", "Folder of run folders, one per task.")
    _OUT = flags.DEFINE_string("out", "programs", "Where the shipped programs go.")
    _TASKS = flags.DEFINE_list("tasks", None, "Only these tasks (default: every task with a finished run).")


PAPER_LINES = {"reverse": 713, "hist": 160, "double_hist": 423, "sort": 635, "most_freq": 666, "dyck1": 892, "dyck2": 733}
RUNTIME_LINES = len(RUNTIME_SOURCE.read_text().splitlines())


def _recheck_problem(result: dict) -> str | None:
    """Why the re-run of the source checkpoint does not back the program up (None when it does)."""
    recheck = result["rechecked_against_checkpoint"]
    if not isinstance(recheck, dict):
        return recheck  # the reason it could not be re-run
    if recheck["epoch"] != result.get("epoch"):
        return f"the latest checkpoint is of epoch {recheck['epoch']}, the program of epoch {result.get('epoch')}"
    if recheck["agreement"] != 1.0:
        return f"the program disagrees with the model re-run from {recheck['source']} (agreement {recheck['agreement']})"
    return None


def ship_task(run_dir: str, out_dir: str) -> dict:
    """Copy the best-val seed's program of `run_dir` into `out_dir` and verify it there."""
    results = read_json(os.path.join(run_dir, "results.json"), "results file")
    if "best_seed" not in results:
        raise VerifyError(f"{os.path.join(run_dir, 'results.json')} names no best_seed: not a finished run")
    source = os.path.join(run_dir, "programs", f"seed_{results['best_seed']}")
    if not os.path.isfile(os.path.join(source, "program.py")):
        raise VerifyError(f"{source} has no program; run `python -m tpjax.extract --workdir={run_dir}` first")
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    # Verified in a staging folder beside out_dir: a program that fails leaves the one shipped before untouched.
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(os.path.abspath(out_dir))}-staging-", dir=parent)
    try:
        for name in PROGRAM_FILES:
            shutil.copyfile(os.path.join(source, name), os.path.join(staging, name))
        result = verify(staging)
        problem = _recheck_problem(result)
        if problem:
            raise VerifyError(f"{source}: {problem}; not shipped")
        if result["agreement"] != 1.0 or result["program_test_acc"] != result["model_test_acc"]:
            raise VerifyError(
                f"{source}: the program does not reproduce the snapped model (agreement {result['agreement']}, test "
                f"accuracy {result['program_test_acc']} vs the model's {result['model_test_acc']}); not shipped"
            )
        os.makedirs(out_dir, exist_ok=True)
        verified = os.path.join(out_dir, "VERIFY.json")
        if os.path.exists(verified):  # while the files are replaced, the folder must not look checked
            os.remove(verified)
        for name in (*PROGRAM_FILES, "VERIFY.json"):  # VERIFY.json last
            os.replace(os.path.join(staging, name), os.path.join(out_dir, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def readme(rows: list[dict]) -> str:
    lines = [
        "# Shipped programs",
        "",
        "Each folder holds the program of the best-validation seed of a 5-seed run at the task's default config",
        "(`configs/<task>.py`): `program.py` (standalone; needs numpy and the `tables.json` and `runtime.py` next",
        f"to it; program lines below count program.py only, runtime.py is the same {RUNTIME_LINES} lines for every program),",
        "`program.json` (where it came from) and `VERIFY.json` (how it was checked). Regenerate with",
        "`python -m tpjax.program.ship --runs=<folder of runs>`; check one with `python -m tpjax.verify programs/<task>`.",
        "",
        "Accuracies are token accuracies in %. \"input space\" is the program's accuracy on every input of the task",
        "(all strings of the task's lengths) where there are at most 10^6, else on the distinct inputs among 10^6 draws.",
        "",
        "| task | config | model test | program test | agreement | input space | exact match | program lines | paper's lines |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        space = f"{100 * r['token_acc']:.4f} ({'all' if r['exhaustive'] else 'sampled'} {r['n_inputs']:,})"
        lines.append(
            f"| {r['task']} | {r['config']}, seed {r['seed']} | {100 * r['model_test_acc']:.2f} | "
            f"{100 * r['program_test_acc']:.2f} | {r['agreement']:.4f} | {space} | {100 * r['exact_match']:.2f} | "
            f"{r['program_lines']} | {PAPER_LINES.get(r['task'], '')} |"
        )
    return "\n".join(lines) + "\n"


def tasks_to_ship(runs: str, only: list[str] | None = None) -> list[str]:
    """The tasks with a finished run (a results.json) in `runs`, all or `only` these; raises VerifyError when
    there is none to ship, so that a mistyped --runs ships nothing rather than rewriting OUT/README.md."""
    if not os.path.isdir(runs):
        raise VerifyError(f"--runs={runs} " + ("is a file, not a folder of runs" if os.path.exists(runs) else "does not exist"))
    finished = [t for t in tasks.TASKS if os.path.isfile(os.path.join(runs, t, "results.json"))]
    if not only:
        if not finished:
            raise VerifyError(f"--runs={runs} has no finished runs (no <task>/results.json for any task)")
        return finished
    for task in only:
        if task not in tasks.TASKS:
            raise VerifyError(f"unknown task {task!r} in --tasks; tasks are {', '.join(tasks.TASKS)}")
        if task not in finished:
            raise VerifyError(f"--runs={runs} has no finished run of {task} (no {task}/results.json)")
    return only


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {' '.join(argv[1:])!r} (flags are --name=value)")
    try:
        names = tasks_to_ship(_RUNS.value, _TASKS.value)
    except VerifyError as e:
        sys.exit(f"error: {e}")
    blocker = cli.file_in_the_way(_OUT.value)
    if blocker:
        sys.exit(f"error: --out={_OUT.value}: {blocker} is a file, not a folder")
    rows = []
    for task in names:
        try:
            rows.append(ship_task(os.path.join(_RUNS.value, task), os.path.join(_OUT.value, task)))
        except (VerifyError, CheckpointError, ValueError) as e:  # ValueError: e.g. a ConfigError rebuilding the data
            sys.exit(f"error: {e}")
        except OSError as e:  # e.g. --out under a file
            sys.exit(f"error: cannot ship {task} to {os.path.join(_OUT.value, task)}: {e.strerror or e}")
        print(f"{task}: shipped, {rows[-1]['program_lines']} lines, input-space accuracy {100 * rows[-1]['token_acc']:.4f}%")
    existing = []
    readme_path = os.path.join(_OUT.value, "README.md")
    for task in tasks.TASKS:
        path = os.path.join(_OUT.value, task, "VERIFY.json")
        if task not in names and os.path.isfile(path):
            try:
                existing.append(read_json(path, "verification record"))
            except CheckpointError as e:
                sys.exit(f"error: {e} (ship that task again to rewrite it)")
    order = list(tasks.TASKS)
    with open(readme_path, "w") as f:
        f.write(readme(sorted(rows + existing, key=lambda r: order.index(r["task"]))))


if __name__ == "__main__":
    define_flags()
    app.run(main, flags_parser=cli.flags_parser())

"""launch/jobs/backlog.txt: every job is a command line tpjax accepts, and none repeats work already kept.

The file is read by a session that has minutes of GPU time and no way back to fix a typo, so each line is
parsed here as its module would parse it (the same config_flags definitions) and checked the way the module
checks it before training. A job whose run is already in docs/runs/ fails the test: its line should have
been removed when the run was copied there.
"""

import os
import re
import shlex

import pytest
from absl import flags
from ml_collections import config_flags

from tpjax.experiments import grid, length_gen, runner, sweep

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKLOG = os.path.join(REPO, "launch", "jobs", "backlog.txt")
KEPT = os.path.join(REPO, "docs", "runs")


def _jobs() -> list[tuple[str, list[str]]]:
    jobs = []
    with open(BACKLOG, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, command = line.split(None, 1)
            jobs.append((name, shlex.split(command.replace('"${PYTHON:-python}"', "python"))))
    return jobs


JOBS = _jobs()


def _parse(argv: list[str], **strings: str) -> flags.FlagValues:
    """argv parsed as the module's own flags would: the config file with its overrides, and string flags."""
    argv = ["prog"] + [arg.replace("configs/", os.path.join(REPO, "configs") + "/", 1) for arg in argv]
    fv = flags.FlagValues()
    # sys_argv: config_flags defines the --config.<field> override flags from the argv it is shown.
    config_flags.DEFINE_config_file("config", None, "", flag_values=fv, lock_config=True, sys_argv=argv)
    for name, default in strings.items():
        flags.DEFINE_string(name, default, "", flag_values=fv)
    fv(argv)
    return fv


def test_the_backlog_names_each_job_once():
    names = [name for name, _ in JOBS]
    assert names and len(names) == len(set(names))
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", name) for name in names)


def _plan(name: str, argv: list[str]):
    """The job's checked plan (a sweep or length generalisation), or for tpjax.main its checked config and
    workdir; raises what the module would raise on a bad command line."""
    assert argv[:2] == ["python", "-m"], argv
    module, args = argv[2], argv[3:]
    if module == "tpjax.main":
        fv = _parse(args, workdir="")
        grid.check_config(fv.config)
        assert fv.workdir.startswith("runs/"), fv.workdir
        return module, fv.workdir
    fv = _parse(args, task="", shard="0/1", out="")
    assert fv.out == "runs/sweeps", name
    if module == "tpjax.experiments.sweep":
        return module, sweep.make_plan(fv.config, fv.task, fv.shard, os.path.join(KEPT, "sweeps"))
    if module == "tpjax.experiments.length_gen":
        return module, length_gen.make_plan(fv.config, fv.task, fv.shard, os.path.join(KEPT, "sweeps"))
    raise AssertionError(f"{name}: unknown module {module}")


@pytest.mark.parametrize("name, argv", JOBS, ids=[name for name, _ in JOBS])
def test_each_job_is_a_valid_command_for_work_not_yet_kept(name, argv):
    module, plan = _plan(name, argv)
    if module == "tpjax.main":
        kept = os.path.join(KEPT, os.path.relpath(plan, "runs"), "results.json")
        assert not os.path.exists(kept), kept
    else:
        assert plan.mine and not any(runner.finished(plan, point) for point in plan.mine), name


def test_every_run_that_docs_results_lacks_is_in_the_backlog():
    """The paper grid and length generalisation of every RASP task, the paper grid of addition and
    addition_hints, and the standard baselines of the RASP tasks: each is kept in docs/runs/ or queued."""
    queued_workdirs, queued_points = set(), set()
    for name, argv in JOBS:
        module, plan = _plan(name, argv)
        if module == "tpjax.main":
            queued_workdirs.add(plan)
        else:
            queued_points.update((plan.sweep.name, point) for point in plan.mine)
    missing = []
    rasp = list(length_gen.RASP_TASKS)
    for module, argv in (
        (sweep, ["--config=configs/sweeps/paper.py", f"--task={','.join(rasp + ['addition', 'addition_hints'])}"]),
        (length_gen, ["--config=configs/sweeps/length_gen.py", f"--task={','.join(rasp)}"]),
    ):
        fv = _parse(argv, task="")
        plan = module.make_plan(fv.config, fv.task, "0/1", os.path.join(KEPT, "sweeps"))
        missing += [
            f"{plan.sweep.name}/{point.task}/{point.name}" for point in plan.points
            if not runner.finished(plan, point) and (plan.sweep.name, point) not in queued_points
        ]
    for task in rasp:
        workdir = f"runs/paper/{task}-standard"
        if not os.path.exists(os.path.join(KEPT, "paper", f"{task}-standard", "results.json")):
            if workdir not in queued_workdirs:
                missing.append(workdir)
    assert not missing, f"neither in docs/runs nor in {BACKLOG}: {missing}"

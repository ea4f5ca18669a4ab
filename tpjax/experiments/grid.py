"""Sweep configs and their grid points: which runs a sweep makes, in which order, with which config.

A sweep config (`configs/sweeps/<name>.py`) holds the grid (`n_layers`, `n_heads`, `n_mlps`: heads and
MLPs per layer, split half categorical, half numerical), `n_seeds` per point, and `override`: a copy of
every task-config field as an unset placeholder, so that any of them can be set in the file or on the
command line (`--config.override.n_epochs=50`). A point's config is the task's `configs/<task>.py`
`get_config()`, with the set overrides and then the grid values applied.

Nothing here imports JAX: a sweep is checked in full before the first point trains.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re

import ml_collections
from ml_collections import config_dict

from tpjax import cli
from tpjax import config as config_lib
from tpjax import tasks

# Task-config fields a sweep sets itself, so they have no placeholder under `override`.
SET_BY_SWEEP = (
    "task", "n_seeds", "model.kind", "model.n_layers", "model.n_heads_cat", "model.n_heads_num",
    "model.n_mlps_cat", "model.n_mlps_num",
)
GRID_FIELDS = ("n_layers", "n_heads", "n_mlps")
# Fields a length-generalisation run sets itself; an override of them is refused.
SET_BY_LENGTH_GEN = ("task", "n_seeds", "data.length_gen")
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_TASK_CONFIGS = os.path.join(_REPO, "configs")  # the checkout's configs/ (source or editable install)


class SweepError(ValueError):
    """A sweep, shard or task list that cannot run; its message is one line meant for the user."""


@dataclasses.dataclass(frozen=True, order=True)
class Point:
    """One grid point of one task: a single vmapped run of n_seeds seeds."""

    task: str
    n_layers: int
    n_heads: int
    n_mlps: int

    @property
    def name(self) -> str:
        return f"L{self.n_layers}_H{self.n_heads}_M{self.n_mlps}"


def sweep_config(name: str) -> ml_collections.ConfigDict:
    """The fields every sweep config has; the grid itself is left for the sweep file to fill in."""
    c = ml_collections.ConfigDict()
    c.name = name  # folder of the sweep under --out
    c.n_layers = (2,)  # layers
    c.n_heads = (4,)  # attention heads per layer, half categorical, half numerical
    c.n_mlps = (2,)  # MLPs per layer, half categorical, half numerical
    c.n_seeds = 5  # seeds per point, trained side by side in one vmapped run
    c.override = override_placeholders(config_lib.base_config())  # task-config fields to change; unset keeps the task's
    return c


@dataclasses.dataclass(frozen=True, order=True)
class LengthPoint:
    """One task trained on lengths up to n (Dyck: exactly n)."""

    task: str
    n: int

    @property
    def name(self) -> str:
        return f"n{self.n}"


def length_gen_config() -> ml_collections.ConfigDict:
    """The fields of a length-generalisation config (tpjax.experiments.length_gen); `override` as in a sweep."""
    c = ml_collections.ConfigDict()
    c.name = "length_gen"  # folder under --out
    c.lengths = (10, 20, 30, 40)  # n: longest training body (Dyck: the training length)
    c.n_seeds = 5  # seeds per point, trained side by side in one vmapped run
    # data.length_gen keeps its placeholder, so that setting it is refused with a reason (length_gen._check)
    c.override = override_placeholders(config_lib.base_config(), set_by=("task", "n_seeds"))
    return c


def override_placeholders(
    base: ml_collections.ConfigDict, prefix: str = "", set_by: tuple[str, ...] = SET_BY_SWEEP
) -> ml_collections.ConfigDict:
    """An unset placeholder for every field of `base` but those the experiment sets itself (`set_by`)."""
    out = ml_collections.ConfigDict()
    for key, value in base.items():
        path = prefix + key
        if path in set_by:
            continue
        if isinstance(value, ml_collections.ConfigDict):
            out[key] = override_placeholders(value, path + ".", set_by)
        else:
            out[key] = config_dict.placeholder(type(value))
    return out


def _set_overrides(override: ml_collections.ConfigDict, prefix: str = "") -> dict:
    """The override fields that are set, flattened to dotted names."""
    out = {}
    for key, value in override.items():
        if isinstance(value, ml_collections.ConfigDict):
            out.update(_set_overrides(value, f"{prefix}{key}."))
        elif value is not None:
            out[prefix + key] = value
    return out


def is_positive_int(value) -> bool:
    """Whether a config value is a positive integer; True and False are ints to Python but not counts here."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def check_n_seeds(c: ml_collections.ConfigDict, name: str = "sweep config") -> None:
    """SweepError unless c.n_seeds is a positive integer; `name` is what the message calls the config."""
    n_seeds = c.get("n_seeds")
    if not is_positive_int(n_seeds):
        raise SweepError(f"{name}.n_seeds must be a positive integer, got {n_seeds!r}")


def _grid_values(sweep: ml_collections.ConfigDict, field: str, even: bool) -> tuple[int, ...]:
    values = sweep[field]
    values = (values,) if isinstance(values, int) else values
    if not isinstance(values, (tuple, list)) or not values:
        raise SweepError(f"sweep config.{field} must be a non-empty tuple of positive integers, got {values!r}")
    for v in values:
        if not is_positive_int(v):
            raise SweepError(f"sweep config.{field} must hold positive integers, got {v!r} in {tuple(values)}")
        if even and v % 2:
            raise SweepError(
                f"sweep config.{field} must hold even numbers (half categorical, half numerical), got {v} in "
                f"{tuple(values)}"
            )
    if len(set(values)) != len(values):
        raise SweepError(f"sweep config.{field} repeats a value: {tuple(values)}")
    return tuple(sorted(values))


def check_sweep(sweep: ml_collections.ConfigDict) -> None:
    """Checks the sweep's own fields (the grid, n_seeds, name); raises SweepError with one line."""
    if not isinstance(sweep.get("name"), str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", sweep.name):
        raise SweepError(f"sweep config.name must be a folder name (letters, digits, _ . -), got {sweep.get('name')!r}")
    for field in GRID_FIELDS:
        if field not in sweep:
            raise SweepError(f"sweep config has no field {field!r}; a sweep needs {', '.join(GRID_FIELDS)}")
    _grid_values(sweep, "n_layers", even=False)
    _grid_values(sweep, "n_heads", even=True)
    _grid_values(sweep, "n_mlps", even=True)
    check_n_seeds(sweep)


def parse_tasks(spec: str, task_configs: str = DEFAULT_TASK_CONFIGS) -> list[str]:
    """`sort` or `sort,reverse`: known tasks, each with a configs/<task>.py, in the order given."""
    names = [name.strip() for name in (spec or "").split(",")]
    if not all(names):
        raise SweepError(f"--task must name one task or a comma-separated list, got {spec!r}")
    if len(set(names)) != len(names):
        raise SweepError(f"--task repeats a task: {spec!r}")
    for name in names:
        if name not in tasks.TASKS:
            raise SweepError(f"unknown task {name!r}; known tasks: {', '.join(sorted(tasks.TASKS))}")
        if not os.path.isfile(task_config_path(name, task_configs)):
            raise SweepError(f"task {name!r} has no config file {task_config_path(name, task_configs)}")
    return names


def parse_shard(spec: str) -> tuple[int, int]:
    """`i/n` with 0 <= i < n: this process runs points i, i+n, i+2n, ..."""
    match = re.fullmatch(r"(\d+)/(\d+)", spec or "")
    if not match or int(match[2]) < 1 or int(match[1]) >= int(match[2]):
        raise SweepError(f"--shard must be i/n with 0 <= i < n (e.g. 0/4), got {spec!r}")
    return int(match[1]), int(match[2])


def check_out(out: str) -> None:
    """SweepError unless --out is, or can become, a folder: one line before anything trains."""
    blocker = cli.file_in_the_way(out)
    if blocker:
        raise SweepError(f"--out {out}: {blocker} is a file, not a folder")


def points(sweep: ml_collections.ConfigDict, task_names: list[str]) -> list[Point]:
    """Every point of the grid: tasks in the order given, then layers, heads, MLPs, each ascending."""
    grid = [_grid_values(sweep, field, even=field != "n_layers") for field in GRID_FIELDS]
    return [Point(task, l, h, m) for task in task_names for l in grid[0] for h in grid[1] for m in grid[2]]


def shard(all_points: list[Point], index: int, count: int) -> list[Point]:
    """The points of shard index/count; the shards of one count partition the grid."""
    return all_points[index::count]


def task_config_path(task: str, task_configs: str = DEFAULT_TASK_CONFIGS) -> str:
    return os.path.join(task_configs, f"{task}.py")


load_config_file = cli.load_config_file  # `get_config()` of a config file, by path (kept here for its callers)


def task_config(task: str, task_configs: str = DEFAULT_TASK_CONFIGS) -> ml_collections.ConfigDict:
    """`configs/<task>.py: get_config()`, loaded by path (configs/ is not a package)."""
    return load_config_file(task_config_path(task, task_configs))


def apply_overrides(sweep: ml_collections.ConfigDict, base: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
    """A copy of `base` with every field the sweep's `override` sets."""
    c = copy.deepcopy(base)
    c.unlock()
    for name, value in _set_overrides(sweep.get("override") or ml_collections.ConfigDict()).items():
        node = c
        *parents, leaf = name.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    c.lock()
    return c


def point_config(
    sweep: ml_collections.ConfigDict, point: Point, base: ml_collections.ConfigDict
) -> ml_collections.ConfigDict:
    """The task config `base` with the sweep's overrides and the point's layers, heads and MLPs."""
    c = apply_overrides(sweep, base)
    c.unlock()
    c.task = point.task
    c.n_seeds = sweep.n_seeds
    c.model.kind = "program"
    c.model.n_layers = point.n_layers
    c.model.n_heads_cat = c.model.n_heads_num = point.n_heads // 2
    c.model.n_mlps_cat = c.model.n_mlps_num = point.n_mlps // 2
    c.lock()
    return c


def check_config(c: ml_collections.ConfigDict) -> None:
    """c checked as tpjax.main would check it, against its task's sizes without drawing the data; ConfigError."""
    config_lib.validate(c)
    _, task = tasks.get_task(c)
    config_lib.validate_against_data(c, len(task.vocab), task.n_ctx)


def point_configs(
    sweep: ml_collections.ConfigDict, all_points: list[Point], task_configs: str = DEFAULT_TASK_CONFIGS
) -> dict[Point, ml_collections.ConfigDict]:
    """Every point's config, each checked as tpjax.main would; SweepError names the first bad one."""
    check_sweep(sweep)
    bases = {task: task_config(task, task_configs) for task in dict.fromkeys(p.task for p in all_points)}
    out = {}
    for point in all_points:
        c = point_config(sweep, point, bases[point.task])
        try:
            check_config(c)
        except config_lib.ConfigError as e:
            raise SweepError(f"point {point.task}/{point.name}: {e}") from None
        out[point] = c
    return out


def point_dir(out: str, sweep: ml_collections.ConfigDict, point: Point) -> str:
    """OUT/<sweep>/<task>/<point>: the point's workdir, where a rerun finds its checkpoint and results."""
    return os.path.join(out, sweep.name, point.task, point.name)

"""Sweep configs and grid points: fixed order, readable names, shards that partition the grid, one-line errors."""

import importlib.util
import os

import ml_collections
import pytest

from tpjax import config as config_lib
from tpjax.experiments import grid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sweep(name: str) -> ml_collections.ConfigDict:
    path = os.path.join(REPO, "configs", "sweeps", f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"sweep_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.get_config()


def test_the_paper_and_blog_grids():
    paper = grid.points(sweep("paper"), ["sort"])
    assert [p.name for p in paper] == [
        "L2_H4_M2", "L2_H4_M4", "L2_H8_M2", "L2_H8_M4", "L3_H4_M2", "L3_H4_M4", "L3_H8_M2", "L3_H8_M4"
    ]
    blog = grid.points(sweep("blog"), ["sort", "hist"])
    assert len(blog) == 2 * 4 * 4 * 3 and [p.task for p in blog] == ["sort"] * 48 + ["hist"] * 48
    assert (blog[0].name, blog[47].name) == ("L1_H2_M2", "L4_H16_M8")
    assert sweep("paper").n_seeds == sweep("blog").n_seeds == 5
    assert grid.point_configs(sweep("blog"), blog)  # every point of both tasks is a valid config


def test_the_order_does_not_depend_on_how_the_grid_is_written():
    s = sweep("paper")
    s.n_layers, s.n_heads = (3, 2), (8, 4)
    assert grid.points(s, ["sort"]) == grid.points(sweep("paper"), ["sort"])


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 11])
def test_shards_partition_the_grid(count):
    points = grid.points(sweep("paper"), ["sort", "reverse"])
    shards = [grid.shard(points, i, count) for i in range(count)]
    assert sorted(p for s in shards for p in s) == sorted(points)
    assert sum(len(s) for s in shards) == len(points)
    assert shards == [grid.shard(list(points), i, count) for i in range(count)]
    for s in shards:
        assert s == sorted(s, key=points.index)


def test_a_point_is_the_task_config_with_the_overrides_and_the_grid_values():
    s = sweep("paper")
    s.override.n_epochs = 7
    s.override.data.size = 1000
    point = grid.Point("sort", 3, 8, 4)
    c = grid.point_config(s, point, grid.task_config("sort"))
    assert (c.model.n_layers, c.model.n_heads_cat, c.model.n_heads_num, c.model.n_mlps_cat, c.model.n_mlps_num) == (
        3, 4, 4, 2, 2
    )
    assert (c.task, c.n_seeds, c.n_epochs, c.data.size) == ("sort", 5, 7, 1000)
    expected = grid.task_config("sort")
    expected.n_epochs, expected.data.size = 7, 1000
    assert c.to_dict() == expected.to_dict()  # the paper's sort config is this grid point
    config_lib.validate(c)


def test_every_task_field_has_an_unset_override_except_those_the_sweep_sets():
    def leaves(c, prefix=""):
        for key, value in c.items():
            if isinstance(value, ml_collections.ConfigDict):
                yield from leaves(value, f"{prefix}{key}.")
            else:
                yield prefix + key, value

    base = dict(leaves(config_lib.base_config()))
    override = dict(leaves(sweep("paper").override))
    assert set(override) == set(base) - set(grid.SET_BY_SWEEP)
    assert all(value is None for value in override.values())


@pytest.mark.parametrize("spec", ["2/2", "-1/2", "1", "0/0", "a/b", "1/2/3", ""])
def test_bad_shard_specs(spec):
    with pytest.raises(grid.SweepError, match=r"^--shard must be i/n with 0 <= i < n"):
        grid.parse_shard(spec)


def test_shard_specs():
    assert grid.parse_shard("0/1") == (0, 1) and grid.parse_shard("3/4") == (3, 4)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("nope", r"unknown task 'nope'; known tasks: addition, "),
        ("sort,sort", r"--task repeats a task"),
        ("", r"--task must name one task"),
        ("sort,", r"--task must name one task"),
    ],
)
def test_bad_task_lists(spec, message):
    with pytest.raises(grid.SweepError, match=message):
        grid.parse_tasks(spec)


def test_a_task_without_a_config_file(tmp_path):
    with pytest.raises(grid.SweepError, match=r"task 'sort' has no config file .*sort.py"):
        grid.parse_tasks("sort", str(tmp_path))


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("n_heads", (3,), r"config.n_heads must hold even numbers \(half categorical, half numerical\), got 3"),
        ("n_mlps", (2, 5), r"config.n_mlps must hold even numbers"),
        ("n_layers", (0, 1), r"config.n_layers must hold positive integers, got 0"),
        ("n_layers", (2, 2), r"config.n_layers repeats a value"),
        ("n_layers", (), r"config.n_layers must be a non-empty tuple"),
        ("n_seeds", 0, r"config.n_seeds must be a positive integer"),
        ("name", "a/b", r"config.name must be a folder name"),
    ],
)
def test_bad_grids(field, value, message):
    s = sweep("paper")
    s[field] = value
    with pytest.raises(grid.SweepError, match=message):
        grid.check_sweep(s)


def test_a_bad_point_config_is_named():
    s = sweep("paper")
    s.override.model.d_var = 6
    with pytest.raises(grid.SweepError, match=r"^point sort/L2_H4_M2: config.model.d_var=6 is too small"):
        grid.point_configs(s, grid.points(s, ["sort"]))

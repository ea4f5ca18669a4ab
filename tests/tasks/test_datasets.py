"""make_dataset / examples (tpjax.tasks): registry, shapes, determinism, no leakage, length generalisation."""

from __future__ import annotations


import numpy as np
import pytest

from tpjax import tasks
from tpjax.tasks import splits

ALL = sorted(tasks.TASKS)


def inputs_of(split: tasks.Split) -> set[tuple[int, ...]]:
    return {tuple(row) for row in split.inputs.tolist()}


def test_registry_names():
    assert set(tasks.TASKS) == {"reverse", "hist", "double_hist", "sort", "most_freq", "dyck1", "dyck2",
                                "induction", "addition", "addition_hints"}
    assert {n for n, s in tasks.TASKS.items() if s.causal} == {"dyck1", "dyck2", "induction"}
    assert all(spec.name == name for name, spec in tasks.TASKS.items())


@pytest.mark.parametrize("task", ALL)
def test_dataset_shapes_and_leakage(task, make_config):
    ds = tasks.make_dataset(make_config(task, size=3000))
    assert ds.task == task and ds.causal == tasks.TASKS[task].causal
    sizes = [len(ds.splits[s]) for s in splits.SPLITS]
    assert sum(sizes) <= 3000 and sizes == list(splits.split_sizes(sum(sizes), 0.1))
    for split in ds.splits.values():
        assert split.inputs.dtype == split.targets.dtype == np.int32
        assert split.inputs.shape == split.targets.shape == (len(split), ds.n_ctx)
        assert split.inputs.max() < len(ds.vocab) and split.targets.max() < len(ds.labels)
        assert ((split.inputs == 0) <= (split.targets == 0)).all()  # nothing is scored at padding
        assert (split.targets != 0).any(axis=1).all()  # every example has something to score
    assert max(int((s.inputs != 0).sum(1).max()) for s in ds.splits.values()) == ds.n_ctx  # no waste
    train, val, test = (inputs_of(ds.splits[s]) for s in splits.SPLITS)
    assert len(train) + len(val) + len(test) == sum(sizes)  # deduplicated and disjoint
    assert not train & val and not train & test and not val & test


@pytest.mark.parametrize("task", ALL)
def test_examples_are_the_encoded_dataset(task, make_config):
    c = make_config(task, size=500)
    ds = tasks.make_dataset(c)
    for name in splits.SPLITS:
        rows = tasks.examples(c, name)
        assert [x for x, _ in rows] == [tasks.decode(ds.vocab, r) for r in ds.splits[name].inputs]
        for (x, y), ids, labels in zip(rows, ds.splits[name].inputs, ds.splits[name].targets):
            assert len(x) == len(y)
            assert ds.vocab.decode(ids[:len(x)]) == x and not ids[len(x):].any()
            assert ds.labels.decode(labels[:len(y)]) == y


def test_deterministic_in_the_data_seed(make_config):
    a = tasks.make_dataset(make_config("hist", size=2000))
    b = tasks.make_dataset(make_config("hist", size=2000))
    c = tasks.make_dataset(make_config("hist", size=2000, seed=1))
    for s in splits.SPLITS:
        assert np.array_equal(a.splits[s].inputs, b.splits[s].inputs)
        assert np.array_equal(a.splits[s].targets, b.splits[s].targets)
    assert not np.array_equal(a.splits["test"].inputs, c.splits["test"].inputs)


@pytest.mark.parametrize("task", ALL)
def test_vocabularies_do_not_depend_on_size_or_seed(task, make_config):
    small = tasks.make_dataset(make_config(task, size=20, seed=5))
    large = tasks.make_dataset(make_config(task, size=2000))
    assert small.vocab == large.vocab and small.labels == large.labels and small.n_ctx == large.n_ctx


def test_small_input_spaces_keep_every_distinct_input_found(make_config):
    ds = tasks.make_dataset(make_config("reverse", size=20000, max_len=5))  # 5 + 25 + 125 inputs
    assert sum(len(s) for s in ds.splits.values()) == 155


@pytest.mark.parametrize("task", ALL)
def test_length_gen_splits(task, make_config):
    n = 10
    c = make_config(task, size=2000, length_gen=n)
    _, t = tasks.get_task(c)
    rows = {s: tasks.examples(c, s) for s in splits.SPLITS}
    lengths = {s: {len(x) for x, _ in rows[s]} for s in splits.SPLITS}
    assert not {tuple(x) for x, _ in rows["train"]} & {tuple(x) for x, _ in rows["val"]}  # test: other lengths
    if task.startswith("dyck"):
        assert lengths["train"] == lengths["val"] == {n + 1} and lengths["test"] == {2 * n + 1}
    else:
        assert max(lengths["train"] | lengths["val"]) <= t.input_len(t.train_lengths[1])
        assert min(lengths["test"]) == t.input_len(t.test_lengths[0]) > max(lengths["train"])
        assert max(lengths["test"]) == t.input_len(t.test_lengths[1])
    if task in ("reverse", "sort", "hist", "double_hist", "most_freq"):
        extra = 2 if task in ("reverse", "sort") else 1
        assert {k - extra for k in lengths["train"]} == set(range(1, n + 1))
        assert {k - extra for k in lengths["test"]} == set(range(n + 1, n + 11))
    if task == "dyck1":  # 2**10 inputs of 10 brackets: train/val keep what 5x draws find
        assert len(rows["train"]) + len(rows["val"]) <= 1024 and len(rows["test"]) == 200
    else:
        assert [len(rows[s]) for s in splits.SPLITS] == [1620, 180, 200]
    ds = tasks.make_dataset(c)
    assert ds.n_ctx == max(lengths["test"])
    assert all(ds.splits[s].inputs.shape[1] == ds.n_ctx for s in splits.SPLITS)


def test_unknown_task_and_split(make_config):
    with pytest.raises(ValueError, match="unknown task 'nope'; known tasks: addition"):
        tasks.make_dataset(make_config("nope"))
    with pytest.raises(ValueError, match="unknown split 'dev'"):
        tasks.examples(make_config("sort"), "dev")


def test_check_config_reports_unusable_settings(make_config):
    tasks.check_config(make_config("sort"))
    with pytest.raises(ValueError, match="vocab_size=2"):
        tasks.check_config(make_config("sort", vocab_size=2))
    with pytest.raises(ValueError, match="sum_label has no length-generalisation split"):
        tasks.check_config(make_config("addition", length_gen=5, sum_label=True))

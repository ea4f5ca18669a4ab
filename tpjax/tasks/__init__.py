"""The synthetic tasks of the paper and the blog, and the datasets built from them.

`TASKS` is the explicit registry (name -> `TaskSpec`); `make_dataset(config)` turns a whole config into
padded train/val/test arrays with vocabularies fixed by the task definition, and `examples(config,
split)` gives the same split as readable token lists. Both are deterministic in `config.data.seed`.
"""

from __future__ import annotations

from collections.abc import Sequence

import ml_collections

from tpjax.config import ConfigError
from tpjax.tasks import addition, dyck, hist, induction, most_freq, reverse, sort, splits
from tpjax.tasks.spec import Task, TaskSpec
from tpjax.tasks.splits import SPLITS, Dataset, Example, Split
from tpjax.tasks.vocab import BOS, EOS, PAD, UNK, Vocab

__all__ = ["TASKS", "SPLITS", "Dataset", "Split", "Task", "TaskSpec", "Vocab", "BOS", "EOS", "PAD", "UNK",
           "get_task", "check_config", "make_dataset", "examples", "decode"]

TASKS: dict[str, TaskSpec] = {
    "reverse": TaskSpec("reverse", False, reverse.make, "reverse the body"),
    "hist": TaskSpec("hist", False, hist.make, "count of each value"),
    "double_hist": TaskSpec("double_hist", False, hist.make_double, "values sharing each value's count"),
    "sort": TaskSpec("sort", False, sort.make, "sort the body"),
    "most_freq": TaskSpec("most_freq", False, most_freq.make, "distinct values by decreasing count"),
    "dyck1": TaskSpec("dyck1", True, dyck.make_dyck1, "balance of () prefixes"),
    "dyck2": TaskSpec("dyck2", True, dyck.make_dyck2, "balance of (){} prefixes"),
    "induction": TaskSpec("induction", True, induction.make, "recall the number paired with a letter"),
    "addition": TaskSpec("addition", False, addition.make, "digits of a + b"),
    "addition_hints": TaskSpec("addition_hints", False, addition.make_hints, "a + b with digit letters"),
}


def get_task(config: ml_collections.ConfigDict) -> tuple[TaskSpec, Task]:
    """The registry entry and the task under `config.data`; ValueError for an unknown or unusable one."""
    if config.task not in TASKS:
        raise ValueError(f"unknown task {config.task!r}; known tasks: {', '.join(sorted(TASKS))}")
    spec = TASKS[config.task]
    return spec, spec.make(config.data)


def check_config(config: ml_collections.ConfigDict) -> None:
    """Raises ValueError (one line) when the task cannot be built from this data config."""
    get_task(config)


def _examples(config: ml_collections.ConfigDict, task: Task) -> dict[str, list[Example]]:
    data = config.data
    sample_train = lambda rng, n: task.sample(rng, n, task.train_lengths)  # noqa: E731
    if task.test_lengths is None:
        inputs = splits.draw_unique(sample_train, splits.stream(data.seed, 0), data.size)
        parts = splits.shuffle_split(inputs, data.test_frac, splits.stream(data.seed, 2))
    else:
        n_test = round(data.size * data.test_frac)
        inputs = splits.draw_unique(sample_train, splits.stream(data.seed, 0), data.size - n_test)
        parts = splits.shuffle_split(inputs, data.test_frac, splits.stream(data.seed, 2), with_test=False)
        sample_test = lambda rng, n: task.sample(rng, n, task.test_lengths)  # noqa: E731
        parts["test"] = splits.draw_unique(sample_test, splits.stream(data.seed, 1), n_test)
    if not set(parts["train"]).isdisjoint(parts["test"]):
        raise AssertionError(f"{config.task}: a test input is also in train")
    empty = [name for name in SPLITS if not parts[name]]
    if empty:  # training or evaluating on no examples fails deep inside JAX; say why here
        sizes = ", ".join(f"{name} {len(parts[name])}" for name in SPLITS)
        wanted = data.size - (0 if task.test_lengths is None else round(data.size * data.test_frac))
        longer = ("config.data.length_gen" if data.length_gen else
                  "config.data.n_digits" if config.task.startswith("addition") else "config.data.max_len")
        fix = ("raise config.data.size" if len(inputs) >= wanted else
               f"the task has only {len(inputs)} distinct inputs of its training lengths: raise {longer}")
        noun = "splits" if len(empty) > 1 else "split"
        raise ConfigError(f"{config.task}: the {' and '.join(empty)} {noun} would be empty ({sizes} examples); {fix}")
    return {name: [(x, task.label(x)) for x in parts[name]] for name in SPLITS}


def make_dataset(config: ml_collections.ConfigDict) -> Dataset:
    """Padded int32 train/val/test arrays for `config.task` under `config.data`."""
    spec, task = get_task(config)
    raw = _examples(config, task)
    n_ctx = task.n_ctx
    return Dataset(
        task=spec.name,
        vocab=task.vocab,
        labels=task.labels,
        causal=spec.causal,
        n_ctx=n_ctx,
        splits={name: splits.encode(raw[name], task.vocab, task.labels, n_ctx) for name in SPLITS},
    )


def examples(config: ml_collections.ConfigDict, split: str) -> list[tuple[list[str], list[str]]]:
    """One split as readable (input tokens, target labels) pairs, unpadded."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    _, task = get_task(config)
    return [(list(x), y) for x, y in _examples(config, task)[split]]


def decode(vocab: Vocab, ids: Sequence[int]) -> list[str]:
    """Padded ids -> tokens up to the first <pad>."""
    ids = list(ids)
    return vocab.decode(ids[: ids.index(0)] if 0 in ids else ids)

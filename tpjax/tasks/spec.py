"""The interface between a task family and the dataset builder.

Every task module turns `config.data` into a `Task`: its fixed vocabularies, the ranges of its length
unit (body length, brackets, letter/number pairs) for the training and, in length-generalisation mode,
the test split, a sampler and a labeller. The builder (`tpjax.tasks.make_dataset`) only needs this, so a
new task is one module plus one registry line. Settings a task cannot honour raise ValueError from
`make`, before any data exists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import ml_collections
import numpy as np

from tpjax.tasks.vocab import Vocab

Lengths = tuple[int, int]  # inclusive range of a task's length unit
Tokens = tuple[str, ...]

LENGTH_GEN_SPAN = 10  # test lengths run from n+1 to n+LENGTH_GEN_SPAN (DESIGN section 3)


@dataclasses.dataclass(frozen=True)
class Strings:
    """The inputs a sampler can produce when that is every string: `prefix + w + suffix`, w over `alphabet`.

    Lets a program be verified on the whole input space rather than on samples of it.
    """

    prefix: Tokens
    alphabet: Tokens
    suffix: Tokens = ()

    def count(self, lengths: Lengths) -> int:
        return sum(len(self.alphabet) ** n for n in range(lengths[0], lengths[1] + 1))


@dataclasses.dataclass(frozen=True)
class Task:
    """One task under one data config."""

    vocab: Vocab  # input tokens, `<pad>` first
    labels: Vocab  # target labels, `<pad>` first
    train_lengths: Lengths  # length range of train/val (and test when test_lengths is None)
    test_lengths: Lengths | None  # length-generalisation test range; None: i.i.d. split
    sample: Callable[[np.random.Generator, int, Lengths], list[Tokens]]  # n whole inputs
    label: Callable[[Sequence[str]], list[str]]  # one label per input position
    input_len: Callable[[int], int]  # longest whole input at a given length unit
    space: Strings | None = None  # the sampler's whole input space, where it is every string of a length

    @property
    def n_ctx(self) -> int:
        """Context length that holds every input this config can produce, in any split."""
        hi = self.train_lengths[1] if self.test_lengths is None else max(
            self.train_lengths[1], self.test_lengths[1])
        return self.input_len(hi)


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    """A registry entry: the task's name, whether it is causal, and its `make(config.data)`."""

    name: str
    causal: bool
    make: Callable[[ml_collections.ConfigDict], Task]
    about: str  # one line for listings and error messages


def value_tokens(task: str, vocab_size: int, n_specials: int) -> tuple[str, ...]:
    """Values `0`..`vocab_size-n_specials-1`: `data.vocab_size` counts the specials too."""
    n = vocab_size - n_specials
    if n < 1:
        raise ValueError(
            f"config.data.vocab_size={vocab_size} is too small for {task}: it counts {n_specials} "
            f"special tokens, so it must be at least {n_specials + 1}"
        )
    return tuple(str(v) for v in range(n))


def body_lengths(task: str, data: ml_collections.ConfigDict, longest: int) -> tuple[Lengths, Lengths | None]:
    """Body-length ranges: min_len..longest, or min_len..n and n+1..n+10 when data.length_gen = n."""
    lo = max(1, data.min_len)  # an empty body has nothing to score
    n = data.length_gen
    if n:
        if n < lo:
            raise ValueError(
                f"config.data.length_gen={n} is below config.data.min_len={data.min_len} ({task})")
        return (lo, n), (n + 1, n + LENGTH_GEN_SPAN)
    if longest < lo:
        raise ValueError(
            f"config.data.max_len={data.max_len} leaves body lengths up to {longest} for {task}, "
            f"below config.data.min_len={data.min_len}"
        )
    return (lo, longest), None


def uniform_bodies(rng: np.random.Generator, n: int, lengths: Lengths, n_values: int) -> list[list[int]]:
    """n bodies, each of a uniform length in `lengths`, of uniform values in 0..n_values-1."""
    lo, hi = lengths
    lens = rng.integers(lo, hi + 1, size=n).tolist()
    vals = rng.integers(0, n_values, size=(n, hi)).tolist()
    return [row[:k] for row, k in zip(vals, lens)]


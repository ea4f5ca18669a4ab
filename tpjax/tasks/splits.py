"""Deduplicated, deterministic train/val/test splits, and padding them into arrays.

Inputs are deduplicated before splitting, so no test input is ever trained on: the test score measures
generalisation, not recall. When the input space is smaller than the requested size, the draw stops
after `MAX_DRAW_FACTOR` x size samples and keeps every distinct input it found. Every random stream is
derived from `data.seed` and a fixed stream number, so a split is a function of the config alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from tpjax.tasks.spec import Tokens
from tpjax.tasks.vocab import Vocab

MAX_DRAW_FACTOR = 5  # samples drawn at most, per example wanted
SPLITS = ("train", "val", "test")

Example = tuple[Tokens, list[str]]  # (whole input, one label per position)


@dataclasses.dataclass(frozen=True)
class Split:
    inputs: np.ndarray  # int32 (N, n_ctx) token ids, 0 = <pad>
    targets: np.ndarray  # int32 (N, n_ctx) label ids, 0 = <pad> = not scored

    def __len__(self) -> int:
        return len(self.inputs)


@dataclasses.dataclass(frozen=True)
class Dataset:
    task: str
    vocab: Vocab  # input tokens (index 0 '<pad>')
    labels: Vocab  # output labels (index 0 '<pad>')
    causal: bool  # position i may only see positions 0..i
    n_ctx: int  # common padded length of all three splits
    splits: dict[str, Split]  # 'train', 'val', 'test'


def stream(seed: int, number: int) -> np.random.Generator:
    """Independent generator `number` of data seed `seed`."""
    return np.random.default_rng([seed, number])


def draw_unique(sample: Callable[[np.random.Generator, int], list[Tokens]], rng: np.random.Generator,
                size: int) -> list[Tokens]:
    """Up to `size` distinct inputs, in order of first draw, from at most MAX_DRAW_FACTOR * size samples."""
    seen: dict[Tokens, None] = {}
    drawn = 0
    while len(seen) < size and drawn < MAX_DRAW_FACTOR * size:
        batch = min(size, MAX_DRAW_FACTOR * size - drawn)
        seen.update(dict.fromkeys(sample(rng, batch)))  # re-drawn inputs keep their first position
        drawn += batch
    return list(seen)[:size]


def split_sizes(n: int, test_frac: float) -> tuple[int, int, int]:
    """(train, val, test): test takes test_frac of n, val test_frac of the rest."""
    n_test = round(n * test_frac)
    n_val = round((n - n_test) * test_frac)
    return n - n_val - n_test, n_val, n_test


def shuffle_split(items: Sequence, test_frac: float, rng: np.random.Generator,
                  with_test: bool = True) -> dict[str, list]:
    """Shuffle and cut into train/val(/test) lists of `split_sizes`."""
    order = rng.permutation(len(items))
    shuffled = [items[i] for i in order]
    if with_test:
        n_train, n_val, _ = split_sizes(len(items), test_frac)
    else:
        n_val = round(len(items) * test_frac)
        n_train = len(items) - n_val
    out = {"train": shuffled[:n_train], "val": shuffled[n_train:n_train + n_val]}
    if with_test:
        out["test"] = shuffled[n_train + n_val:]
    return out


def pad(rows: Sequence[Sequence[int]], n_ctx: int) -> np.ndarray:
    """int32 (len(rows), n_ctx), each row left-aligned and filled with 0 (<pad>)."""
    out = np.zeros((len(rows), n_ctx), dtype=np.int32)
    for i, row in enumerate(rows):
        if len(row) > n_ctx:
            raise ValueError(f"a sequence of length {len(row)} does not fit the context length {n_ctx}")
        out[i, :len(row)] = row
    return out


def encode(examples: Sequence[Example], vocab: Vocab, labels: Vocab, n_ctx: int) -> Split:
    """Examples -> padded id arrays."""
    return Split(
        inputs=pad([vocab.encode(x) for x, _ in examples], n_ctx),
        targets=pad([labels.encode(y) for _, y in examples], n_ctx),
    )

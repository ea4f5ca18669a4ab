"""induction: in-context recall of letter -> number pairs (the paper's induction task). Causal.

`data.vocab_size` counts `<pad>` and `<s>` and splits the rest evenly: vocab 10 gives letters `a`-`d`
and numbers `0`-`3`. Each example draws its own letter -> number map (any function, as in the original
code) and a number of pairs uniform in max(1, min_len//2)..max_len//2, then writes `<s> l n l n ...`,
and with equal odds either inserts a random number right after `<s>` (so letters do not sit at a fixed
parity of position) or appends a query letter. Label at a letter: its number if the letter occurred
earlier, else `<unk>`; at `<s>` and numbers: `<pad>`. The input is 2 * pairs + 2 long.
Length generalisation counts in the same unit: train/val pairs up to n//2, test n//2+1..(n+10)//2.
"""

from __future__ import annotations

import string
from collections.abc import Sequence

import ml_collections
import numpy as np

from tpjax.tasks import spec
from tpjax.tasks.vocab import BOS, PAD, UNK, make_vocab


def letters_and_numbers(size: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(string.ascii_lowercase[:size]), tuple(str(i) for i in range(size))


def sample(rng: np.random.Generator, n: int, lengths: spec.Lengths, size: int) -> list[spec.Tokens]:
    """n inputs of uniform pair count in `lengths` over `size` letters and `size` numbers."""
    letters, numbers = letters_and_numbers(size)
    lo, hi = lengths
    n_pairs = rng.integers(lo, hi + 1, size=n).tolist()
    maps = rng.integers(0, size, size=(n, size)).tolist()
    keys = rng.integers(0, size, size=(n, hi)).tolist()
    lead = rng.integers(0, 2, size=n).tolist()
    extra = rng.integers(0, size, size=n).tolist()
    out = []
    for i in range(n):
        to_number = maps[i]
        seq = [BOS]
        if lead[i]:
            seq.append(numbers[extra[i]])
        for c in keys[i][: n_pairs[i]]:
            seq += (letters[c], numbers[to_number[c]])
        if not lead[i]:
            seq.append(letters[extra[i]])
        out.append(tuple(seq))
    return out


def label(tokens: Sequence[str]) -> list[str]:
    """Per position: the number that followed an earlier occurrence of this letter, `<unk>`, or `<pad>`."""
    if not tokens or tokens[0] != BOS:
        raise ValueError(f"expected '<s> letter number ...', got {list(tokens)!r}")
    seen: dict[str, str] = {}
    out = [PAD]
    for i in range(1, len(tokens)):
        tok = tokens[i]
        if not tok.isalpha():
            out.append(PAD)
            continue
        out.append(seen.get(tok, UNK))
        if tok not in seen and i + 1 < len(tokens):
            seen[tok] = tokens[i + 1]
    return out


def make(data: ml_collections.ConfigDict) -> spec.Task:
    """induction for the registry; ValueError for a vocab_size or length that leaves no valid input."""
    if data.vocab_size % 2 or not 4 <= data.vocab_size <= 22:
        raise ValueError(
            f"config.data.vocab_size={data.vocab_size} does not fit induction: it must be even, "
            "between 4 and 22 (<pad>, <s>, then as many numbers as letters)"
        )
    size = (data.vocab_size - 2) // 2
    letters, numbers = letters_and_numbers(size)
    lo = max(1, data.min_len // 2)
    n = data.length_gen
    if n:
        train, test = (lo, n // 2), (n // 2 + 1, (n + spec.LENGTH_GEN_SPAN) // 2)
    else:
        train, test = (lo, data.max_len // 2), None
    if train[1] < lo:
        raise ValueError(
            f"induction counts pairs: config.data.{'length_gen' if n else 'max_len'}={n or data.max_len} "
            f"allows {train[1]} pairs, fewer than the {lo} that config.data.min_len={data.min_len} asks for"
        )
    return spec.Task(
        vocab=make_vocab("input vocabulary of induction", (BOS,), letters, numbers),
        labels=make_vocab("label vocabulary of induction", (UNK,), numbers),
        train_lengths=train,
        test_lengths=test,
        sample=lambda rng, count, lengths: sample(rng, count, lengths, size),
        label=label,
        input_len=lambda pairs: 2 * pairs + 2,
    )

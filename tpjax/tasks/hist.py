"""hist and double_hist: `<s> x1 .. xL` -> per-position counts (DESIGN section 3).

hist labels position i with how often body[i] occurs in the body; double_hist with how many distinct
values occur exactly as often as body[i]. Size conventions follow the original code: `data.vocab_size`
counts `<pad>` and `<s>`, so values are `0`..`vocab_size-3`, bodies `min_len`..`max_len-1`. Labels are
the numbers `1`..(longest possible answer), fixed by the config so ids never depend on the sample.
`most_freq` shares this input format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import ml_collections
import numpy as np

from tpjax.tasks import spec
from tpjax.tasks.vocab import BOS, PAD, Vocab, make_vocab

N_SPECIALS = 2  # <pad>, <s>


def input_vocab(values: Sequence[str], task: str) -> Vocab:
    """`<s>` then the values: the input format hist, double_hist and most_freq share."""
    return make_vocab(f"input vocabulary of {task}", (BOS,), values)


def sample(rng: np.random.Generator, n: int, lengths: spec.Lengths,
           values: Sequence[str]) -> list[spec.Tokens]:
    """n inputs `<s> body`, body length uniform in `lengths`, values uniform."""
    return [(BOS, *(values[v] for v in body)) for body in spec.uniform_bodies(rng, n, lengths, len(values))]


def body_of(tokens: Sequence[str]) -> list[str]:
    """The values after `<s>`; ValueError for anything else."""
    if not tokens or tokens[0] != BOS:
        raise ValueError(f"expected '<s> values...', got {list(tokens)!r}")
    return list(tokens[1:])


def label(tokens: Sequence[str]) -> list[str]:
    """hist: `<pad>` at `<s>`, then the count of body[i] in the body."""
    body = body_of(tokens)
    counts = Counter(body)
    return [PAD, *(str(counts[x]) for x in body)]


def label_double(tokens: Sequence[str]) -> list[str]:
    """double_hist: `<pad>` at `<s>`, then how many distinct values share body[i]'s count."""
    body = body_of(tokens)
    counts = Counter(body)
    same = Counter(counts.values())
    return [PAD, *(str(same[counts[x]]) for x in body)]


def _make(task: str, data: ml_collections.ConfigDict, double: bool) -> spec.Task:
    values = spec.value_tokens(task, data.vocab_size, N_SPECIALS)
    train, test = spec.body_lengths(task, data, data.max_len - 1)
    longest = max(train[1], test[1] if test else 0)
    # a count is at most the body length; a number of distinct values at most the number of values too
    top = min(longest, len(values)) if double else longest
    return spec.Task(
        vocab=input_vocab(values, task),
        labels=make_vocab(f"label vocabulary of {task}", [str(k) for k in range(1, top + 1)]),
        train_lengths=train,
        test_lengths=test,
        sample=lambda rng, n, lengths: sample(rng, n, lengths, values),
        label=label_double if double else label,
        input_len=lambda body: body + 1,
        space=spec.Strings((BOS,), values),
    )


def make(data: ml_collections.ConfigDict) -> spec.Task:
    """hist for the registry: each position labelled with its value's count."""
    return _make("hist", data, double=False)


def make_double(data: ml_collections.ConfigDict) -> spec.Task:
    """double_hist for the registry: each position labelled with how many values share its value's count."""
    return _make("double_hist", data, double=True)

"""most_freq: `<s> x1 .. xL` -> the distinct values by decreasing count (DESIGN section 3).

Ties go to the value that occurs first; positions after the last distinct value are labelled `<s>` and
are scored, as in the original code. Inputs and size conventions are those of `hist`.
"""

from __future__ import annotations

from collections.abc import Sequence

import ml_collections

from tpjax.tasks import hist, spec
from tpjax.tasks.vocab import BOS, PAD, make_vocab

sample = hist.sample


def label(tokens: Sequence[str]) -> list[str]:
    """`<pad>` at `<s>`, then the distinct values ordered by (-count, first position), then `<s>`."""
    body = hist.body_of(tokens)
    first: dict[str, int] = {}
    count: dict[str, int] = {}
    for i, x in enumerate(body):
        first.setdefault(x, i)
        count[x] = count.get(x, 0) + 1
    order = sorted(first, key=lambda x: (-count[x], first[x]))
    return [PAD, *order, *([BOS] * (len(body) - len(order)))]


def make(data: ml_collections.ConfigDict) -> spec.Task:
    """most_freq for the registry: hist's inputs and sizes, labelled with values (and `<s>`), not counts."""
    values = spec.value_tokens("most_freq", data.vocab_size, hist.N_SPECIALS)
    train, test = spec.body_lengths("most_freq", data, data.max_len - 1)
    return spec.Task(
        vocab=hist.input_vocab(values, "most_freq"),
        labels=make_vocab("label vocabulary of most_freq", (BOS,), values),
        train_lengths=train,
        test_lengths=test,
        sample=lambda rng, n, lengths: sample(rng, n, lengths, values),
        label=label,
        input_len=lambda body: body + 1,
        space=spec.Strings((BOS,), values),
    )

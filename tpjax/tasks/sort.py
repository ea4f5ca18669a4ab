"""sort: `<s> x1 .. xL </s>` -> the body sorted ascending (DESIGN section 3).

Same inputs and size conventions as `reverse` (values `0`..`vocab_size-4`, bodies `min_len`..`max_len-2`).
Values are ordered as numbers, so vocabularies past ten values still sort as expected.
"""

from __future__ import annotations

from collections.abc import Sequence

import ml_collections

from tpjax.tasks import reverse, spec
from tpjax.tasks.vocab import BOS, EOS, PAD, make_vocab

sample = reverse.sample


def label(tokens: Sequence[str]) -> list[str]:
    """`<pad>` at `<s>` and `</s>`, sorted(body)[i] at body position i."""
    return [PAD, *sorted(reverse.body_of(tokens), key=int), PAD]


def make(data: ml_collections.ConfigDict) -> spec.Task:
    """sort for the registry: reverse's inputs and sizes, the body sorted as numbers for labels."""
    values = spec.value_tokens("sort", data.vocab_size, reverse.N_SPECIALS)
    train, test = spec.body_lengths("sort", data, data.max_len - 2)
    return spec.Task(
        vocab=reverse.input_vocab(values, task="sort"),
        labels=make_vocab("label vocabulary of sort", values),
        train_lengths=train,
        test_lengths=test,
        sample=lambda rng, n, lengths: sample(rng, n, lengths, values),
        label=label,
        input_len=lambda body: body + 2,
        space=spec.Strings((BOS,), values, (EOS,)),
    )

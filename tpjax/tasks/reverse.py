"""reverse: `<s> x1 .. xL </s>` -> the body reversed (DESIGN section 3).

Size conventions follow the original code: `data.vocab_size` counts `<pad>`, `<s>` and `</s>`, so the
values are `0`..`vocab_size-4`, and the whole input (body plus `<s>`/`</s>`) is at most `data.max_len`
long, i.e. bodies of `min_len`..`max_len-2` values. `sort` shares this input format.
"""

from __future__ import annotations

from collections.abc import Sequence

import ml_collections
import numpy as np

from tpjax.tasks import spec
from tpjax.tasks.vocab import BOS, EOS, PAD, Vocab, make_vocab

N_SPECIALS = 3  # <pad>, <s>, </s>


def input_vocab(values: Sequence[str], task: str = "reverse") -> Vocab:
    """`<s>`, `</s>`, then the values: the input format reverse and sort share."""
    return make_vocab(f"input vocabulary of {task}", (BOS, EOS), values)


def sample(rng: np.random.Generator, n: int, lengths: spec.Lengths,
           values: Sequence[str]) -> list[spec.Tokens]:
    """n inputs `<s> body </s>`, body length uniform in `lengths`, values uniform."""
    return [(BOS, *(values[v] for v in body), EOS)
            for body in spec.uniform_bodies(rng, n, lengths, len(values))]


def body_of(tokens: Sequence[str]) -> list[str]:
    """The values between `<s>` and `</s>`; ValueError for anything else."""
    if len(tokens) < 2 or tokens[0] != BOS or tokens[-1] != EOS:
        raise ValueError(f"expected '<s> values... </s>', got {list(tokens)!r}")
    return list(tokens[1:-1])


def label(tokens: Sequence[str]) -> list[str]:
    """`<pad>` at `<s>` and `</s>`, body[L-1-i] at body position i."""
    return [PAD, *reversed(body_of(tokens)), PAD]


def make(data: ml_collections.ConfigDict) -> spec.Task:
    """reverse for the registry, sized by `data` (vocab_size, min_len, max_len, length_gen)."""
    values = spec.value_tokens("reverse", data.vocab_size, N_SPECIALS)
    train, test = spec.body_lengths("reverse", data, data.max_len - 2)
    return spec.Task(
        vocab=input_vocab(values),
        labels=make_vocab("label vocabulary of reverse", values),
        train_lengths=train,
        test_lengths=test,
        sample=lambda rng, n, lengths: sample(rng, n, lengths, values),
        label=label,
        input_len=lambda body: body + 2,
        space=spec.Strings((BOS,), values, (EOS,)),
    )

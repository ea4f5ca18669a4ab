"""dyck1 / dyck2: per-prefix balance of a bracket string (DESIGN section 3). Causal.

Input `<s> c1 .. cL` with L = `data.max_len - 1` brackets (`(` `)`, plus `{` `}` for dyck2). Half the
draws start from a random balanced string, built by repeatedly appending a pair or wrapping the string so
far in a pair, with a pair count uniform in max(1, min_len//2)..(L+1)//2 (the original code's
`max_len//2`), then cut to L or padded with uniform random brackets; the other half are uniform. That
mix gives balanced and nearly balanced prefixes, which uniform strings alone almost never contain.
Labels per prefix: `T` balanced, `F` once a closing bracket is unmatched or mismatched (and from then
on), `P` otherwise; `<pad>` at `<s>`. Length generalisation: train/val on n brackets, test on 2n, each with
full-length balanced starts ((L+1)//2 pairs at both lengths, as the paper's script draws them at its one
length, its min_length being its max_length), not `min_len`'s fixed 8 pairs, which would leave most of a long
string to uniform brackets; `min_len` is unused there.
"""

from __future__ import annotations

from collections.abc import Sequence

import ml_collections
import numpy as np

from tpjax.tasks import spec
from tpjax.tasks.vocab import BOS, PAD, make_vocab

PAIRS = (("(", ")"), ("{", "}"))
LABELS = ("T", "F", "P")


def brackets(kinds: int) -> tuple[str, ...]:
    return tuple(c for pair in PAIRS[:kinds] for c in pair)


def sample(rng: np.random.Generator, n: int, lengths: spec.Lengths, kinds: int,
           min_pairs: int | None) -> list[spec.Tokens]:
    """n inputs `<s>` + brackets, length uniform in `lengths`; half from a random balanced string of at
    least `min_pairs` pairs (None: as many as the length holds)."""
    chars = "".join(brackets(kinds))
    lo, hi = lengths
    most = (hi + 1) // 2
    lens = rng.integers(lo, hi + 1, size=n).tolist()
    balanced = rng.integers(0, 2, size=n).tolist()
    u_pairs = rng.random(size=n).tolist()  # scaled per example to its own pair-count range below
    kind = rng.integers(0, kinds, size=(n, most)).tolist()
    wrap = rng.integers(0, 2, size=(n, most)).tolist()
    fill = rng.integers(0, len(chars), size=(n, hi)).tolist()
    out = []
    for i in range(n):
        length = lens[i]
        s = ""
        if balanced[i]:
            top = (length + 1) // 2
            bottom = top if min_pairs is None else min(max(1, min_pairs), top)
            for step in range(bottom + int(u_pairs[i] * (top - bottom + 1))):
                left, right = PAIRS[kind[i][step]]
                s = left + s + right if wrap[i][step] else s + left + right
            s = s[:length]
        s += "".join(chars[c] for c in fill[i][len(s):length])
        out.append((BOS, *s))
    return out


def label(tokens: Sequence[str]) -> list[str]:
    """`<pad>` at `<s>`, then T/F/P for each prefix of the brackets."""
    if not tokens or tokens[0] != BOS:
        raise ValueError(f"expected '<s> brackets...', got {list(tokens)!r}")
    left_of = {right: left for left, right in PAIRS}
    stack: list[str] = []
    out = [PAD]
    for c in tokens[1:]:
        if c in left_of:
            if not stack or stack.pop() != left_of[c]:
                return out + ["F"] * (len(tokens) - len(out))
            out.append("P" if stack else "T")
        elif c in ("(", "{"):
            stack.append(c)
            out.append("P")
        else:
            raise ValueError(f"not a bracket: {c!r}")
    return out


def _make(task: str, kinds: int, data: ml_collections.ConfigDict) -> spec.Task:
    n = data.length_gen
    if n:
        train, test = (n, n), (2 * n, 2 * n)
    else:
        if data.max_len < 2:
            raise ValueError(f"config.data.max_len={data.max_len} leaves no brackets for {task} (need >= 2)")
        train, test = (data.max_len - 1, data.max_len - 1), None
    min_pairs = None if n else data.min_len // 2
    return spec.Task(
        vocab=make_vocab(f"input vocabulary of {task}", (BOS,), brackets(kinds)),
        labels=make_vocab(f"label vocabulary of {task}", LABELS),
        train_lengths=train,
        test_lengths=test,
        sample=lambda rng, count, lengths: sample(rng, count, lengths, kinds, min_pairs),
        label=label,
        input_len=lambda length: length + 1,
        space=spec.Strings((BOS,), brackets(kinds)),
    )


def make_dyck1(data: ml_collections.ConfigDict) -> spec.Task:
    """dyck1 for the registry: one bracket kind, `(` `)`."""
    return _make("dyck1", 1, data)


def make_dyck2(data: ml_collections.ConfigDict) -> spec.Task:
    """dyck2 for the registry: two bracket kinds, `(` `)` and `{` `}`."""
    return _make("dyck2", 2, data)

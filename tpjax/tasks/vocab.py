"""Token vocabularies with ids fixed by the task definition.

A model's one-hot embedding and classifier are indexed by these ids, so they must not depend on which
tokens a particular sample happens to contain: two datasets of the same task and data config, whatever
their size or seed, map every token to the same id. Index 0 is always `<pad>`, which the model treats as
"no token" in inputs and "not scored" in targets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence

PAD = "<pad>"
BOS = "<s>"
EOS = "</s>"
UNK = "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)

_SHOW_AT_MOST = 40  # tokens listed in an error message before it is cut short


@dataclasses.dataclass(frozen=True)
class Vocab:
    """An ordered, duplicate-free tuple of tokens; a token's id is its position."""

    tokens: tuple[str, ...]
    name: str = "vocabulary"  # how error messages refer to it, e.g. "input vocabulary of sort"

    def __post_init__(self) -> None:
        tokens = tuple(self.tokens)
        object.__setattr__(self, "tokens", tokens)
        if not tokens or tokens[0] != PAD:
            raise ValueError(f"the {self.name} must start with {PAD!r}, got {tokens[:3]!r}")
        ids = {tok: i for i, tok in enumerate(tokens)}
        if len(ids) != len(tokens):
            dup = sorted({t for t in tokens if tokens.count(t) > 1})
            raise ValueError(f"the {self.name} repeats tokens {dup!r}")
        object.__setattr__(self, "_ids", ids)

    def __len__(self) -> int:
        return len(self.tokens)

    def __iter__(self) -> Iterator[str]:
        return iter(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._ids

    def _listing(self) -> str:
        shown = ", ".join(repr(t) for t in self.tokens[:_SHOW_AT_MOST])
        more = "" if len(self) <= _SHOW_AT_MOST else f", ... ({len(self)} in all)"
        return shown + more

    def id(self, token: str) -> int:
        """The id of one token; ValueError naming the token when it is not in the vocabulary."""
        try:
            return self._ids[token]
        except (KeyError, TypeError):
            raise ValueError(
                f"unknown token {token!r}: not in the {self.name} ({self._listing()})"
            ) from None

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Token strings -> ids."""
        tokens = list(tokens)  # read once: the slow path below must see the same tokens as the fast one
        ids = self._ids
        try:
            return [ids[t] for t in tokens]
        except (KeyError, TypeError):
            pass
        return [self.id(t) for t in tokens]  # slow path, only to name the offending token

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids -> token strings; ValueError for an id outside the vocabulary."""
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.tokens):
                raise ValueError(f"id {i} is outside the {self.name} (ids 0..{len(self.tokens) - 1})")
            out.append(self.tokens[i])
        return out


def make_vocab(name: str, *groups: Sequence[str]) -> Vocab:
    """`<pad>` followed by the given token groups, in order."""
    return Vocab((PAD,) + tuple(t for group in groups for t in group), name=name)

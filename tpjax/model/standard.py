"""A standard pre-LayerNorm Transformer encoder: the paper's comparison column (`config.model.kind='standard'`).

It takes the same `apply` arguments as the Transformer Program so that one training loop serves both;
`mode` and `tau` are accepted and ignored (there is nothing to relax).
"""

from __future__ import annotations

import dataclasses

import chex
import flax.linen as nn
import jax
import jax.numpy as jnp

from tpjax.model.transformer_program import attention_mask, check_length, class_mask


@dataclasses.dataclass(frozen=True)
class StandardSpec:
    vocab_size: int
    n_classes: int
    n_ctx: int
    n_layers: int
    d_model: int
    n_heads: int
    d_ff: int
    causal: bool
    masked_classes: tuple[int, ...] = (0,)


class Block(nn.Module):
    spec: StandardSpec

    @nn.compact
    def __call__(self, x_BTE: jax.Array, mask_BQK: jax.Array) -> jax.Array:
        s = self.spec
        h = nn.LayerNorm()(x_BTE)
        h = nn.MultiHeadDotProductAttention(num_heads=s.n_heads, qkv_features=s.d_model)(h, h, mask=mask_BQK[:, None])
        x_BTE = x_BTE + h
        h = nn.LayerNorm()(x_BTE)
        h = nn.Dense(s.d_model)(nn.relu(nn.Dense(s.d_ff)(h)))
        return x_BTE + h


class StandardTransformer(nn.Module):
    """tokens (B, T) int -> class logits (B, T, C), learned token and absolute position embeddings."""

    spec: StandardSpec

    @nn.compact
    def __call__(self, tokens_BT: jax.Array, *, mode: str = "argmax", tau: float = 1.0, rng: jax.Array | None = None):
        del mode, tau, rng
        s = self.spec
        chex.assert_rank(tokens_BT, 2)
        t = tokens_BT.shape[1]
        check_length(t, s.n_ctx)
        x = nn.Embed(s.vocab_size, s.d_model)(tokens_BT) + nn.Embed(s.n_ctx, s.d_model)(jnp.arange(t))[None]
        mask_BQK = attention_mask(tokens_BT, s.causal)
        # A padding query has no valid key; let it see itself so that its softmax stays finite.
        mask_BQK = mask_BQK | jnp.eye(t, dtype=bool)[None]
        for _ in range(s.n_layers):
            x = Block(s)(x, mask_BQK)
        logits = nn.Dense(s.n_classes)(nn.LayerNorm()(x))
        return jnp.where(jnp.asarray(class_mask(s)), -1e30, logits)

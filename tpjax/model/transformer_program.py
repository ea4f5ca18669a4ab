"""The Transformer Program (DESIGN section 2): a residual stream of named categorical and numerical variables.

One Flax module serves training and evaluation; the relaxation `mode` ('gumbel', 'softmax', 'argmax') and
the temperature `tau` are arguments to `apply`, randomness comes from the explicit `rng` key.

Axis letters: B batch, T position, N token (B x T flattened), V variable, D variable value, H head, M MLP,
R variable read by an MLP, C output class, A read.
"""

from __future__ import annotations

import dataclasses

import chex
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from tpjax.model import attention, mlp
from tpjax.model.relax import relax


@dataclasses.dataclass(frozen=True)
class ProgramSpec:
    """Static sizes of a Transformer Program; hashable, so it can close over jitted functions."""

    vocab_size: int
    n_classes: int
    n_ctx: int
    d_var: int
    n_layers: int
    n_heads_cat: int
    n_heads_num: int
    n_mlps_cat: int
    n_mlps_num: int
    d_mlp: int
    mlp_vars_in: int
    num_max: int
    causal: bool
    masked_classes: tuple[int, ...] = (0,)
    # The original code (CatEmbed with --one_hot_embed) feeds tokens through a relaxed sample of fixed
    # logits 20*onehot - 10 over the d_var axis, one sample per forward pass shared by the batch; off by
    # default (exact one-hot). The snapped model is the same either way.
    embed_gumbel: bool = False

    def n_cat_in(self, layer: int) -> int:
        """Categorical variables a layer's heads can read: tokens, positions, then earlier outputs."""
        return 2 + layer * (self.n_heads_cat + self.n_mlps_cat + self.n_mlps_num)

    def n_num_in(self, layer: int) -> int:
        """Numerical variables a layer's heads can read: ones, then earlier numerical head outputs."""
        return 1 + layer * self.n_heads_num

    def num_clip(self, layer: int) -> int:
        """The clip of a layer's numerical-MLP inputs in the snapped model: num_max, or lower where no value
        can reach it (a layer's heads sum at most n_ctx values, so nothing there exceeds n_ctx ** (layer+1)).
        Either clip gives the same outputs; the lower one keeps the layer's lookup table small."""
        return min(self.num_max, self.n_ctx ** (layer + 1))

    @property
    def n_cat_out(self) -> int:
        return self.n_cat_in(self.n_layers)

    @property
    def n_num_out(self) -> int:
        return self.n_num_in(self.n_layers)


def normal(std: float):
    """Flax's normal initializer, the same numbers; XLA:CPU compiles the seeds' initialisation twice as fast.

    The barrier makes the key an input of the draw: otherwise XLA fuses the whole chain of key
    derivations into every parameter's draw and compiles each copy.
    """
    draw = nn.initializers.normal(stddev=std)
    return lambda key, *args, **kwargs: draw(jax.lax.optimization_barrier(key), *args, **kwargs)


def check_length(t: int, n_ctx: int) -> None:
    """Refuses inputs longer than the context: positions past it have no embedding, and a gather there would
    silently read the last row instead of failing."""
    if t > n_ctx:
        raise ValueError(f"inputs of length {t} are longer than the model's context length {n_ctx}")


def attention_mask(tokens_BT: jax.Array, causal: bool) -> jax.Array:
    """Valid (query, key) pairs: both non-padding, and key <= query for causal tasks.

    Built from a float validity vector that comes out of a reduction, which XLA:CPU never fuses
    into consumers: derived from the int tokens inside each fused consumer instead, the int
    compare and conversion defeat vectorization and make every masking op about 5x slower.
    """
    is_real_BT2 = jax.nn.one_hot(jnp.minimum(tokens_BT, 1), 2) * jnp.array([0.0, 1.0])
    valid_BT = jnp.sum(is_real_BT2, axis=-1)
    pairs_BQK = valid_BT[:, :, None] * valid_BT[:, None, :]
    if causal:
        n = tokens_BT.shape[1]
        pairs_BQK = pairs_BQK * jnp.tril(jnp.ones((n, n), jnp.float32))
    return pairs_BQK > 0


def stack_blocks(blocks: list[jax.Array]) -> jax.Array:
    """All variables of a list of variable-major blocks as one array (V, ...)."""
    return blocks[0] if len(blocks) == 1 else jnp.concatenate(blocks, axis=0)


@jax.custom_vjp
def weighted_sum(w_AV: jax.Array, x_VE: jax.Array) -> jax.Array:
    """out[a, e] = sum_v w[a, v] x[v, e]: a product with a tiny contraction and very long rows.

    The gradient is written out because autodiff's form lets XLA:CPU compute the input gradient
    row-major over E (E, V) and then transpose it, which costs ten times the products themselves.
    """
    return jnp.einsum("av,ve->ae", w_AV, x_VE)


def _weighted_sum_fwd(w_AV, x_VE):
    return weighted_sum(w_AV, x_VE), (w_AV, x_VE)


def _weighted_sum_bwd(res, g_AE):
    w_AV, x_VE = res
    return jnp.einsum("ae,ve->av", g_AE, x_VE), jnp.einsum("av,ae->ve", w_AV, g_AE)


weighted_sum.defvjp(_weighted_sum_fwd, _weighted_sum_bwd)


def read(weights_AV: jax.Array, blocks: list[jax.Array]) -> jax.Array:
    """Relaxed variable reads: a weighted sum over the variable axis, never a dense read matrix.

    Variables live in blocks (one per layer part, variable axis first); they are joined once and read
    with one product. One product per block would write a full-size partial result per block, which
    costs more than the copy.
    """
    x = stack_blocks(blocks)
    return weighted_sum(weights_AV, x.reshape(x.shape[0], -1)).reshape(weights_AV.shape[:1] + x.shape[1:])


class ProgramLayer(nn.Module):
    """Heads read the layer's inputs; MLPs read those plus this layer's head outputs.

    Variables are stored as lists of variable-major blocks: categorical (V, N, D), numerical (V, N),
    with N = B * T.
    """

    spec: ProgramSpec
    layer: int

    @nn.compact
    def __call__(self, x_cat, x_num, mask_BQK, bias_QK, mode, tau, rng):
        s = self.spec
        d, vc, vn = s.d_var, s.n_cat_in(self.layer), s.n_num_in(self.layer)
        b, t = mask_BQK.shape[:2]
        keys = list(jax.random.split(rng, 10)) if rng is not None else [None] * 10
        x_cat, x_num = list(x_cat), list(x_num)

        hc, hn, mc, mn, r_in = s.n_heads_cat, s.n_heads_num, s.n_mlps_cat, s.n_mlps_num, s.mlp_vars_in
        n_num = vn + hn
        # Parameters are declared in the historical order, which fixes their initial values.
        if hc:
            cat_read = self.param("cat_read", normal(vc**-0.5), (3, hc, vc))
            cat_pred = self.param("cat_pred", normal(d**-0.5), (hc, d, d))
        if hn:
            num_read_qk = self.param("num_read_qk", normal(vc**-0.5), (2, hn, vc))
            num_read_v = self.param("num_read_v", normal(vn**-0.5), (hn, vn))
            num_pred = self.param("num_pred", normal(d**-0.5), (hn, d, d))
        if mc:
            p_mc = self._mlp_params("mlp_cat", mc, vc + hc, r_in * d)
        if mn:
            p_mn = self._mlp_params("mlp_num", mn, n_num, r_in)

        # Every read of the layer's input variables (categorical heads' q, k, v; numerical heads' q, k; the
        # categorical MLPs' part over the inputs) comes from one product over the joined inputs.
        weights = []
        if hc:
            weights.append(relax(cat_read, mode, tau, keys[0]).reshape(3 * hc, vc))
        if hn:
            weights.append(relax(num_read_qk, mode, tau, keys[3]).reshape(2 * hn, vc))
        if mc:
            r_mc = relax(p_mc.pop("read"), mode, tau, keys[6]).reshape(mc * r_in, vc + hc)
            weights.append(r_mc[:, :vc])
        if weights:
            reads = read(jnp.concatenate(weights, axis=0), x_cat)
            cat_qkv, num_qk, mlp_in = jnp.split(reads, np.cumsum([3 * hc, 2 * hn]))

        if hc:
            qkv = cat_qkv.reshape(3, hc, b, t, d)
            pred = relax(cat_pred, mode, tau, keys[1])
            out = attention.categorical_heads(qkv[0], qkv[1], qkv[2], pred, mask_BQK, bias_QK, mode, tau, keys[2])
            head_cat = out.reshape(hc, b * t, d)
        if hn:
            qk = num_qk.reshape(2, hn, b, t, d)
            v = read(relax(num_read_v, mode, tau, keys[4]), x_num).reshape(hn, b, t)
            pred = relax(num_pred, mode, tau, keys[5])
            x_num = x_num + [attention.numerical_heads(qk[0], qk[1], v, pred, mask_BQK).reshape(hn, b * t)]
        if hc:
            x_cat = x_cat + [head_cat]

        outs = []
        if mc:
            if hc:
                mlp_in = mlp_in + read(r_mc[:, vc:], [head_cat])
            x_MRND = mlp_in.reshape(mc, r_in, b * t, d)
            outs.append(mlp.categorical_mlps(x_MRND, p_mc, mode, tau, keys[7]))
        if mn:
            r = relax(p_mn.pop("read"), mode, tau, keys[8]).reshape(mn * r_in, n_num)
            x_MRN = read(r, x_num).reshape(mn, r_in, b * t)
            outs.append(mlp.numerical_mlps(x_MRN, s.num_max, p_mn, mode, tau, keys[9]))
        if outs:
            x_cat = x_cat + [jnp.concatenate(outs, axis=0)]
        return x_cat, x_num

    def _mlp_params(self, name: str, n: int, n_vars: int, d_in: int) -> dict:
        s = self.spec
        return {
            "read": self.param(f"{name}_read", normal(n_vars**-0.5), (n, s.mlp_vars_in, n_vars)),
            "w1": self.param(f"{name}_w1", normal(s.d_mlp**-0.5), (n, d_in, s.d_mlp)),
            "b1": self.param(f"{name}_b1", nn.initializers.zeros, (n, s.d_mlp)),
            "w2": self.param(f"{name}_w2", normal(s.d_var**-0.5), (n, s.d_mlp, s.d_var)),
            "b2": self.param(f"{name}_b2", nn.initializers.zeros, (n, s.d_var)),
        }


class TransformerProgram(nn.Module):
    """tokens (B, T) int -> class logits (B, T, C)."""

    spec: ProgramSpec

    @nn.compact
    def __call__(self, tokens_BT: jax.Array, *, mode: str = "argmax", tau: float = 1.0, rng: jax.Array | None = None):
        s = self.spec
        chex.assert_rank(tokens_BT, 2)
        b, t = tokens_BT.shape
        check_length(t, s.n_ctx)
        x_cat = [
            jnp.stack(
                [
                    token_embedding(tokens_BT.reshape(b * t), s, mode, tau, rng),
                    jnp.tile(jax.nn.one_hot(jnp.arange(t), s.d_var), (b, 1)),
                ]
            )
        ]
        x_num = [jnp.ones((1, b * t), jnp.float32)]
        mask_BQK = attention_mask(tokens_BT, s.causal)
        bias_QK = jnp.asarray(attention.relative_position_bias(s.n_ctx))[:t, :t]
        for layer in range(s.n_layers):
            layer_rng = None if rng is None else jax.random.fold_in(rng, layer)
            x_cat, x_num = ProgramLayer(s, layer, name=f"layer_{layer}")(
                x_cat, x_num, mask_BQK, bias_QK, mode, tau, layer_rng
            )
        chex.assert_equal(sum(x.shape[0] for x in x_cat), s.n_cat_out)
        chex.assert_equal(sum(x.shape[0] for x in x_num), s.n_num_out)
        c = s.n_classes
        w_cat = self.param("classifier_cat", normal(c**-0.5), (s.n_cat_out, s.d_var, c))
        w_num = self.param("classifier_num", normal(c**-0.5), (s.n_num_out, c))
        logits, start = read(w_num.T, x_num), 0  # (C, N)
        for x in x_cat:
            w = w_cat[start : start + x.shape[0]]
            logits = logits + jnp.einsum("vnd,vdc->cn", x, w)
            start += x.shape[0]
        logits = logits.T.reshape(b, t, c)
        return jnp.where(jnp.asarray(class_mask(s)), -1e30, logits)


# fold_in tag of the token-embedding noise; layers use fold_in(rng, layer) with layer < n_layers.
_EMBED_NOISE = 1 << 20


def token_embedding(tokens_N: jax.Array, spec: ProgramSpec, mode: str, tau, rng) -> jax.Array:
    """One-hot token values (N, d_var); with spec.embed_gumbel, the original's relaxed one-hot embedding.

    The original's embedding matrix holds logits 10 on the token's own value and -10 elsewhere and is
    passed, as a whole (d_var, vocab) matrix, through the relaxation over the d_var axis at the current
    temperature. Its argmax is the exact one-hot, so the snapped model does not change.
    """
    if not spec.embed_gumbel or mode == "argmax":
        return jax.nn.one_hot(tokens_N, spec.d_var)
    logits_DV = jnp.eye(spec.d_var, spec.vocab_size) * 20.0 - 10.0
    key = None if rng is None else jax.random.fold_in(rng, _EMBED_NOISE)
    w_DV = relax(logits_DV, mode, tau, key, axis=0)
    return jnp.take(w_DV.T, tokens_N, axis=0)


def class_mask(spec) -> np.ndarray:
    """True for the classes a classifier may never predict (padding), for either model's spec."""
    m = np.zeros(spec.n_classes, bool)
    m[list(spec.masked_classes)] = True
    return m

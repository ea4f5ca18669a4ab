"""The snapped Transformer Program in integer form: the model every evaluation and every program uses.

`discretize` turns relaxed parameters into integer tables (which variable each head reads, which key
value each query value matches, each MLP's output for every input combination, the classifier in fixed
point); `run_discrete` runs them with integer gathers and compares only. Nothing in `run_discrete` rounds,
so a program built from the same tables computes exactly the same labels, on any backend; the tables
themselves are computed at full float32 precision on every backend.

Axis letters: B batch, Q/K query/key position, T position, V categorical variable, N numerical variable,
H head, M MLP, R variable read, C class.
"""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp
import numpy as np

from tpjax.model import attention, mlp
from tpjax.model.transformer_program import ProgramSpec, attention_mask, check_length, class_mask

# Classifier logits are fixed point with this many bits of headroom, so sums never overflow int32.
LOGIT_BITS = 30


# Input combinations evaluated at once when a numerical-MLP table is built: bounds the memory of snapping
# (tables reach 2^20 entries, times d_mlp hidden units, per MLP and per seed).
TABLE_CHUNK = 1 << 14


def mlp_input_grid(n_values: int, n_inputs: int) -> np.ndarray:
    """Every combination of input values, row r = the mixed-radix digits of r (first input most significant)."""
    rows = np.unravel_index(np.arange(n_values**n_inputs), (n_values,) * n_inputs)
    return np.stack(rows, axis=-1).astype(np.int32).reshape(-1, n_inputs)


def _cat_mlp_tables(p: dict, spec: ProgramSpec) -> jax.Array:
    grid_GR = jnp.asarray(mlp_input_grid(spec.d_var, spec.mlp_vars_in))
    x = jax.nn.one_hot(grid_GR, spec.d_var).reshape(1, grid_GR.shape[0], -1)
    x = jnp.broadcast_to(x, (spec.n_mlps_cat,) + x.shape[1:])
    logits = mlp.mlp_logits(x, p["mlp_cat_w1"], p["mlp_cat_b1"], p["mlp_cat_w2"], p["mlp_cat_b2"])
    return jnp.argmax(logits, axis=-1).astype(jnp.int32)  # (M, G)


def _num_mlp_tables(p: dict, spec: ProgramSpec, layer: int) -> jax.Array:
    """(M, G): each numerical MLP's output for every input combination in [0, num_clip(layer)]^R."""
    grid_GR = mlp_input_grid(spec.num_clip(layer) + 1, spec.mlp_vars_in).astype(np.float32)
    g = grid_GR.shape[0]
    chunk = min(g, TABLE_CHUNK)
    n_chunks = -(-g // chunk)
    padded_KCR = np.zeros((n_chunks * chunk, grid_GR.shape[1]), np.float32)
    padded_KCR[:g] = grid_GR
    padded_KCR = jnp.asarray(padded_KCR.reshape(n_chunks, chunk, -1))

    def table_chunk(x_CR: jax.Array) -> jax.Array:
        x = jnp.broadcast_to(x_CR[None], (spec.n_mlps_num,) + x_CR.shape)
        logits = mlp.mlp_logits(x, p["mlp_num_w1"], p["mlp_num_b1"], p["mlp_num_w2"], p["mlp_num_b2"])
        return jnp.argmax(logits, axis=-1).astype(jnp.int32)  # (M, C)

    out_KMC = jax.lax.map(table_chunk, padded_KCR)
    return jnp.swapaxes(out_KMC, 0, 1).reshape(spec.n_mlps_num, -1)[:, :g]


def numerical_bounds(layers: list[dict], spec: ProgramSpec) -> jax.Array:
    """Largest value each numerical variable can take: ones is 1; a head sums at most n_ctx values."""
    bounds = jnp.ones((1,), jnp.float32)
    for dl in layers:
        if spec.n_heads_num:
            bounds = jnp.concatenate([bounds, spec.n_ctx * bounds[dl["num_read_v"]]])
    return bounds


def discretize(params: dict, spec: ProgramSpec) -> dict:
    """Snap one seed's parameters to integer tables (jit- and vmap-friendly).

    The MLP tables come from float matmuls, so they are computed at full float32 precision: a GPU's default
    (TF32 on recent NVIDIA chips) could otherwise snap the same checkpoint to other tables than a CPU does.
    """
    with jax.default_matmul_precision("highest"):
        return _discretize(params, spec)


def _discretize(params: dict, spec: ProgramSpec) -> dict:
    layers = []
    for layer in range(spec.n_layers):
        p = params.get(f"layer_{layer}", {})
        dl = {}
        if spec.n_heads_cat:
            dl["cat_read"] = jnp.argmax(p["cat_read"], -1).astype(jnp.int32)  # (3, H): q, k, v
            dl["cat_pred"] = jnp.argmax(p["cat_pred"], -1).astype(jnp.int32)  # (H, D): query value -> key value
        if spec.n_heads_num:
            dl["num_read_qk"] = jnp.argmax(p["num_read_qk"], -1).astype(jnp.int32)
            dl["num_read_v"] = jnp.argmax(p["num_read_v"], -1).astype(jnp.int32)
            dl["num_pred"] = jnp.argmax(p["num_pred"], -1).astype(jnp.int32)
        if spec.n_mlps_cat:
            dl["mlp_cat_read"] = jnp.argmax(p["mlp_cat_read"], -1).astype(jnp.int32)  # (M, R)
            dl["mlp_cat_table"] = _cat_mlp_tables(p, spec)
        if spec.n_mlps_num:
            dl["mlp_num_read"] = jnp.argmax(p["mlp_num_read"], -1).astype(jnp.int32)
            dl["mlp_num_table"] = _num_mlp_tables(p, spec, layer)
        layers.append(dl)

    w_cat, w_num = params["classifier_cat"], params["classifier_num"]
    bound = jnp.sum(jnp.max(jnp.abs(w_cat), axis=(1, 2))) + jnp.sum(
        jnp.max(jnp.abs(w_num), axis=1) * numerical_bounds(layers, spec)
    )
    exponent = jnp.floor(jnp.log2(2.0**LOGIT_BITS / jnp.maximum(bound, 1e-30)))
    scale = jnp.exp2(jnp.minimum(exponent, 40.0))
    return {
        "layers": layers,
        "classifier_cat": jnp.round(w_cat * scale).astype(jnp.int32),  # (V, D, C)
        "classifier_num": jnp.round(w_num * scale).astype(jnp.int32),  # (N, C)
        "logit_scale": scale,  # fixed-point logits / logit_scale ~ the float classifier's logits
    }


def _gather_vars(x_BTV: jax.Array, idx: jax.Array) -> jax.Array:
    """x[..., idx] for an index array of any shape: (B, T, *idx.shape)."""
    return jnp.take(x_BTV, idx, axis=2)


def _mixed_radix(digits_BTMR: jax.Array, base: int) -> jax.Array:
    r = digits_BTMR.shape[-1]
    weights = jnp.asarray([base ** (r - 1 - i) for i in range(r)], jnp.int32)
    return jnp.sum(digits_BTMR * weights, axis=-1)


def _select_closest(match_BHQK: jax.Array, prio_QK: jax.Array) -> jax.Array:
    """Index of the chosen key per (head, query): best priority among matches, BOS (0) when none match."""
    ranked = jnp.where(match_BHQK, prio_QK, jnp.iinfo(jnp.int32).min)
    return jnp.where(jnp.any(match_BHQK, axis=-1), jnp.argmax(ranked, axis=-1), 0)


def run_layers(dp: dict, tokens_BT: jax.Array, spec: ProgramSpec) -> tuple[jax.Array, jax.Array]:
    """All variables of the snapped model: categorical (B, T, V) values and numerical (B, T, N) counts."""
    chex.assert_rank(tokens_BT, 2)
    b, t = tokens_BT.shape
    check_length(t, spec.n_ctx)
    x_cat = jnp.stack([tokens_BT, jnp.broadcast_to(jnp.arange(t, dtype=jnp.int32), (b, t))], axis=2)
    x_num = jnp.ones((b, t, 1), jnp.int32)
    mask_B1QK = attention_mask(tokens_BT, spec.causal)[:, None]
    prio_QK = jnp.asarray(attention.selection_priority(spec.n_ctx))[:t, :t]
    for layer, dl in enumerate(dp["layers"]):
        new_cat, new_num = [x_cat], [x_num]
        if spec.n_heads_cat:
            q_BTH, k_BTH, v_BTH = (_gather_vars(x_cat, dl["cat_read"][i]) for i in range(3))
            match_BHQK = _matches(_lookup(dl["cat_pred"], q_BTH), k_BTH) & mask_B1QK
            chosen_BHQ = _select_closest(match_BHQK, prio_QK)
            new_cat.append(jnp.take_along_axis(v_BTH.transpose(0, 2, 1), chosen_BHQ, axis=2).transpose(0, 2, 1))
        if spec.n_heads_num:
            q_BTH, k_BTH = (_gather_vars(x_cat, dl["num_read_qk"][i]) for i in range(2))
            v_BTH = _gather_vars(x_num, dl["num_read_v"])
            match_BHQK = _matches(_lookup(dl["num_pred"], q_BTH), k_BTH) & mask_B1QK
            new_num.append(jnp.einsum("bhqk,bkh->bqh", match_BHQK.astype(jnp.int32), v_BTH))
        x_cat = jnp.concatenate(new_cat, axis=2)
        x_num = jnp.concatenate(new_num, axis=2)
        outs = [x_cat]
        if spec.n_mlps_cat:
            code = _mixed_radix(_gather_vars(x_cat, dl["mlp_cat_read"]), spec.d_var)  # (B, T, M)
            outs.append(_lookup(dl["mlp_cat_table"], code))
        if spec.n_mlps_num:
            clip = spec.num_clip(layer)
            vals = jnp.clip(_gather_vars(x_num, dl["mlp_num_read"]), 0, clip)
            outs.append(_lookup(dl["mlp_num_table"], _mixed_radix(vals, clip + 1)))
        x_cat = jnp.concatenate(outs, axis=2)
    return x_cat, x_num


def _matches(want_BQH: jax.Array, key_BKH: jax.Array) -> jax.Array:
    """(B, H, Q, K): the key's value is the one the query's predicate row asks for."""
    return want_BQH.transpose(0, 2, 1)[..., None] == key_BKH.transpose(0, 2, 1)[:, :, None, :]


def _lookup(table_HX: jax.Array, idx_BTH: jax.Array) -> jax.Array:
    """table[h, idx[b, t, h]] for every (b, t, h)."""
    h = jnp.arange(table_HX.shape[0])
    return table_HX[h, idx_BTH]


def classifier_logits(dp: dict, x_cat: jax.Array, x_num: jax.Array, spec: ProgramSpec) -> jax.Array:
    """Fixed-point logits (B, T, C): integer sums, so the order of addition cannot change them."""
    v = jnp.arange(x_cat.shape[2])
    logits = jnp.sum(dp["classifier_cat"][v, x_cat], axis=2)
    logits = logits + jnp.einsum("btn,nc->btc", x_num, dp["classifier_num"], preferred_element_type=jnp.int32)
    return jnp.where(jnp.asarray(class_mask(spec)), jnp.iinfo(jnp.int32).min, logits)


def run_discrete(dp: dict, tokens_BT: jax.Array, spec: ProgramSpec) -> jax.Array:
    """Predicted class ids (B, T) of the snapped model."""
    return run_discrete_with_logits(dp, tokens_BT, spec)[0]


def run_discrete_with_logits(dp: dict, tokens_BT: jax.Array, spec: ProgramSpec) -> tuple[jax.Array, jax.Array]:
    """Predicted class ids (B, T) and float logits (B, T, C) of the snapped model, for its loss."""
    x_cat, x_num = run_layers(dp, tokens_BT, spec)
    logits = classifier_logits(dp, x_cat, x_num, spec)
    preds = jnp.argmax(logits, axis=-1).astype(jnp.int32)
    floats = jnp.where(jnp.asarray(class_mask(spec)), -1e30, logits.astype(jnp.float32) / dp["logit_scale"])
    return preds, floats

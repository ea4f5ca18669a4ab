"""Training state over stacked seeds, the jitted step, and an epoch as a `lax.scan` over batches.

Every function here is written for ONE seed and `jax.vmap`ped over the leading seed axis, so a seed's
result depends only on its own key and the shared data, never on how many seeds run beside it.

Axis letters: S seed, N example, B batch, T position, C class.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import flax.struct
import jax
import jax.numpy as jnp
import optax

from tpjax.train import sharding

# fold_in tags that keep the per-seed random streams apart.
_INIT, _SHUFFLE, _NOISE = 0, 1, 2


@flax.struct.dataclass
class TrainState:
    step: jax.Array
    params: Any
    opt_state: Any
    key: jax.Array


def init_state(key: jax.Array, model, tx: optax.GradientTransformation, example_BT: jax.Array) -> TrainState:
    """One seed's initial state; vmap it over a stack of keys."""
    params = model.init(jax.random.fold_in(key, _INIT), example_BT)["params"]
    return TrainState(step=jnp.zeros((), jnp.int32), params=params, opt_state=tx.init(params), key=key)


def init_states(seeds: list[int], model, tx: optax.GradientTransformation, example_BT: jax.Array) -> TrainState:
    """Every seed's initial state, stacked on a leading seed axis, from keys that depend on the seed alone."""
    keys = jnp.stack([jax.random.key_data(jax.random.key(s)) for s in seeds])
    return jax.jit(jax.vmap(lambda k: init_state(jax.random.wrap_key_data(k), model, tx, example_BT)))(keys)


def tau_at(step: jax.Array, total_steps: int, tau_start: float, tau_end: float) -> jax.Array:
    """Geometric annealing, smooth per step: tau_start at step 0, tau_end at the last step."""
    frac = step.astype(jnp.float32) / max(total_steps - 1, 1)
    return tau_start * (tau_end / tau_start) ** jnp.minimum(frac, 1.0)


def token_nll(logits_BTC: jax.Array, targets_BT: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Per-token negative log-likelihood (zero where the target is padding) and the scored mask."""
    logp = jax.nn.log_softmax(logits_BTC.astype(jnp.float32), axis=-1)
    nll = -jnp.take_along_axis(logp, targets_BT[..., None], axis=-1)[..., 0]
    scored = targets_BT != 0
    return jnp.where(scored, nll, 0.0), scored


def ordered_sum(x: jax.Array) -> jax.Array:
    """Sum over the last axis in a fixed pairwise order.

    XLA may associate a reduction differently depending on the batch around it, so with jnp.sum a
    seed's reported loss could change in the last bit with the number of seeds trained beside it.
    """
    n = x.shape[-1]
    width = 1 << max(n - 1, 0).bit_length()
    x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, width - n)])
    while x.shape[-1] > 1:
        half = x.shape[-1] // 2
        x = x[..., :half] + x[..., half:]
    return x[..., 0]


def sequence_loss(logits_BTC, targets_BT, weights_B) -> jax.Array:
    """The original's per-token loss: mean over a sequence's scored tokens, then mean over sequences."""
    nll, scored = token_nll(logits_BTC, targets_BT)
    per_seq = ordered_sum(nll) / jnp.maximum(jnp.sum(scored, -1), 1)
    return ordered_sum(per_seq * weights_B) / jnp.maximum(jnp.sum(weights_B), 1.0)


def train_step(state: TrainState, batch: dict, *, apply_fn: Callable, tx, schedule: Callable) -> tuple[TrainState, jax.Array]:
    """One Adam step for one seed on one batch, with Gumbel noise from fold_in(key, step)."""
    rng = jax.random.fold_in(jax.random.fold_in(state.key, _NOISE), state.step)
    tau = schedule(state.step)

    def loss_fn(params):
        logits = apply_fn({"params": params}, batch["inputs"], mode="gumbel", tau=tau, rng=rng)
        return sequence_loss(logits, batch["targets"], batch["weights"])

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    updates, opt_state = tx.update(grads, state.opt_state, state.params)
    params = optax.apply_updates(state.params, updates)
    return state.replace(step=state.step + 1, params=params, opt_state=opt_state), loss


def epoch_batches(key: jax.Array, epoch: jax.Array, n_examples: int, batch_size: int) -> tuple[jax.Array, jax.Array]:
    """A fresh permutation per (seed, epoch), cut into full batches; the last one padded with weight 0."""
    n_batches = -(-n_examples // batch_size)
    perm = jax.random.permutation(jax.random.fold_in(jax.random.fold_in(key, _SHUFFLE), epoch), n_examples)
    pad = n_batches * batch_size - n_examples
    idx = jnp.concatenate([perm, jnp.zeros((pad,), perm.dtype)]).reshape(n_batches, batch_size)
    weights = jnp.concatenate([jnp.ones((n_examples,)), jnp.zeros((pad,))]).reshape(n_batches, batch_size)
    return idx, weights


def train_epoch(state: TrainState, inputs_NT, targets_NT, epoch, *, apply_fn, tx, schedule, batch_size: int):
    """One seed, one epoch: a lax.scan of train_step over the shuffled batches; returns the mean loss."""
    idx, weights = epoch_batches(state.key, epoch, inputs_NT.shape[0], batch_size)
    step = functools.partial(train_step, apply_fn=apply_fn, tx=tx, schedule=schedule)

    def body(st, xs):
        i, w = xs
        return step(st, {"inputs": inputs_NT[i], "targets": targets_NT[i], "weights": w})

    state, losses = jax.lax.scan(body, state, (idx, weights))
    return state, ordered_sum(losses) / losses.shape[0]


def over_seed_chunks(fn_S: Callable, chunk: int) -> Callable:
    """fn_S(stacked, *shared) run on `chunk` rows of `stacked` at a time (a lax.map over row chunks).

    Memory then grows with `chunk`, not with the number of seeds. Rows are padded up to a multiple of
    `chunk` with copies of the last row (dropped again), so every chunk is a full vmapped batch of at
    least two rows and each seed's numbers are the ones an unchunked run gives. chunk <= 0: no chunking.
    """
    if chunk <= 0:
        return fn_S

    def run(stacked, *shared):
        rows = jax.tree.leaves(stacked)[0].shape[0]
        if rows <= chunk:
            return fn_S(stacked, *shared)
        n = -(-rows // chunk)
        parts = jax.tree.map(lambda x: sharding.pad_rows(x, n * chunk).reshape((n, chunk) + x.shape[1:]), stacked)
        out = jax.lax.map(lambda part: fn_S(part, *shared), parts)
        return jax.tree.map(lambda x: x.reshape((n * chunk,) + x.shape[2:])[:rows], out)

    return run


def compiler_options(model) -> dict | None:
    """XLA options under which a seed's numbers do not depend on how many seeds are vmapped beside it.

    On XLA:CPU (jax 0.10.2) the YNNPACK reduce fusions split a reduction by the shape of the whole array,
    seed axis included: a Transformer Program's softmax over 16 predicate values (dyck1's heads) rounded
    differently for 5 stacked seeds than for 2, and every number of a dyck1 seed then depended on the seeds
    beside it (seventeenth session; tests/train/test_step.py). So a Transformer Program keeps only YNNPACK's
    dot fusions, which cost no speed at the sort config (docs/results.md). The standard Transformer (flax
    Dense and attention) needs them all off: with them on, its backward pass through attention
    rounds differently for another seed batch size (and Adam turns that noise on the key biases, whose true
    gradient is zero, into steps of the learning rate's size).
    """
    from tpjax.model.standard import StandardTransformer

    if jax.default_backend() != "cpu":
        return None
    fusions = "" if isinstance(model, StandardTransformer) else "LIBRARY_FUSION_TYPE_DOT"
    return {"xla_cpu_experimental_ynn_fusion_type": fusions}


def make_epoch_fn(
    apply_fn, tx, schedule, batch_size: int, placement: sharding.SeedSharding | None = None, seed_chunk: int = 0,
    options: dict | None = None,
):
    """The jitted, seed-vmapped epoch: (states, inputs, targets, epoch) -> (states, losses_S).

    With a `placement` (tpjax.train.sharding) each device of its mesh runs this same program on its own
    real rows of the states (see sharding.per_device); with `seed_chunk` > 0 it trains that many seeds at
    a time (over_seed_chunks), which bounds memory for runs of hundreds of seeds. `options`: XLA compiler
    options for it (compiler_options).
    """
    one_seed = functools.partial(train_epoch, apply_fn=apply_fn, tx=tx, schedule=schedule, batch_size=batch_size)
    vmapped = over_seed_chunks(jax.vmap(one_seed, in_axes=(0, None, None, None)), seed_chunk)
    return sharding.per_device_of(jax.jit(vmapped, donate_argnums=0, compiler_options=options), placement)

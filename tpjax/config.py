"""The base config every `configs/<task>.py` starts from, and up-front validation.

Field names under `task`, `n_seeds`, `seed`, `n_epochs`, `batch_size`, `lr`, `eval_every`,
`checkpoint_every`, `data.*` and `model.*` are a contract (DESIGN section 5): scripts outside the
project read them, so rename nothing.
"""

from __future__ import annotations

import ml_collections

MODEL_KINDS = ("program", "standard")
# Most entries of one snapped numerical-MLP table (every combination of its input values).
NUM_TABLE_ENTRIES = 1 << 20


class ConfigError(ValueError):
    """A config that cannot run; its message is one line meant for the user."""


def base_config() -> ml_collections.ConfigDict:
    """Paper defaults (Friedman et al. 2023, RASP tasks) for the Transformer Program."""
    c = ml_collections.ConfigDict()
    c.task = "sort"  # one of tpjax.tasks.TASKS
    c.n_seeds = 5  # models trained side by side in one vmapped run
    c.seed_chunk = 0  # seeds trained at once (lax.map over chunks); 0: all. ~60 MiB each at the sort config
    c.seed = 0  # first model seed; seeds are seed .. seed + n_seeds - 1
    c.n_epochs = 250  # passes over the training split
    c.batch_size = 512  # examples per step (shared by all seeds)
    c.lr = 5e-2  # Adam learning rate
    c.eval_every = 5  # epochs between snapped evaluations (and always at the end)
    c.checkpoint_every = 25  # epochs between Orbax checkpoints (and always at the end)

    c.data = ml_collections.ConfigDict()
    c.data.vocab_size = 8  # input vocabulary incl. special tokens, as in the original code; unused by addition
    c.data.max_len = 8  # longest input incl. BOS/EOS (induction: max_len//2 pairs, inputs up to that + 2); unused by addition
    c.data.min_len = 1  # shortest body length; Dyck and induction: twice the fewest pairs; unused by addition
    c.data.size = 20000  # examples before the split (deduplicated where the space allows)
    c.data.seed = 0  # data generation and split seed
    c.data.test_frac = 0.1  # fraction held out for test; val takes the same fraction of the rest
    c.data.length_gen = 0  # n > 0: train/val on body lengths 1..n, test n+1..n+10 (Dyck: n, 2n; induction: tokens, 2 a pair; addition: operand digits)
    c.data.n_digits = 2  # addition: most digits per operand
    c.data.reversed = False  # addition: answer least-significant digit first
    c.data.sum_label = False  # addition: the whole sum as one label at position 1 (the blog's code), then `_`

    c.model = ml_collections.ConfigDict()
    c.model.kind = "program"  # 'program' (Transformer Program) or 'standard' (baseline Transformer)
    c.model.n_layers = 3  # layers
    c.model.n_heads_cat = 4  # categorical attention heads per layer
    c.model.n_heads_num = 4  # numerical attention heads per layer
    c.model.n_mlps_cat = 2  # categorical MLPs per layer
    c.model.n_mlps_num = 2  # numerical MLPs per layer
    c.model.d_var = 0  # values per categorical variable; 0 means max(vocab, context length)
    c.model.d_mlp = 64  # hidden width of every MLP
    c.model.mlp_vars_in = 2  # variables each MLP reads
    c.model.num_max = 0  # numerical MLP inputs are clipped to [0, num_max]; 0: n_ctx**n_layers (no clip), capped so a snapped table has <= 2^20 entries
    c.model.embed_gumbel = False  # True: tokens enter as the original's relaxed (Gumbel) one-hot sample
    c.model.d_model = 256  # standard baseline: hidden size
    c.model.n_heads = 4  # standard baseline: attention heads per layer
    c.model.d_ff = 1024  # standard baseline: feed-forward width

    c.gumbel = ml_collections.ConfigDict()
    c.gumbel.tau_start = 3.0  # temperature at the first step
    c.gumbel.tau_end = 0.01  # temperature at the last step (geometric in between, per step)
    return c


def standard_baseline(c: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
    """The paper's standard-Transformer settings: hidden 256, Adam 3e-4, batch 50, up to 100 epochs."""
    c.model.kind = "standard"
    c.lr = 3e-4
    c.batch_size = 50
    c.n_epochs = 100
    c.eval_every = 5
    return c


def tiny_config(task: str = "sort") -> ml_collections.ConfigDict:
    """A config that trains in seconds on CPU; shared by the tests."""
    c = base_config()
    c.task = task
    c.n_seeds = 2
    c.n_epochs = 2
    c.batch_size = 64
    c.eval_every = 1
    c.checkpoint_every = 1
    c.data.size = 600
    c.model.n_layers = 2
    c.model.n_heads_cat = 1
    c.model.n_heads_num = 1
    c.model.n_mlps_cat = 1
    c.model.n_mlps_num = 1
    c.model.d_mlp = 8
    c.model.d_model = 32
    c.model.n_heads = 2
    c.model.d_ff = 64
    return c


def _integers_at_least(c: ml_collections.ConfigDict, minimum: int, *names: str) -> None:
    what = "a positive" if minimum == 1 else "a non-negative"
    for name in names:
        value = c
        for part in name.split("."):
            value = value[part]
        if not isinstance(value, int) or value < minimum:
            raise ConfigError(f"config.{name} must be {what} integer, got {value!r}")


def _positive(c: ml_collections.ConfigDict, *names: str) -> None:
    _integers_at_least(c, 1, *names)


def _non_negative(c: ml_collections.ConfigDict, *names: str) -> None:
    _integers_at_least(c, 0, *names)


def validate(c: ml_collections.ConfigDict) -> None:
    """Checks what can be checked before any data exists; raises ConfigError with one line."""
    from tpjax import tasks  # local: tasks imports only ConfigError from here, but keep config light
    from tpjax.tasks.splits import split_sizes

    if c.task not in tasks.TASKS:
        raise ConfigError(f"unknown task {c.task!r}; known tasks: {', '.join(sorted(tasks.TASKS))}")
    if c.model.kind not in MODEL_KINDS:
        raise ConfigError(f"unknown config.model.kind {c.model.kind!r}; use one of {MODEL_KINDS}")
    _positive(c, "n_seeds", "n_epochs", "batch_size", "eval_every", "checkpoint_every")
    _positive(c, "data.vocab_size", "data.max_len", "data.size", "data.n_digits")
    _non_negative(c, "seed", "seed_chunk", "data.seed", "data.min_len", "data.length_gen")
    if c.seed_chunk == 1:
        raise ConfigError("config.seed_chunk must be 0 (all seeds at once) or at least 2, got 1")
    _positive(c, "model.n_layers", "model.d_mlp", "model.mlp_vars_in")
    _non_negative(c, "model.n_heads_cat", "model.n_heads_num", "model.n_mlps_cat", "model.n_mlps_num")
    _non_negative(c, "model.d_var", "model.num_max")
    _positive(c, "model.d_model", "model.n_heads", "model.d_ff")
    if not isinstance(c.model.embed_gumbel, bool):
        raise ConfigError(f"config.model.embed_gumbel must be true or false, got {c.model.embed_gumbel!r}")
    if not (isinstance(c.lr, (int, float)) and c.lr > 0):
        raise ConfigError(f"config.lr must be a positive number, got {c.lr!r}")
    if not 0.0 < c.data.test_frac < 0.5:
        raise ConfigError(f"config.data.test_frac must lie in (0, 0.5), got {c.data.test_frac!r}")
    sizes = dict(zip(tasks.SPLITS, split_sizes(c.data.size, c.data.test_frac)))
    if min(sizes.values()) < 1:  # (a task with fewer distinct inputs than data.size is caught when it is drawn)
        raise ConfigError(
            f"config.data.size={c.data.size} at test_frac={c.data.test_frac} gives splits of "
            f"{', '.join(f'{k} {v}' for k, v in sizes.items())} examples: raise config.data.size"
        )
    if not 0.0 < c.gumbel.tau_end <= c.gumbel.tau_start:
        raise ConfigError(
            f"config.gumbel needs 0 < tau_end <= tau_start, got {c.gumbel.tau_start} -> {c.gumbel.tau_end}"
        )
    try:
        tasks.check_config(c)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    if c.model.kind == "standard" and c.model.d_model % c.model.n_heads:
        raise ConfigError(
            f"config.model.d_model={c.model.d_model} must be divisible by config.model.n_heads={c.model.n_heads}"
        )


def validate_against_data(c: ml_collections.ConfigDict, vocab_size: int, n_ctx: int) -> int:
    """Checks the sizes that depend on the generated data; returns the d_var to use."""
    need = max(vocab_size, n_ctx)
    d_var = c.model.d_var or need
    if d_var < vocab_size:
        raise ConfigError(
            f"config.model.d_var={d_var} is too small: task {c.task!r} has {vocab_size} input tokens"
        )
    if d_var < n_ctx:
        raise ConfigError(
            f"config.model.d_var={d_var} is too small: task {c.task!r} has context length {n_ctx}"
        )
    if c.model.kind == "program" and c.model.n_heads_num and n_ctx**c.model.n_layers >= 2**31:
        raise ConfigError(
            f"context length {n_ctx} with {c.model.n_layers} layers of numerical heads lets counts reach "
            f"{n_ctx}**{c.model.n_layers}, past the snapped model's int32; use fewer layers or no numerical heads"
        )
    if c.model.kind == "program" and c.model.n_mlps_cat and d_var**c.model.mlp_vars_in > NUM_TABLE_ENTRIES:
        raise ConfigError(
            f"config.model.mlp_vars_in={c.model.mlp_vars_in} with d_var {d_var} makes a snapped categorical-MLP "
            f"table of {d_var}**{c.model.mlp_vars_in} = {d_var**c.model.mlp_vars_in:,} entries (at most "
            f"{NUM_TABLE_ENTRIES:,}); lower config.model.mlp_vars_in"
        )
    if c.model.kind == "program" and c.model.n_mlps_num and 2**c.model.mlp_vars_in > NUM_TABLE_ENTRIES:
        raise ConfigError(
            f"config.model.mlp_vars_in={c.model.mlp_vars_in} makes a snapped numerical-MLP table of at least "
            f"2**{c.model.mlp_vars_in} entries (at most {NUM_TABLE_ENTRIES:,}); lower config.model.mlp_vars_in"
        )
    if c.model.kind == "program" and c.model.n_mlps_num and c.model.num_max:
        largest = min(c.model.num_max, n_ctx**c.model.n_layers)
        if (largest + 1) ** c.model.mlp_vars_in > NUM_TABLE_ENTRIES:
            raise ConfigError(
                f"config.model.num_max={c.model.num_max} makes a snapped numerical-MLP table of "
                f"{largest + 1}**{c.model.mlp_vars_in} entries (at most {NUM_TABLE_ENTRIES}); lower it, or set 0"
            )
    return d_var

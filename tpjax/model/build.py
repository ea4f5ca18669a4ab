"""Builds the model a config asks for, sized to the generated data."""

from __future__ import annotations

import flax.linen as nn
import ml_collections

from tpjax import config as config_lib
from tpjax.model.standard import StandardSpec, StandardTransformer
from tpjax.model.transformer_program import ProgramSpec, TransformerProgram


NUM_TABLE_ENTRIES = config_lib.NUM_TABLE_ENTRIES


def default_num_max(n_ctx: int, n_layers: int, mlp_vars_in: int) -> int:
    """The clip of numerical-MLP inputs when config.model.num_max is 0: none in effect where affordable.

    A layer's numerical heads sum at most n_ctx values of earlier variables, so no value exceeds
    n_ctx ** n_layers; the original code never clips. The snapped MLP is a table over every input
    combination, so the bound is lowered until that table has at most NUM_TABLE_ENTRIES entries
    (n_ctx 8, 3 layers: 512, no clip; n_ctx 16, 3 layers, 2 inputs: 1023).
    """
    cap = int(round(NUM_TABLE_ENTRIES ** (1 / mlp_vars_in)))  # values per input the table can hold
    while cap > 1 and cap**mlp_vars_in > NUM_TABLE_ENTRIES:
        cap -= 1
    return max(1, min(n_ctx**n_layers, cap - 1))


def build_model(c: ml_collections.ConfigDict, dataset) -> nn.Module:
    """A TransformerProgram or StandardTransformer for `dataset` (a tpjax.tasks.Dataset)."""
    vocab_size, n_classes = len(dataset.vocab), len(dataset.labels)
    if c.model.kind == "standard":
        return StandardTransformer(
            StandardSpec(
                vocab_size=vocab_size,
                n_classes=n_classes,
                n_ctx=dataset.n_ctx,
                n_layers=c.model.n_layers,
                d_model=c.model.d_model,
                n_heads=c.model.n_heads,
                d_ff=c.model.d_ff,
                causal=dataset.causal,
            )
        )
    d_var = config_lib.validate_against_data(c, vocab_size, dataset.n_ctx)
    return TransformerProgram(
        ProgramSpec(
            vocab_size=vocab_size,
            n_classes=n_classes,
            n_ctx=dataset.n_ctx,
            d_var=d_var,
            n_layers=c.model.n_layers,
            n_heads_cat=c.model.n_heads_cat,
            n_heads_num=c.model.n_heads_num,
            n_mlps_cat=c.model.n_mlps_cat,
            n_mlps_num=c.model.n_mlps_num,
            d_mlp=c.model.d_mlp,
            mlp_vars_in=c.model.mlp_vars_in,
            num_max=c.model.num_max or default_num_max(dataset.n_ctx, c.model.n_layers, c.model.mlp_vars_in),
            causal=dataset.causal,
            embed_gumbel=bool(c.model.get("embed_gumbel", False)),
        )
    )

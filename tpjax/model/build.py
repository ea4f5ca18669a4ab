"""Builds the model a config asks for, sized to the generated data."""

from __future__ import annotations

import flax.linen as nn
import ml_collections

from tpjax import config as config_lib
from tpjax.model.standard import StandardSpec, StandardTransformer
from tpjax.model.transformer_program import ProgramSpec, TransformerProgram


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
            num_max=c.model.num_max or dataset.n_ctx,
            causal=dataset.causal,
        )
    )

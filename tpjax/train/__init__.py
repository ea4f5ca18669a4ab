"""Training over stacked seeds: state, jitted step, epoch scan, snapped evaluation, run files."""

from tpjax.train.loop import train_and_evaluate

__all__ = ["train_and_evaluate"]

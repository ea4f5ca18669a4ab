"""Training over stacked seeds: state, jitted step, epoch scan, snapped evaluation, run files, checkpoints."""

from tpjax.train.checkpoint import CheckpointError, LoadedRun, load_run
from tpjax.train.loop import train_and_evaluate

__all__ = ["CheckpointError", "LoadedRun", "load_run", "train_and_evaluate"]

"""Trained seeds -> program folders: extract, emit, and check each program against the snapped model.

A program folder holds `program.py`, `runtime.py` and `tables.json` (the standalone module) and `program.json`: where it
came from (task, config, seed, epoch, run folder) and how it compared on the test split. `tpjax.verify`
reads program.json to rebuild the task and writes VERIFY.json next to it.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import time
from types import ModuleType

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from tpjax import tasks
from tpjax.model import discrete
from tpjax.model.transformer_program import ProgramSpec
from tpjax.program import emit, extract
from tpjax.program.ir import Program
from tpjax.train import evaluate
from tpjax.train.records import write_json_atomic

_module_ids = itertools.count()


def describe(c: ml_collections.ConfigDict) -> str:
    m = c.model
    return (
        f"{m.n_layers} layer{'s' if m.n_layers != 1 else ''}, {m.n_heads_cat}+{m.n_heads_num} categorical+numerical heads, "
        f"{m.n_mlps_cat}+{m.n_mlps_num} MLPs"
    )


def program_of_seed(dp: dict, spec: ProgramSpec, dataset: tasks.Dataset, meta: dict) -> Program:
    """One seed's snapped tables (no seed axis) -> its Program."""
    return extract.extract(dp, spec, tuple(dataset.vocab), tuple(dataset.labels), meta)


class ProgramFolderError(ValueError):
    """A folder that is not a program folder as tpjax.extract writes it; the message is one line for the user."""


PROGRAM_FILES = ("program.py", "tables.json", "runtime.py", "program.json")
# Rows an emitted program predicts at a time: bounds the numpy temporaries of a large split.
PREDICT_ROWS = 4096


def read_program_folder(directory: str) -> tuple[dict, ml_collections.ConfigDict, tasks.Task]:
    """A program folder's program.json, the run config it holds (with fields added since at their defaults,
    as for a checkpoint's config) and that config's task.

    Raises ProgramFolderError when one of PROGRAM_FILES is missing or program.json is not one that
    tpjax.extract writes (the tools that read program folders report it in one line).
    """
    from tpjax.train.checkpoint import filled_config_dict

    missing = [name for name in PROGRAM_FILES if not os.path.isfile(os.path.join(directory, name))]
    if missing:
        raise ProgramFolderError(
            f"{directory} is not a program folder: it lacks {', '.join(missing)} (tpjax.extract writes "
            f"{', '.join(PROGRAM_FILES)})"
        )
    info_path = os.path.join(directory, "program.json")
    try:
        with open(info_path) as f:
            info = json.load(f)
        c = ml_collections.ConfigDict(filled_config_dict(info["config_dict"]))
        _, task = tasks.get_task(c)
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
        raise ProgramFolderError(
            f"{info_path} is not a program.json written by tpjax.extract ({type(e).__name__}: {e})"
        ) from None
    return info, c, task


def load_module(directory: str) -> ModuleType:
    """Import an emitted program.py under a fresh module name; ProgramFolderError (one line) if it fails to load,
    e.g. a damaged tables.json next to it."""
    path = os.path.join(directory, "program.py")
    spec = importlib.util.spec_from_file_location(f"tpjax_program_{next(_module_ids)}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # whatever the program's own code raises while loading: the folder is unusable
        raise ProgramFolderError(f"{path} does not load: {type(e).__name__}: {e}") from None
    return module


def module_label_ids(module: ModuleType, tokens_NT: np.ndarray, labels: tasks.Vocab) -> np.ndarray:
    """The emitted module's predictions as label ids of the task's label vocabulary, in chunks."""
    to_id = np.asarray([labels.id(name) for name in module.LABELS])
    out = [to_id[module.predict(np.asarray(part, np.int64))] for part in _row_chunks(tokens_NT, PREDICT_ROWS)]
    return np.concatenate(out) if out else np.zeros(tokens_NT.shape, np.int64)


def _row_chunks(array: np.ndarray, size: int):
    for start in range(0, array.shape[0], size):
        yield array[start : start + size]


_run_discrete = jax.jit(discrete.run_discrete, static_argnums=2)


def snapped_predictions(dp: dict, spec: ProgramSpec, tokens_NT: np.ndarray) -> np.ndarray:
    """The snapped model's label ids (N, T) for one seed, in fixed-size chunks (one compilation)."""
    size = min(2048, max(tokens_NT.shape[0], 1))
    out = [np.asarray(_run_discrete(dp, jnp.asarray(part), spec)) for part in evaluate.chunks(tokens_NT, size)]
    return np.concatenate(out)[: tokens_NT.shape[0]]


def run_predictions(workdir: str, seed: int, tokens_NT: np.ndarray) -> tuple[np.ndarray, int]:
    """The snapped model's label ids for one seed of a run's latest checkpoint, and that checkpoint's epoch."""
    from tpjax.model.build import build_model
    from tpjax.train import checkpoint

    run = checkpoint.load_run(workdir)
    if seed not in run.seeds:
        raise checkpoint.CheckpointError(f"seed {seed} is not in {workdir}; its seeds are {run.seeds}")
    model = build_model(run.config, tasks.make_dataset(run.config))
    snapped_S = evaluate.snap_seeds(model, run.params, seed_chunk=run.config.get("seed_chunk", 0))
    dp = jax.tree_util.tree_map(lambda x: np.asarray(x[run.seeds.index(seed)]), snapped_S)
    return snapped_predictions(dp, model.spec, tokens_NT), run.epoch


def token_accuracy(preds_NT: np.ndarray, targets_NT: np.ndarray) -> float:
    """The fraction of scored (non-padding) target tokens predicted right."""
    scored = targets_NT != 0
    return float(np.sum((preds_NT == targets_NT) & scored) / max(np.sum(scored), 1))


def agreement(a_NT: np.ndarray, b_NT: np.ndarray, tokens_NT: np.ndarray) -> float:
    """The fraction of real (non-padding) input positions where two label-id predictions agree."""
    real = tokens_NT != 0
    return float(np.sum((a_NT == b_NT) & real) / max(np.sum(real), 1))


def export_seed(
    c: ml_collections.ConfigDict, dataset: tasks.Dataset, spec: ProgramSpec, dp: dict, meta: dict, out_dir: str
) -> dict:
    """Extract and emit one seed into `out_dir`; returns program.json's content (agreement included).

    Agreement is the fraction of real test-input positions where the emitted module's label equals the
    snapped model's; the shipped guarantee is 1.0.
    """
    start = time.time()
    dp = jax.tree_util.tree_map(np.asarray, dp)
    test = dataset.splits["test"]
    model_preds = snapped_predictions(dp, spec, test.inputs)
    model_acc = token_accuracy(model_preds, test.targets)
    meta = {"task": c.task, "description": tasks.TASKS[c.task].about, "config": describe(c), **meta, "test_acc": model_acc}
    program = program_of_seed(dp, spec, dataset, meta)
    emit.write(program, out_dir)
    program_preds = module_label_ids(load_module(out_dir), test.inputs, dataset.labels)
    with open(os.path.join(out_dir, "program.py")) as f:
        n_lines = sum(1 for _ in f)
    info = {
        **meta,
        "config_dict": c.to_dict(),
        "n_test": int(test.inputs.shape[0]),
        "model_test_acc": model_acc,
        "program_test_acc": token_accuracy(program_preds, test.targets),
        "agreement": agreement(model_preds, program_preds, test.inputs),
        "program_lines": n_lines,
        "n_ops": len(program.ops),
        "extract_seconds": round(time.time() - start, 3),
    }
    write_json_atomic(os.path.join(out_dir, "program.json"), info)
    return info


def export_run(
    c: ml_collections.ConfigDict, dataset: tasks.Dataset, model, params_S, seeds: list[int], workdir: str,
    epoch: int, only: list[int] | None = None, out: str | None = None,
) -> dict[int, dict]:
    """Extract the given seeds (default: all) of stacked parameters into DIR/programs/seed_<seed>/.

    `params_S` may hold more rows than `seeds` (a dropped companion seed); row i belongs to seeds[i].
    """
    snapped_S = jax.tree_util.tree_map(
        np.asarray, evaluate.snap_seeds(model, params_S, seed_chunk=c.get("seed_chunk", 0))
    )
    infos = {}
    for i, seed in enumerate(seeds):
        if only is not None and seed not in only:
            continue
        dp = jax.tree_util.tree_map(lambda x: x[i], snapped_S)
        out_dir = out or os.path.join(workdir, "programs", f"seed_{seed}")
        infos[seed] = export_seed(c, dataset, model.spec, dp, {"seed": seed, "epoch": epoch, "source": workdir}, out_dir)
    return infos

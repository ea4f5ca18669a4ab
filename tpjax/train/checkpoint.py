"""Orbax checkpoints of a run (DIR/checkpoints/<epoch>/) and the loading API the program extractor uses.

A checkpoint holds three Orbax items: `params` and `train` (step, optimiser state, raw PRNG key data)
of the stacked seeds exactly as trained (a lone seed's dropped companion included), saved as host
numpy arrays so that a checkpoint written on a GPU loads on a CPU laptop; and `meta` (JSON): the
finished epochs, the seeds, the config, the last evaluation and the wall time so far. Data and
shuffles are functions of the config, the keys and the epoch, so this is all a resume needs to end
bitwise where an uninterrupted run ends.

After Orbax has finished a step we write MANIFEST (size and sha256 of every file in it). A step
without one was cut short by a kill and is discarded; a step whose files no longer match it is
reported before Orbax reads a byte, because Orbax meets a truncated file with a traceback and a
burst of asyncio errors from its reader threads rather than one line.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import logging as pylogging
import os

import jax
import ml_collections
import numpy as np
import orbax.checkpoint as ocp
from absl import logging

from tpjax import config as config_lib
from tpjax.train import records
from tpjax.train.step import TrainState

MAX_TO_KEEP = 3
MANIFEST = "MANIFEST.json"
# Config fields a resumed run may change: they move no number of the training or its metrics.
IGNORED = ("checkpoint_every", "seed_chunk", "derived")


class _QuietOrbax(pylogging.Filter):
    """Orbax logs a dozen INFO lines per save through absl's logger; let only its warnings through."""

    def filter(self, record: pylogging.LogRecord) -> bool:
        return record.levelno >= pylogging.WARNING or f"{os.sep}orbax{os.sep}" not in record.pathname


logging.get_absl_logger().addFilter(_QuietOrbax())


class CheckpointError(Exception):
    """A workdir or checkpoint that cannot be resumed or loaded; its message is one line for the user."""


@dataclasses.dataclass(frozen=True)
class Progress:
    """Where a run stands: finished epochs, the last evaluation (split -> loss/acc per seed), wall time, and the
    machines it trained on in turn (records.machine; empty for checkpoints from before this was recorded)."""

    epoch: int = 0
    last: dict = dataclasses.field(default_factory=dict)
    wall_seconds: float = 0.0
    trained_on: tuple = ()


@dataclasses.dataclass(frozen=True)
class LoadedRun:
    """A run's latest checkpoint. `params` leaves are numpy arrays stacked over the vmapped seeds:
    row i is seeds[i]; a lone seed has one more row, its dropped companion (see loop.vmapped_seeds)."""

    config: ml_collections.ConfigDict
    seeds: list[int]
    params: dict
    epoch: int


def config_differences(saved: dict, current: dict, where: tuple[str, str] = ("here", "there")) -> list[str]:
    """The fields (dotted names, `derived` aside) whose values differ between two config dicts, described."""
    a, b = _flatten(saved), _flatten(current)
    names = sorted(n for n in a.keys() | b.keys() if n.split(".")[0] not in IGNORED and a.get(n) != b.get(n))
    return [f"{n}={b.get(n)!r} {where[0]}, {a.get(n)!r} {where[1]}" for n in names]


def check_workdir_config(config_path: str, c: ml_collections.ConfigDict) -> None:
    """An existing workdir resumes only under the config it was started with: never mix two runs."""
    if not os.path.exists(config_path):
        return
    saved = read_json(config_path, "config file")
    clip = _recorded_clip(saved)
    if clip is not None and c.model.num_max == 0:
        raise CheckpointError(
            f"{os.path.dirname(config_path) or '.'} was trained when model.num_max=0 meant a clip at {clip}, "
            "and 0 now means no clip; it cannot resume under either config (train it again in a fresh --workdir)"
        )
    diffs = config_differences(filled_config_dict(saved), records.config_dict(c))
    if diffs:
        raise CheckpointError(
            f"{os.path.dirname(config_path) or '.'} holds a run of another config ({_first(diffs)}); "
            "use a fresh --workdir, or the config it was started with"
        )


class Checkpoints:
    """DIR/checkpoints: save every few epochs, resume from the latest complete step."""

    def __init__(self, workdir: str, c: ml_collections.ConfigDict, seeds: list[int]):
        self.directory = os.path.abspath(os.path.join(workdir, "checkpoints"))
        self.config, self.seeds = records.config_dict(c), seeds
        options = ocp.CheckpointManagerOptions(
            max_to_keep=MAX_TO_KEEP, enable_async_checkpointing=False, cleanup_tmp_directories=True,
            multiprocessing_options=_this_process_only(), create=False,
        )
        os.makedirs(self.directory, exist_ok=True)  # Orbax refuses to create it with active_processes set
        self.manager = ocp.CheckpointManager(self.directory, options=options)

    def save(self, states: TrainState, progress: Progress, rows: int | None = None) -> None:
        """Synchronous, so that the manifest describes finished files; a kill mid-save leaves the old steps.

        `rows` keeps only the first rows of the stacked seeds: padding rows added to fill the devices
        (tpjax.train.sharding) are not saved, so a checkpoint resumes on any number of devices.
        """
        host = jax.device_get(states.replace(key=jax.random.key_data(states.key)))
        host = jax.tree.map(lambda x: np.asarray(x)[:rows], host)
        meta = {
            "epoch": progress.epoch,
            "seeds": self.seeds,
            "config": self.config,
            "last": {s: {k: np.asarray(v).tolist() for k, v in m.items()} for s, m in progress.last.items()},
            "wall_seconds": progress.wall_seconds,
            "trained_on": list(progress.trained_on),
        }
        args = ocp.args.Composite(
            params=ocp.args.StandardSave(host.params),
            train=ocp.args.StandardSave(_train_item(host)),
            meta=ocp.args.JsonSave(meta),
        )
        self.manager.save(progress.epoch, args=args, force=True)
        self.manager.wait_until_finished()
        _write_manifest(self._step_dir(progress.epoch))

    def restore_latest(self, abstract: TrainState) -> tuple[TrainState, Progress] | None:
        """The latest complete step, restored into the structure of `abstract` (from jax.eval_shape), or None.

        The state comes back in host memory (keys excepted); the caller places it on its devices.
        """
        step = self._latest_complete_step()
        if step is None:
            return None
        step_dir = self._step_dir(step)
        _verify_manifest(step_dir)
        meta = _restore(self.manager, step, step_dir, meta=ocp.args.JsonRestore())["meta"]
        self._check_meta(meta, step_dir)
        key_data = jax.eval_shape(jax.random.key_data, abstract.key)
        host = jax.tree.map(lambda x: np.zeros(x.shape, x.dtype), abstract.replace(key=key_data))
        item = _restore(
            self.manager, step, step_dir,
            params=ocp.args.StandardRestore(host.params), train=ocp.args.StandardRestore(_train_item(host)),
        )
        _check_like(item["params"], host.params, "parameters", step_dir)
        _check_like(item["train"], _train_item(host), "optimiser state", step_dir)
        train = item["train"]
        states = TrainState(
            step=train["step"], params=item["params"], opt_state=train["opt_state"],
            key=jax.random.wrap_key_data(train["key"]),
        )
        last = {s: {k: np.asarray(v) for k, v in m.items()} for s, m in meta["last"].items()}
        return states, Progress(meta["epoch"], last, meta["wall_seconds"], tuple(meta.get("trained_on", ())))

    def close(self) -> None:
        self.manager.close()

    def _step_dir(self, step: int) -> str:
        return os.path.join(self.directory, str(step))

    def _latest_complete_step(self) -> int | None:
        """Steps newer than the latest complete one were cut short by a kill: drop them, so they get redone."""
        steps = sorted(self.manager.all_steps(), reverse=True)
        for step in steps:
            if os.path.exists(os.path.join(self._step_dir(step), MANIFEST)):
                return step
            logging.warning("discarding checkpoint %s: interrupted while it was written", self._step_dir(step))
            self.manager.delete(step)
        return None

    def _check_meta(self, meta: dict, step_dir: str) -> None:
        diffs = config_differences(filled_config_dict(meta.get("config", {})), self.config)
        if diffs:
            raise CheckpointError(f"checkpoint {step_dir} belongs to another run ({_first(diffs)})")


def load_run(workdir: str) -> LoadedRun:
    """The config, seeds and parameters of `workdir`'s latest checkpoint, as trained; raises CheckpointError."""
    config_path = os.path.join(workdir, "config.json")
    if not os.path.exists(config_path):
        raise CheckpointError(f"{workdir} has no config.json: not the workdir of a tpjax run")
    config = read_config(config_path)
    directory = os.path.abspath(os.path.join(workdir, "checkpoints"))
    missing = CheckpointError(f"{workdir} has no checkpoint in {directory}; train it first with tpjax.main")
    if not os.path.isdir(directory):
        raise missing
    options = ocp.CheckpointManagerOptions(create=False, multiprocessing_options=_this_process_only())
    manager = ocp.CheckpointManager(directory, options=options)
    try:
        step = manager.latest_step()
        if step is None:
            raise missing
        step_dir = os.path.join(directory, str(step))
        if not os.path.exists(os.path.join(step_dir, MANIFEST)):
            raise CheckpointError(f"checkpoint {step_dir} was cut short by a kill; re-run tpjax.main on {workdir}")
        _verify_manifest(step_dir)
        item = _restore(manager, step, step_dir, params=ocp.args.StandardRestore(), meta=ocp.args.JsonRestore())
    finally:
        manager.close()
    meta = item["meta"]
    where = ("in config.json", "in the checkpoint")
    stored = filled_config_dict(meta.get("config", {}))
    diffs = config_differences(stored, records.config_dict(config), where)
    if diffs:
        raise CheckpointError(f"checkpoint {step_dir} belongs to another run than {config_path} ({_first(diffs)})")
    return LoadedRun(
        config=_with_trained_clip(config, config_path), seeds=list(meta["seeds"]), params=item["params"],
        epoch=int(meta["epoch"]),
    )


def _with_trained_clip(config: ml_collections.ConfigDict, config_path: str) -> ml_collections.ConfigDict:
    """The config with the numerical clip the model was built with, where config.json records it.

    `model.num_max = 0` meant the context length until 2026-11-25 and means no clip in effect since; the
    model spec saved in config.json's `derived` entry says which, so an older run is rebuilt as trained.
    """
    clip = _recorded_clip(read_json(config_path, "config file"))
    if clip is None or config.model.num_max != 0:
        return config
    config = copy.deepcopy(config)
    config.model.num_max = clip
    return config


def _recorded_clip(saved: dict) -> int | None:
    """The clip a `num_max = 0` run was built with, where it is not what 0 means today (else None)."""
    from tpjax.model.build import default_num_max

    model = saved.get("model") or {}
    spec = (saved.get("derived") or {}).get("spec")
    if model.get("num_max") != 0 or not isinstance(spec, dict) or not isinstance(spec.get("num_max"), int):
        return None
    today = default_num_max(spec["n_ctx"], model.get("n_layers", 1), model.get("mlp_vars_in", 2))
    return None if spec["num_max"] == today else spec["num_max"]


def read_config(config_path: str) -> ml_collections.ConfigDict:
    """The run's config as it was trained, rebuilt from config.json and validated.

    Runs written before a config field existed lack it; they get the field's default, which by convention
    reproduces the behaviour from before the field.
    """
    saved = read_json(config_path, "config file")
    saved.pop("derived", None)
    c = ml_collections.ConfigDict(filled_config_dict(saved))
    try:
        config_lib.validate(c)
    except (config_lib.ConfigError, KeyError, AttributeError, TypeError) as e:
        raise CheckpointError(f"{config_path} is not a valid tpjax config: {e}") from None
    return c


def filled_config_dict(saved: dict) -> dict:
    """A stored config with the fields added since it was written, at their defaults (see read_config)."""
    return _with_defaults(saved, config_lib.base_config().to_dict())


def _with_defaults(saved, defaults):
    """`saved` with every field it lacks taken from `defaults`, recursively (saved values win)."""
    if not isinstance(saved, dict) or not isinstance(defaults, dict):
        return saved
    out = dict(saved)
    for key, value in defaults.items():
        out[key] = _with_defaults(out[key], value) if key in out else value
    return out


def _this_process_only() -> ocp.options.MultiprocessingOptions:
    """A run belongs to one process (a multi-process sweep gives each process its own points), so Orbax
    must neither wait for the other processes nor leave the writing to process 0."""
    me = jax.process_index()
    return ocp.options.MultiprocessingOptions(primary_host=me, active_processes={me})


def _train_item(host: TrainState) -> dict:
    return {"step": host.step, "opt_state": host.opt_state, "key": host.key}


def _restore(manager, step: int, step_dir: str, **items) -> dict:
    """Orbax's restore with its failures (files gone since the manifest check, a foreign tree) as one line."""
    try:
        restored = manager.restore(step, args=ocp.args.Composite(**items))
    except Exception as e:  # noqa: BLE001 - Orbax and TensorStore raise many types; the user needs one line
        first = (str(e).strip().splitlines() or [""])[0][:200]
        raise CheckpointError(f"checkpoint {step_dir} cannot be read ({type(e).__name__}: {first})") from None
    return {name: restored[name] for name in items}


def _check_like(restored, expected, what: str, step_dir: str) -> None:
    """numpy leaves restore at their saved shapes whatever the target says: compare them ourselves."""
    got, want = _shapes(restored), _shapes(expected)
    if got == want:
        return
    name = next(n for n in sorted(got.keys() | want.keys()) if got.get(n) != want.get(n))
    raise CheckpointError(
        f"checkpoint {step_dir} holds {what} of another model: {name} is {got.get(name, 'missing')} there, "
        f"{want.get(name, 'absent')} here"
    )


def _shapes(tree) -> dict[str, tuple]:
    leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
    return {jax.tree_util.keystr(path): (np.shape(x), str(np.asarray(x).dtype)) for path, x in leaves}


def _files(step_dir: str) -> list[str]:
    out = []
    for root, _, names in os.walk(step_dir):
        out += [os.path.relpath(os.path.join(root, n), step_dir) for n in names if not n.startswith(MANIFEST)]
    return sorted(out)


def _digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _write_manifest(step_dir: str) -> None:
    paths = {rel: os.path.join(step_dir, rel) for rel in _files(step_dir)}
    files = {rel: [os.path.getsize(path), _digest(path)] for rel, path in paths.items()}
    records.write_json_atomic(os.path.join(step_dir, MANIFEST), {"files": files})


def _verify_manifest(step_dir: str) -> None:
    """Every file Orbax wrote is still there, whole and unchanged."""
    manifest = read_json(os.path.join(step_dir, MANIFEST), "checkpoint manifest")
    for rel, (size, digest) in sorted(manifest.get("files", {}).items()):
        path = os.path.join(step_dir, rel)
        if not os.path.exists(path):
            problem = f"{rel} is missing"
        elif os.path.getsize(path) != size:
            problem = f"{rel} has {os.path.getsize(path)} bytes, {size} were written"
        elif _digest(path) != digest:
            problem = f"{rel} has changed since it was written"
        else:
            continue
        raise CheckpointError(
            f"checkpoint {step_dir} is damaged: {problem}; delete that folder to resume from an earlier one"
        )


def read_json(path: str, what: str) -> dict:
    """A JSON object from `path`, or a one-line CheckpointError naming the file (`what`) and the problem."""
    try:
        with open(path) as f:
            obj = json.load(f)
    except (OSError, ValueError) as e:
        raise CheckpointError(f"cannot read the {what} {path}: {e}") from None
    if not isinstance(obj, dict):
        raise CheckpointError(f"the {what} {path} does not hold a JSON object")
    return obj


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _first(diffs: list[str]) -> str:
    """The first three differences, for a one-line error."""
    more = f" and {len(diffs) - 3} more" if len(diffs) > 3 else ""
    return "; ".join(diffs[:3]) + more

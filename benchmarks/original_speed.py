"""Times the original PyTorch code on this machine: the other side of issue 2's speed goal.

  python benchmarks/original_speed.py --original=PATH --python=PY [--epochs=20] [--repeats=1]

PATH is a checkout of princeton-nlp/TransformerPrograms and PY a Python with torch and that code's
requirements; neither is a tpjax dependency. Its `src/run.py` runs unchanged in a child process, on CPU, on
the sort paper config that its `scripts/rasp.sh` passes (3 layers, 4 + 4 heads, 2 + 2 MLPs, batch 512, one
seed; it evaluates train, val and test after every epoch). The child wraps `run_training` and `run_test`
to time training and evaluation apart. The table projects 5 seeds x 250 epochs, the work of
`python -m tpjax.main --config=configs/sort.py`, from the per-epoch time alone, leaving out the original's
data generation and start-up (so the projection favours the original). Run the two within minutes of each
other: on a shared machine the time of the same work drifts by 10% or more.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

# The flags of the original's scripts/rasp.sh for the sort paper config (its N_MLPS variables spelled out).
SORT_ARGS = [
    "--dataset", "sort", "--vocab_size", "8", "--dataset_size", "20000", "--min_length", "1", "--max_length", "8",
    "--batch_size", "512", "--lr", "5e-2", "--gumbel_samples", "1", "--sample_fn", "gumbel_soft",
    "--tau_init", "3.0", "--tau_end", "0.01", "--tau_schedule", "geomspace", "--n_vars_cat", "1", "--d_var", "8",
    "--n_vars_num", "1", "--n_layers", "3", "--n_heads_cat", "4", "--n_heads_num", "4", "--n_cat_mlps", "2",
    "--n_num_mlps", "2", "--attention_type", "cat", "--rel_pos_bias", "fixed", "--one_hot_embed",
    "--dropout", "0.0", "--mlp_vars_in", "2", "--d_mlp", "64", "--count_only", "--selector_width", "0",
    "--seed", "0", "--unique", "1", "--device", "cpu",
]

# Runs in the child, in the original's checkout: its run() with timers around its training loop and evaluations.
CHILD = """
import sys, time
import src.run as run
evaluating = [0.0]
test = run.run_test
def timed_test(*args, **kwargs):
    start = time.perf_counter()
    try:
        return test(*args, **kwargs)
    finally:
        evaluating[0] += time.perf_counter() - start
training = run.run_training
def timed_training(*args, **kwargs):
    start = time.perf_counter()
    out = training(*args, **kwargs)
    total = time.perf_counter() - start
    print(f"TIMED {kwargs['n_epochs']} {total} {evaluating[0]}", flush=True)
    return out
run.run_test, run.run_training = timed_test, timed_training
sys.argv = ["run.py"] + sys.argv[1:]
run.run(run.parse_args())
"""


def time_once(original: str, python: str, epochs: int, out_dir: str) -> tuple[float, float]:
    """(training, evaluating) seconds per epoch of one run of `epochs` epochs."""
    cmd = [python, "-c", CHILD, *SORT_ARGS, "--n_epochs", str(epochs), "--output_dir", out_dir]
    proc = subprocess.run(cmd, cwd=original, capture_output=True, text=True)
    lines = [line.split() for line in proc.stdout.splitlines() if line.startswith("TIMED ")]
    if proc.returncode != 0 or not lines:
        sys.exit(f"error: the original's run failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    _, n, total, evaluating = lines[-1]
    n, total, evaluating = int(n), float(total), float(evaluating)
    return (total - evaluating) / n, evaluating / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--original", required=True, help="checkout of princeton-nlp/TransformerPrograms")
    parser.add_argument("--python", default=sys.executable, help="a Python with torch and the original's requirements")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--out", default="/tmp/original_speed", help="the original's --output_dir")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.original, "src", "run.py")):
        sys.exit(f"error: --original={args.original} has no src/run.py; pass a checkout of TransformerPrograms")
    if args.epochs < 1 or args.repeats < 1:
        sys.exit("error: --epochs and --repeats must be at least 1")

    print("| run | epochs | s / epoch | training s | evaluating s | projected 5 seeds x 250 epochs, s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for i in range(args.repeats):
        train_s, eval_s = time_once(args.original, args.python, args.epochs, args.out)
        per_epoch = train_s + eval_s
        print(f"| {i + 1} | {args.epochs} | {per_epoch:.3f} | {train_s:.3f} | {eval_s:.3f} | {5 * 250 * per_epoch:,.0f} |",
              flush=True)


if __name__ == "__main__":
    main()

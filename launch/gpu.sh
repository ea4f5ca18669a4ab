#!/usr/bin/env bash
# Runs a tpjax sweep on one GPU machine: one process per GPU, joined in one JAX cluster over localhost,
# process i pinned to GPU i and training points i, i+N, ...; process 0 writes the summaries at the end.
#
#   launch/gpu.sh [--dry-run] [--gpus=N] [--port=PORT] -- SWEEP FLAGS...
#
# N defaults to the GPUs nvidia-smi lists. Install first with `pip install -e ".[cuda]"`. To train many seeds
# of one config instead, run `python -m tpjax.main --config=...`: it shards the seeds over all visible GPUs.
# PYTHON picks the interpreter (default: python); LOG_DIR the logs (default: runs/sweeps/logs). Re-running
# the same command skips finished points. --dry-run prints the commands without running any.
set -euo pipefail

usage() {
  echo "usage: $0 [--dry-run] [--gpus=N] [--port=PORT] -- SWEEP FLAGS..." >&2
  exit 2
}

dry_run=0
gpus=""
port=12355
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --gpus=*) gpus=${1#*=} ;;
    --port=*) port=${1#*=} ;;
    --) shift; break ;;
    *) usage ;;
  esac
  shift
done
if [[ $# -eq 0 ]]; then
  usage
fi
if [[ -z "$gpus" ]]; then
  if ((dry_run)); then
    gpus=1
  else
    gpus=$(nvidia-smi --list-gpus | wc -l)
  fi
fi
if [[ ! "$gpus" =~ ^[1-9][0-9]*$ || ! "$port" =~ ^[1-9][0-9]*$ ]]; then
  usage
fi
python=${PYTHON:-python}
log_dir=${LOG_DIR:-runs/sweeps/logs}

show() {  # the command about to run, quoted so that it can be pasted back
  printf '+'
  printf ' %q' "$@"
}

if ((!dry_run)); then
  mkdir -p "$log_dir"
fi
pids=()
for ((i = 0; i < gpus; i++)); do
  log="$log_dir/gpu-$i-of-$gpus.log"
  cmd=(env "CUDA_VISIBLE_DEVICES=$i" "TPJAX_COORDINATOR=localhost:$port" "TPJAX_NUM_PROCESSES=$gpus"
    "TPJAX_PROCESS_ID=$i" "$python" -m tpjax.experiments.sweep "$@")
  show "${cmd[@]}"
  printf ' > %q 2>&1 &\n' "$log"
  if ((!dry_run)); then
    "${cmd[@]}" >"$log" 2>&1 &
    pids+=("$!")
  fi
done
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
if ((failed)); then
  echo "some processes failed; see the last lines of their logs in $log_dir" >&2
fi
exit "$failed"

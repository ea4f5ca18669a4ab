#!/usr/bin/env bash
# Runs a tpjax sweep on a Cloud TPU VM (one host or a pod slice), copies the results to a bucket, deletes the VM.
#
#   launch/tpu_vm.sh [--dry-run] [--keep] --name=NAME --zone=ZONE --bucket=gs://BUCKET/PATH \
#       [--type=v4-8] [--version=tpu-ubuntu2204-base] [--project=PROJECT] -- SWEEP FLAGS...
#
# SWEEP FLAGS go to `python -m tpjax.experiments.sweep` on every host (e.g. --config=configs/sweeps/paper.py
# --task=sort). Every host joins one JAX cluster (TPJAX_COORDINATOR=auto) and trains its share of the points;
# each host then copies its points to the bucket, and worker 0 writes the summaries from the bucket's copy.
# Every step is printed before it runs and may be re-run: an existing VM is reused, finished points are
# skipped, rsync copies only what changed. --dry-run prints the commands without running any.
set -euo pipefail

usage() {
  echo "usage: $0 [--dry-run] [--keep] --name=NAME --zone=ZONE --bucket=gs://BUCKET/PATH [--type=TYPE] [--version=RUNTIME] [--project=PROJECT] -- SWEEP FLAGS..." >&2
  exit 2
}

dry_run=0
keep=0
name=""
zone=""
bucket=""
type="v4-8"
version="tpu-ubuntu2204-base"
project=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --keep) keep=1 ;;
    --name=*) name=${1#*=} ;;
    --zone=*) zone=${1#*=} ;;
    --bucket=*) bucket=${1#*=} ;;
    --type=*) type=${1#*=} ;;
    --version=*) version=${1#*=} ;;
    --project=*) project=${1#*=} ;;
    --) shift; break ;;
    *) usage ;;
  esac
  shift
done
if [[ -z "$name" || -z "$zone" || "$bucket" != gs://* || $# -eq 0 ]]; then
  usage
fi

gcloud_tpu=(gcloud compute tpus tpu-vm)
where=("--zone=$zone")
if [[ -n "$project" ]]; then
  where+=("--project=$project")
fi

run() {  # prints the command, quoted so that it can be pasted back, then runs it unless --dry-run
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if ((!dry_run)); then
    "$@"
  fi
}

on_hosts() {  # on_hosts WORKER COMMAND: one shell command on worker WORKER ("all" for every host)
  run "${gcloud_tpu[@]}" ssh "$name" "${where[@]}" "--worker=$1" "--command=$2"
}

repo=$(cd "$(dirname "$0")/.." && pwd)
tarball=/tmp/tpjax-src.tar.gz
sweep_args=$(printf ' %q' "$@")
out=runs/sweeps

echo "== 1/6 create the TPU VM $name ($type) unless it exists"
if ((!dry_run)) && "${gcloud_tpu[@]}" describe "$name" "${where[@]}" >/dev/null 2>&1; then
  echo "$name exists: reusing it"
else
  run "${gcloud_tpu[@]}" create "$name" "${where[@]}" "--accelerator-type=$type" "--version=$version"
fi

echo "== 2/6 install tpjax[tpu] from this checkout on every host"
run git -C "$repo" archive --format=tar.gz --prefix=tpjax/ -o "$tarball" HEAD
run "${gcloud_tpu[@]}" scp "$tarball" "$name:tpjax-src.tar.gz" "${where[@]}" --worker=all
on_hosts all "rm -rf tpjax && tar xzf tpjax-src.tar.gz && python3 -m pip install -q -U pip && python3 -m pip install -q -e './tpjax[tpu]'"

echo "== 3/6 run the sweep on every host (finished points are skipped)"
on_hosts all "cd tpjax && TPJAX_COORDINATOR=auto python3 -m tpjax.experiments.sweep$sweep_args --out=$out"

echo "== 4/6 copy every host's points to $bucket"
on_hosts all "cd tpjax && gcloud storage rsync -r $out $bucket"

echo "== 5/6 write the summaries from the bucket's copy of all points, and upload them"
on_hosts 0 "cd tpjax && gcloud storage rsync -r $bucket $out && python3 -m tpjax.experiments.sweep$sweep_args --out=$out --aggregate_only && gcloud storage rsync -r $out $bucket"

echo "== 6/6 delete the TPU VM $name"
if ((keep)); then
  echo "--keep: leaving $name running"
elif ((!dry_run)) && ! "${gcloud_tpu[@]}" describe "$name" "${where[@]}" >/dev/null 2>&1; then
  echo "$name is already gone"
else
  run "${gcloud_tpu[@]}" delete "$name" "${where[@]}" --quiet
fi

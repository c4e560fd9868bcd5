#!/bin/sh
# Submits a GpuCascade run as N shards (a Slurm array job, one GPU per task where the cluster has them) and the merge,
# which runs once every shard has succeeded. Prints the two job ids.
#
#   GPUCASCADE=/opt/gpucascade/gpucascade GPUCASCADE_OUT=$HOME/runs/tonight \
#   GPUCASCADE_SCENARIO=venue.yaml GPUCASCADE_PATHS=100000000 GPUCASCADE_BACKEND=cuda:0 \
#   scripts/slurm/submit.sh 8 [more sbatch options, e.g. --partition=gpu]
#
# The result is $GPUCASCADE_OUT/result.json (and .csv): identical, outside "run", to a one-shot run of the same
# scenario, paths and seed. A failed shard leaves the merge pending; rerun that shard with the same variables
# (sbatch --array=K scripts/slurm/shard.sbatch) and release the merge, or submit again. See docs/operations.md.
set -eu
if [ $# -lt 1 ]; then echo "usage: submit.sh N [sbatch options...]" >&2; exit 2; fi
n=$1
shift
: "${GPUCASCADE:?the path of the gpucascade command}"
: "${GPUCASCADE_OUT:?the output directory}"
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$GPUCASCADE_OUT"
shards=$(sbatch --parsable --export=ALL --array="0-$((n - 1))" -o "$GPUCASCADE_OUT/shard-%a.out" "$@" "$here/shard.sbatch")
shards=${shards%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$shards" -o "$GPUCASCADE_OUT/merge.out" "$@" "$here/merge.sbatch")
echo "$shards ${merge%%;*}"

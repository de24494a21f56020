#!/usr/bin/env bash
# Runs one stage of a gradus run inside AWS Batch (single node, or every node of a multi-node job).
#
# From the job: GRADUS_STORAGE_URL (s3://bucket), GRADUS_RUN_ID, GRADUS_STAGE, GRADUS_URL (reward service);
# GRADUS_JOB_KIND=eval for an evaluation (see below).
# From Batch on multi-node jobs: AWS_BATCH_JOB_NUM_NODES, AWS_BATCH_JOB_NODE_INDEX,
# AWS_BATCH_JOB_MAIN_NODE_INDEX and, on the other nodes only, AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS.
#
# The main node starts a Ray head, waits for every node's GPUs, then runs `gradus stage exec`, which
# fetches the stage's data and init checkpoint, restores the newest complete checkpoint (resume after a
# Spot or host failure), renders the verl config, runs verl, seals each saved step to S3 (checkpoint
# manifest last) and writes status.json. The other nodes join the head as Ray workers.
set -euo pipefail

GRADUS_HOME=${GRADUS_HOME:-/opt/gradus}

# An evaluation (a checkpoint the stage trigger submitted, or a large POST /v1/eval): `gradus eval job`
# reads GRADUS_STORAGE_URL and GRADUS_EVAL_PREFIX itself; a checkpoint is served with vLLM on this node. No Ray.
if [ "${GRADUS_JOB_KIND:-stage}" = eval ]; then
  exec node "${GRADUS_HOME}/functions/cli/gradus.ts" eval job
fi

: "${GRADUS_STORAGE_URL:?GRADUS_STORAGE_URL is not set}"
: "${GRADUS_RUN_ID:?GRADUS_RUN_ID is not set}"
: "${GRADUS_STAGE:?GRADUS_STAGE is not set}"

RAY_PORT=${RAY_PORT:-6379}
NUM_NODES=${AWS_BATCH_JOB_NUM_NODES:-1}
NODE_INDEX=${AWS_BATCH_JOB_NODE_INDEX:-0}
MAIN_INDEX=${AWS_BATCH_JOB_MAIN_NODE_INDEX:-0}
JOIN_ATTEMPTS=${GRADUS_RAY_JOIN_ATTEMPTS:-60}
GPU_WAIT_S=${GRADUS_RAY_GPU_WAIT_S:-900}
POLL_S=${GRADUS_RAY_POLL_S:-30}

log() { printf '[gradus entrypoint node %s] %s\n' "$NODE_INDEX" "$*" >&2; }

gpus_here() {
  if [ -n "${GRADUS_GPUS_PER_NODE:-}" ]; then
    printf '%s\n' "$GRADUS_GPUS_PER_NODE"
  else
    nvidia-smi --list-gpus | wc -l
  fi
}

# Prints the number of GPUs the Ray cluster has registered.
cluster_gpus() {
  python3 - <<'PY'
import ray
ray.init(address="auto", logging_level="ERROR")
print(int(ray.cluster_resources().get("GPU", 0)))
PY
}

wait_for_cluster() {
  local want=$1 waited=0 have=0
  while :; do
    have=$(cluster_gpus 2>/dev/null || printf '0')
    [ "$have" -ge "$want" ] && return 0
    if [ "$waited" -ge "$GPU_WAIT_S" ]; then
      log "only ${have} of ${want} GPUs joined the Ray cluster after ${GPU_WAIT_S}s"
      return 1
    fi
    sleep 10
    waited=$((waited + 10))
  done
}

run_worker() {
  local main=${AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS:?worker nodes need AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS}
  local attempt
  for attempt in $(seq 1 "$JOIN_ATTEMPTS"); do
    if ray start --address="${main}:${RAY_PORT}" --num-gpus="$GPUS"; then
      log "joined the Ray head at ${main}:${RAY_PORT}"
      # The job ends when the main node exits; until then keep this node in the cluster.
      while ray status --address="${main}:${RAY_PORT}" >/dev/null 2>&1; do sleep "$POLL_S"; done
      log 'the Ray head went away; leaving'
      return 0
    fi
    log "Ray head not ready (attempt ${attempt}/${JOIN_ATTEMPTS})"
    sleep 10
  done
  return 1
}

run_main() {
  ray start --head --port="$RAY_PORT" --num-gpus="$GPUS" --dashboard-host=0.0.0.0
  trap 'ray stop --force >/dev/null 2>&1 || true' EXIT
  wait_for_cluster $((NUM_NODES * GPUS))
  # verl reads the config `gradus stage exec` renders, through gradus' entry (batch/gradus_verl), which
  # applies its `gradus` block (stage 2's truncation masking) and otherwise runs verl.trainer.main_ppo as
  # it is. The single quotes keep the variables for the shell that exec starts, where they are set.
  # shellcheck disable=SC2016
  export GRADUS_TRAINER_COMMAND=${GRADUS_TRAINER_COMMAND:-'python3 -m gradus_verl.main_ppo --config-path "$GRADUS_CONFIG_DIR" --config-name "$GRADUS_CONFIG_NAME"'}
  node "${GRADUS_HOME}/functions/cli/gradus.ts" stage exec
}

GPUS=$(gpus_here)
export GRADUS_GPUS_PER_NODE=$GPUS
export GRADUS_WORK_DIR=${GRADUS_WORK_DIR:-/scratch/gradus}
mkdir -p "$GRADUS_WORK_DIR"

if [ "$NUM_NODES" -gt 1 ] && [ "$NODE_INDEX" != "$MAIN_INDEX" ]; then
  run_worker
else
  run_main
fi

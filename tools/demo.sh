#!/usr/bin/env bash
# The README's main command, on the embedded demo data (no download):
#   1. DADA search (configs/demo/dada_demo_search.py) -> policy.json
#   2. retrain the demo classifier with the found policy
#   3. train the same classifier without it (baseline)
# and print baseline vs searched-policy accuracy. Two CPU cores: a few
# minutes in all. WORK_DIR=... moves the outputs (default work_dirs/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORK=${WORK_DIR:-work_dirs/demo}

$PY tools/train.py configs/demo/dada_demo_search.py \
    --work-dir "$WORK/dada_search"
echo "== searched policy: $WORK/dada_search/policy.json"
$PY tools/train.py configs/demo/dada_demo_retrain.py \
    --work-dir "$WORK/dada_retrain" \
    --cfg-options "train_dataloader.dataset.pipeline.1.policy=$WORK/dada_search/policy.json"
$PY tools/train.py configs/baseline/wrn16-1_demo-cifar.py \
    --work-dir "$WORK/baseline"

echo "== demo results (test accuracy, top-1 %)"
$PY tools/misc/print_metric.py "$WORK/baseline" --label "baseline (no policy)"
$PY tools/misc/print_metric.py "$WORK/dada_retrain" --label "DADA searched policy"

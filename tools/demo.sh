#!/usr/bin/env bash
# The README's main command (`make demo`), on the embedded few-shot set
# (mmautoaug.DemoFewShotCIFAR10, built from scikit-learn's digits; no
# download): 20 upright training digits per class, 1000 test digits rotated,
# sheared, moved, in changed colours.
#   1. a DADA search on the 200 training images
#      (configs/demo/fewshot_dada_search.py) -> policy.json
#   2. tools/analysis/compare_policies.py trains the demo classifier
#      (configs/demo/fewshot_wrn10-1_demo.py) with no policy, TrivialAugment
#      (wide), a random policy and the searched policy, SEEDS seeds each, the
#      same schedule, and prints mean top-1 with 95% confidence intervals, the
#      paired difference to no policy, and the searched policy against
#      TrivialAugment, whatever the outcome.
# Interrupted? Run it again: finished runs are kept, others resume.
# WORK_DIR moves the outputs (default work_dirs/demo); SEEDS (default 5) and
# JOBS (runs side by side, default 2) size it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORK=${WORK_DIR:-work_dirs/demo}
SEEDS=${SEEDS:-5}
JOBS=${JOBS:-2}
start=$(date +%s)

SEARCH="$WORK/dada_search"
if [ -f "$SEARCH/search.done" ]; then
    echo "== DADA search: done before ($SEARCH/policy.json)"
else
    resume=()
    [ -f "$SEARCH/last_checkpoint" ] && resume=(--resume)
    $PY tools/train.py configs/demo/fewshot_dada_search.py \
        --work-dir "$SEARCH" ${resume[@]+"${resume[@]}"}
    touch "$SEARCH/search.done"
fi
echo "== searched policy: $SEARCH/policy.json ($(( $(date +%s) - start )) s)"

$PY tools/analysis/compare_policies.py configs/demo/fewshot_wrn10-1_demo.py \
    --policies none trivialaugment_wide random:space=fastaa,seed=0 \
               "$SEARCH/policy.json" \
    --labels none trivialaugment_wide random_policy dada_searched \
    --contrast dada_searched trivialaugment_wide \
    --contrast dada_searched random_policy \
    --seeds "$SEEDS" --parallel "$JOBS" --work-dir "$WORK/compare"
echo "== demo finished in $(( $(date +%s) - start )) s; table: $WORK/compare/summary.md, plot: $WORK/compare/summary.png"

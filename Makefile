# The two commands of the README. Each builds whatever is missing of the
# environment first (tools/setup_env.sh is idempotent: seconds once built).
PY := .venv/bin/python
export PYTHONUNBUFFERED := 1

.PHONY: env demo test benchmark
env:
	bash tools/setup_env.sh

demo: env
	bash tools/demo.sh

test: env
	$(PY) -m pytest tests -q -p no:cacheprovider

benchmark: env
	$(PY) tools/benchmark/augment_throughput.py

#!/usr/bin/env bash
# Creates (or completes) the project's virtual environment in .venv: torch + torchvision, mmcv 2.1 compiled
# with ops, mmengine, mmpretrain, mmdet and mmautoaug itself in editable mode.
#
# Idempotent: a finished environment is recognised by a stamp that records the requirement files it was
# built from, so a second call returns in seconds. The compiled mmcv wheel is cached outside the repository,
# keyed by the torch version it was built against (pip's own cache keys it by mmcv's version alone and would
# silently reuse a wheel built for another torch).
#
# Environment:
#   MMAUTOAUG_VENV   where the venv lives        (default: <repo>/.venv)
#   MMAUTOAUG_CACHE  where built wheels are kept (default: ~/.cache/mmautoaug)
#   PYTHON           the interpreter to build the venv from (default: python3.11, else python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MMAUTOAUG_VENV:-$ROOT/.venv}"
CACHE="${MMAUTOAUG_CACHE:-$HOME/.cache/mmautoaug}"
TORCH_VERSION="2.14.1"
TORCHVISION_VERSION="0.29.1"
MMCV_VERSION="2.1.0"
STAMP="$VENV/.mmautoaug-installed"

say() { printf '[setup_env] %s\n' "$*"; }
die() { printf '[setup_env] ERROR: %s\n' "$*" >&2; exit 1; }

# What the finished environment was built from: when any of it changes, the environment is completed again.
want_stamp() {
  { echo "torch=$TORCH_VERSION torchvision=$TORCHVISION_VERSION mmcv=$MMCV_VERSION";
    cat "$ROOT"/requirements/*.txt "$ROOT/setup.py"; } | sha256sum | cut -d' ' -f1
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(want_stamp)" ]; then
  exit 0
fi

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
[ -n "$PYTHON" ] || die "no python3 found; install Python 3.11 and pip first."
"$PYTHON" -c 'import sys; assert sys.version_info[:2] >= (3, 8)' 2>/dev/null \
  || die "$PYTHON is older than Python 3.8; mmautoaug needs Python 3.8+ (3.11 is tested)."

if [ ! -x "$VENV/bin/python" ]; then
  say "creating virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV" || die "could not create a venv with $PYTHON (on Debian: apt-get install python3-venv)."
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

# setuptools<80 still ships pkg_resources, which mmcv's setup.py imports.
"${PIP[@]}" install -q --upgrade "pip<26" "setuptools<80" wheel ninja

if ! "$PY" -c "import torch, torchvision; assert torch.__version__.split('+')[0] == '$TORCH_VERSION'" 2>/dev/null; then
  say "installing torch $TORCH_VERSION and torchvision $TORCHVISION_VERSION"
  "${PIP[@]}" install -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
fi

# mmcv with compiled ops (nms, RoIAlign, ...): mmdet imports them at module level.
if ! "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null; then
  TORCH_TAG="$("$PY" -c 'import torch, sys; print(f"torch{torch.__version__}-py{sys.version_info[0]}{sys.version_info[1]}".replace("+", "_"))')"
  # mmcv compiles its CUDA kernels only where torch sees a GPU: a wheel built without one would give a GPU
  # machine CPU-only ops (mmdet's detectors could not train there: focal loss, nms, RoIAlign), so GPU builds
  # have their own key
  OPS_SUFFIX="$("$PY" -c 'import torch; print("-cuda" if torch.cuda.is_available() else "")')"
  WHEELS="$CACHE/wheels/$TORCH_TAG$OPS_SUFFIX"
  mkdir -p "$WHEELS"
  WHEEL="$(ls "$WHEELS"/mmcv-"$MMCV_VERSION"-*.whl 2>/dev/null | head -n1 || true)"
  if [ -z "$WHEEL" ]; then
    say "building mmcv $MMCV_VERSION with ops against $TORCH_TAG (about 11 minutes on 2 cores, once)"
    BUILD="$(mktemp -d)"
    trap 'rm -rf "$BUILD"' EXIT
    # --no-build-isolation: mmcv's metadata step imports torch, which is the one in this venv.
    "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation -d "$BUILD" "mmcv==$MMCV_VERSION"
    tar -xzf "$BUILD"/mmcv-"$MMCV_VERSION".tar.gz -C "$BUILD"
    # torch>=2.6 headers need C++20; mmcv 2.1.0's setup.py pins -std=c++17.
    sed -i 's/-std=c++17/-std=c++20/g' "$BUILD/mmcv-$MMCV_VERSION/setup.py"
    (cd "$BUILD/mmcv-$MMCV_VERSION" && MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="$(nproc)" \
      "$PY" -m pip wheel -q --no-deps --no-build-isolation -w "$BUILD/dist" .)
    cp "$BUILD"/dist/mmcv-*.whl "$WHEELS/"
    WHEEL="$(ls "$WHEELS"/mmcv-"$MMCV_VERSION"-*.whl | head -n1)"
  fi
  say "installing $(basename "$WHEEL")"
  "${PIP[@]}" install -q --no-deps --force-reinstall "$WHEEL"
  # mmcv's own dependencies (it was installed with --no-deps to keep this exact wheel).
  "${PIP[@]}" install -q addict packaging Pillow pyyaml yapf opencv-python "numpy<2" \
    "$(grep "^mmengine" "$ROOT/requirements/mminstall.txt")"
fi

say "installing mmengine, mmpretrain, mmdet and mmautoaug (editable)"
"${PIP[@]}" install -q -r "$ROOT/requirements/mminstall.txt" -r "$ROOT/requirements/runtime.txt" \
  -r "$ROOT/requirements/tests.txt" -r "$ROOT/requirements/optional.txt" \
  "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$ROOT"

"$PY" -c "import mmcv.ops, mmdet, mmpretrain, mmautoaug" \
  || die "the environment in $VENV was built but does not import; remove it and run this script again."
want_stamp > "$STAMP"
say "environment ready: $VENV"

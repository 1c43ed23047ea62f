#!/usr/bin/env bash
# Start the vizconv Streamlit server in the foreground: the Docker image's ENTRYPOINT, also usable
# without Docker (tests/test_deploy.py runs it directly). Extra arguments go to `streamlit run`,
# e.g. `deploy/entrypoint.sh --server.baseUrlPath vizconv`. docs/deploy.md explains each setting.
#
# Environment (all optional):
#   PORT                   port to listen on (default 8501)
#   VIZCONV_ADDRESS        address to bind (default 0.0.0.0; 127.0.0.1 for loopback only)
#   VIZCONV_TORCH_THREADS  torch threads per request (default 1: many sessions share the CPU)
#   OMP_NUM_THREADS        OpenMP/MKL threads (default: VIZCONV_TORCH_THREADS)
#   MALLOC_ARENA_MAX       glibc malloc arenas (default 2: keeps a threaded server's RSS from creeping)
#   VIZCONV_MALLOC         tuned (default: freed tensor memory kept for reuse) or default (docs/deploy.md, "Memory")
#   PYTHON                 the interpreter (default python)
set -euo pipefail
cd "$(dirname "$0")/.."  # the app's root: app.py, pages/, .streamlit/config.toml

export VIZCONV_TORCH_THREADS="${VIZCONV_TORCH_THREADS:-1}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$VIZCONV_TORCH_THREADS}"
export MKL_NUM_THREADS="${MKL_NUM_THREADS:-$OMP_NUM_THREADS}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# A server does not edit its own code: no file watcher (no inotify handles, no polling).
export STREAMLIT_SERVER_FILE_WATCHER_TYPE="${STREAMLIT_SERVER_FILE_WATCHER_TYPE:-none}"
export STREAMLIT_BROWSER_GATHER_USAGE_STATS="${STREAMLIT_BROWSER_GATHER_USAGE_STATS:-false}"

# exec: the server replaces this shell, so it receives SIGTERM from Docker or Kubernetes directly.
# deploy/serve.py imports torch and vizconv first, then runs `streamlit run` in the same process: the first
# student of a fresh server does not wait for those imports.
exec "${PYTHON:-python}" deploy/serve.py app.py \
    --server.port "${PORT:-8501}" \
    --server.address "${VIZCONV_ADDRESS:-0.0.0.0}" \
    --server.headless true \
    "$@"

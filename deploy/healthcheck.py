"""Exit 0 when the local Streamlit server answers its health check: the Docker image's HEALTHCHECK.

    python deploy/healthcheck.py

Asks http://127.0.0.1:$PORT/_stcore/health (PORT defaults to 8501; a base URL path set with
STREAMLIT_SERVER_BASE_URL_PATH is honoured). Standard library only: the slim image has no curl.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def health_url(environ: dict | None = None) -> str:
    """The health endpoint of the server this container runs."""
    env = os.environ if environ is None else environ
    base = env.get("STREAMLIT_SERVER_BASE_URL_PATH", "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"http://127.0.0.1:{env.get('PORT', '8501')}{prefix}/_stcore/health"


def main() -> int:
    try:
        with urllib.request.urlopen(health_url(), timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""Process-wide settings for the Streamlit server, applied once at start-up.

``configure_threads()`` sets torch's intra-op thread count from the
``VIZCONV_TORCH_THREADS`` environment variable (default 1; ``0`` or ``auto``
means one per CPU core). One server process serves many sessions, each running
small forward passes and convolutions in its own script thread: with one torch
thread per request, N busy sessions use N cores instead of N × cores threads
competing for them (docs/deploy.md, "Threads"). The setting is global to the
process: torch applies it to every thread, also to Streamlit's script threads.
"""

from __future__ import annotations

import os
import threading

import torch

__all__ = ["THREADS_ENV", "configure_threads", "torch_threads"]

THREADS_ENV = "VIZCONV_TORCH_THREADS"
DEFAULT_THREADS = 1  # one thread per request: sessions run side by side rather than fight over cores

_configured: int | None = None
_guard = threading.Lock()


def torch_threads(environ: dict | None = None) -> int:
    """The thread count ``VIZCONV_TORCH_THREADS`` asks for (1 when unset); ValueError when it is not a count."""
    raw = (os.environ if environ is None else environ).get(THREADS_ENV, "").strip().lower()
    if raw == "":
        return DEFAULT_THREADS
    if raw in ("0", "auto"):
        return os.cpu_count() or 1
    try:
        threads = int(raw)
    except ValueError:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, 0 or 'auto', not {raw!r}") from None
    if threads < 0:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, 0 or 'auto', not {raw!r}")
    return threads or os.cpu_count() or 1


def configure_threads(environ: dict | None = None) -> int:
    """Set torch's thread count from the environment, once per process; returns the count in use.

    Later calls (every page imports the caller) change nothing and return the first call's count.
    """
    global _configured
    with _guard:
        if _configured is None:
            _configured = torch_threads(environ)
            torch.set_num_threads(_configured)
        return _configured

"""Process-wide settings for the Streamlit server, applied once at start-up.

``configure_allocator()`` keeps freed tensor memory in the process for the next
rerun (glibc's malloc, through ``mallopt``). A capture keeps every layer's
output until the page has drawn it: ResNet-18 at 224×224 holds about 31 MiB
in 68 outputs, which glibc's default settings map afresh and hand back to the
kernel when they are freed. The next capture then pays a page fault for every
4 KB of fresh memory: with glibc's defaults a ResNet-18 capture took 1.27× its
forward pass, with these settings 1.05× (BENCHMARKS.md). With the mmap threshold
at glibc's maximum (32 MiB) and a trim threshold of 256 MiB, blocks below 32 MiB
come from the heap and up to 256 MiB of freed memory stays there for reuse.
The cost is resident memory that stays at its high-water mark rather than
shrinking between reruns; ``MALLOC_ARENA_MAX=2`` (deploy/entrypoint.sh) bounds
how many heaps keep memory. ``VIZCONV_MALLOC=default`` leaves glibc's defaults.

What is freed for good is another matter: a student's own ResNet-18 (47 MB of
tensors, each below the mmap threshold, so on the heap) is freed when their
session ends, and glibc would keep those pages, scattered between live blocks
where no trim threshold reaches them. ``trim_soon()`` (called when such a model
dies) hands free heap pages back to the system with ``malloc_trim(0)`` a moment
later, in every arena.

``configure_threads()`` sets torch's intra-op thread count from the
``VIZCONV_TORCH_THREADS`` environment variable (default 1; ``0`` or ``auto``
means one per CPU core of the machine). Captures on one shared model are
serialised by its lock, so intra-op threads are how one capture uses more than
one core: deployments set the variable to the cores the container gets (the
Kubernetes manifest: its CPU limit). The default of 1 is for an unknown machine,
where ``auto`` would count the node's cores rather than the container's quota
(docs/deploy.md, "Threads", has the measurements). The setting is global to the
process: torch applies it to every thread, also to Streamlit's script threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading

import torch

__all__ = [
    "ALLOCATOR_ENV",
    "THREADS_ENV",
    "collect_garbage_periodically",
    "configure_allocator",
    "configure_threads",
    "torch_threads",
    "trim_memory",
    "trim_soon",
]

THREADS_ENV = "VIZCONV_TORCH_THREADS"
DEFAULT_THREADS = 1  # an unknown machine: never more threads than cores (see the module docstring)

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


ALLOCATOR_ENV = "VIZCONV_MALLOC"
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit)
TRIM_THRESHOLD = 256 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)

_allocator: str | None = None


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (the one with ``mallopt`` and these parameters), else None."""
    name = ctypes.util.find_library("c")
    if not name or not hasattr(os, "confstr"):
        return None
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
        libc = ctypes.CDLL(name)
    except (OSError, ValueError):
        return None
    return libc if hasattr(libc, "mallopt") else None


def configure_allocator(environ: dict | None = None, libc: object | None = None) -> str:
    """Tune glibc's malloc once per process (see the module's docstring); returns what is in effect.

    ``libc`` is for tests (an object with ``mallopt``); by default the process's glibc, if any.
    """
    global _allocator
    with _guard:
        if _allocator is not None:
            return _allocator
        choice = (os.environ if environ is None else environ).get(ALLOCATOR_ENV, "tuned").strip().lower()
        if choice == "default":
            _allocator = f"glibc defaults ({ALLOCATOR_ENV}=default)"
        elif choice != "tuned":
            raise ValueError(f"{ALLOCATOR_ENV} must be 'tuned' or 'default', not {choice!r}")
        else:
            libc = libc if libc is not None else _glibc()
            if libc is None:
                _allocator = "unchanged (not glibc)"
            elif libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD):
                mib = 1024 * 1024
                _allocator = (
                    f"glibc: mmap threshold {MMAP_THRESHOLD // mib} MiB, trim threshold {TRIM_THRESHOLD // mib} MiB"
                )
            else:
                _allocator = "unchanged (mallopt refused)"
        return _allocator


def trim_memory(libc: object | None = None) -> bool:
    """Hand the free pages of every malloc arena back to the system now (glibc's ``malloc_trim(0)``).

    True when glibc released memory; False when it had none to release or the C library is not glibc.
    ``libc`` is for tests (an object with ``malloc_trim``).
    """
    libc = libc if libc is not None else _glibc()
    return bool(libc is not None and libc.malloc_trim(0))


TRIM_DELAY = 1.0  # seconds: a dying model's tensors are freed just after it, and several may die together
_trim_timer: threading.Timer | None = None
_trim_guard = threading.Lock()


def trim_soon(delay: float = TRIM_DELAY) -> None:
    """``trim_memory()`` ``delay`` seconds from now, on a thread of its own: for a finalizer, which runs while
    the object is still being freed. Calls while one is pending share it."""
    global _trim_timer
    with _trim_guard:
        if _trim_timer is not None and _trim_timer.is_alive():
            return
        _trim_timer = threading.Timer(delay, trim_memory)
        _trim_timer.daemon = True
        _trim_timer.start()


GC_INTERVAL = 30.0  # seconds between full garbage collections (collect_garbage_periodically)
_collector: threading.Thread | None = None
_collector_stop = threading.Event()  # set: the collector thread ends (tests)
_collector_guard = threading.Lock()


def collect_garbage_periodically(interval: float = GC_INTERVAL) -> bool:
    """A full garbage collection every ``interval`` seconds, on a daemon thread started once per process (True
    when this call started it).

    Streamlit's own collection after every script run (``runner.postScriptGC``) is off (.streamlit/config.toml):
    it held the GIL for a few hundred milliseconds after each rerun, and every other session waited. Python's
    generational collection still frees young cycles as they come; what it leaves for the oldest generation
    (an ended session's state, a student's own model in it) is collected here at most ``interval`` seconds
    later, and ``trim_soon`` then hands the pages back (docs/deploy.md, "Garbage collection after a run").
    """
    global _collector, _collector_stop
    with _collector_guard:
        if _collector is not None and _collector.is_alive():
            return False

        stop = _collector_stop = threading.Event()

        def collect() -> None:
            while not stop.wait(interval):
                if gc.collect():
                    trim_soon()

        _collector = threading.Thread(target=collect, name="vizconv-gc", daemon=True)
        _collector.start()
        return True

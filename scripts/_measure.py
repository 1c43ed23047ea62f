"""What the measuring scripts share: a process tree's resident memory, and the summary file they write.

The scripts run as ``python scripts/<name>.py``, which puts this folder on ``sys.path``; they import it as
``_measure``.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

__all__ = ["process_tree", "rss_mb", "write_summary"]


def process_tree(pid: int) -> list[int]:
    """pid and all its living descendants (empty once pid is gone)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        if current in found or not Path(f"/proc/{current}").exists():
            continue
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                stack += [int(child) for child in (task / "children").read_text().split()]
    return found


def rss_mb(pid: int) -> float | None:
    """Resident memory (VmRSS) of a process and all its descendants, in MB (None once it is gone)."""
    pids = process_tree(pid)
    if not pids:
        return None
    total = 0
    for current in pids:
        with contextlib.suppress(OSError):
            match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{current}/status").read_text(), re.MULTILINE)
            total += int(match.group(1)) if match else 0
    return round(total / 1024, 1)


def write_summary(path: Path | None, summary: dict) -> None:
    """``summary`` as indented JSON (UTF-8, one trailing newline) at ``path``, its folder made; nothing for None."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

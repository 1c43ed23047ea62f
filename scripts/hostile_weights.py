"""Time and memory of load_user_weights on the hostile weight files of issue 16, each in a fresh process.

    python scripts/hostile_weights.py                      # this checkout
    python scripts/hostile_weights.py --root /tmp/before   # another checkout of vizconv (e.g. `git archive`)
    python scripts/hostile_weights.py --deflated-gb 4      # the red team's size (4 GB inside 4.2 MB)

Builds each file once (in a temporary folder), then runs ``load_user_weights`` on it in a child Python with
``--root`` first on its path and reports, per file: its size, the seconds the call took, the child's peak
RSS above what it had before the call (VmHWM, the high-water mark), and what it answered (the
ModelError's catalogue key, "loaded", or the exception). Not part of the test suite (the tests build small
versions of the same files): the deflated file asks a vulnerable loader for ``--deflated-gb`` GB.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import torch
from loadtest import write_summary  # this folder is on sys.path when the script runs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, re, sys, time
sys.path.insert(0, sys.argv[1])
import torch  # noqa: F401 (imported before the baseline is taken)
from vizconv.nets.models import load_user_weights
def high_water():  # VmHWM, kB: this process's peak RSS (ru_maxrss would carry the parent's over the exec)
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1))
name, path = sys.argv[2], sys.argv[3]
data = open(path, "rb").read()
before = high_water()
started = time.perf_counter()
try:
    load_user_weights(name, data)
    answer = "loaded"
except Exception as exc:
    answer = getattr(exc, "key", type(exc).__name__ + ": " + str(exc)[:120])
seconds = time.perf_counter() - started
peak = high_water()
print(json.dumps({"seconds": round(seconds, 3), "peak_mb": round((peak - before) / 1024, 1), "answer": answer}))
"""


def _saved(obj: object, **kwargs) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer, **kwargs)
    return buffer.getvalue()


def deflated(size: int) -> bytes:
    """LeNet-5's state_dict with its first storage record replaced by ``size`` zero bytes, every entry deflated."""
    from vizconv.nets.architectures import lenet5

    data = _saved(lenet5().state_dict())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name.endswith("/data/0"):
                with target.open(name, "w", force_zip64=True) as entry:
                    block = bytes(1 << 24)
                    for _ in range(size // len(block)):
                        entry.write(block)
            else:
                target.writestr(name, source.read(name))
    return out.getvalue()


def files(deflated_gb: float, keys: int) -> dict[str, tuple[str, bytes]]:
    """name -> (architecture, file bytes)."""
    from torchvision.models import resnet18

    from vizconv.nets.architectures import lenet5

    one = torch.zeros(1)
    state = lenet5().state_dict()
    big64 = {k: v.double() for k, v in state.items()}
    big64["0.weight"][0, 0, 0, 0] = 1e300
    big32 = {k: v.clone() for k, v in state.items()}
    big32["0.weight"][0, 0, 0, 0] = 3e38
    complex_nan = dict(state)
    complex_nan["0.weight"] = torch.complex(state["0.weight"], state["0.weight"])
    complex_nan["0.weight"][0, 0, 0, 0] = complex("nan")
    return {
        f"deflated {deflated_gb:g} GB storage": ("lenet5", deflated(int(deflated_gb * 2**30))),
        f"{keys:,} keys sharing one storage": ("resnet18", _saved({f"k{i}": one.view(1) for i in range(keys)})),
        "float64 1e300": ("lenet5", _saved(big64)),
        "float32 3e38": ("lenet5", _saved(big32)),
        "complex with NaN": ("lenet5", _saved(complex_nan)),
        "sparse": ("lenet5", _saved({**state, "0.weight": state["0.weight"].to_sparse()})),
        "meta": ("lenet5", _saved({**state, "0.weight": torch.empty(6, 1, 5, 5, device="meta")})),
        "legacy format": ("lenet5", _saved(state, _use_new_zipfile_serialization=False)),
        "genuine ResNet-18 (random init)": ("resnet18", _saved(resnet18().state_dict())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the vizconv checkout to load with")
    parser.add_argument("--deflated-gb", type=float, default=1.0, help="what the deflated record unpacks to")
    parser.add_argument("--keys", type=int, default=750_000, help="keys sharing one storage")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, (name, data) in files(args.deflated_gb, args.keys).items():
            path = Path(folder) / "weights.pt"
            path.write_bytes(data)
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(args.root), name, str(path)], capture_output=True, text=True
            )
            lines = child.stdout.strip().splitlines()
            result = json.loads(lines[-1]) if child.returncode == 0 and lines else {"error": child.stderr[-300:]}
            results[label] = {"architecture": name, "file_mb": round(len(data) / 1e6, 2), **result}
            print(f"{label:38} {results[label]}", flush=True)
    summary = {"root": str(args.root), "torch": torch.__version__, "results": results}
    write_summary(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

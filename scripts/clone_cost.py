"""What copying the overwritten outputs costs in one ResNet-18 capture (the figure quoted in BENCHMARKS.md).

    python scripts/clone_cost.py [--repeats N]

``capture`` stores as clones the outputs that a later in-place operation
overwrites (a BatchNorm before ``ReLU(inplace=True)``, a block's
``out += identity``). This script captures torchvision's ResNet-18 (random
weights: the time does not depend on the values) at 224×224 with one torch
thread and the server's allocator settings, and times cloning exactly those
outputs, median of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torchvision.models import resnet18

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vizconv.nets.capture import capture, overwritten_outputs  # noqa: E402
from vizconv.server import configure_allocator  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    configure_allocator()
    torch.set_num_threads(1)
    model = resnet18().eval()
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    outputs = capture(model, x)
    overwritten = overwritten_outputs(model)
    cloned = [outputs[name] for name in outputs if name in overwritten]
    mib = sum(t.numel() * t.element_size() for t in cloned) / 2**20
    times = []
    for _ in range(args.repeats + 1):  # the first is a warm-up
        started = time.perf_counter()
        copies = [tensor.clone() for tensor in cloned]  # all kept until the end, as a capture keeps them
        times.append(time.perf_counter() - started)
        del copies
    print(
        f"{len(cloned)} overwritten outputs, {mib:.1f} MiB: cloning them takes {statistics.median(times[1:]) * 1e3:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

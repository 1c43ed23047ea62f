"""The README's screenshots (docs/*.png), each opened through a shareable link.

    streamlit run app.py --server.port 8599 --server.headless true &
    python scripts/docs_screenshots.py [--url http://127.0.0.1:8599] [--only convolution feature_maps pooling learning]

Each screenshot opens its page in headless Chromium (the browser settings of
scripts/loadtest.py), waits until the script run has finished, every picture
is drawn and the layout has stopped moving, and saves the main column from
one text (a heading) to another (the last line of the part shown). Retake
them whenever a page they show changes; retake the Feature maps one whenever
the bundled weights change (the prediction and the held-out accuracy on it
come from them).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

from loadtest import CHROMIUM, CHROMIUM_ARGS  # this folder is on sys.path when the script runs
from playwright.sync_api import Locator, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Shot:
    path: str  # the page and its shared settings
    first: str  # the text at the top of the screenshot
    last: str  # the text at its bottom


SHOTS = {
    # the CS231n demo, stopped at output (1, 1): the animation and the step panel's sum for that cell
    "convolution": Shot(
        "/Convolution_卷积?lang=en&conv_source=sample&conv_sample=cs231n_7x7x3&conv_position=4&conv_step_oc=0",
        "The kernel sliding",
        "at this position: the same number",
    ),
    # the bundled ResNet-20 reading a CIFAR-10 test ship: prediction, layer table, the 16 channels of conv1
    "feature_maps": Shot(
        "/Feature_maps_特征图?lang=en&fm_model=resnet20&fm_source=sample&fm_sample=cifar_ship",
        "What the model sees",
        "channels of 32×32, numbered",
    ),
    # LeNet-5's conv1 + ReLU maps of the 7, max pooled 2×2, the window at output (6, 8) with its winner boxed
    "pooling": Shot(
        "/Pooling_and_activations_池化与激活?lang=en&pool_position=92",
        "The window sliding",
        "gives the same output",
    ),
    # the backward pass of a 3×3 layer on a 5×5 grid with the mean squared error to Sobel: ∂L/∂w stopped at
    # weight (1, 1), the weight's sum of products below it
    "learning": Shot(
        "/Learning_学习?lang=en&learn_loss=mse&learn_target=sobel_x&learn_w_position=4",
        "The loss and its gradient",
        "met these values of input channel",
    ),
    # the bundled ResNet-20 reading the CIFAR-10 cat: Grad-CAM at layer3.2 over the picture and the 8×8 map with
    # its numbers
    "why": Shot(
        "/Why_it_answered_为什么?lang=en&why_lesson=gradcam&why_model=resnet20&why_sample=cifar_cat",
        "Grad-CAM: where the class score rests",
        "Where cat rests",
    ),
    # WaveNet's stack on the More convolutions page: four dilated causal layers (dilations 1, 2, 4, 8), the inputs
    # output 15 depends on, the receptive field doubling 2, 4, 8, 16
    "more_convolutions": Shot(
        "/More_convolutions_更多卷积?lang=en&more_mode=1d&more_layers=4&more_dilated=1&more_stack_length=16"
        "&more_stack_output=15",
        "A stack of dilated causal layers (WaveNet)",
        "causal padding's zeros",
    ),
}


def _visible(page: Page, text: str) -> Locator:
    """The first visible element with ``text`` (a folded expander may hold the same words)."""
    return page.get_by_text(text).filter(visible=True).first


def _settled(page: Page, shot: Shot) -> dict:
    """Wait for the run to end and the layout to stop moving; the bounding box of ``shot.last``."""
    time.sleep(2)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000)
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    last = None
    for _ in range(60):  # pictures, tables and formulas still move the layout for a while after they arrive
        end = _visible(page, shot.last).bounding_box()
        if end is not None and end == last:
            return end
        last = end
        time.sleep(3)
    raise TimeoutError(f"the page never settled: {shot.path}")


def take(page: Page, url: str, shot: Shot, out: Path) -> None:
    page.goto(url + shot.path)
    _visible(page, shot.first).wait_for(timeout=180_000)
    end = _settled(page, shot)
    top = _visible(page, shot.first).bounding_box()
    main_column = page.get_by_test_id("stMainBlockContainer").bounding_box()
    clip = {
        "x": main_column["x"] + 48,
        "y": top["y"] - 12,
        "width": main_column["width"] - 96,
        "height": end["y"] + end["height"] + 24 - top["y"],
    }
    page.screenshot(path=str(out), clip=clip)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8599")
    parser.add_argument("--only", nargs="+", choices=sorted(SHOTS), default=sorted(SHOTS))
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for NAME.png")
    args = parser.parse_args(argv)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 3000})
        for name in args.only:
            out = args.out / f"{name}.png"
            take(page, args.url, SHOTS[name], out)
            print(f"wrote {out}")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

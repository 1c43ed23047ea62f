"""The README's Feature maps screenshot (docs/feature_maps.png): the bundled ResNet-20 reading the CIFAR-10 ship.

    streamlit run app.py --server.port 8599 --server.headless true &
    python scripts/feature_maps_screenshot.py [--url http://127.0.0.1:8599] [--out docs/feature_maps.png]

Opens the page through a shareable link in headless Chromium (the browser
settings of scripts/loadtest.py), waits until every picture is drawn and the
layout has stopped moving, and saves the main column from "What the model
sees" to the caption under the channel grid. Retake it whenever the bundled
weights change: the prediction and the held-out accuracy on it come from them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from loadtest import CHROMIUM, CHROMIUM_ARGS  # this folder is on sys.path when the script runs
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent

PATH = "/Feature_maps_特征图?fm_model=resnet20&fm_source=sample&fm_sample=cifar_ship&lang=en"
FIRST, LAST = "What the model sees", "channels of 32×32, numbered"


def _idle(page: Page) -> None:
    time.sleep(2)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000)
    time.sleep(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8599")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "feature_maps.png")
    args = parser.parse_args(argv)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 3000})
        page.goto(args.url + PATH)
        page.get_by_text(FIRST).first.wait_for(timeout=180_000)
        _idle(page)
        page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        last = None
        for _ in range(60):  # pictures and tables still move the layout for a while after they arrive
            end = page.get_by_text(LAST).first.bounding_box()
            if end == last:
                break
            last = end
            time.sleep(3)
        top = page.get_by_text(FIRST).first.bounding_box()
        main_column = page.get_by_test_id("stMainBlockContainer").bounding_box()
        clip = {
            "x": main_column["x"] + 48,
            "y": top["y"] - 12,
            "width": main_column["width"] - 96,
            "height": end["y"] + end["height"] + 24 - top["y"],
        }
        page.screenshot(path=str(args.out), clip=clip)
        browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

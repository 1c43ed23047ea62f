"""A grey patch the student drags over a picture (the occlusion lesson): a small component (Streamlit's custom
components v2, plain JavaScript inline, nothing fetched) that draws the picture enlarged with the patch on it;
the patch follows the mouse or a finger and, focused, the arrow keys; where it is let go (or each key press)
goes back to the server as its top-left pixel, and the page computes the score with the patch there."""

from __future__ import annotations

import base64
import functools
import io

import numpy as np
import streamlit as st
from PIL import Image

from vizconv.ui.url_state import WidgetMemory

__all__ = ["patch_dragger"]

_CSS = """
.vz-drag { position: relative; display: inline-block; touch-action: none; user-select: none; }
.vz-drag img { display: block; image-rendering: pixelated; max-width: 100%; }
.vz-drag .vz-patch { position: absolute; box-sizing: border-box; background: rgba(128, 128, 128, 0.85);
  border: 2px solid #111; cursor: grab; }
.vz-drag .vz-patch:focus { outline: 3px solid #d33; outline-offset: 1px; }
.vz-drag .vz-patch.dragging { cursor: grabbing; }
"""

_JS = """
// The occlusion lesson's patch: drag it (mouse, finger) or move it with the arrow keys once focused.
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data) return () => {};
  parentElement.replaceChildren();
  const root = document.createElement("div");
  root.className = "vz-drag";
  const img = document.createElement("img");
  img.src = data.image;
  img.alt = data.alt;
  img.width = data.width * data.scale;
  const patch = document.createElement("div");
  patch.className = "vz-patch";
  patch.tabIndex = 0;
  patch.setAttribute("role", "slider");
  patch.setAttribute("aria-label", data.label);
  patch.title = data.help;
  // Styled here as well as by the component's style sheet, which a shadow root may keep out.
  Object.assign(root.style, { position: "relative", display: "inline-block", touchAction: "none", userSelect: "none" });
  Object.assign(img.style, { display: "block", imageRendering: "pixelated", maxWidth: "100%" });
  Object.assign(patch.style, {
    position: "absolute", boxSizing: "border-box", background: "rgba(128, 128, 128, 0.85)",
    border: "2px solid #111", cursor: "grab",
  });
  root.append(img, patch);
  parentElement.append(root);
  const maxTop = data.height - data.size, maxLeft = data.width - data.size;
  let top = data.top, left = data.left;
  const px = () => img.getBoundingClientRect().width / data.width;  // screen pixels per picture pixel
  const draw = () => {
    const s = px() || data.scale;
    patch.style.top = `${top * s}px`;
    patch.style.left = `${left * s}px`;
    patch.style.width = patch.style.height = `${data.size * s}px`;
    patch.setAttribute("aria-valuetext", `${top}, ${left}`);
  };
  const clamp = (v, hi) => Math.max(0, Math.min(hi, Math.round(v)));
  const send = () => setStateValue("box", { top, left });
  let start = null;
  const down = (e) => {
    start = { x: e.clientX, y: e.clientY, top, left };
    patch.setPointerCapture(e.pointerId);
    patch.classList.add("dragging");
    patch.style.cursor = "grabbing";
    e.preventDefault();
  };
  const move = (e) => {
    if (!start) return;
    const s = px();
    top = clamp(start.top + (e.clientY - start.y) / s, maxTop);
    left = clamp(start.left + (e.clientX - start.x) / s, maxLeft);
    draw();
  };
  const up = () => {
    if (!start) return;
    const moved = top !== start.top || left !== start.left;
    start = null;
    patch.classList.remove("dragging");
    patch.style.cursor = "grab";
    if (moved) send();
  };
  const key = (e) => {
    const steps = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
    if (!steps) return;
    e.preventDefault();
    e.stopPropagation();  // the page's own ← → shortcuts stay out of it
    top = clamp(top + steps[0], maxTop);
    left = clamp(left + steps[1], maxLeft);
    draw();
    send();
  };
  patch.addEventListener("pointerdown", down);
  patch.addEventListener("pointermove", move);
  patch.addEventListener("pointerup", up);
  patch.addEventListener("pointercancel", up);
  patch.addEventListener("keydown", key);
  patch.addEventListener("focus", () => { patch.style.outline = "3px solid #d33"; });
  patch.addEventListener("blur", () => { patch.style.outline = ""; });
  const resized = new ResizeObserver(draw);
  resized.observe(img);
  img.addEventListener("load", draw);
  draw();
  return () => resized.disconnect();
}
"""


@functools.cache
def _component():
    return st.components.v2.component("vizconv.patch_dragger", css=_CSS, js=_JS)


def _moved(memory: WidgetMemory, key: str, top: str, left: str) -> None:
    """The browser let the patch go: its top-left pixel (a hostile client's too, kept to whole numbers ≥ 0; the
    page keeps them inside the picture) into settings ``top`` and ``left``."""
    state = st.session_state.get(key)
    box = state.get("box") if hasattr(state, "get") else None
    if not isinstance(box, dict):
        return
    values = [box.get("top"), box.get("left")]
    if all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < 4096 for v in values):
        memory.set(**{top: int(values[0]), left: int(values[1])})


def patch_dragger(
    memory: WidgetMemory, key: str, picture: np.ndarray, size: int, top: str, left: str, label: str, help_text: str
) -> None:
    """Draw ``picture`` (H, W, 3) uint8 enlarged with a ``size``-pixel patch at settings ``top`` and ``left``
    (picture pixels), which the student drags; where it lands sets them."""
    height, width = picture.shape[:2]
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    data = {
        "image": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"),
        "alt": label,
        "width": width,
        "height": height,
        "scale": max(1, 256 // max(height, width)),
        "size": size,
        "top": int(memory.get(top)),
        "left": int(memory.get(left)),
        "label": label,
        "help": help_text,
    }
    _component()(key=key, data=data, on_box_change=functools.partial(_moved, memory, key, top, left))

"""The "Why it answered" page, lesson 3: occlusion sensitivity (Zeiler & Fergus). A grey patch slides over the
picture; the class score's drop at each place is a map. The student drags the patch over the picture (or clicks a
cell of the map, or types its corner): the score with and without it."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.explain.occlusion import occluded_score, occlusion_map
from vizconv.ui.sections.explained import Explained
from vizconv.views import explain as view

t = ui.t


MEMO_KEY = "why_occlusion_memo"  # this session's last occlusion map, and what it was computed for


def _occlusion(seen: Explained, patch: int, stride: int):
    """The occlusion map of the page's picture and class: computed once per model, picture, class, patch and stride
    in this session (dragging the hand-placed patch reruns the page, and must not slide the patch again everywhere).
    The model is named with its weights: random ones, or another ONNX file, give other maps."""
    model = (seen.name, seen.weights, seen.info.card.get("sha256"))
    key = (model, seen.prediction.x.numpy().tobytes(), seen.class_index, patch, stride)
    memo = st.session_state.get(MEMO_KEY)
    if memo is None or memo[0] != key:
        with st.spinner(t("why.computing")):
            memo = (key, occlusion_map(seen.model, seen.prediction.x, seen.class_index, patch, stride))
        st.session_state[MEMO_KEY] = memo
    return memo[1]


def show(seen: Explained) -> None:
    memory = seen.memory
    height, width = seen.seen.shape[:2]
    side = min(height, width)
    with st.sidebar:
        st.header(t("why.occlusion.settings"))
        memory.set(patch=min(memory.get("patch"), side), stride=min(memory.get("stride"), side))
        patch = st.slider(t("why.patch"), 1, side, **memory.seed("patch"), help=t("why.patch_help"))
        stride = st.slider(t("why.stride"), 1, side, **memory.seed("stride"), help=t("why.stride_help"))
    if view.occlusion_positions((height, width), patch, stride) > view.MAX_OCCLUSION_POSITIONS:
        least = view.smallest_stride((height, width), patch)
        st.info(t("why.occlusion.too_many", most=view.MAX_OCCLUSION_POSITIONS, stride=least), icon="📐")
        return
    try:
        occluded = _occlusion(seen, patch, stride)
    except MessageError as exc:
        ui.show_error(exc)
        return
    rows, cols = occluded.drop.shape
    st.subheader(t("why.occlusion.title", cls=seen.class_name))
    # The patch placed by hand: its top-left pixel (py, px), inside the picture.
    memory.set(py=min(memory.get("py"), height - patch), px=min(memory.get("px"), width - patch))
    map_col, patch_col = st.columns(2)
    with map_col:
        figure = view.occlusion_figure(occluded, t("why.occlusion.figure", rows=rows, cols=cols))
        key = "why_occlusion_map"
        ui.plotly_figure(figure, key=key, on_select=ui.cell_picker(memory, key, "py", "px", step=stride))
        png = view.overlay_png(seen.seen, occluded.pixel_map().clamp(min=0), memory.get("opacity") / 100)
        st.image(png, caption=t("why.occlusion.overlay"))
    with patch_col:
        label, help_text = t("why.drag"), t("why.drag_help")
        ui.patch_dragger(memory, "why_patch_drag", seen.seen, patch, "py", "px", label, help_text)
        row_col, col_col = st.columns(2)
        top = row_col.number_input(t("why.top_px"), 0, height - patch, **memory.seed("py"))
        left = col_col.number_input(t("why.left_px"), 0, width - patch, **memory.seed("px"))
        one = occluded_score(seen.model, seen.prediction.x, seen.class_index, (int(top), int(left), patch, patch))
        ui.metric_row(
            [
                (t("why.score_without"), f"{one.base_score:.3f}"),
                (t("why.score_with"), f"{one.score:.3f}", t("why.score_help")),
                (t("why.probability_with"), f"{one.probability:.1%}"),
            ],
            per_row=3,
        )
    st.caption(t("why.occlusion.caption", top=int(top), left=int(left), patch=patch, drop=f"{one.drop:.3f}"))

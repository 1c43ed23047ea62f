"""More convolutions: along one axis (sequences, causal padding, WaveNet), along three (a short video, a volume), and
a standard layer beside its depthwise-separable pair (MobileNet). The 2-D case is the Convolution page."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.i18n import teaching
from vizconv.ui.sections import more_1d, more_3d, more_separable
from vizconv.views import more_conv as view
from vizconv.viz.animator import SPEEDS

t = ui.t
state = st.session_state
CONV_PAGE = "pages/1_Convolution_卷积.py"

ui.page_setup("more.title", "🧊")
# What a link carries (?more_mode=3d&more_v_kernel_d=2 ...): each setting with the values a URL may give it, and the
# step panels' outputs (state keys the page clamps to the output).
SHARED = {
    "mode": ui.OneOf(view.MODES),
    "source": ui.OneOf(view.SEQUENCE_SOURCES),
    "typed": ui.Encoded(view.typed_text, max_chars=view.MAX_TYPED_CHARS),
    "padding_kind": ui.OneOf(view.PADDINGS_1D),
    "preset": ui.OneOf(view.KERNELS_1D),
    "dilated": ui.Flag(),
    "volume": ui.OneOf(view.VOLUMES),
    "v_preset": ui.OneOf(view.KERNELS_3D),
    "speed": ui.OneOf(SPEEDS),
    **{name: ui.Whole(*bounds) for name, bounds in view.LIMITS.items()},
    "position": ui.Whole(0, 9_999),
    "step_oc": ui.Whole(0, 99),
    "v_position": ui.Whole(0, 9_999),
    "v_oc": ui.Whole(0, 99),
}
memory = ui.WidgetMemory("more", view.DEFAULTS, shared=SHARED)
teaching.show_notes("more", ui.lang(), st)

linked = memory.from_url()  # a link opened: its settings (a hand-written link may name only a few)
if linked:
    memory.restore(**linked)

# The mode switch; the widget's value is the memory's (a link or the last choice), so it survives the language switch.
state["more_mode"] = memory.get("mode") if memory.get("mode") in view.MODES else view.MODES[0]
# catalogue: more.mode.1d, more.mode.2d, more.mode.3d, more.mode.separable
mode = st.segmented_control(
    t("more.mode"), view.MODES, format_func=ui.labels("more.mode."), required=True, key="more_mode"
)
SECTIONS = {"1d": more_1d, "3d": more_3d, "separable": more_separable}
section = SECTIONS.get(mode)
if section is not None:
    with st.sidebar:
        section.controls(memory)

values = memory.sync()
show_link = ui.share_box(memory.publish(view.unused_settings(values)))

if section is None:  # 2-D: the Convolution page is the 2-D case, with everything this page shows for 1-D and 3-D
    st.info(t("more.two_d"), icon="🔲")
    st.page_link(CONV_PAGE, label=t("more.two_d_link"), icon="🔲", query_params={"lang": ui.lang()})
else:
    section.show(memory, values)
show_link(memory.publish(view.unused_settings(memory.sync())))  # the positions, clamped to this output

"""The "More convolutions" page's depthwise-separable mode: one input through a standard k × k layer and through
depthwise k × k + pointwise 1 × 1 (MobileNet), the same output shape, parameters and multiply-adds counted both ways
with the ratio 1/C_out + 1/k² in the student's numbers, and each layer animated and stepped as on the Convolution
page."""

from __future__ import annotations

from functools import partial

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.views import more_conv as view
from vizconv.viz.animator import conv_animator_data

t = ui.t
LIMITS = view.LIMITS


def controls(memory: ui.WidgetMemory) -> None:
    """The sidebar: the input's size, the channels, the kernel and stride."""
    st.header(t("more.input"))
    st.slider(t("more.in_channels"), *LIMITS["s_in_channels"], **memory.seed("s_in_channels"))
    st.slider(t("more.side"), *LIMITS["s_side"], **memory.seed("s_side"))
    st.number_input(t("more.seed"), *LIMITS["s_seed"], **memory.seed("s_seed"))
    st.header(t("more.layer"))
    st.slider(t("more.out_channels"), *LIMITS["s_out_channels"], **memory.seed("s_out_channels"))
    left, right = st.columns(2)
    left.number_input(t("more.kernel"), *LIMITS["s_kernel"], help=t("more.s_kernel_help"), **memory.seed("s_kernel"))
    right.number_input(t("more.stride"), *LIMITS["s_stride"], **memory.seed("s_stride"))


def show(memory: ui.WidgetMemory, values: dict) -> None:
    """The main column: shapes, counts and the ratio, the three-way check, then each layer animated."""
    try:
        pair = view.run_separable(values)
    except MessageError as exc:
        ui.show_error(exc)
        return
    k, c = pair.counts.kernel_size, pair.counts
    shape = view.shape_text
    ui.metric_row(
        [
            (t("more.input_shape"), shape(pair.standard.input)),
            (t("more.standard_out"), shape(pair.standard.output)),
            (t("more.depthwise_out"), shape(pair.depthwise.output)),
            (t("more.separable_out"), shape(pair.pointwise.output)),
        ]
    )
    if view.shapes_agree(pair):
        st.success(t("more.same_shape", shape=shape(pair.pointwise.output)), icon="✅")
    st.subheader(t("more.counts"))
    header = [t("more.count_what"), t("more.standard", k=k), t("more.depthwise", k=k), t("more.pointwise")]
    header.append(t("more.separable_total"))
    rows = [
        [t(f"more.count.{what}"), *(f"{n:,}" for n in numbers)]  # catalogue: more.count.params, more.count.mult_adds
        for what, *numbers in view.counts_rows(pair)
    ]
    st.markdown(view.markdown_table(header, rows))
    st.markdown(
        t("more.count_formulas", c_in=c.in_channels, c_out=c.out_channels, k=k, positions=c.out_size[0] * c.out_size[1])
    )
    for line in view.ratio_latex(pair):
        st.latex(line)
    st.markdown(t("more.ratio_meaning", c_out=c.out_channels, k2=k * k, percent=f"{100 * float(c.mult_add_ratio):.1f}"))
    if view.separable_checks(pair):
        st.success(t("more.counts_agree"), icon="✅")
    else:  # the formulas, torch's modules and the traces disagree: a bug, said plainly
        st.error(t("more.counts_disagree"), icon="❌")
    for name, trace in (("std", pair.standard), ("dw", pair.depthwise), ("pw", pair.pointwise)):
        _animated(memory, name, trace, k)


def _animated(memory: ui.WidgetMemory, name: str, trace, k: int) -> None:
    """One layer: its heading and what it does, and the live animator (which writes out each step's dot product)."""
    # catalogue: more.anim.std, more.anim.dw, more.anim.pw; more.anim.std_help, more.anim.dw_help, more.anim.pw_help
    st.subheader(t(f"more.anim.{name}", k=k))
    st.caption(t(f"more.anim.{name}_help", c_in=trace.in_channels, c_out=trace.out_channels, k=k))
    width = trace.out_size[1]
    prefix = f"more_{name}"
    steps = ui.stepper(
        f"{prefix}_position", f"{prefix}_oc", f"{prefix}_animation", trace.positions, trace.out_channels, width
    )
    steps.live(partial(conv_animator_data, trace), memory)  # its own dot product under the maps, as it steps

"""The "More convolutions" page's 3-D mode: a short video or a small volume as depth slices side by side, the window
outlined on every slice it spans, the chosen output's step summing over depth too, and the formula per axis."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.views import more_conv as view
from vizconv.views.convolution import opening_position

t = ui.t
LIMITS = view.LIMITS


def _per_axis(memory: ui.WidgetMemory, label: str, name: str) -> None:
    """Three number inputs side by side: the setting for depth, height and width."""
    for column, axis in zip(st.columns(3), view.AXES_3D, strict=True):
        # catalogue: more.axis.d, more.axis.h, more.axis.w
        column.number_input(
            f"{label} ({t('more.axis.' + axis)})", *LIMITS[f"v_{name}_{axis}"], **memory.seed(f"v_{name}_{axis}")
        )


def controls(memory: ui.WidgetMemory) -> None:
    """The sidebar: the volume, then the layer (each setting per axis)."""
    st.header(t("more.input"))
    # catalogue: more.volume.digit, more.volume.ball, more.volume.random
    volume = ui.choice(memory, "volume", t("more.volume"), view.VOLUMES, "more.volume.", radio=False)
    if volume == "digit":
        st.slider(t("more.digit"), *LIMITS["digit"], **memory.seed("digit"))
    if volume != "ball":
        st.slider(t("more.frames"), *LIMITS["frames"], help=t("more.frames_help"), **memory.seed("frames"))
    st.slider(t("more.side"), *LIMITS["side"], help=t("more.side_help"), **memory.seed("side"))
    if volume == "random":
        st.slider(t("more.in_channels"), *LIMITS["v_channels"], **memory.seed("v_channels"))
    st.header(t("more.layer"))
    st.slider(t("more.out_channels"), *LIMITS["v_out_channels"], **memory.seed("v_out_channels"))
    for name in ("kernel", "stride", "padding", "dilation"):
        _per_axis(memory, t(f"more.{name}"), name)  # catalogue: more.kernel, more.stride, more.padding, more.dilation
    # catalogue: more.preset.motion, more.preset.smooth, more.preset.random
    preset = ui.choice(memory, "v_preset", t("more.preset"), view.KERNELS_3D, "more.preset.", radio=False)
    if preset == "random" or volume == "random":
        st.number_input(t("more.seed"), *LIMITS["v_seed"], **memory.seed("v_seed"))


def show(memory: ui.WidgetMemory, values: dict) -> None:
    """The main column: the step controls, the input's slices with the window, the step written out, the output's
    slices with the chosen value, then the formula per axis."""
    try:
        trace = view.run_3d(values, view.build_volume(values))
    except MessageError as exc:
        ui.show_error(exc)
        return
    d_out, h_out, w_out = trace.out_size
    if "more_v_position" not in st.session_state:  # open where the kernel answers most (motion: the digit's edge)
        st.session_state.more_v_position = opening_position(trace.output)
    steps = ui.stepper("more_v_position", "more_v_oc", "more_v_figure", trace.positions, trace.out_channels, w_out)
    panel = steps.panel(t("more.step"), "more_v_step_panel", t("more.step_kernel"), t("more.position_help_3d"))
    d, y, x = trace.position(steps.position)
    step = trace.step(steps.channel, d, y, x)
    front = trace.pads[0]
    names = [str(z) for z in range(trace.padded.shape[1])]
    titles = [
        t("more.slice_title", z=z, frame=z - front) if 0 <= z - front < trace.in_size[0] else t("more.slice_pad", z=z)
        for z in range(trace.padded.shape[1])
    ]
    slices = [int(z) for z in step.slices]
    span = {"first": slices[0], "last": slices[-1], "rows": f"{int(step.rows[0])}–{int(step.rows[-1])}"}
    with panel:
        st.markdown(
            t("more.step_where_3d", oc=step.oc, d=d, y=y, x=x, cols=f"{int(step.cols[0])}–{int(step.cols[-1])}", **span)
        )
        for channel in step.input_channels:
            st.markdown(f"**{t('more.padded_input', c=channel)}**")
            figure = view.slices_figure(
                trace.padded[channel], titles, view.window_boxes(step), t("more.slice_hover"), tuple(slices)
            )
            ui.plotly_figure(figure, key=f"more_v_input_{channel}")
        with st.container(border=True):
            for line in view.step3d_latex(step, names):
                st.latex(line)
            st.caption(t("more.step_check", value=f"{float(trace.output[step.oc, d, y, x]):.6g}"))
        st.markdown(f"**{t('more.output_slices', oc=step.oc)}**")
        out_titles = [t("more.out_slice", d=k) for k in range(d_out)]
        box = [view.SliceBox(d, ((y, x),))]
        figure = view.slices_figure(trace.output[step.oc], out_titles, box, t("more.slice_hover"), (d,))
        ui.plotly_figure(figure, key="more_v_output")
    ui.formula_box(t("more.formula_3d"), view.formulas_3d(trace), t("more.formula_3d_note"))
    st.caption(
        t(
            "more.volume_shapes",
            input=view.shape_text(trace.input),
            output=view.shape_text(trace.output),
            params=trace.param_count,
        )
    )

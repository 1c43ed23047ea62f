"""Transposed convolution page, view 1: every input value scatters value × kernel onto the output (the live
animator and one step explained), and one output value gathered back from the products that land on it."""

from __future__ import annotations

from functools import partial

import streamlit as st
import torch

from vizconv import ui
from vizconv.i18n.strings import Count, Term, text_n
from vizconv.ops.transposed import ConvTransposeTrace
from vizconv.views.transposed import empty_line_reason, gather_latex, scatter_latex
from vizconv.viz.animator import scatter_animator_data
from vizconv.viz.steps import format_number, window_span
from vizconv.viz.torch_code import agrees

t = ui.t
state = st.session_state


def show(memory: ui.WidgetMemory, trace: ConvTransposeTrace, torch_output: torch.Tensor) -> None:
    """The scatter animator with its step panel, then the gathered output value (``torch_output``: what
    nn.ConvTranspose2d gives, to check it)."""
    in_channels, _, width = trace.input.shape
    steps = ui.stepper("tconv_position", "tconv_step_ic", "tconv_scatter", trace.positions, in_channels, width)
    st.subheader(t("tconv.scatter"))
    steps.live(partial(scatter_animator_data, trace), memory)  # its speed menu sets memory's speed when paused
    padding, output_padding = trace.padding[0], trace.output_padding[0]
    help_text = [
        t(
            "tconv.scatter_help",
            frames=Count("count.input_positions", trace.positions),
            mark=Term("anim.mark_short.cross"),
        )
    ]
    help_text += [t("tconv.scatter_padding", padding=padding)] if padding else []
    help_text += [t("tconv.scatter_output_padding", output_padding=output_padding)] if output_padding else []
    st.caption(" ".join(help_text))

    panel = steps.panel(t("tconv.scatter_step"), "tconv_step_panel", t("tconv.step_input"))
    iy, ix = trace.position(steps.position)
    scatter = trace.scatter(steps.channel, iy, ix)
    with panel.container(border=True):
        st.markdown(
            t(
                "tconv.scatter_where",
                ic=scatter.ic,
                iy=iy,
                ix=ix,
                value=format_number(scatter.value),
                **window_span(scatter.rows, scatter.cols),
            )
        )
        for j, oc in enumerate(scatter.output_channels):
            st.markdown(t("tconv.scatter_channel", oc=oc))
            st.latex(scatter_latex(scatter.value, scatter.kernels[j], scatter.contribution[j]))
        kept, taps = int(scatter.inside.sum()), scatter.inside.numel()
        if kept == taps:
            st.caption(t("tconv.scatter_all_inside", **window_span(scatter.out_rows, scatter.out_cols)))
        else:
            st.caption(text_n("tconv.scatter_cropped", kept, ui.lang(), kept=kept, taps=taps, padding=padding))
    gather(trace, torch_output)


def gather(trace: ConvTransposeTrace, torch_output: torch.Tensor) -> None:
    """One output value, picked by three number inputs, as the sum of every input value × weight landing on it;
    for an empty cell, why no input writes it."""
    st.subheader(t("tconv.gather"))
    c_out, h_out, w_out = trace.output.shape
    picked = []
    for column, (name, high) in zip(
        st.columns(3), (("out_oc", c_out - 1), ("out_y", h_out - 1), ("out_x", w_out - 1)), strict=True
    ):
        key = "tconv_" + name
        state[key] = min(int(state.get(key, 0)), high)
        picked.append(
            int(column.number_input(t("tconv." + name), 0, high, key=key))
        )  # catalogue: tconv.out_oc, tconv.out_y, tconv.out_x
    oc, oy, ox = picked
    terms = trace.contributions(oc, oy, ox)
    with st.container(border=True, key="tconv_gather_panel"):
        if terms:
            st.markdown(t("tconv.gather_where_one") if len(terms) == 1 else t("tconv.gather_where", n=len(terms)))
        else:
            st.markdown(t("tconv.gather_none") if trace.bias is not None else t("tconv.gather_none_no_bias"))
            coverage = trace.coverage(oy, ox)  # (row, column): a cell is empty when either is never written
            reasons = [
                empty_line_reason(trace, axis, line) for axis, line in enumerate(coverage) if line.kind != "written"
            ]
            # catalogue: tconv.empty.rows.<kind>, tconv.empty.cols.<kind> (vizconv.ops.transposed.COVERAGE)
            st.markdown("\n".join(f"- {t(key, **values)}" for key, values in reasons))
        latex, total = gather_latex(trace, oc, oy, ox)
        st.latex(latex)
        if terms:
            per_group = trace.weight.shape[1]
            st.caption(t("tconv.gather_indices", oc=oc, per_group=per_group, j=oc % per_group))
        check(total, float(torch_output[oc, oy, ox]))


def check(total: float, expected: float) -> None:
    """✅ when the step's sum equals nn.ConvTranspose2d's output at the cell (up to float32 rounding), else ❌."""
    diff = abs(total - expected)
    numbers = {"value": format_number(expected, 4), "total": format_number(total, 4), "diff": f"{diff:.2g}"}
    if agrees(diff, expected):
        st.success(t("tconv.gather_match", **numbers), icon="✅")
    else:
        st.error(t("tconv.gather_mismatch", **numbers), icon="❌")

"""Transposed convolution: each input value scatters value × kernel, or, the same, a convolution of a zero-inserted input."""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st
import torch

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.i18n.strings import Count, Term, text_n
from vizconv.inputs.samples import random_grid
from vizconv.ops.transposed import (
    EXAMPLES,
    PRESETS,
    LineCoverage,
    layer_weight,
    trace_conv_transpose2d,
)
from vizconv.viz.animator import SPEEDS, equivalent_animator_data, scatter_animator_data
from vizconv.viz.export import file_name
from vizconv.viz.formulas import transposed_output_size_latex
from vizconv.viz.steps import format_number, matrix_latex, step_latex
from vizconv.viz.torch_code import agrees, conv_transpose2d_script, run_transpose_code

t = ui.t
state = st.session_state

ui.page_setup("tconv.title", "🔳")

DEFAULTS = {
    "source": "example",  # "example" or "random"
    "example": "dumoulin_stride2",
    "channels": 1,  # random input: channels, height, width, seed
    "height": 3,
    "width": 3,
    "seed": 0,
    "out_channels": 1,
    "kernel": 3,  # the default example's layer: 2x2 input, 3x3 kernel, stride 2 -> 5x5
    "stride": 2,
    "padding": 0,
    "output_padding": 0,
    "dilation": 1,
    "groups": 1,
    "bias": False,
    "preset": "example",
    "kernel_seed": 0,
    "view": "scatter",
    "speed": 2,
    "edit_ic": 0,
    "edit_oc": 0,
}
VIEWS = ("scatter", "equivalent")
MAX_CELLS = 99  # bound on an output row or column read from a link (the page clamps it to the output)
# What a link carries (?tconv_stride=2 ...): each setting with the values a URL may give it. The stepped positions
# and channels are state keys (tconv_position, tconv_eq_position, ...) that the page clamps to the output.
SHARED = {
    "source": ui.OneOf(("example", "random")),
    "example": ui.OneOf(tuple(EXAMPLES)),
    "channels": ui.Whole(1, 3),
    "height": ui.Whole(2, 6),
    "width": ui.Whole(2, 6),
    "seed": ui.Whole(0, 9999),
    "out_channels": ui.Whole(1, 4),
    "kernel": ui.Whole(1, 5),
    "stride": ui.Whole(1, 4),
    "padding": ui.Whole(0, 4),
    "output_padding": ui.Whole(0, 3),
    "dilation": ui.Whole(1, 3),
    "groups": ui.Whole(1, 4),
    "bias": ui.Flag(),
    "preset": ui.OneOf(PRESETS),
    "kernel_seed": ui.Whole(0, 9999),
    "view": ui.OneOf(VIEWS),
    "speed": ui.OneOf(SPEEDS),
    "position": ui.Whole(0, MAX_CELLS**2),  # the scatter view: the input cell and channel
    "step_ic": ui.Whole(0, 2),
    "out_oc": ui.Whole(0, 3),  # the scatter view: the gathered output value
    "out_y": ui.Whole(0, MAX_CELLS),
    "out_x": ui.Whole(0, MAX_CELLS),
    "eq_position": ui.Whole(0, MAX_CELLS**2),  # the equivalent convolution: the output cell and channel
    "eq_oc": ui.Whole(0, 3),
}
memory = ui.WidgetMemory("tconv", DEFAULTS, shared=SHARED)
teaching.show_notes("tconv", ui.lang(), st)


def _example_settings(key: str) -> dict:
    """An example brings its own kernel, stride and padding."""
    example = EXAMPLES[key]
    return {
        "out_channels": 1,
        "kernel": len(example.weight[0][0]),
        "stride": example.stride,
        "padding": example.padding,
        "output_padding": 0,
        "dilation": 1,
        "groups": 1,
        "preset": "example",
    }


def _apply_example() -> None:
    memory.set(**_example_settings(state.tconv_example))


# A link opened: its settings, over the ones its example brings (a hand-written link may name only a few).
linked = memory.from_url()
if linked:
    if linked.get("source", memory.get("source")) == "example":
        linked = _example_settings(linked.get("example", memory.get("example"))) | linked
    memory.restore(**linked)


# ---------------------------------------------------------------- controls (sidebar)
with st.sidebar:
    st.header(t("tconv.input"))
    sources = ("example", "random")
    source = st.radio(
        t("tconv.source"),
        sources,
        horizontal=True,
        # catalogue: tconv.source.example, tconv.source.random
        **memory.seed("source", sources, ui.labels("tconv.source.")),
    )
    if source == "example":
        examples = list(EXAMPLES)
        st.selectbox(
            t("tconv.example"),
            examples,
            on_change=_apply_example,
            # catalogue: tconv.example.d2l_2x2, tconv.example.dumoulin_stride2
            **memory.seed("example", examples, ui.labels("tconv.example.")),
        )
        # catalogue: tconv.example.about.d2l_2x2, tconv.example.about.dumoulin_stride2
        st.caption(t("tconv.example.about." + memory.get("example")))
    else:
        st.slider(t("tconv.channels"), 1, 3, **memory.seed("channels"))
        left, right = st.columns(2)
        left.number_input(t("tconv.height"), 2, 6, **memory.seed("height"))
        right.number_input(t("tconv.width"), 2, 6, **memory.seed("width"))
        st.number_input(t("tconv.seed"), 0, 9999, **memory.seed("seed"))

    st.header(t("tconv.layer"))
    st.slider(t("tconv.out_channels"), 1, 4, **memory.seed("out_channels"))
    left, right = st.columns(2)
    left.number_input(t("tconv.kernel"), 1, 5, **memory.seed("kernel"))
    right.number_input(t("tconv.stride"), 1, 4, **memory.seed("stride"))
    left, right = st.columns(2)
    left.number_input(t("tconv.padding"), 0, 4, help=t("tconv.padding_help"), **memory.seed("padding"))
    right.number_input(
        t("tconv.output_padding"), 0, 3, help=t("tconv.output_padding_help"), **memory.seed("output_padding")
    )
    left, right = st.columns(2)
    left.number_input(t("tconv.dilation"), 1, 3, **memory.seed("dilation"))
    right.number_input(t("tconv.groups"), 1, 4, help=t("tconv.groups_help"), **memory.seed("groups"))
    st.toggle(t("tconv.bias"), **memory.seed("bias"))

    st.header(t("tconv.kernels"))
    presets = [p for p in PRESETS if p != "example" or source == "example"]
    # catalogue: tconv.preset.<…> (5 keys: tconv.preset.example … tconv.preset.random_int)
    preset = st.selectbox(t("tconv.preset"), presets, **memory.seed("preset", presets, ui.labels("tconv.preset.")))
    if preset == "random_int":
        st.number_input(t("tconv.seed"), 0, 9999, **memory.seed("kernel_seed"))

values = memory.sync()
# Settings this view does not use stay out of the link (it is shorter, and reads as the view).
unused = set()
if source != "random":
    unused |= {"channels", "height", "width", "seed"}
if source != "example":
    unused.add("example")
if preset != "random_int":
    unused.add("kernel_seed")
if memory.get("view") == "scatter":  # the view's radio is drawn below: this is its current value
    unused |= {"eq_position", "eq_oc"}
else:
    unused |= {"position", "step_ic", "out_oc", "out_y", "out_x"}
# The link (the positions are clamped below, and the link shown again then).
show_link = ui.share_box(memory.publish(unused), (t("share.kernel_note"),))

# ---------------------------------------------------------------- input and weights
if source == "example":
    x = torch.tensor(EXAMPLES[values["example"]].grid, dtype=torch.float32)  # (C_in, H, W)
else:
    x = random_grid(values["channels"], values["height"], values["width"], values["seed"], high=4)  # (C_in, H, W)
in_channels, kernel = x.shape[0], int(values["kernel"])
signature = (
    preset,
    values["kernel_seed"],
    in_channels,
    values["out_channels"],
    values["groups"],
    kernel,
    values["example"] if source == "example" else "",
)
try:
    if state.get("tconv_weight_signature") != signature:
        weight = layer_weight(
            preset,
            in_channels,
            values["out_channels"],
            values["groups"],
            kernel,
            seed=values["kernel_seed"],
            example=values["example"] if source == "example" else "",
        )
        state.tconv_weight = weight.numpy().copy()  # (C_in, C_out/groups, k, k)
        state.tconv_bias_values = np.ones(values["out_channels"], dtype=np.float32)
        state.tconv_weight_signature = signature
except MessageError as exc:
    ui.show_error(exc)
    st.stop()

if preset == "example" and source == "example":  # the example's kernel only fits the example's own layer
    own = tuple(np.shape(EXAMPLES[values["example"]].weight))
    needed = (in_channels, values["out_channels"] // max(values["groups"], 1), kernel, kernel)
    if own != needed:
        st.info(t("tconv.example_mismatch", own="×".join(map(str, own)), needed="×".join(map(str, needed))), icon="ℹ️")

# ---------------------------------------------------------------- kernel editor
with st.expander(t("tconv.edit"), expanded=False):
    st.caption(t("tconv.edit_help"))
    state.tconv_bias_values = ui.kernel_editor(
        memory,
        "tconv",
        state.tconv_weight,  # (C_in, C_out/groups, k, k), edited in place
        state.tconv_bias_values,
        signature,
        ((t("tconv.edit_input"), "edit_ic"), (t("tconv.edit_output"), "edit_oc")),
        t("tconv.bias_column"),
        values["bias"],
    )

# ---------------------------------------------------------------- the transposed convolution
stride, padding, output_padding, dilation = (
    int(values[name]) for name in ("stride", "padding", "output_padding", "dilation")
)
try:
    trace = trace_conv_transpose2d(
        x,
        torch.from_numpy(state.tconv_weight),
        torch.from_numpy(state.tconv_bias_values) if values["bias"] else None,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        groups=int(values["groups"]),
        dilation=dilation,
    )
except MessageError as exc:
    ui.show_error(exc)
    st.stop()

h_out, w_out = trace.out_size
torch_output = run_transpose_code(trace)  # (C_out, H_out, W_out): what nn.ConvTranspose2d gives, for every check
with st.container(border=True):
    st.markdown(f"**{t('tconv.formula')}**")
    for symbol, size in (("H", x.shape[1]), ("W", x.shape[2])):
        st.latex(transposed_output_size_latex(symbol, size, kernel, stride, padding, output_padding, dilation))
    st.caption(t("tconv.symbols"))
    st.info(t("tconv.not_inverse"), icon="↩️")
    low = (x.shape[1] - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1  # H_out with output_padding 0
    if stride > 1 and low >= 1:  # conv maps sizes low .. low + stride - 1 all to H: output_padding picks one
        st.caption(
            t(
                "tconv.output_padding_why",
                rows=Count("count.rows", x.shape[1]),
                low=low,
                high=low + stride - 1,
                stride=stride,
            )
        )

# ---------------------------------------------------------------- shapes
c_out = trace.out_channels
cols = st.columns(4)
cols[0].metric(t("tconv.shape_input"), f"[{in_channels}, {x.shape[1]}, {x.shape[2]}]")
cols[1].metric(t("tconv.shape_weight"), "[{}, {}, {}, {}]".format(*trace.weight.shape))
cols[2].metric(t("tconv.shape_output"), f"[{c_out}, {h_out}, {w_out}]")
cols[3].metric(t("tconv.params"), f"{trace.param_count:,}")

# ---------------------------------------------------------------- the two views
# catalogue: tconv.view.scatter, tconv.view.equivalent
view = st.radio(t("tconv.view"), VIEWS, horizontal=True, **memory.seed("view", VIEWS, ui.labels("tconv.view.")))


def _latex_product(value: float, kernel_values: torch.Tensor, result: torch.Tensor) -> str:
    return rf"{format_number(value)} \times {matrix_latex(kernel_values)} = {matrix_latex(result)}"


def _term(value: float) -> str:
    """A factor in a written-out sum: negative numbers in parentheses."""
    return format_number(value) if value >= 0 else f"({format_number(value)})"


def _span(values: torch.Tensor) -> str:
    return f"{int(values[0])}–{int(values[-1])}"


def _empty_reason(axis: int, line: LineCoverage) -> str:
    """Why no input value writes to this output row (axis 0) or column (axis 1)."""
    dilation = trace.dilation[axis]
    return t(
        f"tconv.empty.{('rows', 'cols')[axis]}.{line.kind}",
        index=line.index,
        source=line.source,
        next=None if line.source is None else line.source + 1,
        stride=trace.stride[axis],
        span=dilation * (trace.kernel_size[axis] - 1) + 1,
        dilation=dilation,
        output_padding=trace.output_padding[axis],
    )


def _check(total: float, expected: float) -> None:
    """✅ when the step's sum equals nn.ConvTranspose2d's output at the cell (up to float32 rounding), else ❌."""
    diff = abs(total - expected)
    numbers = {"value": format_number(expected, 4), "total": format_number(total, 4), "diff": f"{diff:.2g}"}
    if agrees(diff, expected):
        st.success(t("tconv.gather_match", **numbers), icon="✅")
    else:
        st.error(t("tconv.gather_mismatch", **numbers), icon="❌")


if view == "scatter":
    positions = trace.positions
    steps = ui.stepper("tconv_position", "tconv_step_ic", "tconv_scatter", positions, in_channels, x.shape[2])

    st.subheader(t("tconv.scatter"))
    steps.live(partial(scatter_animator_data, trace), memory)  # its speed menu sets memory's speed when paused
    st.caption(
        " ".join(
            [
                t(
                    "tconv.scatter_help",
                    frames=Count("count.input_positions", positions),
                    mark=Term("anim.mark_short.cross"),
                )
            ]
            + ([t("tconv.scatter_padding", padding=padding)] if padding else [])
            + ([t("tconv.scatter_output_padding", output_padding=output_padding)] if output_padding else [])
        )
    )

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
                rows=_span(scatter.rows),
                cols=_span(scatter.cols),
            )
        )
        for j, oc in enumerate(scatter.output_channels):
            st.markdown(t("tconv.scatter_channel", oc=oc))
            st.latex(_latex_product(scatter.value, scatter.kernels[j], scatter.contribution[j]))
        kept = int(scatter.inside.sum())
        taps = scatter.inside.numel()
        if kept == taps:
            st.caption(t("tconv.scatter_all_inside", rows=_span(scatter.out_rows), cols=_span(scatter.out_cols)))
        else:
            st.caption(text_n("tconv.scatter_cropped", kept, ui.lang(), kept=kept, taps=taps, padding=padding))

    st.subheader(t("tconv.gather"))
    oc_col, oy_col, ox_col = st.columns(3)
    for name, high in (("out_oc", c_out - 1), ("out_y", h_out - 1), ("out_x", w_out - 1)):
        state.setdefault("tconv_" + name, 0)
        state["tconv_" + name] = min(int(state["tconv_" + name]), high)
    oc = oc_col.number_input(t("tconv.out_oc"), 0, c_out - 1, key="tconv_out_oc")
    oy = oy_col.number_input(t("tconv.out_y"), 0, h_out - 1, key="tconv_out_y")
    ox = ox_col.number_input(t("tconv.out_x"), 0, w_out - 1, key="tconv_out_x")
    oc, oy, ox = int(oc), int(oy), int(ox)
    terms = trace.contributions(oc, oy, ox)
    bias = trace.bias_of(oc)
    per_group = trace.weight.shape[1]  # weight [C_in, C_out/groups, kH, kW]: oc is column oc % per_group of its group
    with st.container(border=True, key="tconv_gather_panel"):
        if terms:
            st.markdown(t("tconv.gather_where_one") if len(terms) == 1 else t("tconv.gather_where", n=len(terms)))
            sum_text = " + ".join(
                rf"\underbrace{{{_term(term.value)} \cdot {_term(term.weight)}}}"
                rf"_{{x_{{{term.ic},{term.iy},{term.ix}}}\,w_{{{term.ic},{oc % per_group},{term.ky},{term.kx}}}}}"
                for term in terms
            )
        else:
            st.markdown(t("tconv.gather_none") if trace.bias is not None else t("tconv.gather_none_no_bias"))
            coverage = trace.coverage(oy, ox)  # (row, column): a cell is empty when either is never written
            reasons = [_empty_reason(axis, line) for axis, line in enumerate(coverage) if line.kind != "written"]
            st.markdown("\n".join(f"- {reason}" for reason in reasons))
            sum_text = "0"
        if trace.bias is not None:
            sum_text += rf" + \underbrace{{{_term(bias)}}}_{{b_{{{oc}}}}}"
        total = sum(term.product for term in terms) + bias
        st.latex(rf"y_{{{oc},{oy},{ox}}} = {sum_text} = \mathbf{{{format_number(total, 4)}}}")
        if terms:
            st.caption(t("tconv.gather_indices", oc=oc, per_group=per_group, j=oc % per_group))
        _check(total, float(torch_output[oc, oy, ox]))
else:
    equivalent = trace.equivalent
    top, bottom, left, right = trace.equivalent_padding
    st.subheader(t("tconv.equivalent"))
    st.caption(
        t(
            "tconv.equivalent_help",
            zeros=Count("count.zeros", stride - 1),
            top=Count("count.rows", top),
            bottom=bottom,
            left=Count("count.cols", left),
            right=right,
            dilation=dilation,
        )
    )
    cols = st.columns(3)
    cols[0].metric(t("tconv.shape_zero_inserted"), "[{}, {}, {}]".format(*trace.zero_inserted.shape))
    cols[1].metric(t("tconv.shape_padded"), "[{}, {}, {}]".format(*equivalent.padded.shape))
    cols[2].metric(t("tconv.shape_equivalent_weight"), "[{}, {}, {}, {}]".format(*trace.equivalent_weight.shape))
    st.latex(
        rf"K = {matrix_latex(trace.weight[0, 0])} \;\longrightarrow\; "
        rf"\mathrm{{flip}}(K) = {matrix_latex(trace.equivalent_weight[0, 0])}"
    )
    st.caption(t("tconv.flip_help"))

    # the same stepping as the scatter view and the Convolution page: click an output cell, ◀ ▶, ← →
    steps = ui.stepper(
        "tconv_eq_position", "tconv_eq_oc", "tconv_equivalent", equivalent.positions, c_out, equivalent.out_size[1]
    )
    steps.live(partial(equivalent_animator_data, trace), memory)

    panel = steps.panel(t("tconv.equivalent_step"), "tconv_eq_step_panel", t("tconv.step_output"))
    oy, ox = equivalent.position(steps.position)
    with panel.container(border=True):
        step = equivalent.step(steps.channel, oy, ox)
        for line in step_latex(step, trace.bias is not None):
            st.latex(line)
        _check(step.value, float(torch_output[steps.channel, oy, ox]))

show_link(memory.publish(unused))  # the address bar and the box: the positions, now clamped to this output

# ---------------------------------------------------------------- the same layer in PyTorch
st.subheader(t("tconv.torch"))
# runs as copied (imports, x, weight and bias written out); lines wrap rather than scroll on a narrow screen
st.code(conv_transpose2d_script(trace), language="python", wrap_lines=True)
# the .py with every value, written only when clicked
ui.download(
    "script",
    partial(conv_transpose2d_script, trace, max_values=None),
    file_name("transposed_convolution", ext="py"),
    "tconv_download_script",
)
ui.torch_verdict(
    float((torch_output - trace.output).abs().max()),
    float(trace.output.abs().max()),
    "tconv.torch_match",
    "tconv.torch_mismatch",
)

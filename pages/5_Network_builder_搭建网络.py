"""Network builder: stack layers on an input shape; shapes, parameters, receptive fields and PyTorch code."""

from __future__ import annotations

import re

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.nets.builder import (
    ACTIVATIONS,
    CORRECTED_RESIDUAL_CODE,
    KINDS,
    LIMITS,
    MAX_LAYERS,
    MAX_STACK_CHARS,
    NOTES_RESIDUAL_CODE,
    PRESETS,
    LayerSpec,
    auto_fix,
    build_stack,
    encode_stack,
    fit_stack,
    fit_to,
    layer_summary,
    limits,
    read_stack,
    sequential_code,
)

t = ui.t
state = st.session_state
INPUT_SIZES = {"in_channels", "num_features", "in_features"}  # what "fit to the stack" fills in

ui.page_setup("nb.title", "🧱")
DEFAULT_PRESET = "lenet5"
CUSTOM = "custom"  # the preset select's entry for a stack the user has changed


def _input() -> tuple[int, int, int]:
    return (int(memory.get("c")), int(memory.get("h")), int(memory.get("w")))


def _link_kept() -> dict | None:
    """The link's stack text that could not be read to the end, while the stack and the input are still what
    the page made of it (``nb_link``, set by _open_link); None otherwise."""
    link = state.get("nb_link")
    if link is None or link["stack"] != list(state.get("nb_stack", [])) or link["shape"] != _input():
        return None
    return link


def _stack_text(specs: object) -> str | None:
    """The stack as the link writes it (``conv5c6p2-sigmoid-…``); an empty one stays out ("custom" alone is empty).

    A link's text that could not be read to the end stays as it was typed until the stack or the input changes,
    so the teacher can correct it in the address bar.
    """
    link = _link_kept()
    if link is not None and link["text"] is not None:
        return link["text"]
    return encode_stack(_input(), specs) if specs else None


def _setting_kind(kind: str, name: str) -> object:
    if name == "bias":
        return ui.Flag()
    if name == "function":
        return ui.OneOf(tuple(ACTIVATIONS))
    return ui.Whole(*limits(kind, name))


# What a link carries (?nb_stack=conv5c6p2-sigmoid-… &nb_c=1 …): the input, the stack spelled out (vizconv.nets.builder's
# encode_stack), the preset's name, and the "Add a layer" form.
SHARED = {
    "preset": ui.OneOf((*PRESETS, CUSTOM)),
    "c": ui.Whole(*LIMITS["input"]),
    "h": ui.Whole(*LIMITS["input"]),
    "w": ui.Whole(*LIMITS["input"]),
    "stack": ui.Encoded(_stack_text, max_chars=MAX_STACK_CHARS),  # the page parses it with the input shape
    "kind": ui.OneOf(tuple(KINDS)),
    "autofit": ui.Flag(),
    **{f"{kind}_{name}": _setting_kind(kind, name) for kind, params in KINDS.items() for name in params},
    "pick": ui.Whole(1, MAX_LAYERS),
}
memory = ui.WidgetMemory(
    "nb",
    {
        "preset": DEFAULT_PRESET,
        "c": 1,
        "h": 28,
        "w": 28,
        "kind": "conv2d",
        "autofit": True,
        "pick": 1,
        **{f"{kind}_{name}": value for kind, params in KINDS.items() for name, value in params.items()},
    },
    shared=SHARED,
)
teaching.show_notes("nb", ui.lang(), st)


def _load(name: str) -> None:
    """Put a preset's input shape and layers in place."""
    (c, h, w), specs = PRESETS[name]
    memory.set(c=c, h=h, w=w)
    state.nb_stack = list(specs)
    state.nb_loaded = name
    state.pop("nb_message", None)


def _edited() -> None:
    """The stack is no longer the preset's: the preset select says so (and picking a preset loads it again)."""
    memory.set(preset=CUSTOM)
    state.nb_loaded = CUSTOM


def _open_link() -> None:
    """A link opened (the session's first run of the page): its input shape, its stack and the form's settings.

    The stack is read for the link's input shape. Where its text cannot be read to the end (mistyped, a setting
    out of range, too long), the page shows the layers before the first one that cannot be read, says which one
    and why, and keeps the text in the URL until the stack or the input changes (``nb_link``), so a hand edit is
    not lost.
    """
    linked = memory.from_url()
    raw = st.query_params.get(memory.key("stack")) if memory.fresh else None
    sent = isinstance(raw, str)  # a stack was sent (readable or not)
    if not linked and not sent:
        return
    preset = linked.get("preset", DEFAULT_PRESET)
    base = PRESETS[preset][0] if preset in PRESETS else _input()
    shape = tuple(linked.get(name, size) for name, size in zip("chw", base, strict=True))
    if sent:
        stack, problem = read_stack(raw, shape)
        if problem is not None:  # text too long to read is not kept in the URL
            kept = raw if len(raw) <= MAX_STACK_CHARS else None
            state.nb_link = {"text": kept, "shape": shape, "stack": list(stack), "problem": problem}
    else:
        stack = [] if preset == CUSTOM else None  # "custom" without a stack: an empty stack
    if stack is None:  # the preset as it comes, with the link's input shape
        _load(preset if preset in PRESETS else DEFAULT_PRESET)
        memory.set(preset=preset if preset in PRESETS else DEFAULT_PRESET)
        memory.set(**{name: linked[name] for name in "chw" if name in linked})
    else:  # the preset's name only where the stack is still that preset's
        label = preset if preset in PRESETS and stack == list(PRESETS[preset][1]) else CUSTOM
        memory.set(preset=label, c=shape[0], h=shape[1], w=shape[2])
        state.nb_stack = stack
        state.nb_loaded = label
    memory.restore(**{name: value for name, value in linked.items() if name not in ("preset", "c", "h", "w", "stack")})


_open_link()
if memory.get("preset") == CUSTOM:  # keep whatever stack there is
    state.nb_loaded = CUSTOM
elif state.get("nb_loaded") != memory.get("preset"):  # a new preset was picked (or this is the first run)
    _load(memory.get("preset"))
state.setdefault("nb_stack", [])


def _incoming(steps) -> tuple[int, ...] | None:
    """The shape a layer appended now would receive; None while the stack has an error."""
    if steps and steps[-1].error is not None:
        return None
    return steps[-1].shape if steps else _input()


def _safe_steps() -> list:
    try:
        return build_stack(_input(), state.nb_stack)
    except MessageError:
        return []


def _append() -> None:
    kind = memory.get("kind")
    if len(state.nb_stack) >= MAX_LAYERS:
        state.nb_message = MessageError("nb.err.too_many", n=MAX_LAYERS)
        return
    try:
        spec = LayerSpec(kind, {name: memory.get(f"{kind}_{name}") for name in KINDS[kind]})
    except MessageError as exc:
        state.nb_message = exc
        return
    incoming = _incoming(_safe_steps())
    if memory.get("autofit") and incoming is not None:
        spec = fit_to(incoming, spec)
    state.nb_stack = [*state.nb_stack, spec]
    memory.set(pick=len(state.nb_stack))
    state.pop("nb_message", None)
    _edited()


def _move(delta: int) -> None:
    stack = list(state.nb_stack)
    i = int(memory.get("pick")) - 1
    j = i + delta
    if 0 <= i < len(stack) and 0 <= j < len(stack):
        stack[i], stack[j] = stack[j], stack[i]
        state.nb_stack = stack
        memory.set(pick=j + 1)
        _edited()


def _remove() -> None:
    stack = list(state.nb_stack)
    i = int(memory.get("pick")) - 1
    if 0 <= i < len(stack):
        del stack[i]
        state.nb_stack = stack
        memory.set(pick=max(1, min(i + 1, len(stack))))
        _edited()


def _clear() -> None:
    state.nb_stack = []
    memory.set(pick=1)
    _edited()


def _fix() -> None:
    state.nb_stack = auto_fix(_input(), state.nb_stack)
    _edited()


def _fit_all() -> None:
    state.nb_stack = fit_stack(_input(), state.nb_stack)
    _edited()


# ---------------------------------------------------------------- controls (sidebar)
with st.sidebar:
    presets = [*PRESETS, CUSTOM]
    # catalogue: nb.preset.<…> (6 keys: nb.preset.lenet5 … nb.preset.no_flatten)
    st.selectbox(t("nb.preset"), presets, **memory.seed("preset", presets, ui.labels("nb.preset.")))
    st.button(
        t("nb.reset"),
        key="nb_reset",
        on_click=_load,
        args=(memory.get("preset"),),
        width="stretch",
        disabled=memory.get("preset") == CUSTOM,
    )

    st.header(t("nb.input"))
    low, high = LIMITS["input"]
    columns = st.columns(3)
    columns[0].number_input(t("nb.input_c"), low, high, **memory.seed("c"))
    columns[1].number_input(t("nb.input_h"), low, high, **memory.seed("h"))
    columns[2].number_input(t("nb.input_w"), low, high, **memory.seed("w"))
    input_shape = _input()

    try:
        steps = build_stack(input_shape, state.nb_stack)  # layers that do not fit come back explained, not raised
    except MessageError as exc:  # only a malformed stack in the session state gets here
        ui.show_error(exc)
        st.stop()
    incoming = _incoming(steps)

    st.header(t("nb.add_header"))
    kinds = list(KINDS)
    # catalogue: nb.kind.<…> (10 keys: nb.kind.conv2d … nb.kind.bottleneck)
    kind = st.selectbox(t("nb.kind"), kinds, **memory.seed("kind", kinds, ui.labels("nb.kind.")))
    st.caption(t("nb.about." + kind))  # catalogue: nb.about.<…> (10 keys: nb.about.conv2d … nb.about.bottleneck)
    autofit = st.toggle(t("nb.autofit"), help=t("nb.autofit_help"), **memory.seed("autofit"))
    if autofit and incoming is not None:  # show the size the layer will get
        fitted = fit_to(incoming, LayerSpec(kind))
        for name in INPUT_SIZES & set(KINDS[kind]):
            memory.set(**{f"{kind}_{name}": min(fitted.params[name], LIMITS[name][1])})
    for name in KINDS[kind]:
        # catalogue: nb.param.<…> (12 keys: nb.param.in_channels … nb.param.width)
        label, key = t("nb.param." + name), f"{kind}_{name}"
        if name == "bias":
            st.toggle(label, **memory.seed(key))
        elif name == "function":
            functions = list(ACTIVATIONS)
            st.selectbox(label, functions, **memory.seed(key, functions, ACTIVATIONS.get))
        else:
            fixed = autofit and incoming is not None and name in INPUT_SIZES
            # catalogue: nb.help.<…> (10 keys: nb.help.in_channels … nb.help.width)
            st.number_input(label, *limits(kind, name), disabled=fixed, help=t("nb.help." + name), **memory.seed(key))
    st.button(t("nb.add"), key="nb_add", on_click=_append, type="primary", width="stretch")
    message = state.pop("nb_message", None)  # why the last Add was refused, shown once
    if isinstance(message, MessageError):
        ui.show_error(message)

    if state.nb_stack:
        st.header(t("nb.edit_header"))
        labels = {n: f"{n} · {layer_summary(spec)}" for n, spec in enumerate(state.nb_stack, start=1)}
        numbers = list(labels)
        # a plain lookup (AppTest calls it outside the script run); when the stack changes under a number, the
        # seed sends the browser the new layer's label
        st.selectbox(
            t("nb.pick"),
            numbers,
            **memory.seed("pick", numbers, labels.get),
        )
        up, down, remove = st.columns(3)
        up.button("↑", key="nb_up", on_click=_move, args=(-1,), help=t("nb.up"), width="stretch")
        down.button("↓", key="nb_down", on_click=_move, args=(1,), help=t("nb.down"), width="stretch")
        remove.button("✕", key="nb_remove", on_click=_remove, help=t("nb.remove"), width="stretch")
        st.button(t("nb.clear"), key="nb_clear", on_click=_clear, width="stretch")

memory.sync()
link = _link_kept()  # the link's unreadable text, while the stack and the input are what the page made of it
if link is None:
    state.pop("nb_link", None)  # changed: from now on the URL spells out the stack
# The link: the form's settings for the chosen kind only, and no input size that autofit fills in.
unused = {f"{other}_{name}" for other, params in KINDS.items() if other != kind for name in params}
if autofit and incoming is not None:
    unused |= {f"{kind}_{name}" for name in INPUT_SIZES}
if not state.nb_stack:
    unused.add("pick")
notes = (t("share.stack_note"),)
if state.nb_stack and _stack_text(state.nb_stack) is None:
    notes = (t("share.stack_not_in_link", n=MAX_LAYERS),)
ui.share_box(memory.publish(unused), notes)

# ---------------------------------------------------------------- the stack, layer by layer
st.subheader(t("nb.stack"))
if link is not None:  # said as long as the URL keeps the text it is about
    st.warning(link["problem"].message(ui.lang()), icon="🔗")
    if link["text"] is None:  # too long to keep: said once
        state.pop("nb_link")
failed = steps[-1] if steps and steps[-1].error is not None else None
built = [step for step in steps if step.error is None]


_MARKDOWN = re.compile(r"[\\`*_\[\]<>#|~$:]")


def _cell(value: str) -> str:
    """Table text shown as it is in a Markdown table ("#" alone is a heading, "|" ends a cell, ":red[…]" colours)."""
    return _MARKDOWN.sub(lambda match: "\\" + match.group(), value)


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def _layer_name(spec: LayerSpec) -> str:
    # catalogue: nb.kind.<…> (10 keys: nb.kind.conv2d … nb.kind.bottleneck)
    return ACTIVATIONS[spec.params["function"]] if spec.kind == "activation" else t("nb.kind." + spec.kind)


rows = [["0", t("nb.input_row"), "", _shape(input_shape), "", "1×1", "1"]]
for step in steps:
    rf = "" if step.receptive_field is None else f"{step.receptive_field}×{step.receptive_field}"
    rows.append(
        [
            str(step.index),
            _layer_name(step.spec),
            layer_summary(step.spec),
            t("nb.does_not_fit") if step.error is not None else _shape(step.shape),
            "" if step.error is not None else f"{step.params:,}",
            rf,
            "" if step.jump is None else str(step.jump),
        ]
    )
for index, spec in enumerate(state.nb_stack[len(steps) :], start=len(steps) + 1):
    rows.append([str(index), _layer_name(spec), layer_summary(spec), t("nb.not_built"), "", "", ""])
columns = ["col_index", "col_layer", "col_settings", "col_shape", "col_params", "col_rf", "col_jump"]
numeric = {"col_index", "col_params", "col_jump"}  # right-aligned, as numbers are
# A Markdown table: drawn with the page's text, at once (st.table's component arrived seconds after the rest, an
# empty grey box until then). Its text wraps, so every column fits a 1024-pixel projector, and it is as tall as its
# rows, also with presenter mode's larger type; on a phone it scrolls sideways in its own box (ui.FIT_TO_WIDTH_HTML).
table = [
    # catalogue: nb.col_index, nb.col_layer, nb.col_settings, nb.col_shape, nb.col_params, nb.col_rf, nb.col_jump
    "| " + " | ".join(_cell(t("nb." + c)) for c in columns) + " |",
    "|" + "|".join("---:" if c in numeric else "---" for c in columns) + "|",
    *("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows),
]
st.container(key="nb_layers").markdown("\n".join(table))
if not state.nb_stack:
    st.info(t("nb.empty"), icon="➕")

for step in built:
    if step.note is not None:
        st.warning(step.note.message(ui.lang()), icon="ℹ️")

if failed is not None:
    ui.show_error(failed.error)
    fixed_stack = auto_fix(input_shape, state.nb_stack)
    if fixed_stack != list(state.nb_stack):
        if len(fixed_stack) > len(state.nb_stack):
            label = t("nb.fix.flatten", value=fixed_stack[failed.index].params["in_features"])
        else:
            name = next(n for n in INPUT_SIZES if n in failed.spec.params)
            label = t("nb.fix.size", name=name, value=fixed_stack[failed.index - 1].params[name])
        with st.container(horizontal=True):  # as wide as their labels; the second wraps below where both do not fit
            st.button(label, key="nb_fix", on_click=_fix, type="primary")
            st.button(t("nb.fit_all"), key="nb_fit_all", on_click=_fit_all)
    else:
        st.caption(t("nb.no_auto_fix"))

# ---------------------------------------------------------------- totals
final_shape = built[-1].shape if built else input_shape
last_field = next((s for s in reversed(built) if s.receptive_field is not None), None)
cols = st.columns(4)
cols[0].metric(t("nb.total_params"), f"{sum(s.params for s in built):,}")
cols[1].metric(t("nb.final_shape"), "—" if failed is not None else _shape(final_shape))
cols[2].metric(t("nb.layer_count"), len(state.nb_stack))
cols[3].metric(
    t("nb.final_rf"),
    "—" if last_field is None else f"{last_field.receptive_field}×{last_field.receptive_field}",
    help=t("nb.final_rf_help"),
)

# ---------------------------------------------------------------- code
st.subheader(t("nb.code"))
if failed is not None:
    st.info(t("nb.code_blocked"), icon="🛠️")
else:
    code = sequential_code(input_shape, state.nb_stack)
    st.caption(t("nb.code_caption"))
    st.code(code, language="python", wrap_lines=True)  # the shape comments stay in view on a narrow screen
    st.download_button(t("nb.download"), code, file_name="model.py", mime="text/x-python", key="nb_download", icon="⬇️")

# ---------------------------------------------------------------- teaching notes
st.subheader(t("nb.notes"))
with st.expander(t("nb.note.1x1_title")):
    st.markdown(t("nb.note.1x1"))
with st.expander(t("nb.note.head_title")):
    st.markdown(t("nb.note.head"))
with st.expander(t("nb.note.residual_title")):
    st.markdown(t("nb.note.residual"))
with st.expander(t("nb.note.mistake_title")):
    st.markdown(t("nb.note.mistake"))
    # one above the other, lines wrapped: side by side, a 1024-pixel projector hides the ends of the lines
    st.caption(t("nb.note.as_written"))
    st.code(NOTES_RESIDUAL_CODE, language="python", wrap_lines=True)
    st.caption(t("nb.note.corrected"))
    st.code(CORRECTED_RESIDUAL_CODE, language="python", wrap_lines=True)

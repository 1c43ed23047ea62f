"""Network builder: stack layers on an input shape; shapes, parameters, receptive fields and PyTorch code."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.nets import builder
from vizconv.ui import sections
from vizconv.views import network_builder as view
from vizconv.views.network_builder import CUSTOM, FORM, INPUT_SIZES

t = ui.t
state = st.session_state

ui.page_setup("nb.title", "🧱")


def _input() -> tuple[int, int, int]:
    return (int(memory.get("c")), int(memory.get("h")), int(memory.get("w")))


def _kept() -> view.KeptLink | None:
    """The link's stack text that could not be read to the end, while the stack and the input are still what the
    page made of it (``nb_link``, set when the link opened); None otherwise."""
    kept = state.get("nb_link")
    return kept if kept is not None and kept.holds(state.get("nb_stack", []), _input()) else None


def _setting_kind(kind: str, name: str) -> object:
    if name == "bias":
        return ui.Flag()
    if name == "function":
        return ui.OneOf(tuple(builder.ACTIVATIONS))
    return ui.Whole(*builder.limits(kind, name))


# What a link carries (?nb_stack=conv5c6p2-sigmoid-… &nb_c=1 …): the input, the stack spelled out
# (vizconv.nets.builder's encode_stack; the page reads it with the input shape), the preset's name, and the
# "Add a layer" form.
SHARED = {
    "preset": ui.OneOf((*builder.PRESETS, CUSTOM)),
    **{name: ui.Whole(*builder.LIMITS["input"]) for name in "chw"},
    "stack": ui.Encoded(lambda specs: view.stack_text(specs, _input(), _kept()), max_chars=builder.MAX_STACK_CHARS),
    "kind": ui.OneOf(tuple(builder.KINDS)),
    "autofit": ui.Flag(),
    **{key: _setting_kind(kind, name) for key, (kind, name) in FORM.items()},
    "pick": ui.Whole(1, builder.MAX_LAYERS),
    **sections.quiz.SHARED,  # the quiz: on, its seed and question number
}
memory = ui.WidgetMemory("nb", view.DEFAULTS, shared=SHARED)
header = st.container(horizontal=True, vertical_alignment="center")  # the notes, the quiz switch beside
teaching.show_notes("nb", ui.lang(), header)


def _load(name: str) -> None:
    """Put a preset's input shape and layers in place."""
    (c, h, w), specs = builder.PRESETS[name]
    memory.set(c=c, h=h, w=w)
    state.nb_stack = list(specs)
    state.nb_loaded = name
    state.pop("nb_message", None)


def _open_link() -> None:
    """A link opened (the session's first run of the page): its input shape, its stack and the form's settings
    (view.open_link); text it could not read to the end stays in the URL until the stack or the input changes."""
    raw = st.query_params.get(memory.key("stack")) if memory.fresh else None
    opening = view.open_link(memory.from_url(), raw if isinstance(raw, str) else None, _input())
    if opening is None:
        return
    memory.set(preset=opening.preset, **dict(zip("chw", opening.shape, strict=True)))
    state.nb_stack = opening.stack
    state.nb_loaded = opening.preset
    if opening.kept is not None:
        state.nb_link = opening.kept
    memory.restore(**opening.settings)


_open_link()
if memory.get("preset") == CUSTOM:  # keep whatever stack there is
    state.nb_loaded = CUSTOM
elif state.get("nb_loaded") != memory.get("preset"):  # a new preset was picked (or this is the first run)
    _load(memory.get("preset"))
state.setdefault("nb_stack", [])


def _set_stack(stack: list, pick: int | None = None) -> None:
    """The stack changed: it is no longer the preset's (the preset select says so; picking a preset loads it)."""
    state.nb_stack = stack
    if pick is not None:
        memory.set(pick=pick)
    memory.set(preset=CUSTOM)
    state.nb_loaded = CUSTOM


def _append() -> None:
    kind = memory.get("kind")
    settings = {name: memory.get(f"{kind}_{name}") for name in builder.KINDS[kind]}
    try:
        stack = view.append_layer(state.nb_stack, _input(), kind, settings, memory.get("autofit"))
    except MessageError as exc:
        state.nb_message = exc
        return
    state.pop("nb_message", None)
    _set_stack(stack, pick=len(stack))


def _edit(change, *args: object) -> None:
    """Move or remove the picked layer (view.move_layer, view.remove_layer), where it can be."""
    edited = change(state.nb_stack, int(memory.get("pick")), *args)
    if edited is not None:
        _set_stack(*edited)


def _refit(fitter) -> None:
    """builder.auto_fix (the first layer) or builder.fit_stack (every layer)."""
    _set_stack(fitter(_input(), state.nb_stack))


# ---------------------------------------------------------------- controls (sidebar)
with st.sidebar:
    # catalogue: nb.preset.<…> (6 keys: nb.preset.lenet5 … nb.preset.no_flatten)
    ui.setting_input(t("nb.preset"), memory, "preset", SHARED["preset"], format_func=ui.labels("nb.preset."))
    st.button(
        t("nb.reset"),
        key="nb_reset",
        on_click=_load,
        args=(memory.get("preset"),),
        width="stretch",
        disabled=memory.get("preset") == CUSTOM,
    )

    st.header(t("nb.input"))
    for column, name in zip(st.columns(3), "chw", strict=True):  # catalogue: nb.input_c, nb.input_h, nb.input_w
        ui.setting_input(t(f"nb.input_{name}"), memory, name, SHARED[name], where=column)
    input_shape = _input()

    try:
        built = view.build(input_shape, state.nb_stack)  # layers that do not fit come back explained, not raised
    except MessageError as exc:  # only a malformed stack in the session state gets here
        ui.show_error(exc)
        st.stop()
    incoming = built.incoming

    st.header(t("nb.add_header"))
    # catalogue: nb.kind.<…> (10 keys: nb.kind.conv2d … nb.kind.bottleneck)
    kind = ui.setting_input(t("nb.kind"), memory, "kind", SHARED["kind"], format_func=ui.labels("nb.kind."))
    st.caption(t("nb.about." + kind))  # catalogue: nb.about.<…> (10 keys: nb.about.conv2d … nb.about.bottleneck)
    autofit = ui.setting_input(t("nb.autofit"), memory, "autofit", SHARED["autofit"], help=t("nb.autofit_help"))
    autofitted = autofit and incoming is not None
    if autofitted:  # show the size the layer will get
        memory.set(**{f"{kind}_{name}": value for name, value in view.fitted_sizes(kind, incoming).items()})
    for name in builder.KINDS[kind]:
        # catalogue: nb.param.<…> (12 keys: nb.param.in_channels … nb.param.width); nb.help.<…> (the 10 numbers')
        label, key, help_text = t("nb.param." + name), f"{kind}_{name}", ui.t_or("nb.help." + name, None)
        fixed = autofitted and name in INPUT_SIZES
        widget = {"format_func": builder.ACTIVATIONS.get, "disabled": fixed, "help": help_text}  # activations: torch
        ui.setting_input(label, memory, key, SHARED[key], **widget)
    st.button(t("nb.add"), key="nb_add", on_click=_append, type="primary", width="stretch")
    message = state.pop("nb_message", None)  # why the last Add was refused, shown once
    if isinstance(message, MessageError):
        ui.show_error(message)

    if state.nb_stack:
        st.header(t("nb.edit_header"))
        labels = view.pick_labels(state.nb_stack)
        numbers = list(labels)
        # a plain lookup (AppTest calls it outside the script run); when the stack changes under a number, the
        # seed sends the browser the new layer's label
        st.selectbox(t("nb.pick"), numbers, **memory.seed("pick", numbers, labels.get))
        up, down, remove = st.columns(3)
        up.button("↑", key="nb_up", on_click=_edit, args=(view.move_layer, -1), help=t("nb.up"), width="stretch")
        down.button("↓", key="nb_down", on_click=_edit, args=(view.move_layer, 1), help=t("nb.down"), width="stretch")
        remove.button(
            "✕", key="nb_remove", on_click=_edit, args=(view.remove_layer,), help=t("nb.remove"), width="stretch"
        )
        st.button(t("nb.clear"), key="nb_clear", on_click=_set_stack, args=([], 1), width="stretch")

sections.quiz.show(memory, header)  # predict, then reveal: at the top of the main column, when switched on
memory.sync()
link = _kept()  # the link's unreadable text, while the stack and the input are what the page made of it
if link is None:
    state.pop("nb_link", None)  # changed: from now on the URL spells out the stack
# The link: the form's settings for the chosen kind only, and no input size that autofit fills in.
notes = (t("share.stack_note"),)
if state.nb_stack and view.stack_text(state.nb_stack, input_shape, link) is None:
    notes = (t("share.stack_not_in_link", n=builder.MAX_LAYERS),)
ui.share_box(memory.publish(view.left_out(kind, autofitted, bool(state.nb_stack))), notes)

# ---------------------------------------------------------------- the stack, layer by layer
st.subheader(t("nb.stack"))
if link is not None:  # said as long as the URL keeps the text it is about
    st.warning(link.problem.message(ui.lang()), icon="🔗")
    if link.text is None:  # too long to keep: said once
        state.pop("nb_link")
failed = built.failed
# A Markdown table: drawn with the page's text, at once (st.table's component arrived seconds after the rest, an
# empty grey box until then). Its text wraps, so every column fits a 1024-pixel projector, and it is as tall as its
# rows, also with presenter mode's larger type; on a phone it scrolls sideways in its own box (ui.FIT_TO_WIDTH_HTML).
st.container(key="nb_layers").markdown(view.layer_table(built, ui.lang()))
if not state.nb_stack:
    st.info(t("nb.empty"), icon="➕")

for step in built.fitting:
    if step.note is not None:
        st.warning(step.note.message(ui.lang()), icon="ℹ️")

if failed is not None:
    ui.show_error(failed.error)
    fix = view.fix_offer(built)
    if fix is not None:
        with st.container(horizontal=True):  # as wide as their labels; the second wraps below where both do not fit
            # the label: nb.fix.flatten or nb.fix.size (view.fix_offer)
            st.button(t(fix.key, **fix.values), key="nb_fix", on_click=_refit, args=(builder.auto_fix,), type="primary")
            st.button(t("nb.fit_all"), key="nb_fit_all", on_click=_refit, args=(builder.fit_stack,))
    else:
        st.caption(t("nb.no_auto_fix"))

# ---------------------------------------------------------------- totals
totals = view.totals(built)
ui.metric_row(
    [
        (t("nb.total_params"), totals.params),
        (t("nb.final_shape"), totals.final_shape),
        (t("nb.layer_count"), totals.layers),
        (t("nb.final_rf"), totals.receptive_field, t("nb.final_rf_help")),
    ]
)

# ---------------------------------------------------------------- code
st.subheader(t("nb.code"))
if failed is not None:
    st.info(t("nb.code_blocked"), icon="🛠️")
else:
    code = builder.sequential_code(input_shape, state.nb_stack)
    st.caption(t("nb.code_caption"))
    st.code(code, language="python", wrap_lines=True)  # the shape comments stay in view on a narrow screen
    st.download_button(t("nb.download"), code, file_name="model.py", mime="text/x-python", key="nb_download", icon="⬇️")

# ---------------------------------------------------------------- teaching notes
sections.builder_notes.show()  # 1×1 convolutions, the head, residual connections, the notes' mistake

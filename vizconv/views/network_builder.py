"""What the Network builder page computes, as plain functions on its stack and settings (no Streamlit).

The page keeps the stack (a list of ``LayerSpec``) and the Add form's settings in its session, and reads its
widgets into them; these functions say what a link opens, what each button does to the stack, what the link
leaves out, and the text of the layer table, the totals and the fix button. Tests drive the same path without
Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vizconv.errors import MessageError
from vizconv.i18n.strings import text
from vizconv.nets.builder import (
    ACTIVATIONS,
    INPUT_SIZE,
    KINDS,
    LIMITS,
    MAX_LAYERS,
    MAX_STACK_CHARS,
    PRESETS,
    LayerSpec,
    Shape,
    StepResult,
    auto_fix,
    build_stack,
    encode_stack,
    fit_to,
    layer_summary,
    read_stack,
)

__all__ = [
    "COLUMNS",
    "CUSTOM",
    "DEFAULTS",
    "DEFAULT_PRESET",
    "FORM",
    "INPUT_SIZES",
    "Built",
    "Fix",
    "KeptLink",
    "Opening",
    "Totals",
    "append_layer",
    "build",
    "fix_offer",
    "fitted_sizes",
    "layer_rows",
    "layer_table",
    "left_out",
    "markdown_table",
    "move_layer",
    "open_link",
    "pick_labels",
    "remove_layer",
    "stack_text",
    "totals",
]

DEFAULT_PRESET = "lenet5"
CUSTOM = "custom"  # the preset select's entry for a stack the user has changed
INPUT_SIZES = frozenset(INPUT_SIZE.values())  # what "fit to the stack" fills in
# the Add form's settings by their name in the page's memory ("conv2d_kernel_size") -> (kind, setting)
FORM: dict[str, tuple[str, str]] = {f"{kind}_{name}": (kind, name) for kind, params in KINDS.items() for name in params}
# every setting of the page and its value when nothing says otherwise
DEFAULTS: dict[str, object] = {
    "preset": DEFAULT_PRESET,
    "c": 1,
    "h": 28,
    "w": 28,
    "kind": "conv2d",
    "autofit": True,
    "pick": 1,
    **{key: KINDS[kind][name] for key, (kind, name) in FORM.items()},
}
_INPUT = ("c", "h", "w")
# the layer table's columns (catalogue: nb.col_index, nb.col_layer, nb.col_settings, nb.col_shape, nb.col_params,
# nb.col_rf, nb.col_jump), and those right-aligned, as numbers are
COLUMNS = ("col_index", "col_layer", "col_settings", "col_shape", "col_params", "col_rf", "col_jump")
_NUMERIC = {"col_index", "col_params", "col_jump"}
_MARKDOWN = re.compile(r"[\\`*_\[\]<>#|~$:]")


# ---------------------------------------------------------------- a link opened


@dataclass(frozen=True)
class KeptLink:
    """A link's stack text that could not be read to the end, and what the page made of it: the text stays in the
    URL (and its problem on the page) while the stack and the input are still these."""

    text: str | None  # as it was typed; None when too long to keep in the URL
    shape: Shape  # the input the text was read for
    stack: tuple[LayerSpec, ...]  # the layers before the first that could not be read
    problem: MessageError  # why the text stops there

    def holds(self, stack: Sequence[LayerSpec], shape: Sequence[int]) -> bool:
        """The stack and the input are still what the page made of the link."""
        return tuple(stack) == self.stack and tuple(shape) == self.shape


@dataclass(frozen=True)
class Opening:
    """What a link opens: the preset select's value, the input, the stack, and the other settings it carries."""

    preset: str  # a preset's name, or CUSTOM where the stack is not a preset's
    shape: Shape
    stack: list[LayerSpec]
    kept: KeptLink | None  # the text that could not be read to the end
    settings: dict  # the Add form's settings and the picked layer, as the link gives them


def open_link(linked: Mapping[str, object], raw: str | None, shape_now: Sequence[int]) -> Opening | None:
    """What a link opens: ``linked`` the valid settings in it by name, ``raw`` its stack text (None: none was
    sent); None where it carries nothing for this page.

    The stack is read for the link's input shape (its preset's where it gives none). Where its text cannot be read
    to the end (mistyped, a setting out of range, too long), the stack is the layers before the first one that
    cannot be read, and ``kept`` says which one and why. Without a stack the preset comes as it is, with the
    link's input shape ("custom" alone: an empty stack).
    """
    if not linked and raw is None:
        return None
    preset = linked.get("preset", DEFAULT_PRESET)
    base = PRESETS[preset][0] if preset in PRESETS else tuple(shape_now)
    shape = tuple(linked.get(name, size) for name, size in zip(_INPUT, base, strict=True))
    settings = {name: value for name, value in linked.items() if name not in ("preset", *_INPUT, "stack")}
    if raw is None:
        if preset != CUSTOM:
            return Opening(preset, shape, list(PRESETS[preset][1]), None, settings)
        return Opening(CUSTOM, shape, [], None, settings)
    stack, problem = read_stack(raw, shape)
    kept = None
    if problem is not None:  # text too long to read is not kept in the URL
        kept = KeptLink(raw if len(raw) <= MAX_STACK_CHARS else None, shape, tuple(stack), problem)
    label = preset if preset in PRESETS and stack == list(PRESETS[preset][1]) else CUSTOM  # only where still its
    return Opening(label, shape, stack, kept, settings)


def stack_text(stack: Sequence[LayerSpec], shape: Sequence[int], kept: KeptLink | None) -> str | None:
    """The stack as the link writes it (``conv5c6p2-sigmoid-…``); an empty one stays out ("custom" alone is empty).

    A link's text that could not be read to the end stays as it was typed while the stack and the input are what
    the page made of it, so the teacher can correct it in the address bar.
    """
    if kept is not None and kept.holds(stack, shape) and kept.text is not None:
        return kept.text
    return encode_stack(shape, stack) if stack else None


def left_out(kind: str, autofitted: bool, has_stack: bool) -> set[str]:
    """The settings the link leaves out: the Add form's for other kinds, the input size autofit fills in, and the
    picked layer of an empty stack."""
    unused = {key for key, (other, _) in FORM.items() if other != kind}
    if autofitted and kind in INPUT_SIZE:
        unused.add(f"{kind}_{INPUT_SIZE[kind]}")
    if not has_stack:
        unused.add("pick")
    return unused


# ---------------------------------------------------------------- the stack built


@dataclass(frozen=True)
class Built:
    """The stack on its input: one step per layer up to the first that does not fit."""

    input_shape: Shape
    stack: tuple[LayerSpec, ...]
    steps: tuple[StepResult, ...]

    @property
    def failed(self) -> StepResult | None:
        """The layer that does not fit (the last step), if one does not."""
        return self.steps[-1] if self.steps and self.steps[-1].error is not None else None

    @property
    def fitting(self) -> list[StepResult]:
        """The steps of the layers that fit."""
        return [step for step in self.steps if step.error is None]

    @property
    def incoming(self) -> Shape | None:
        """The shape a layer appended now would receive; None while the stack has an error."""
        if self.failed is not None:
            return None
        return self.steps[-1].shape if self.steps else self.input_shape


def build(input_shape: Sequence[int], stack: Sequence[LayerSpec]) -> Built:
    """The stack built on ``input_shape`` (layers that do not fit come back explained); bad input numbers or
    something that is not a layer raise ParameterError."""
    steps = build_stack(input_shape, stack)
    return Built(tuple(input_shape), tuple(stack), tuple(steps))


def fitted_sizes(kind: str, incoming: Shape) -> dict[str, int]:
    """The input size the Add form shows for a ``kind`` layer with autofit on (within its widget's bounds)."""
    name = INPUT_SIZE.get(kind)
    if name is None:
        return {}
    return {name: min(fit_to(incoming, LayerSpec(kind)).params[name], LIMITS[name][1])}


# ---------------------------------------------------------------- the buttons


def append_layer(
    stack: Sequence[LayerSpec], input_shape: Sequence[int], kind: str, settings: Mapping[str, object], autofit: bool
) -> list[LayerSpec]:
    """The stack with a ``kind`` layer of the form's ``settings`` (by name) added, its input size fitted to the
    stack with ``autofit`` (while the stack fits); raises MessageError saying why not (too many layers, a
    setting the layer cannot have)."""
    if len(stack) >= MAX_LAYERS:
        raise MessageError("nb.err.too_many", n=MAX_LAYERS)
    spec = LayerSpec(kind, {name: settings[name] for name in KINDS[kind]})
    try:
        incoming = build(input_shape, stack).incoming
    except MessageError:  # a malformed stack in the session: fitted to the input, as for an empty stack
        incoming = tuple(input_shape)
    if autofit and incoming is not None:
        spec = fit_to(incoming, spec)
    return [*stack, spec]


def move_layer(stack: Sequence[LayerSpec], pick: int, delta: int) -> tuple[list[LayerSpec], int] | None:
    """The stack with layer ``pick`` (1-based) moved ``delta`` places and its new number; None where it cannot."""
    stack, i = list(stack), pick - 1
    j = i + delta
    if not (0 <= i < len(stack) and 0 <= j < len(stack)):
        return None
    stack[i], stack[j] = stack[j], stack[i]
    return stack, j + 1


def remove_layer(stack: Sequence[LayerSpec], pick: int) -> tuple[list[LayerSpec], int] | None:
    """The stack without layer ``pick`` (1-based) and the number picked after it; None where there is none."""
    stack, i = list(stack), pick - 1
    if not 0 <= i < len(stack):
        return None
    del stack[i]
    return stack, max(1, min(i + 1, len(stack)))


def pick_labels(stack: Sequence[LayerSpec]) -> dict[int, str]:
    """The layer picker's options: number -> "3 · nn.AvgPool2d(kernel_size=2, stride=2)"."""
    return {n: f"{n} · {layer_summary(spec)}" for n, spec in enumerate(stack, start=1)}


@dataclass(frozen=True)
class Fix:
    """The fix button's label: a catalogue key (nb.fix.flatten or nb.fix.size) and its values."""

    key: str
    values: dict


def fix_offer(built: Built) -> Fix | None:
    """The fix auto_fix makes to the layer that does not fit, as the button says it; None when it makes none (the
    mistake needs a decision) or everything fits."""
    failed = built.failed
    if failed is None:
        return None
    fixed = auto_fix(built.input_shape, built.stack)
    if fixed == list(built.stack):
        return None
    if len(fixed) > len(built.stack):  # a Flatten put before the Linear
        return Fix("nb.fix.flatten", {"value": fixed[failed.index].params["in_features"]})
    name = INPUT_SIZE[failed.spec.kind]
    return Fix("nb.fix.size", {"name": name, "value": fixed[failed.index - 1].params[name]})


# ---------------------------------------------------------------- the layer table and the totals


def _shape(shape: Sequence[int]) -> str:
    return "×".join(map(str, shape))


def _layer_name(spec: LayerSpec, lang: str) -> str:
    # catalogue: nb.kind.<…> (10 keys: nb.kind.conv2d … nb.kind.bottleneck)
    return ACTIVATIONS[spec.params["function"]] if spec.kind == "activation" else text("nb.kind." + spec.kind, lang)


def layer_rows(built: Built, lang: str) -> list[list[str]]:
    """The layer table's rows, one a layer after the input's: number, name, settings, output shape, parameters,
    receptive field and jump; a layer that does not fit and those after it say so."""
    rows = [["0", text("nb.input_row", lang), "", _shape(built.input_shape), "", "1×1", "1"]]
    for step in built.steps:
        fits = step.error is None
        rows.append(
            [
                str(step.index),
                _layer_name(step.spec, lang),
                layer_summary(step.spec),
                _shape(step.shape) if fits else text("nb.does_not_fit", lang),
                f"{step.params:,}" if fits else "",
                "" if step.receptive_field is None else f"{step.receptive_field}×{step.receptive_field}",
                "" if step.jump is None else str(step.jump),
            ]
        )
    not_built = text("nb.not_built", lang)
    for index, spec in enumerate(built.stack[len(built.steps) :], start=len(built.steps) + 1):
        rows.append([str(index), _layer_name(spec, lang), layer_summary(spec), not_built, "", "", ""])
    return rows


def _cell(value: str) -> str:
    """Table text shown as it is in a Markdown table ("#" alone is a heading, "|" ends a cell, ":red[…]" colours)."""
    return _MARKDOWN.sub(lambda match: "\\" + match.group(), value)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> str:
    """A Markdown table whose cells read as they are written; ``numeric`` columns right-aligned."""
    return "\n".join(
        [
            "| " + " | ".join(map(_cell, header)) + " |",
            "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
            *("| " + " | ".join(map(_cell, row)) + " |" for row in rows),
        ]
    )


def layer_table(built: Built, lang: str) -> str:
    """The layer table as Markdown, its headers in ``lang``."""
    header = [text("nb." + column, lang) for column in COLUMNS]  # catalogue: nb.col_… (COLUMNS)
    return markdown_table(header, layer_rows(built, lang), [column in _NUMERIC for column in COLUMNS])


@dataclass(frozen=True)
class Totals:
    """The metrics under the table, as shown."""

    params: str  # parameters of the layers that fit
    final_shape: str  # "—" while a layer does not fit
    layers: int
    receptive_field: str  # of the last layer with a feature map; "—" without one


def totals(built: Built) -> Totals:
    """The stack's totals: parameters, output shape, layer count and the last receptive field."""
    fitting = built.fitting
    last_field = next((s.receptive_field for s in reversed(fitting) if s.receptive_field is not None), None)
    final_shape = fitting[-1].shape if fitting else built.input_shape
    return Totals(
        params=f"{sum(s.params for s in fitting):,}",
        final_shape="—" if built.failed is not None else _shape(final_shape),
        layers=len(built.stack),
        receptive_field="—" if last_field is None else f"{last_field}×{last_field}",
    )

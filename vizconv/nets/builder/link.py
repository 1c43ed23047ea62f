"""The stack as text that a link carries and a teacher can edit by hand: ``?nb_stack=conv5c6p2-sigmoid-avgpool2-…``
(``encode_stack`` describes the words and letters; ``read_stack`` reads it back, up to the first layer it cannot
read, and says why)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from vizconv.errors import MessageError
from vizconv.i18n import strings
from vizconv.nets.builder.spec import ACTIVATIONS, INPUT_SIZE, KINDS, MAX_LAYERS, POOLS, LayerSpec, Shape, limits
from vizconv.nets.builder.stack import Stacker, fit_to

__all__ = ["MAX_STACK_CHARS", "StackTextError", "encode_stack", "parse_stack", "read_stack"]

MAX_STACK_CHARS = 32 * MAX_LAYERS  # a link's stack text: the longest layer is 26 characters


@dataclass(frozen=True)
class _Form:
    """How one kind of layer is written: a word, maybe a number right after it, then letter+number fields."""

    kind: str
    lead: str | None = None  # the setting written right after the word: conv5 is kernel_size 5
    fields: tuple[tuple[str, str], ...] = ()  # (letter, setting) in the order they are written
    required: tuple[str, ...] = ()  # settings always written (the others have a default)
    fixed: tuple[tuple[str, object], ...] = ()  # settings the word itself gives (relu: function "relu")
    example: str = ""  # a short example, for messages


_FORMS: dict[str, _Form] = {
    "conv": _Form(
        "conv2d",
        "kernel_size",
        (
            ("c", "out_channels"),
            ("s", "stride"),
            ("p", "padding"),
            ("d", "dilation"),
            ("i", "in_channels"),
            ("b", "bias"),
        ),
        ("kernel_size", "out_channels"),
        example="conv3c16",
    ),
    "conv1x1": _Form(
        "conv1x1",
        None,
        (("c", "out_channels"), ("s", "stride"), ("i", "in_channels"), ("b", "bias")),
        ("out_channels",),
        example="conv1x1c16",
    ),
    "maxpool": _Form(
        "maxpool", "kernel_size", (("s", "stride"), ("p", "padding")), ("kernel_size",), example="maxpool2"
    ),
    "avgpool": _Form(
        "avgpool", "kernel_size", (("s", "stride"), ("p", "padding")), ("kernel_size",), example="avgpool2"
    ),
    **{name.replace("_", ""): _Form("activation", fixed=(("function", name),)) for name in ACTIVATIONS},
    "bn": _Form("batchnorm2d", None, (("i", "num_features"),)),
    "flatten": _Form("flatten"),
    "linear": _Form(
        "linear", "out_features", (("i", "in_features"), ("b", "bias")), ("out_features",), example="linear10"
    ),
    "basicblock": _Form(
        "basic_block",
        None,
        (("c", "out_channels"), ("s", "stride"), ("i", "in_channels")),
        ("out_channels",),
        example="basicblockc64",
    ),
    "bottleneck": _Form(
        "bottleneck", None, (("w", "width"), ("s", "stride"), ("i", "in_channels")), ("width",), example="bottleneckw64"
    ),
}
_WORDS = sorted(_FORMS, key=len, reverse=True)  # longest first: conv1x1 before conv
_LEAD = re.compile(r"[0-9]+")
_FIELD = re.compile(r"([a-z])([0-9]+)")  # one setting: a letter and a number (leading zeros are harmless)
_SEPARATOR = re.compile(r"[-,]")  # between layers: "-" as written, "," as people may type it
_SHOWN_CHARS = 40  # a token quoted in a message is cut here


def _assumed_size(kind: str, incoming: Shape | None) -> int | None:
    """The input size a layer of ``kind`` gets when its text leaves it out: what fit_to gives it after
    ``incoming``; where that cannot be worked out (a vector into a Conv, or after a layer that does not fit), the
    default (KINDS), as in the Add form, so "flatten-conv3c4" reads and the builder explains the mistake. None for
    a kind without an input size."""
    name = INPUT_SIZE.get(kind)
    if name is None:
        return None
    if incoming is not None:
        blank = LayerSpec(kind)
        fitted = fit_to(incoming, blank)
        if fitted is not blank:  # fit_to returns the spec itself where it sets nothing
            return fitted.params[name]
    return KINDS[kind][name]


def _default(form: _Form, name: str, params: dict) -> object:
    """The value of an optional setting that is not written (the input size is handled by the caller)."""
    if name == "stride" and form.kind in POOLS:
        return params["kernel_size"]  # PyTorch's default: the window
    return {"stride": 1, "padding": 0, "dilation": 1, "bias": True}[name]


def _in_limits(kind: str, name: str, value: object) -> bool:
    if name == "bias":
        return isinstance(value, bool)
    low, high = limits(kind, name)
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _layer_text(spec: LayerSpec, incoming: Shape | None) -> str | None:
    """One layer as text; None when a setting is outside the page's limits."""
    form = next(f for f in _FORMS.values() if f.kind == spec.kind and dict(f.fixed).items() <= spec.params.items())
    word = next(w for w, f in _FORMS.items() if f is form)
    p, in_size = spec.params, INPUT_SIZE.get(spec.kind)
    assumed = in_size is not None and p[in_size] == _assumed_size(spec.kind, incoming)  # left out: the reader knows it
    checked = (name for name in p if name != "function" and not (assumed and name == in_size))
    if not all(_in_limits(spec.kind, name, p[name]) for name in checked):
        return None
    text = word + ("" if form.lead is None else str(p[form.lead]))
    for letter, name in form.fields:
        if name == in_size:
            if assumed:
                continue
        elif name not in form.required and p[name] == _default(form, name, p):
            continue
        text += letter + str(int(p[name]))
    return text


def encode_stack(input_shape: Sequence[int], specs: Sequence[LayerSpec]) -> str | None:
    """The stack as one line of text for a link: ``conv5c6p2-sigmoid-avgpool2-flatten-linear10``.

    One word per layer, joined by ``-`` (a character that URLs leave as it is; parse_stack also takes commas);
    numbers follow the word and single letters:

    - ``conv{k}c{out}`` Conv2d with a k×k kernel, then ``s`` stride, ``p`` padding, ``d`` dilation (when not
      1, 0, 1), ``i`` in_channels, ``b0`` without bias; ``conv1x1c{out}`` the 1×1 Conv2d (``s``, ``i``, ``b0``);
    - ``maxpool{k}``, ``avgpool{k}``, then ``s`` stride (when not k, PyTorch's default) and ``p`` padding;
    - ``relu``, ``leakyrelu``, ``sigmoid``, ``tanh``, ``gelu``; ``bn`` BatchNorm2d (``i`` num_features);
      ``flatten``; ``linear{out}`` (``i`` in_features, ``b0``);
    - ``basicblockc{out}``, ``bottleneckw{width}``, then ``s`` stride and ``i`` in_channels.

    An input size is left out where it equals the size the incoming shape gives it (what fit_to sets), so a
    hand-written stack needs none; where the incoming shape cannot give it (after Flatten for a map layer, or
    after the first layer that does not fit) it is left out where it is the default (KINDS), and written
    otherwise. None when the stack cannot be written: more than MAX_LAYERS layers, or a setting outside the
    page's limits (``limits``).
    """
    if len(specs) > MAX_LAYERS:
        return None
    stacker = Stacker(input_shape)
    words = []
    for spec in specs:
        word = _layer_text(spec, stacker.incoming)
        if word is None:
            return None
        words.append(word)
        if stacker.incoming is not None:
            stacker.add(spec)
    return "-".join(words)


def _shown(fragment: str) -> str:
    """Text from a link, safe to quote in a message's `code span`: at most _SHOWN_CHARS characters, no
    backtick, nothing unprintable."""
    fragment = "".join(c if c.isprintable() and c != "`" else "\ufffd" for c in fragment)
    return fragment if len(fragment) <= _SHOWN_CHARS else fragment[:_SHOWN_CHARS] + "…"


def _letters(form: _Form) -> str:
    return ", ".join(f"{letter} ({name})" for letter, name in form.fields)


class StackTextError(MessageError):
    """Why a link's stack text cannot be read: the first layer that cannot (its position and its text) and the
    reason (itself a MessageError: the Add form's own message where there is one)."""

    def __init__(self, index: int, token: str, reason: MessageError | None, read: int) -> None:
        """``reason`` None: the layer is empty; ``read``: how many layers were read before it."""
        self.index, self.token, self.reason = index, token, reason
        if reason is None:
            super().__init__("nb.link.layer_empty", index=index, read=read)
        else:
            shown = _shown(token.strip())
            super().__init__("nb.link.layer", index=index, token=shown, reason=reason.message(), read=read)

    def message(self, lang: str = "en") -> str:
        if self.reason is None:
            return super().message(lang)
        return strings.text(self.key, lang, **{**self.params, "reason": self.reason.message(lang)})


def _number(word: str, name: str, kind: str, digits: str) -> object:
    """A setting's number from the text, checked against the page's limits."""
    value = int(digits)
    if name == "bias":
        if value not in (0, 1):
            raise MessageError("nb.link.bias", value=_shown(digits))
        return bool(value)
    low, high = limits(kind, name)
    if not low <= value <= high:
        raise MessageError("nb.link.range", word=word, name=name, value=_shown(digits), low=low, high=high)
    return value


def _read_layer(token: str, incoming: Shape | None) -> LayerSpec:
    """One layer from its text (any case, spaces around it ignored); raises MessageError saying why not."""
    written = token.strip().lower()  # not empty: read_stack sees to that
    word = next((w for w in _WORDS if written.startswith(w)), None)
    rest = written[len(word) :] if word else written
    if word is None or re.match(r"[a-z]{2}", rest):  # not a word we know (settings are one letter each)
        unknown = (word or "") + re.match(r"[a-z]*", rest).group()
        raise MessageError("nb.link.word", word=_shown(unknown or written), words=", ".join(_FORMS))
    form = _FORMS[word]
    params: dict[str, object] = dict(form.fixed)
    if not form.fields and form.lead is None and rest:
        raise MessageError("nb.link.no_settings", word=word)
    lead = _LEAD.match(rest)
    if form.lead is None and lead:
        raise MessageError("nb.link.lead_extra", word=word, letters=_letters(form))
    if form.lead is not None:
        if not lead:
            raise MessageError("nb.link.lead_missing", word=word, name=form.lead, example=form.example)
        params[form.lead] = _number(word, form.lead, form.kind, lead.group())
        rest = rest[lead.end() :]
    letters = dict(form.fields)
    while rest:
        field = _FIELD.match(rest)
        if field is None:
            raise MessageError("nb.link.syntax", done=_shown(written[: len(written) - len(rest)]), rest=_shown(rest))
        letter, digits = field.groups()
        name = letters.get(letter)
        if name is None:
            raise MessageError("nb.link.letter", word=word, letter=letter, letters=_letters(form))
        if name in params:
            raise MessageError("nb.link.twice", letter=letter, name=name)
        params[name] = _number(word, name, form.kind, digits)
        rest = rest[field.end() :]
    missing = next((name for name in form.required if name not in params), None)
    if missing is not None:
        letter = next(letter for letter, name in form.fields if name == missing)
        raise MessageError("nb.link.missing", word=word, letter=letter, name=missing, example=form.example)
    in_size = INPUT_SIZE.get(form.kind)
    for _, name in form.fields:
        if name not in params:
            params[name] = _assumed_size(form.kind, incoming) if name == in_size else _default(form, name, params)
    return LayerSpec(form.kind, params)  # a pooling padding over half the window: the Add form's own message


def read_stack(text: str, input_shape: Sequence[int]) -> tuple[list[LayerSpec], MessageError | None]:
    """The layers a link's stack text holds, and why it stops where it does (None: it was read to the end).

    The layers are read up to the first one that cannot be; the error (a StackTextError) names it, quotes its
    text and says why: a word that is not a layer, a missing or unknown letter, a letter written twice, a number
    outside the page's limits (with the range), a pooling padding over half the window (the Add form's message),
    more than MAX_LAYERS layers. Text longer than MAX_STACK_CHARS is not read at all. Lenient where nothing is
    lost: any case, spaces around a layer, leading zeros, "," for "-". Bad input numbers raise ParameterError.
    """
    stacker = Stacker(input_shape)
    if len(text) > MAX_STACK_CHARS:
        return [], MessageError("nb.link.too_long", length=len(text), limit=MAX_STACK_CHARS)
    if text == "":
        return [], None
    specs: list[LayerSpec] = []
    for index, token in enumerate(_SEPARATOR.split(text), start=1):
        try:
            if index > MAX_LAYERS:
                raise MessageError("nb.link.too_many", n=MAX_LAYERS)
            if not token.strip():
                return specs, StackTextError(index, token, None, read=len(specs))
            spec = _read_layer(token, stacker.incoming)
        except MessageError as reason:
            return specs, StackTextError(index, token, reason, read=len(specs))
        specs.append(spec)
        if stacker.incoming is not None:
            stacker.add(spec)
    return specs, None


def parse_stack(text: object, input_shape: Sequence[int]) -> list[LayerSpec] | None:
    """The stack that ``encode_stack`` wrote for ``input_shape``, or one written by hand; None for text that
    ``read_stack`` cannot read to the end, and for anything that is not text (never raises for text).

    Every layer is one of the forms above with its settings within ``limits``, each letter at most once, layers
    separated by one "-" or ",", at most MAX_LAYERS layers and MAX_STACK_CHARS characters. "" is the empty stack.
    """
    if not isinstance(text, str):
        return None
    specs, error = read_stack(text, input_shape)
    return None if error is not None else specs

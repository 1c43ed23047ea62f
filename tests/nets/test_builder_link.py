"""vizconv.nets.builder.link: the stack as a link's text, written and read back for any stack the page can hold,
hand-edited text read leniently, broken text read up to the layer it names, with the reason."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests_support import fitting_stacks, stack_error
from vizconv.errors import MessageError, ParameterError
from vizconv.nets.builder.link import MAX_STACK_CHARS, StackTextError, encode_stack, parse_stack, read_stack
from vizconv.nets.builder.presets import PRESETS
from vizconv.nets.builder.spec import ACTIVATIONS, KINDS, LIMITS, MAX_LAYERS, LayerSpec, layer, limits
from vizconv.nets.builder.stack import build_stack, fit_to


def _setting(kind: str, name: str):
    """Every value the page's widgets allow for one setting of one kind of layer."""
    if name == "bias":
        return st.booleans()
    if name == "function":
        return st.sampled_from(list(ACTIVATIONS))
    return st.integers(*limits(kind, name))


@st.composite
def any_layer(draw):
    """Any layer of any kind with settings within the page's limits (a pooling padding at most half its window)."""
    kind = draw(st.sampled_from(list(KINDS)))
    params = {name: draw(_setting(kind, name)) for name in KINDS[kind]}
    if kind in ("maxpool", "avgpool"):
        params["padding"] = min(params["padding"], params["kernel_size"] // 2)
    return LayerSpec(kind, params)


@st.composite
def any_stack(draw):
    """Any stack the page can hold: random layers, about half of them fitted to what comes in (as autofit does),
    so that stacks fit for a while and then stop fitting, on small and on large inputs."""
    sides = st.one_of(st.integers(1, 32), st.integers(*LIMITS["input"]))
    input_shape = (draw(sides), draw(sides), draw(sides))
    specs: list[LayerSpec] = []
    for _ in range(draw(st.integers(0, 6))):
        spec = draw(any_layer())
        steps = build_stack(input_shape, specs)
        if draw(st.booleans()) and (not steps or steps[-1].error is None):
            spec = fit_to(steps[-1].shape if steps else input_shape, spec)
        specs.append(spec)
    return input_shape, specs


@given(any_stack())
def test_any_stack_survives_its_text(stack):
    input_shape, specs = stack
    text = encode_stack(input_shape, specs)
    assert text is not None and len(text) <= MAX_STACK_CHARS
    assert re.fullmatch(r"[a-z0-9-]*", text), text  # nothing a URL has to escape
    assert parse_stack(text, input_shape) == specs


@given(fitting_stacks())
def test_a_fitting_stack_needs_no_input_sizes(stack):
    """Where every layer fits, the text names no in_channels / num_features / in_features: they are fitted back."""
    input_shape, specs = stack
    text = encode_stack(input_shape, specs)
    assert not re.search(r"i[0-9]", text), text
    assert parse_stack(text, input_shape) == specs


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("end", [0, 1])
def test_every_kind_at_the_ends_of_its_limits_survives_its_text(kind, end):
    params = {
        name: (
            end == 1 if name == "bias" else list(ACTIVATIONS)[-end] if name == "function" else limits(kind, name)[end]
        )
        for name in KINDS[kind]
    }
    if kind in ("maxpool", "avgpool"):
        params["padding"] = min(params["padding"], params["kernel_size"] // 2)
    spec = LayerSpec(kind, params)
    for input_shape in ((1, 1, 1), (LIMITS["input"][1],) * 3, (7, 40, 40)):
        for specs in ([spec], [fit_to(input_shape, spec)], [layer("flatten"), spec], [spec, spec]):
            assert parse_stack(encode_stack(input_shape, specs), input_shape) == specs, (input_shape, specs)


def test_the_presets_as_text():
    assert encode_stack(*PRESETS["lenet5"]) == (
        "conv5c6p2-sigmoid-avgpool2-conv5c16-sigmoid-avgpool2-flatten-linear120-sigmoid-linear84-sigmoid-linear10"
    )
    assert encode_stack(*PRESETS["basic_block"]) == "basicblockc64-basicblockc128s2"
    assert encode_stack(*PRESETS["bottleneck"]) == "bottleneckw64-bottleneckw128s2"
    # a layer that does not fit writes its input size, and so does every layer after it
    assert encode_stack(*PRESETS["mismatch"]) == "conv5c16i3-relu-maxpool2-flatten-linear10i2304"
    assert encode_stack((1, 28, 28), []) == ""


def test_a_hand_written_stack_is_fitted_to_its_input():
    specs = parse_stack("conv3c16p1-relu-maxpool2-flatten-linear10", (3, 32, 32))
    assert specs == [
        layer("conv2d", in_channels=3, out_channels=16, kernel_size=3, padding=1),
        layer("activation", function="relu"),
        layer("maxpool", kernel_size=2, stride=2),
        layer("flatten"),
        layer("linear", in_features=16 * 16 * 16, out_features=10),
    ]
    # settings at their defaults may be written out too
    assert parse_stack("conv3c16s1p1d1b1i3-relu-maxpool2s2p0-flatten-linear10b1", (3, 32, 32)) == specs
    assert parse_stack("conv3c16p1,relu,maxpool2,flatten,linear10", (3, 32, 32)) == specs  # commas, as typed
    assert parse_stack("", (3, 32, 32)) == []


def test_the_longest_stack():
    relus = [layer("activation", function="relu")] * MAX_LAYERS
    text = encode_stack((1, 28, 28), relus)
    assert parse_stack(text, (1, 28, 28)) == relus
    assert encode_stack((1, 28, 28), [*relus, relus[0]]) is None
    assert parse_stack(text + "-relu", (1, 28, 28)) is None
    widest = "-".join(["conv31c4096s8p15d8i16384b0"] * MAX_LAYERS)  # the longest layer, written out
    assert len(widest) <= MAX_STACK_CHARS and parse_stack(widest, (1, 28, 28)) is not None


def test_a_setting_beyond_the_limits_is_not_written():
    assert encode_stack((1, 28, 28), [layer("conv2d", out_channels=LIMITS["out_channels"][1] + 1)]) is None
    assert encode_stack((1, 28, 28), [layer("conv2d", stride=9)]) is None  # a convolution's stride: at most 8
    assert encode_stack((1, 28, 28), [layer("maxpool", kernel_size=9, stride=32)]) is None  # a pool's: any window


def test_a_pooling_stride_may_be_any_window():
    """PyTorch's default stride is the window, so a pool's stride has the window's range, in the Add form's widget
    (the page uses ``limits``) and in a link: ``avgpool16`` (stride 16) is read and written."""
    assert limits("maxpool", "stride") == limits("avgpool", "stride") == LIMITS["kernel_size"]
    assert limits("conv2d", "stride") == LIMITS["stride"]
    for text, kernel in [("avgpool16", 16), ("maxpool9", 9), ("avgpool31", 31)]:
        specs = parse_stack(text, (3, 32, 32))
        assert specs == [layer(text[:7], kernel_size=kernel, stride=kernel)]
        assert encode_stack((3, 32, 32), specs) == text
    assert parse_stack("maxpool31s31p15", (3, 32, 32)) == [layer("maxpool", kernel_size=31, stride=31, padding=15)]


def test_hand_edited_text_is_read_leniently_where_nothing_is_lost():
    expected = parse_stack("conv3c8-relu-maxpool2", (1, 28, 28))
    for text in [
        "Conv3c8-ReLU-MaxPool2",
        "CONV3C8,RELU,MAXPOOL2",
        " conv3c8 - relu ,maxpool2\n",
        "conv03c008-relu-maxpool02",
    ]:
        assert parse_stack(text, (1, 28, 28)) == expected, text


def test_a_conv_after_flatten_reads_with_its_default_in_channels_and_is_explained():
    """The classic mistake can be shown from a link: the Conv keeps the Add form's default in_channels (the vector
    cannot give it one) and the builder says it needs a feature map."""
    specs = parse_stack("flatten-conv3c4", (1, 28, 28))
    assert specs == [layer("flatten"), layer("conv2d", in_channels=KINDS["conv2d"]["in_channels"], out_channels=4)]
    assert stack_error((1, 28, 28), specs).key == "nb.err.needs_map"
    assert encode_stack((1, 28, 28), specs) == "flatten-conv3c4"
    assert parse_stack("flatten-bn", (1, 28, 28))[1] == layer(
        "batchnorm2d", num_features=KINDS["batchnorm2d"]["num_features"]
    )
    # after a layer that does not fit, a size left out is the default too; one written stays
    after = parse_stack("conv3c16i5-conv3c8-conv3c8i16", (3, 32, 32))
    assert [spec.params["in_channels"] for spec in after] == [5, KINDS["conv2d"]["in_channels"], 16]
    assert encode_stack((3, 32, 32), after) == "conv3c16i5-conv3c8-conv3c8i16"


@pytest.mark.parametrize(
    "text",
    [
        "relu,",  # an empty layer
        ",relu",
        "relu,,relu",
        "relu-",
        "relu--relu",
        "relu,-relu",
        "conv3",  # no output channels
        "conv3c16c4",  # a letter twice
        "conv3c0",  # below the limit
        "conv32c4",  # kernel beyond 31
        "conv3c4097",
        "conv3c-4",
        "conv3c4q1",  # a letter conv does not have
        "conv1x1",
        "conv1x1k3c4",
        "conv1x13c4",  # conv1x1 takes no number of its own
        "basicblock64",
        "bnc4",
        "maxpool3p2",  # padding beyond half the window (torch refuses it)
        "maxpool3s32",  # a pool's stride beyond any window
        "conv3c4s9",  # a convolution's stride beyond 8
        "linear10b2",
        "flatten3",
        "relu1",
        "swish",
        "relu relu",
        "conv\uff13c4",  # a full-width digit
        "linear1000000000",
        "conv3c99999999999",
        ",".join(["relu"] * (MAX_LAYERS + 1)),
        "relu," * 600,
        "x" * 5000,
        "<script>alert(1)</script>",
    ],
)
def test_broken_stack_text_is_refused(text):
    assert parse_stack(text, (1, 28, 28)) is None


@pytest.mark.parametrize("value", [None, 3, b"relu", ["relu"]])
def test_stack_text_that_is_not_text_is_refused(value):
    assert parse_stack(value, (1, 28, 28)) is None


@given(st.text(max_size=300))
def test_random_text_never_raises(text):
    result = parse_stack(text, (1, 28, 28))
    assert result is None or all(isinstance(spec, LayerSpec) for spec in result)


@st.composite
def mutated_stack_text(draw):
    """A valid stack's text with a few random edits: mostly broken, sometimes another valid stack."""
    input_shape, specs = draw(any_stack())
    text = list(encode_stack(input_shape, specs))
    alphabet = "abcdiklnoprstwx0123456789,-"
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        if edit == "insert" or at == len(text):
            text.insert(at, draw(st.sampled_from(alphabet)))
        elif edit == "delete":
            del text[at]
        else:
            text[at] = draw(st.sampled_from(alphabet))
    return input_shape, "".join(text)


@given(mutated_stack_text())
def test_damaged_stack_text_is_refused_or_read_as_a_stack(case):
    input_shape, text = case
    result = parse_stack(text, input_shape)
    if result is not None:  # the edit made another valid stack: it is written back the same way
        assert parse_stack(encode_stack(input_shape, result), input_shape) == result


@given(mutated_stack_text())
def test_damaged_text_is_read_up_to_the_layer_it_names(case):
    """read_stack reads every layer before the first it cannot and names that one (its position and its text);
    what it read is written back and read the same, and its message reads in both languages."""
    input_shape, text = case
    specs, error = read_stack(text, input_shape)
    assert parse_stack(encode_stack(input_shape, specs), input_shape) == specs
    if error is None:
        assert parse_stack(text, input_shape) == specs
        return
    assert parse_stack(text, input_shape) is None
    assert isinstance(error, StackTextError) and error.index == len(specs) + 1
    assert error.token == re.split("[-,]", text)[error.index - 1]
    for lang in ("en", "zh"):
        message = error.message(lang)
        assert re.search(rf"\b{error.index}\b", message) and message.count("`") % 2 == 0
        token = error.token.strip()
        if token:  # quoted, and cut after 40 characters
            assert f"`{token if len(token) <= 40 else token[:40] + '…'}`" in message


@given(st.text(max_size=300))
def test_any_text_is_read_without_raising(text):
    specs, error = read_stack(text, (1, 28, 28))
    assert all(isinstance(spec, LayerSpec) for spec in specs)
    assert error is None or isinstance(error, MessageError) and error.message("zh")


@pytest.mark.parametrize(
    ("text", "index", "token", "reason", "says"),
    [
        ("relu-swish", 2, "swish", "nb.link.word", "`swish` is not a layer. A layer starts with one of: conv,"),
        ("convolution3c4", 1, "convolution3c4", "nb.link.word", "`convolution` is not a layer"),
        ("conv3c16c4", 1, "conv3c16c4", "nb.link.twice", "the letter `c` (out_channels) is written twice"),
        ("relu-conv32c4", 2, "conv32c4", "nb.link.range", "conv: kernel_size 32 is outside its range 1–31"),
        ("conv3c0", 1, "conv3c0", "nb.link.range", "out_channels 0 is outside its range 1–4096"),
        ("conv3c4s9", 1, "conv3c4s9", "nb.link.range", "stride 9 is outside its range 1–8"),
        ("maxpool2s32", 1, "maxpool2s32", "nb.link.range", "stride 32 is outside its range 1–31"),
        ("conv3c99999999999", 1, "conv3c99999999999", "nb.link.range", "out_channels 99999999999 is outside"),
        ("conv3", 1, "conv3", "nb.link.missing", "conv needs `c` (out_channels), as in `conv3c16`"),
        ("conv3c4q1", 1, "conv3c4q1", "nb.link.letter", "conv has no setting `q`; its letters are: c (out_channels),"),
        ("bnc4", 1, "bnc4", "nb.link.letter", "bn has no setting `c`; its letters are: i (num_features)"),
        ("conv1x13c4", 1, "conv1x13c4", "nb.link.lead_extra", "conv1x1 takes no number right after its name"),
        ("linear", 1, "linear", "nb.link.lead_missing", "linear needs a number right after its name (out_features)"),
        ("flatten3", 1, "flatten3", "nb.link.no_settings", "flatten takes no settings"),
        ("linear10b2", 1, "linear10b2", "nb.link.bias", "`b` (bias) is 0 (no bias) or 1, not 2"),
        ("conv3c-4", 1, "conv3c", "nb.link.syntax", "after `conv3`, `c` cannot be read"),
        ("relu-maxpool3s1p2", 2, "maxpool3s1p2", "nb.err.pool_padding", "padding 2 is more than half the window"),
        ("relu,,relu", 2, "", None, "at layer 2: it is empty"),
        ("relu-", 2, "", None, "at layer 2: it is empty"),
        ("-".join(["relu"] * (MAX_LAYERS + 1)), MAX_LAYERS + 1, "relu", "nb.link.too_many", "at most 64 layers"),
    ],
)
def test_unreadable_text_names_the_layer_and_why(text, index, token, reason, says):
    specs, error = read_stack(text, (1, 28, 28))
    assert isinstance(error, StackTextError)
    assert (error.index, error.token) == (index, token)
    assert (None if error.reason is None else error.reason.key) == reason
    assert specs == parse_stack("-".join(["relu"] * (index - 1)), (1, 28, 28))  # the layers before it
    english, chinese = error.message("en"), error.message("zh")
    assert says in english, english
    assert f"at layer {index}" in english and f"第 {index} 层" in chinese
    if token:
        assert f"`{token}`" in english and f"`{token}`" in chinese
    assert f"({index - 1} of them)" in english and f"共 {index - 1} 层" in chinese


def test_a_pool_padding_in_a_link_gets_the_add_forms_message():
    _, error = read_stack("maxpool3s1p2", (1, 28, 28))
    with pytest.raises(ParameterError) as form:
        layer("maxpool", kernel_size=3, stride=1, padding=2)
    for lang in ("en", "zh"):
        assert form.value.message(lang) in error.message(lang)


def test_text_too_long_for_a_link_is_not_read():
    specs, error = read_stack("relu-" * 500, (1, 28, 28))
    assert specs == [] and error.key == "nb.link.too_long" and not isinstance(error, StackTextError)
    assert "2500 characters" in error.message("en") and "2500 个字符" in error.message("zh")


def test_a_quoted_layer_cannot_break_out_of_its_code_span():
    _, error = read_stack("relu-![x](http://e.example)`**b**`", (1, 28, 28))
    message = error.message("en")
    assert "`![x](http://e.example)\ufffd**b**\ufffd`" in message and message.count("`") % 2 == 0
    _, error = read_stack("relu-" + "q" * 100, (1, 28, 28))
    assert "`" + "q" * 40 + "…`" in error.message("en")

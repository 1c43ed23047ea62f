"""Teaching notes: every page shows its own, in both languages; every topic of the issue is covered; every
number the notes state is recomputed here with torch."""

from __future__ import annotations

import re
import warnings

import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from streamlit.testing.v1 import AppTest
from torch import nn

from tests_support import ROOT
from vizconv.i18n.strings import LANGUAGES, STRINGS, text
from vizconv.i18n.teaching import PAGES, notes
from vizconv.inputs.samples import model_samples
from vizconv.nets.architectures import ResNet20, lenet5
from vizconv.nets.builder import PRESETS, build_stack, layer
from vizconv.nets.capture import capture
from vizconv.nets.layers import trace_layers
from vizconv.nets.models import load_model
from vizconv.viz.formulas import COMMON_MISTAKE_LATEX

PAGE_FILES = {"home": "app.py"} | {
    page: next(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob(f"{number}_*.py"))
    for number, page in (
        ("1", "conv"),
        ("2", "fm"),
        ("3", "pool"),
        ("4", "tconv"),
        ("5", "nb"),
        ("6", "learning"),
        ("7", "why"),
        ("8", "more"),
    )
}

# Every topic the issue (and its brief) names -> the page that teaches it and the catalogue entry that does.
TOPICS = {
    "a class activation map says where, not why": ("why", "teach.why.where"),
    "every method is a weighted sum of channels": ("why", "teach.why.numbers"),
    "coarse maps, and occlusion as a check": ("why", "teach.why.limits"),
    "why padding": ("conv", "teach.conv.padding"),
    "why stride": ("conv", "teach.conv.stride"),
    "dilation": ("conv", "teach.conv.dilation"),
    "shared weights": ("conv", "teach.conv.shared"),
    "channel sums": ("conv", "teach.conv.channels"),
    "groups": ("conv", "teach.conv.groups"),
    "correct output-size formula, common mistake named": ("conv", "teach.conv.formula"),
    "representation learning": ("fm", "teach.fm.learned"),
    "feature extractor versus classifier": ("fm", "teach.fm.extractor"),
    "what deeper layers respond to": ("fm", "teach.fm.depth"),
    "receptive field growth": ("fm", "teach.fm.field"),
    "pooling has no weights": ("pool", "teach.pool.no_weights"),
    "why pool": ("pool", "teach.pool.why_pool"),
    "why non-linear activations": ("pool", "teach.pool.nonlinear"),
    "transposed convolution is not an inverse": ("tconv", "teach.tconv.transpose"),
    "checkerboard artifacts": ("tconv", "teach.tconv.checkerboard"),
    "why output_padding": ("tconv", "teach.tconv.output_padding"),
    "feature extractor versus classifier (builder)": ("nb", "nb.note.head"),
    "1×1 convolutions": ("nb", "nb.note.1x1"),
    "residual connections": ("nb", "nb.note.residual"),
    "why residual connections help": ("nb", "teach.nb.why_residual"),
    "the notes' buggy residual block": ("nb", "nb.note.mistake"),
    "how the pages fit together": ("home", "teach.home.pages"),
    "suggested lesson order": ("home", "teach.home.order"),
    "the chain rule through one layer": ("learning", "teach.learning.chain"),
    "shared weights add up their gradients": ("learning", "teach.learning.shared"),
    "both gradients are convolutions": ("learning", "teach.learning.transposed"),
    "causal padding": ("more", "teach.more.causal"),
    "receptive field doubling (WaveNet)": ("more", "teach.more.wavenet"),
    "3-D kernels over a video": ("more", "teach.more.depth"),
    "depthwise-separable: 1/C_out + 1/k²": ("more", "teach.more.separable"),
}


def _run(page: str, lang: str, notes_open: bool = True) -> AppTest:
    """The page with its 📖 notes open (their tabs are drawn only while open), or closed."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    if notes_open or page == "home":  # the home page opens with its notes open
        at.session_state[f"{page}_notes"] = notes_open
    if page == "home":
        at.run()
    else:
        at.switch_page(PAGE_FILES[page]).run()
    assert not at.exception, at.exception
    return at


def _says(key: str, *fragments: str, langs: tuple[str, ...] = LANGUAGES) -> None:
    """Each fragment is in the entry's text in every language given."""
    for lang in langs:
        missing = [f for f in fragments if f not in text(key, lang)]
        assert not missing, (key, lang, missing)


# ---------------------------------------------------------------- structure


def test_every_page_has_notes_and_every_entry_exists():
    assert set(PAGES) == set(PAGE_FILES)
    for page, topics in PAGES.items():
        assert topics, page
        for topic in topics:
            for key in (f"teach.{page}.{topic}", f"teach.{page}.{topic}.title"):
                assert all(STRINGS[key].get(lang) for lang in LANGUAGES), key


def test_unknown_page_is_explained():
    with pytest.raises(ValueError, match="no teaching notes for page 'nope'"):
        notes("nope")


def test_every_topic_of_the_issue_is_covered():
    for topic, (page, key) in TOPICS.items():
        assert key in STRINGS, topic
        if key.startswith("teach."):
            assert key.split(".")[2] in PAGES[page], topic
    taught = {key for _, key in TOPICS.values()}
    assert {f"teach.{page}.{topic}" for page, topics in PAGES.items() for topic in topics} - taught == {
        "teach.nb.params",
        "teach.nb.small_kernels",
        "teach.pool.order",
    }


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_page_shows_its_notes(page, lang):
    """The 📖 panel: one tab per topic, titled, with its text; the issue's topics for this page among them."""
    at = _run(page, lang)
    assert text("teach.panel", lang) in [e.label for e in at.expander]
    titles = [tab.label for tab in at.tabs]
    markdown = [m.value for m in at.markdown]
    for title, body in notes(page, lang):
        assert title in titles
        assert body in markdown
    for topic, (where, key) in TOPICS.items():
        if where == page:
            assert text(key, lang) in markdown, topic
    closed = _run(page, lang, notes_open=False)  # closed: the panel, but no tabs sent
    assert text("teach.panel", lang) in [e.label for e in closed.expander] and not closed.tabs


@pytest.mark.parametrize("lang", LANGUAGES)
def test_convolution_page_shows_the_correct_formula_and_names_the_mistake(lang):
    at = _run("conv", lang)
    general = r"H_{out} &= \left\lfloor \frac{H + 2p - d\,(k - 1) - 1}{s} \right\rfloor + 1"
    assert any(general in latex.value for latex in at.latex)  # st.latex wraps it in $$ … $$
    assert text("conv.mistake", lang, wrong=COMMON_MISTAKE_LATEX) in [c.value for c in at.caption]
    assert text("teach.conv.formula", lang) in [m.value for m in at.markdown]
    _says("teach.conv.formula", r"$\lfloor (H + 2p - k)/s \rfloor$", "$(H + 2p - k + 1)/s$", "$(W - F + 2P)/S + 1$")


def test_home_notes_name_every_page():
    for lang in LANGUAGES:
        for page in ("conv", "fm", "pool", "tconv", "nb"):
            title = text(f"{page}.title", lang)
            assert f"**{title}**" in text("teach.home.pages", lang), (lang, page)
            assert f"**{title}**" in text("teach.home.order", lang), (lang, page)


# ---------------------------------------------------------------- the numbers, recomputed


def _out(h: int, k: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Output side of nn.Conv2d on an h×h input."""
    return nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)(torch.zeros(1, 1, h, h)).shape[-1]


def _params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_padding_numbers():
    assert _out(28, 3) == 26
    x = torch.zeros(1, 1, 28, 28)
    for _ in range(5):
        x = nn.Conv2d(1, 1, 3)(x)
    assert x.shape[-1] == 18
    windows = F.conv_transpose2d(torch.ones(1, 1, 26, 26), torch.ones(1, 1, 3, 3))  # windows covering each pixel
    assert windows[0, 0, 0, 0] == 1 and windows[0, 0, 14, 14] == 9
    assert _out(28, 3, p=1) == 28 and _out(28, 5, p=2) == 28 and _out(28, 4, p=4 // 2) == 29
    same = nn.Conv2d(1, 1, 4, padding="same", bias=False)
    with torch.no_grad():
        same.weight.zero_()
        same.weight[0, 0, 0, 0] = 1  # the kernel's top-left tap reads the pixel one up and one left
    impulse = torch.zeros(1, 1, 6, 6)
    impulse[0, 0, 0, 0] = 1
    with (
        warnings.catch_warnings()
    ):  # PyTorch pads even kernels unevenly, through a padded copy (warned once per process)
        warnings.simplefilter("ignore", UserWarning)
        moved = same(impulse)[0, 0]
    assert moved[1, 1] == 1  # 1 row/column of padding on top and left, so 2 at the bottom and right
    _says("teach.conv.padding", "26×26", "18×18", "`padding = kernel_size/2`")
    _says("teach.conv.padding", "is in 1 window, a pixel in the middle in 9", langs=("en",))
    _says("teach.conv.padding", "只落在 1 个窗口里", "落在 9 个窗口里", langs=("zh",))


def test_stride_numbers():
    assert nn.Conv2d(1, 3, kernel_size=3, stride=2, padding=1)(torch.zeros(1, 1, 28, 28)).shape[1:] == (3, 14, 14)
    assert nn.Conv2d(1, 3, kernel_size=3, stride=1, padding=1)(torch.zeros(1, 1, 28, 28)).shape[1:] == (3, 28, 28)
    _says("teach.conv.stride", "3×14×14", "3×28×28", "`nn.Conv2d(1, 3, kernel_size=3, stride=2, padding=1)`")


def test_dilation_numbers():
    assert _out(28, 3, d=2) == 24 and 2 * (3 - 1) + 1 == 5
    assert _params(nn.Conv2d(1, 1, 3, dilation=2, bias=False)) == 9
    _says("teach.conv.dilation", "24×24", "5×5", "9 ")


def test_shared_weights_numbers():
    assert _params(nn.Conv2d(1, 6, 5)) == 156
    assert nn.Conv2d(1, 6, 5)(torch.zeros(1, 1, 28, 28)).shape[1:] == (6, 24, 24)
    assert _params(nn.Linear(28 * 28, 6 * 24 * 24)) == 2_712_960
    _says("teach.conv.shared", "156", "3,456", "2,712,960")


def test_channel_numbers():
    conv = nn.Conv2d(3, 16, 3)
    assert tuple(conv.weight.shape) == (16, 3, 3, 3) and _params(conv) == 448
    x = torch.randn(1, 3, 5, 5)
    by_hand = sum((conv.weight[0, c] * x[0, c, :3, :3]).sum() for c in range(3)) + conv.bias[0]
    assert torch.allclose(conv(x)[0, 0, 0, 0], by_hand, atol=1e-6)
    with pytest.raises(RuntimeError, match="to have 3 channels"):
        F.conv2d(torch.zeros(1, 1, 28, 28), torch.zeros(16, 3, 5, 5))
    _says("teach.conv.channels", "27", "448", "[16, 3, 5, 5]")


def test_group_numbers():
    separable = _params(nn.Conv2d(32, 32, 3, groups=32, bias=False)) + _params(nn.Conv2d(32, 64, 1, bias=False))
    assert separable == 2_336
    assert _params(nn.Conv2d(32, 64, 3, bias=False)) == 18_432
    assert _params(nn.Conv2d(32, 64, 3, groups=2, bias=False)) == 18_432 // 2
    _says("teach.conv.groups", "2,336", "18,432")


def test_formula_numbers():
    def right(h: int, k: int, p: int, s: int) -> int:
        return (h + 2 * p - k) // s + 1

    for h, k, p, s in [(h, k, p, s) for h in (5, 7, 28) for k in (1, 3, 5) for p in (0, 1, 2) for s in (1, 2, 3)]:
        assert right(h, k, p, s) == _out(h, k, p, s)
        if s == 1:
            assert (h + 2 * p - k + 1) / s == right(h, k, p, s)  # the mistake is harmless only for stride 1
    assert _out(5, 3, 1, 2) == 3 and (5 + 2 - 3 + 1) / 2 == 2.5
    assert (28 - 3 + 0) / 2 + 1 == 13.5 and _out(28, 3, 0, 2) == 13
    _says("teach.conv.formula", "3×3", "5/2 = 2.5", "25/2 + 1 = 13.5", "13")


def test_feature_extractor_numbers():
    net = lenet5()
    extractor, classifier = sum(_params(m) for m in net[:6]), sum(_params(m) for m in net[6:])
    assert (extractor, classifier, _params(net)) == (2_572, 59_134, 61_706)
    assert round(100 * classifier / _params(net)) == 96
    assert net[:7](torch.zeros(1, 1, 28, 28)).shape == (1, 400)
    assert [m.out_features for m in net if isinstance(m, nn.Linear)] == [120, 84, 10]
    _says("teach.fm.extractor", "16×5×5 = 400", "400 → 120 → 84 → 10", "2,572", "59,134", "61,706", "96%")


def test_receptive_field_numbers():
    rows = trace_layers(lenet5(), torch.zeros(1, 1, 28, 28))
    assert [r.receptive_field for r in rows[:6]] == [5, 5, 6, 14, 14, 16]
    assert [r.shape for r in rows if r.kind == "Conv2d"] == [(6, 28, 28), (16, 10, 10)]
    resnet = ResNet20().eval()
    assert sum(1 for m in resnet.modules() if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3)) == 19
    last = next(r for r in trace_layers(resnet, torch.zeros(1, 3, 32, 32)) if r.name == "layer3.2")
    assert last.shape == (64, 8, 8) and last.receptive_field == 81
    _says("teach.fm.field", "5×5", "6×6", "14×14", "16×16", "19 ", "81×81", "32×32")
    _says("teach.fm.depth", "6×28×28", "16×10×10")


def test_learned_filters_include_edge_detectors():
    """Several of LeNet-5's trained conv1 filters match Sobel x or y (|cosine| ≥ 0.75 in some 3×3 window)."""
    model, _ = load_model("lenet5")
    filters = model[0].weight.detach()[:, :1]  # (6, 1, 5, 5)
    sobel_x = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    best = torch.zeros(len(filters))
    for sobel in (sobel_x, sobel_x.T):
        dots = F.conv2d(filters, sobel[None, None])  # (6, 1, 3, 3): one per 3×3 window
        norms = F.conv2d(filters**2, torch.ones(1, 1, 3, 3)).sqrt() * sobel.norm()
        best = torch.maximum(best, (dots / norms).abs().amax(dim=(1, 2, 3)))
    assert int((best >= 0.75).sum()) >= 2, best


def test_deeper_channels_are_selective():
    """Some channel of LeNet-5's second convolution peaks at least 5 times higher for one digit than another."""
    model, info = load_model("lenet5")
    peaks = []
    for path in model_samples("mnist").values():
        with Image.open(path) as opened:
            x = info.preprocess(opened.convert("RGB"))
        peaks.append(capture(model, x)["4"][0].amax(dim=(1, 2)))  # after the second convolution's ReLU
    peaks = torch.stack(peaks)  # (digits, 16)
    assert float((peaks.amax(0) / peaks.amin(0).clamp_min(1e-6)).max()) >= 5


def test_pooling_numbers():
    assert _params(nn.MaxPool2d(2)) == 0 and _params(nn.AvgPool2d(2)) == 0
    assert nn.MaxPool2d(2)(torch.zeros(1, 6, 28, 28)).shape[1:] == (6, 14, 14)
    assert nn.MaxPool2d(2)(torch.zeros(1, 16, 10, 10)).flatten(1).shape[1] == 400 and 16 * 10 * 10 == 1_600
    assert lenet5()[6:8](torch.zeros(1, 16, 5, 5)).shape == (1, 120)  # Flatten -> the first Linear layer
    _says("teach.pool.no_weights", "`nn.MaxPool2d(2)`", "6×28×28", "6×14×14")
    _says("teach.pool.no_weights", "has 0 parameters", langs=("en",))
    _says("teach.pool.no_weights", "参数量为 0", langs=("zh",))
    _says("teach.pool.why_pool", "1,600", "400")


def test_max_pooling_and_relu_commute_and_average_pooling_does_not():
    x = torch.randn(1, 6, 28, 28, generator=torch.Generator().manual_seed(0))
    assert torch.equal(F.max_pool2d(F.relu(x), 2), F.relu(F.max_pool2d(x, 2)))
    assert not torch.equal(F.avg_pool2d(F.relu(x), 2), F.relu(F.avg_pool2d(x, 2)))


def test_without_activations_two_convolutions_are_one():
    g = torch.Generator().manual_seed(0)
    first, second = torch.randn(1, 1, 3, 3, generator=g), torch.randn(1, 1, 3, 3, generator=g)
    x = torch.randn(1, 1, 12, 12, generator=g)
    combined = F.conv_transpose2d(second, first)  # the single kernel of the two in a row
    assert combined.shape[-2:] == (5, 5)
    assert torch.allclose(F.conv2d(F.conv2d(x, first), second), F.conv2d(x, combined), atol=1e-4)
    assert F.relu(torch.tensor(0.01)) == torch.tensor(0.01)
    _says("teach.pool.nonlinear", "5×5", "0.01")


def test_transposed_convolution_is_the_transpose_not_the_inverse():
    g = torch.Generator().manual_seed(0)
    kernel = torch.randn(1, 1, 3, 3, generator=g)
    matrix = F.conv2d(torch.eye(16).reshape(16, 1, 4, 4), kernel).reshape(16, 4).T  # (4, 16): y = C x
    assert matrix.shape == (4, 16) and all(int((row != 0).sum()) == 9 for row in matrix)
    x = torch.randn(1, 1, 4, 4, generator=g, requires_grad=True)
    y = F.conv2d(x, kernel)
    assert torch.allclose(y.flatten(), matrix @ x.detach().flatten(), atol=1e-5)
    z = torch.randn(1, 1, 2, 2, generator=g)
    back = F.conv_transpose2d(z, kernel)
    assert back.shape[-2:] == (4, 4) and torch.allclose(back.flatten(), matrix.T @ z.flatten(), atol=1e-5)
    y.backward(z)
    assert torch.allclose(x.grad, back, atol=1e-5)  # the gradient with respect to the input
    assert not torch.allclose(F.conv_transpose2d(y.detach(), kernel), x.detach(), atol=1e-2)
    _says("teach.tconv.transpose", "4 × 16", "16 × 4", "9 ", "$C^T$")


def test_checkerboard_numbers():
    uneven = F.conv_transpose2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3), stride=2)[0, 0]
    assert uneven.shape == (9, 9)
    rows = {" ".join(str(int(v)) for v in row) for row in uneven}
    assert rows == {"1 1 2 1 2 1 2 1 1", "2 2 4 2 4 2 4 2 2"}
    even = F.conv_transpose2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 4, 4), stride=2, padding=1)[0, 0]
    assert even.shape == (8, 8) and bool((even[1:-1, 1:-1] == 4).all())
    _says("teach.tconv.checkerboard", "9×9", "1 1 2 1 2 1 2 1 1", "2 2 4 2 4 2 4 2 2", "4×4")


def test_output_padding_numbers():
    assert _out(7, 3, 1, 2) == _out(8, 3, 1, 2) == 4
    back = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1)
    assert back(torch.zeros(1, 1, 4, 4)).shape[-1] == 7
    longer = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1)
    assert longer(torch.zeros(1, 1, 4, 4)).shape[-1] == 8 and _params(longer) == _params(back)
    with pytest.raises(RuntimeError):
        nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=2)(torch.zeros(1, 1, 4, 4))
    _says("teach.tconv.output_padding", "7×7", "8×8", "4×4", "`output_padding=1`")


def test_builder_parameter_numbers():
    shape, specs = PRESETS["lenet5"]
    steps = build_stack(shape, specs)
    assert all(step.error is None for step in steps)
    by_kind = {kind: [s.params for s in steps if s.spec.kind == kind] for kind in ("conv2d", "linear")}
    assert sum(by_kind["conv2d"]) == 2_572 and sum(by_kind["linear"]) == 59_134 and by_kind["linear"][0] == 48_120
    assert _params(nn.BatchNorm2d(16)) == 2 * 16
    _says("teach.nb.params", "2,572", "59,134", "48,120")


def test_stacked_small_kernel_numbers():
    steps = build_stack((64, 28, 28), [layer("conv2d", in_channels=64, out_channels=64, kernel_size=3)] * 2)
    assert [s.receptive_field for s in steps] == [3, 5]
    one = build_stack((64, 28, 28), [layer("conv2d", in_channels=64, out_channels=64, kernel_size=5)])
    assert one[0].receptive_field == 5 and one[0].shape == steps[-1].shape
    assert 2 * _params(nn.Conv2d(64, 64, 3, bias=False)) == 73_728
    assert _params(nn.Conv2d(64, 64, 5, bias=False)) == 102_400
    _says("teach.nb.small_kernels", "73,728", "102,400", "5×5", "7×7")


def test_a_fresh_residual_block_is_the_identity():
    """ResNet-20 starts each block's last batch norm at scale 0: F(x) = 0, and ReLU(0 + x) = x for x ≥ 0."""
    resnet = ResNet20().eval()
    x = torch.rand(1, 16, 32, 32)
    assert torch.equal(resnet.layer1[0](x), x)
    assert all(int(torch.count_nonzero(m.bn2.weight)) == 0 for m in resnet.modules() if hasattr(m, "bn2"))
    _says("teach.nb.why_residual", "$y = F(x) + x$", "56", "20", "CIFAR-10")


def test_notes_are_plain_text_without_placeholders():
    """No entry of the notes takes parameters: LaTeX is written without braces, so nothing is formatted."""
    for key in (k for k in STRINGS if k.startswith("teach.")):
        for lang in LANGUAGES:
            assert not re.search(r"[{}]", STRINGS[key][lang]), (key, lang)

"""The Transposed convolution page's explanations: why an output cell is empty, the checks against
nn.ConvTranspose2d under the step panels, the weight's full index, and the PyTorch script that runs as copied."""

from __future__ import annotations

import re

import pytest

from tests_support import TCONV, open_page, run_script
from vizconv.i18n.strings import text

PAGE = TCONV

# The audit's link: stride = kernel = 3 (no gap between stamps), output padding 2; output row 8 is empty.
OUTPUT_PADDING_LINK = {
    "tconv_source": "random",
    "tconv_channels": "2",
    "tconv_height": "3",
    "tconv_width": "4",
    "tconv_seed": "5",
    "tconv_out_channels": "4",
    "tconv_kernel": "3",
    "tconv_stride": "3",
    "tconv_padding": "1",
    "tconv_output_padding": "2",
    "tconv_groups": "2",
    "tconv_bias": "1",
    "tconv_preset": "random_int",
    "tconv_kernel_seed": "7",
    "tconv_out_oc": "3",
    "tconv_out_y": "8",
    "tconv_out_x": "2",
}
# Random 2×2 input, 1×1 kernel, stride 2: output rows and columns 1 lie between the stamps.
STRIDE_GAP = {"tconv_source": "random", "tconv_height": "2", "tconv_width": "2", "tconv_kernel": "1",
              "tconv_stride": "2", "tconv_preset": "ones", "tconv_out_y": "1", "tconv_out_x": "0"}  # fmt: skip
# Random 2×2 input, 2×2 kernel, dilation 3: taps at 0, 3 (input 0) and 1, 4 (input 1); column 2 is between taps.
DILATION_GAP = {"tconv_source": "random", "tconv_height": "2", "tconv_width": "2", "tconv_kernel": "2",
                "tconv_stride": "1", "tconv_dilation": "3", "tconv_preset": "ones", "tconv_out_y": "0",
                "tconv_out_x": "2"}  # fmt: skip


def _panel(at) -> str:
    """Everything the gather panel (where one output value comes from) writes, as one text."""
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def _gather_latex(at) -> str:
    """The gather panel's sum, ``y_{oc,oy,ox} = ... = \\mathbf{total}`` (without the $$ around it)."""
    bodies = (element.body.strip("$\n") for element in at.get("latex"))
    return next(body for body in bodies if body.startswith("y_{"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_output_padding_row_is_said_to_be_output_padding(lang):
    """Row 8 of the audit's link is empty because output padding adds it, not because of a stride gap."""
    at = open_page(PAGE, query={**OUTPUT_PADDING_LINK, "lang": lang})
    panel = _panel(at)
    assert text("tconv.gather_none", lang) in panel
    assert text("tconv.empty.rows.output_padding", lang, index=8, output_padding=2) in panel
    assert "stride leaves a gap" not in panel and "步幅在盖印的卷积核之间留下了空隙" not in panel
    assert not any(word in panel for word in ("Column 2 ", "第 2 列落在"))  # column 2 is written: no reason given
    assert re.search(r"= \\mathbf\{(-?[\d.]+)\}$", _gather_latex(at))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_stride_gap_is_said_to_be_a_stride_gap(lang):
    at = open_page(PAGE, query={**STRIDE_GAP, "lang": lang})
    panel = _panel(at)
    assert text("tconv.gather_none_no_bias", lang) in panel  # no bias: the cell holds 0
    assert text("tconv.empty.rows.stride_gap", lang, index=1, source=0, next=1, stride=2, span=1) in panel
    assert "Column 0" not in panel and "第 0 列" not in panel
    assert _gather_latex(at).endswith(r"= 0 = \mathbf{0}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_dilation_gap_is_said_to_be_a_dilation_gap(lang):
    at = open_page(PAGE, query={**DILATION_GAP, "lang": lang})
    panel = _panel(at)
    assert text("tconv.empty.cols.dilation_gap", lang, index=2, source=1, dilation=3) in panel
    assert "Row 0 " not in panel and "第 0 行落在" not in panel


def test_both_axes_are_explained_when_both_are_empty():
    at = open_page(PAGE, query={**STRIDE_GAP, "tconv_out_x": "1"})
    panel = _panel(at)
    assert text("tconv.empty.rows.stride_gap", "en", index=1, source=0, next=1, stride=2, span=1) in panel
    assert text("tconv.empty.cols.stride_gap", "en", index=1, source=0, next=1, stride=2, span=1) in panel


def test_the_gather_check_compares_with_conv_transpose2d():
    """The check under the gather panel names nn.ConvTranspose2d's value and the sum's, and they are equal."""
    at = open_page(PAGE, query={**OUTPUT_PADDING_LINK, "tconv_out_y": "4", "tconv_out_x": "5"})
    assert not at.error
    latex = _gather_latex(at)
    total = re.search(r"= \\mathbf\{(-?[\d.]+)\}$", latex).group(1)
    checks = [s for s in at.success if s.icon == "✅" and "at this cell" in s.value]
    assert len(checks) == 1, [s.value for s in at.success]
    assert f"the sum above is {total}: the same, up to float32 rounding" in checks[0].value
    # 2 inputs, 4 outputs, 2 groups: output channel 3 is column 1 of group 1, whose only input channel is 1
    indices = re.findall(r"w_\{([\d,]+)\}", latex)
    assert indices and all(re.fullmatch(r"1,1,\d,\d", index) for index in indices), indices
    assert text("tconv.gather_indices", "en", oc=3, per_group=2, j=1) in [c.value for c in at.caption]


def test_the_equivalent_views_check_compares_with_conv_transpose2d():
    at = open_page(PAGE, query={**OUTPUT_PADDING_LINK, "tconv_view": "equivalent", "tconv_eq_position": "13"})
    assert not at.error
    checks = [s for s in at.success if s.icon == "✅" and "at this cell" in s.value]
    assert len(checks) == 1 and "up to float32 rounding (difference" in checks[0].value


def test_one_and_several_input_values_are_counted_in_words():
    at = open_page(PAGE)  # Dumoulin & Visin: 2×2 input, 3×3 kernel, stride 2; output (0, 0) gets one value
    assert text("tconv.gather_where_one", "en") in [m.value for m in at.markdown]
    at.number_input(key="tconv_out_y").set_value(2).run()
    at.number_input(key="tconv_out_x").set_value(2).run()  # the centre: all four input values
    assert text("tconv.gather_where", "en", n=4) in [m.value for m in at.markdown]
    assert not any("value(s)" in m.value for m in at.markdown)


@pytest.mark.parametrize("query", [OUTPUT_PADDING_LINK, DILATION_GAP, {}])
def test_the_code_runs_as_copied_and_can_be_downloaded(query):
    """The code block imports torch and defines x, weight (and bias): pasted alone it gives the page's output."""
    at = open_page(PAGE, query=query)
    code = next(c.value for c in at.code if "nn.ConvTranspose2d(" in c.value)
    assert code.startswith("import torch\n") and "x = torch.tensor(" in code and "weight = torch.tensor(" in code
    y = run_script(code)
    shape = next(m.value for m in at.metric if m.label.startswith("Output"))
    assert list(y.shape) == [int(n) for n in shape.strip("[]").split(", ")]
    oc, oy, ox = (at.number_input(key=f"tconv_out_{name}").value for name in ("oc", "y", "x"))
    total = float(re.search(r"= \\mathbf\{(-?[\d.]+)\}$", _gather_latex(at)).group(1))
    assert float(y[oc, oy, ox]) == pytest.approx(total, abs=1e-4)  # the value the gather panel explains
    buttons = {b.key: b for b in at.get("download_button")}
    assert buttons["tconv_download_script"].label == text("export.script", "en")
    assert any("same output" in s.value for s in at.success)


def test_dilation_is_named_consistently_in_chinese():
    at = open_page(PAGE, query={"lang": "zh"})
    assert at.number_input(key="tconv_dilation").label == "膨胀率"
    assert "卷积对输入的梯度）" not in " ".join(i.value for i in at.info)

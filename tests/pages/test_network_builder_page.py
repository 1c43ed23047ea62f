"""The Network builder page through Streamlit's AppTest: presets rendered, mistakes explained and fixed, layers
added, moved and removed, the layer table, the totals and the notes."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests_support import BUILDER, FITTING_PRESETS, markdown_table, metric, open_page
from vizconv.i18n.strings import text as catalogue_text
from vizconv.nets.builder import PRESETS, build_stack, layer_summary, sequential_code

PAGE = BUILDER


def _table(at: AppTest) -> list[list[str]]:
    """The layer table's rows, the input row first (the page writes it as a Markdown table)."""
    return markdown_table(at, "#")[1:]


def _code(at: AppTest) -> str:
    return next(c.value for c in at.code if "model = nn.Sequential(" in c.value)


@pytest.mark.parametrize("name", FITTING_PRESETS)
def test_page_renders_each_fitting_preset(name):
    at = open_page(PAGE, nb_preset=name)
    assert not at.error
    steps = build_stack(*PRESETS[name])
    assert metric(at, "Output shape") == "×".join(map(str, steps[-1].shape))
    assert metric(at, "Parameters") == f"{sum(s.params for s in steps):,}"
    assert len(_table(at)) == len(steps) + 1  # the input row, then one row per layer
    assert _code(at) == sequential_code(*PRESETS[name]).rstrip()
    assert at.get("download_button")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("mismatch", "the kernel expects 3 input channels, the input has 1"),
        ("no_flatten", "Add a Flatten before it"),
    ],
)
def test_page_explains_a_mistake_preset_and_fixes_it(name, message):
    at = open_page(PAGE, nb_preset=name)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert metric(at, "Output shape") == "—"
    assert not any("model = nn.Sequential(" in c.value for c in at.code)
    at.button(key="nb_fix").click().run()
    assert not at.exception
    assert not at.error
    assert metric(at, "Output shape") == "10"
    assert "nn.Sequential" in _code(at)


def test_page_writes_the_layer_table_as_text_with_every_column():
    """The table is Markdown, drawn with the page's text (st.table's component came seconds later): the headers in
    the page language, one row per layer, settings as the constructor reads, escapes undone."""
    at = open_page(PAGE, nb_preset="lenet5")
    assert not at.table
    input_shape, specs = PRESETS["lenet5"]
    rows = markdown_table(at, "#")
    header = ["col_index", "col_layer", "col_settings", "col_shape", "col_params", "col_rf", "col_jump"]
    assert rows[0] == [catalogue_text("nb." + name, "en") for name in header]
    assert rows[1] == ["0", "input", "", "×".join(map(str, input_shape)), "", "1×1", "1"]
    steps = build_stack(input_shape, specs)
    assert [row[2] for row in rows[2:]] == [layer_summary(spec) for spec in specs]
    assert [row[4] for row in rows[2:]] == [f"{step.params:,}" for step in steps]
    chinese = open_page(PAGE, {"lang": "zh"}, nb_preset="lenet5")
    assert markdown_table(chinese, "#")[0] == [catalogue_text("nb." + name, "zh") for name in header]


def test_page_adding_a_layer_changes_the_table_and_the_shape():
    at = open_page(PAGE, nb_preset="basic_block")
    at.selectbox(key="nb_kind").set_value("maxpool").run()
    at.button(key="nb_add").click().run()
    assert not at.exception
    assert len(_table(at)) == 4
    assert metric(at, "Output shape") == "128×14×14"
    at.selectbox(key="nb_kind").set_value("batchnorm2d").run()
    assert at.number_input(key="nb_batchnorm2d_num_features").value == 128  # fitted to the stack
    at.button(key="nb_add").click().run()
    assert metric(at, "Layers") == "4"
    assert not at.error


def test_page_typed_sizes_can_mismatch_and_be_fitted():
    at = open_page(PAGE, nb_preset="lenet5")
    at.button(key="nb_clear").click().run()
    assert metric(at, "Output shape") == "1×28×28"
    assert any("empty" in i.value for i in at.info)
    at.toggle(key="nb_autofit").set_value(False).run()
    at.number_input(key="nb_conv2d_in_channels").set_value(3).run()
    at.button(key="nb_add").click().run()
    assert any("the kernel expects 3 input channels, the input has 1" in e.value for e in at.error)
    at.button(key="nb_fix").click().run()
    assert not at.error
    assert metric(at, "Output shape") == "6×26×26"


def test_a_changed_stack_is_no_longer_called_the_preset():
    at = open_page(PAGE, nb_preset="lenet5")
    assert at.selectbox(key="nb_preset").value == "lenet5" and not at.button(key="nb_reset").disabled
    at.button(key="nb_clear").click().run()
    assert at.selectbox(key="nb_preset").value == "custom"  # it said "LeNet-5" over an empty stack
    assert at.button(key="nb_reset").disabled
    at.selectbox(key="nb_kind").set_value("flatten").run()
    at.button(key="nb_add").click().run()  # the own stack is kept across runs, not reloaded
    assert not at.exception and len(at.session_state["nb_stack"]) == 1
    at.selectbox(key="nb_preset").set_value("lenet5").run()  # picking a preset loads it again
    assert len(at.session_state["nb_stack"]) == 12


def test_page_move_and_remove():
    at = open_page(PAGE, nb_preset="lenet5")
    at.selectbox(key="nb_pick").set_value(7).run()  # the Flatten
    at.button(key="nb_up").click().run()  # now before the second pooling layer
    assert any("needs a feature map" in e.value for e in at.error)
    at.button(key="nb_down").click().run()
    assert not at.error
    at.selectbox(key="nb_pick").set_value(2).run()  # the first sigmoid
    at.button(key="nb_remove").click().run()
    assert metric(at, "Layers") == "11"
    assert metric(at, "Output shape") == "10"


def test_page_bad_pool_padding_is_explained_not_added():
    at = open_page(PAGE, nb_preset="lenet5")
    at.selectbox(key="nb_kind").set_value("maxpool").run()
    at.number_input(key="nb_maxpool_padding").set_value(2).run()
    at.button(key="nb_add").click().run()
    assert not at.exception
    assert any("at most 1" in e.value for e in at.error)
    assert metric(at, "Layers") == "12"


def test_page_names_the_notes_residual_mistake():
    at = open_page(PAGE, nb_preset="bottleneck")
    notes = " ".join(m.value for m in at.markdown)
    assert "self.bn2" in notes and "returns `out`" in notes
    assert any("sout = self.extra(x) + out" in c.value for c in at.code)

"""scripts/loadtest.py's websocket clients, the parts that need no server: widgets read from deltas, the
value a user's step gives, the BackMsg the browser would send. (tests/browser/test_browser.py runs the script.)"""

from __future__ import annotations

import importlib.util
import sys

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element

from tests_support import ROOT

_spec = importlib.util.spec_from_file_location("vizconv_loadtest", ROOT / "scripts" / "loadtest.py")
loadtest = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))  # dataclasses look it up
if not hasattr(loadtest, "Widget"):
    _spec.loader.exec_module(loadtest)

KEYED = "$$ID-0123456789abcdef0123456789abcdef-conv_kernel_size"


def _slider(value=None, **fields) -> Element:
    element = Element()
    proto = element.slider
    proto.id = fields.pop("id", KEYED)
    proto.data_type = fields.pop("data_type", 0)
    proto.min, proto.max, proto.step = fields.pop("min", 1), fields.pop("max", 7), fields.pop("step", 2)
    proto.default.extend(fields.pop("default", [3]))
    if value is not None:
        proto.value.extend(value)
        proto.set_value = True
    for name, item in fields.items():
        setattr(proto, name, item)
    return element


def _number(**fields) -> Element:
    element = Element()
    proto = element.number_input
    proto.id = "$$ID-fedcba9876543210fedcba9876543210-pool_size"
    proto.data_type, proto.step = 0, 1
    proto.has_min, proto.min, proto.has_max, proto.max = True, 1, True, 4
    proto.default = 4
    for name, item in fields.items():
        setattr(proto, name, item)
    return element


def test_a_keyed_slider_is_read_with_its_key_bounds_and_value():
    widget = loadtest.widget_from_element(_slider(), sidebar=True)
    assert (widget.kind, widget.key, widget.value, widget.low, widget.high) == ("slider", "conv_kernel_size", [3], 1, 7)
    assert widget.usable and widget.integer and widget.sidebar


def test_the_value_the_script_set_wins_then_the_clients_then_the_default():
    assert loadtest.widget_from_element(_slider([5]), held=[7]).value == [5]
    assert loadtest.widget_from_element(_slider(), held=[7]).value == [7]
    assert loadtest.widget_from_element(_number(), held=2).value == 2
    assert loadtest.widget_from_element(_number()).value == 4


def test_select_sliders_other_elements_and_unmovable_widgets_are_not_changed():
    assert loadtest.widget_from_element(_slider(type=2)) is None  # select_slider: strings, not numbers
    markdown = Element()
    markdown.markdown.body = "text"
    assert loadtest.widget_from_element(markdown) is None
    assert not loadtest.widget_from_element(_slider(disabled=True)).usable
    assert not loadtest.widget_from_element(_slider(form_id="form")).usable
    assert not loadtest.widget_from_element(_slider(default=[2, 5])).usable  # a range
    assert not loadtest.widget_from_element(_slider(data_type=3)).usable  # dates


@pytest.mark.parametrize(
    ("now", "up", "expected"),
    [(3, True, [5]), (3, False, [1]), (7, True, [5]), (1, False, [3]), (6, True, [4])],
)
def test_a_nudge_moves_one_step_and_turns_back_at_a_bound(now, up, expected):
    widget = loadtest.widget_from_element(_slider(default=[now]))
    assert loadtest.nudged(widget, up) == expected


def test_a_float_number_input_moves_by_its_step():
    widget = loadtest.widget_from_element(_number(data_type=1, step=0.1, default=0.5, has_min=False, has_max=False))
    assert not widget.integer
    assert loadtest.nudged(widget, up=True) == pytest.approx(0.6)


def test_the_rerun_message_carries_every_widget_the_new_value_and_the_page():
    slider = loadtest.widget_from_element(_slider())
    number = loadtest.widget_from_element(_number())
    states = [loadtest.widget_state(slider, [5]), loadtest.widget_state(number)]
    msg = loadtest.rerun_message(states, "lang=zh", "abc123", "", "http://127.0.0.1:8501/Convolution")
    parsed = BackMsg.FromString(msg.SerializeToString())
    client = parsed.rerun_script
    assert parsed.WhichOneof("type") == "rerun_script"
    assert (client.query_string, client.page_script_hash, client.context_info.url) == (
        "lang=zh",
        "abc123",
        "http://127.0.0.1:8501/Convolution",
    )
    by_id = {state.id: state for state in client.widget_states.widgets}
    assert list(by_id[KEYED].double_array_value.data) == [5.0]
    assert by_id[number.id].double_value == 4.0  # number inputs travel as doubles, ints included


def test_the_websocket_mode_is_chosen_on_the_command_line_and_bounded_like_the_browsers():
    assert loadtest.parse_args([]).clients == "browser"
    assert loadtest.parse_args(["--clients", "websocket", "--sessions", "40"]).clients == "websocket"
    with pytest.raises(SystemExit):
        loadtest.parse_args(["--clients", "websocket", "--sessions", "41"])
    with pytest.raises(SystemExit):
        loadtest.parse_args(["--clients", "websocket", "--url", "http://10.0.0.1:8501"])

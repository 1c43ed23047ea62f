"""The Feature maps page's logic without Streamlit: the picture, the analysis (against torch), the tables, the
channel, the explained cell and its receptive field."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from vizconv.inputs.samples import SampleError, model_samples
from vizconv.nets.capture import modules_by_path
from vizconv.nets.feature_maps import explain_activation, producing_conv
from vizconv.nets.layers import layer_table
from vizconv.nets.models import load_model, random_model
from vizconv.views import feature_maps as view
from vizconv.viz.steps import format_number


@pytest.fixture(scope="module")
def lenet():
    model, info = load_model("lenet5")
    picture = Image.open(model_samples("mnist")["digit_7"]).convert("RGB")
    return model, info, view.analyse(model, info, picture)


def test_weights_labels_say_when_the_weights_are_not_vizconvs():
    assert view.weights_key("bundled", "resnet18") == "fm.weights.pretrained"
    assert [view.weights_key(kind, "lenet5") for kind in view.WEIGHT_KINDS] == [
        "fm.weights.bundled",
        "fm.weights.epoch",
        "fm.weights.random",
        "fm.weights.own",
    ]


def test_snapshots_are_offered_only_where_the_card_lists_them():
    assert view.weight_kinds(view.model_epochs("lenet5")) == view.WEIGHT_KINDS
    assert view.weight_kinds(view.model_epochs("resnet20")) == view.WEIGHT_KINDS  # its snapshots too
    assert "epoch" not in view.weight_kinds(view.model_epochs("resnet18"))
    assert view.model_epochs("resnet18") == ()
    assert view.weights_key("random", "resnet18") == "fm.weights.random"


def test_alternatives_are_a_resnet_and_a_lenet_other_than_the_model():
    assert view.alternatives("resnet18") == ("resnet20", "lenet5")
    assert view.alternatives("resnet20") == ("lenet5",)
    assert view.alternatives("lenet5") == ("resnet20",)


def test_a_drawing_is_a_picture_once_something_is_drawn():
    blank = np.zeros((40, 40, 4), dtype=np.uint8)
    blank[..., 3] = 255  # opaque black: nothing drawn yet
    assert view.drawn_picture(None) is None and view.drawn_picture(blank) is None
    drawn = blank.copy()
    drawn[10:30, 18:22, :3] = 255
    picture = view.drawn_picture(drawn)
    assert picture.mode == "RGB" and picture.size == (40, 40)
    assert np.array_equal(np.asarray(picture), drawn[..., :3])


def test_chosen_picture_opens_the_sample_or_says_there_are_none():
    samples = model_samples("cifar10")
    picture = view.chosen_picture("sample", samples, "cifar_ship", None)
    assert picture.mode == "RGB" and picture.size == (32, 32)
    assert view.chosen_picture("draw", samples, "cifar_ship", None) is None
    with pytest.raises(SampleError):
        view.chosen_picture("sample", {}, None, None)


def test_analysis_is_the_models_forward_pass(lenet):
    model, info, seen = lenet
    assert seen.x.shape == (1, *info.input_size)
    with torch.no_grad():
        expected = torch.softmax(model(seen.x), dim=1)[0]
    assert torch.allclose(seen.probabilities, expected, atol=1e-6)
    with torch.no_grad():
        conv1 = F.conv2d(seen.x, model[0].weight, model[0].bias, padding=2)
    assert torch.allclose(seen.acts["0"], conv1, atol=1e-5)
    assert [r.name for r in seen.rows] == [r.name for r in layer_table(model, tuple(seen.x.shape))]
    assert info.classes[int(seen.probabilities.argmax())] == "7"


@pytest.mark.parametrize(("side", "factor"), [(28, 8), (32, 7), (224, 1), (300, 1)])
def test_the_seen_picture_is_enlarged_by_whole_pixels(side, factor):
    seen = np.random.default_rng(0).integers(0, 256, (side, side, 3), dtype=np.uint8)
    big = view.enlarged(seen)
    assert big.shape == (side * factor, side * factor, 3)
    assert np.array_equal(big[::factor, ::factor], seen)


def test_top_predictions_are_torchs_topk():
    probabilities = torch.softmax(torch.tensor([0.1, 2.0, -1.0, 3.0, 0.5, 0.0, 1.0]), dim=0)
    classes = list("abcdefg")
    top = view.top_predictions(probabilities, classes)
    values, indices = torch.topk(probabilities, 5)
    assert [name for name, _ in top] == [classes[i] for i in indices.tolist()] == ["d", "b", "g", "e", "a"]
    assert [p for _, p in top] == pytest.approx(values.tolist())
    assert len(view.top_predictions(probabilities[:3], classes[:3])) == 3  # fewer classes than five


def test_layer_table_columns_and_height(lenet):
    _, _, seen = lenet
    columns = view.layer_columns(seen.rows)
    assert set(columns) == {"fm.col_layer", "fm.col_kind", "fm.col_shape", "fm.col_params", "fm.col_rf", "fm.col_jump"}
    assert all(len(values) == len(seen.rows) for values in columns.values())
    assert columns["fm.col_shape"][0] == "6×28×28" and columns["fm.col_rf"][0] == "5×5"
    assert columns["fm.col_params"][0] == 6 * 5 * 5 + 6
    assert columns["fm.col_rf"][-1] == "" and columns["fm.col_jump"][-1] == ""  # after Flatten: no field
    assert view.table_height(12) == 3 + 35 * 13 and view.table_height(40) == 420


def test_map_layers_and_their_labels(lenet):
    model, _, seen = lenet
    maps = view.map_layers(seen.rows)
    assert maps == ["0", "1", "2", "3", "4", "5"]  # conv, ReLU, pool twice; Flatten and the Linear layers are not maps
    assert view.layer_label("2", modules_by_path(model)) == "2 · MaxPool2d"
    resnet, _ = random_model("resnet20")
    assert view.layer_label("layer1.0.relu#2", modules_by_path(resnet)) == "layer1.0.relu#2 · ReLU"


def test_channel_heatmap_draws_the_channel_on_a_scale_around_zero():
    values = torch.tensor([[-2.0, 0.5, 1.0], [0.0, 3.12345, -0.25]])
    figure = view.channel_heatmap(values, 4, "hover")
    heatmap, targets = figure["data"]
    assert heatmap["z"] == [[-2.0, 0.5, 1.0], [0.0, 3.1235, -0.25]]
    assert (heatmap["zmin"], heatmap["zmax"]) == pytest.approx((-3.12345, 3.12345))
    assert targets["type"] == "scatter" and len(targets["x"]) == 6
    assert figure["layout"]["yaxis"]["range"] == [1.5, -0.5]  # row 0 at the top
    positive = view.channel_heatmap(values.abs(), 0, "hover")["data"][0]
    assert positive["zmin"] == 0.0


def test_channel_stats_are_torchs():
    values = torch.tensor([[0.0, 1.5], [-0.5, 0.0]])
    assert view.channel_stats(values) == [
        ("fm.min", "-0.5"),
        ("fm.max", "1.5"),
        ("fm.mean", "0.25"),
        ("fm.zeros", "50%"),
    ]


@pytest.mark.parametrize(
    ("cell", "size", "previous", "expected"),
    [
        ((-1, -1), (28, 28), None, (14, 14)),  # a first visit: the middle
        ((14, 20), (10, 10), (28, 28), (5, 7)),  # ⌊14.5 × 10/28⌋, ⌊20.5 × 10/28⌋: the same place of the picture
        ((3, 4), (10, 10), (10, 10), (3, 4)),  # the same map: where it was
        ((300, 2), (10, 10), None, (9, 2)),  # a link's row past the map: clamped
        ((5, 9), (1, 1), (10, 10), (0, 0)),
    ],
)
def test_the_explained_cell_keeps_its_place(cell, size, previous, expected):
    assert view.carried_cell(cell, size, previous) == expected


def test_the_field_figure_outlines_the_picture_and_draws_the_field():
    seen = np.zeros((28, 28, 3), dtype=np.uint8)
    figure = view.field_figure(seen, (-2.0, 24.0, 2.0, 28.0))  # past the picture's top and right edges
    picture, field = figure["layout"]["shapes"]
    assert (picture["x0"], picture["x1"], picture["y0"], picture["y1"]) == (-0.5, 27.5, -0.5, 27.5)
    assert (field["x0"], field["x1"], field["y0"], field["y1"]) == (23.5, 28.5, -2.5, 2.5)
    assert figure["layout"]["xaxis"]["range"] == [-1.5, 29.5]  # the whole field in view
    assert figure["layout"]["yaxis"]["range"] == [28.5, -3.5]
    assert len(figure["data"][0]["z"]) == 28


def test_the_activation_formula_sums_to_torchs_value(lenet):
    model, _, seen = lenet
    explained = explain_activation(model, seen.x, "3", 2, 4, 5, captured=seen.acts["3"][0])
    pooled = seen.acts["2"]  # conv2's input
    with torch.no_grad():
        expected = F.conv2d(pooled, model[3].weight, model[3].bias)[0, 2, 4, 5]
    assert explained.step.value == pytest.approx(float(expected), abs=1e-4)
    latex = view.activation_latex(explained.step, "window", "kernel")
    assert latex.startswith(r"\sum_{c=0}^{5} (\text{window}_c \odot \text{kernel}_c) + b")
    assert latex.endswith(rf"\mathbf{{{format_number(explained.step.value, 4)}}}")
    assert view.captured_check(explained.step.value, explained.captured) == (
        "fm.captured",
        {"value": format_number(explained.captured, 4)},
    )


def test_a_negative_bias_is_written_as_a_subtraction(lenet):
    model, _, seen = lenet
    explained = explain_activation(model, seen.x, "0", 0, 14, 14)
    latex = view.activation_latex(explained.step, "w", "k")
    bias = format_number(explained.step.bias, 4)
    assert (f"- {bias[1:]} =" if bias.startswith("-") else f"+ {bias} =") in latex


def test_a_recomputation_that_differs_says_by_how_much():
    key, values = view.captured_check(1.5, 1.0)
    assert key == "fm.captured_differs" and values == {"value": "1", "diff": "0.5"}


def test_strongest_channels_by_magnitude():
    sums = torch.tensor([0.5, -3.0, 2.0, 0.1, -2.0])
    assert view.strongest_channels(sums) == [1, 2, 4]  # |-3|, then 2 and |-2| in channel order
    assert view.strongest_channels(sums[:2]) == [1, 0]


def test_filters_and_the_first_convolution(lenet):
    model, _, seen = lenet
    modules = modules_by_path(model)
    assert view.first_conv(modules) == "0"
    assert view.filters_caption(model[0].weight) == "fm.filters_caption_gray"
    assert view.filters_caption(torch.zeros(16, 3, 3, 3)) == "fm.filters_caption_rgb"
    made_by = producing_conv(model, seen.acts, "2")
    assert view.steps_between(made_by, modules) == "ReLU → MaxPool2d"


def test_grid_file_name_names_the_model_layer_and_scale():
    name = view.grid_file_name("resnet20", "layer1.0.relu#2", shared=False)
    assert name.endswith(".png") and "resnet20" in name and "each" in name
    assert "shared" in view.grid_file_name("lenet5", "0", shared=True)


# ---------------------------------------------------------------- any CNN (issue 21)


def test_every_zoo_model_and_an_onnx_file_are_offered_and_own_weights_only_where_they_fit_the_server():
    assert view.MODEL_CHOICES[:4] == ("lenet5", "lenet5-classic", "resnet20", "resnet18")
    assert view.MODEL_CHOICES[-1] == view.ONNX and "mobilenet_v3_small" in view.MODEL_CHOICES
    assert view.weights_key("bundled", "convnext_tiny") == "fm.weights.pretrained"
    assert "own" in view.weight_kinds((), "resnet50")  # 98 MB: fits the 100 MB the server takes
    for too_large in ("alexnet", "vgg11", "vgg16", "convnext_tiny"):
        assert view.weight_kinds((), too_large) == ("bundled", "random"), too_large


def test_the_dataset_of_samples_comes_from_the_card_or_an_onnx_models_guess():
    assert view.model_dataset(random_model("mobilenet_v2")[1]) == "ImageNet-1K"
    assert view.model_dataset(load_model("lenet5")[1]) == "mnist"
    onnx_info = random_model("lenet5")[1]
    onnx_info.card.clear()
    onnx_info.card["samples"] = "cifar10"
    assert view.model_dataset(onnx_info) == "cifar10"


def test_probabilities_are_a_softmax_unless_the_output_is_one_already():
    scores = torch.tensor([[2.0, -1.0, 0.5]])
    assert torch.allclose(view.as_probabilities(scores), torch.softmax(scores[0], 0))
    probabilities = torch.softmax(scores, 1)
    assert torch.equal(view.as_probabilities(probabilities), probabilities[0])
    assert torch.allclose(view.as_probabilities(torch.tensor([0.5, 0.5, 0.0])), torch.tensor([0.5, 0.5, 0.0]))


@pytest.mark.parametrize(
    ("conv", "oc", "expected"),
    [
        (torch.nn.Conv2d(8, 8, 3), 5, None),  # every output channel reads every input channel
        (
            torch.nn.Conv2d(96, 96, 3, groups=96),
            5,
            ("fm.depthwise", {"groups": 96, "c": 5, "g": 5, "first": 5, "last": 5, "n": 1, "total": 96, "mult": 1}),
        ),
        (
            torch.nn.Conv2d(16, 32, 3, groups=16),  # depth multiplier 2: channels 6 and 7 read input channel 3
            7,
            ("fm.depthwise", {"groups": 16, "c": 7, "g": 3, "first": 3, "last": 3, "n": 1, "total": 16, "mult": 2}),
        ),
        (
            torch.nn.Conv2d(48, 48, 3, groups=6),  # RegNet: groups of 8 channels
            17,
            ("fm.grouped", {"groups": 6, "c": 17, "g": 2, "first": 16, "last": 23, "n": 8, "total": 48, "mult": 8}),
        ),
    ],
)
def test_a_grouped_convolutions_output_channel_reads_only_its_groups_input_channels(conv, oc, expected):
    assert view.group_note(conv, oc) == expected
    if expected is not None:  # the same channels the trace's step reads
        step = explain_activation(torch.nn.Sequential(conv), torch.randn(1, conv.in_channels, 5, 5), "0", oc, 1, 1).step
        values = expected[1]
        assert list(step.input_channels) == list(range(values["first"], values["last"] + 1))

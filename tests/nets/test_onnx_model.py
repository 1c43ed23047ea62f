"""load_onnx_model: small torch models exported here (TorchScript exporter, ``dynamo=False``: the new exporter
needs onnxscript) compute what torch computes, layer by layer; hand-built graphs cover what torch does not
export; hostile files are refused with a message, quickly."""

from __future__ import annotations

import time

import numpy as np
import onnx
import pytest
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from PIL import Image
from torch import nn

from tests_support import onnx_bytes
from vizconv.nets.architectures import ResNet20, lenet5
from vizconv.nets.capture import capture
from vizconv.nets.feature_maps import explain_activation, producing_conv
from vizconv.nets.layers import trace_layers
from vizconv.nets.onnx import (
    OPSETS,
    PREPROCESSING,
    Limits,
    OnnxError,
    guess_preprocessing,
    load_onnx_model,
    preprocessing,
    supported_operators,
)
from vizconv.nets.zoo import IMAGENET, MNIST, ModelInfo

QUICK_S = 5.0  # every refusal comes within this (most within milliseconds)


export = onnx_bytes  # ``model`` as ONNX bytes, as a student's torch.onnx.export writes it


class DepthwiseSeparable(nn.Module):
    """MobileNet's block: a depthwise 3×3 (groups = channels), a pointwise 1×1, BatchNorm, ReLU6, Hardswish."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.act = nn.ReLU6()
        self.depthwise = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.pointwise = nn.Conv2d(8, 16, 1)
        self.swish = nn.Hardswish()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = self.act(self.bn(self.stem(x)))
        x = self.swish(self.pointwise(F.relu(self.depthwise(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class Inception(nn.Module):
    """GoogLeNet's idea: four branches side by side, concatenated along the channels."""

    def __init__(self) -> None:
        super().__init__()
        self.b1 = nn.Conv2d(3, 4, 1)
        self.b3 = nn.Conv2d(3, 4, 3, padding=1)
        self.b5 = nn.Conv2d(3, 2, 5, padding=2, dilation=1)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1)
        self.bp = nn.Conv2d(3, 2, 1)
        self.mix = nn.Conv2d(12, 6, 3, dilation=2, padding=2)
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        y = torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(self.pool(x))], dim=1)
        y = F.leaky_relu(self.mix(y), 0.1)
        return torch.softmax(self.head(y.mean(dim=(2, 3))), dim=1)


class Decoder(nn.Module):
    """A segmentation net's decoder: stride-2 down, ConvTranspose2d up, nearest and bilinear resizing."""

    def __init__(self) -> None:
        super().__init__()
        self.down = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.nearest = nn.Upsample(scale_factor=2, mode="nearest")
        self.out = nn.Conv2d(4, 3, 1)

    def forward(self, x):
        y = torch.tanh(self.up(torch.sigmoid(self.down(x))))
        y = self.nearest(y)
        y = F.interpolate(y, scale_factor=0.5, mode="bilinear", align_corners=False)
        return self.out(F.gelu(y))


class Odds(nn.Module):
    """Operators torch exports for ordinary code: reflection padding, average pooling without the padding,
    ceil mode, arithmetic with constants, dropout, reshape and transpose."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.pool = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(4 * 9 * 9, 7)

    def forward(self, x):
        y = self.conv(F.pad(x, (1, 1, 1, 1), mode="reflect"))
        y = self.pool((y - 0.5) / 2.0 * y.clamp(-1.0, 3.0))
        y = F.max_pool2d(y, 2, ceil_mode=True)
        y = self.drop(y).transpose(2, 3).reshape(1, -1)
        return F.elu(self.fc(y))


MODELS = {  # name -> (build, input shape)
    "lenet5": (lambda: lenet5(classic=False), (1, 1, 28, 28)),
    "lenet5-classic": (lambda: lenet5(classic=True), (1, 1, 28, 28)),
    "depthwise": (DepthwiseSeparable, (1, 3, 32, 32)),
    "resnet20": (ResNet20, (1, 3, 32, 32)),
    "inception": (Inception, (1, 3, 20, 20)),
    "decoder": (Decoder, (1, 1, 16, 16)),
    "odds": (Odds, (1, 3, 32, 32)),
}


def _built(name: str) -> tuple[nn.Module, tuple[int, ...]]:
    build, shape = MODELS[name]
    torch.manual_seed(0)
    model = build().eval()
    for module in model.modules():  # BatchNorm with statistics of its own, so that fusing it is not a no-op
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    return model, shape


def _convs(model: nn.Module) -> list[str]:
    return [name for name, module in model.named_modules() if isinstance(module, nn.Conv2d)]


@pytest.mark.parametrize("name", MODELS)
def test_the_converted_model_computes_what_torch_computes(name):
    model, shape = _built(name)
    converted, info = load_onnx_model(export(model, shape))
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.allclose(converted(x), model(x), atol=1e-5, rtol=1e-4)
    assert isinstance(converted, torch.fx.GraphModule) and not converted.training
    assert isinstance(info, ModelInfo) and info.input_size == shape[1:]


@pytest.mark.parametrize("name", MODELS)
def test_every_conv_is_captured_in_graph_order_with_torchs_values(name):
    """Exported without constant folding, so BatchNorm stays a layer of its own: each converted Conv2d is the torch
    model's, under the torch model's name, in the order the graph has them, with the same output."""
    model, shape = _built(name)
    data = export(model, shape, do_constant_folding=False)
    converted, _ = load_onnx_model(data)
    graph_convs = [n for n in onnx.load_from_string(data).graph.node if n.op_type == "Conv"]
    x = torch.randn(shape, generator=torch.Generator().manual_seed(2))
    ours, theirs = capture(converted, x), capture(model, x)
    ours_convs = [k for k in ours if isinstance(converted.get_submodule(k.split("#")[0]), nn.Conv2d)]
    theirs_convs = [k for k in theirs if isinstance(model.get_submodule(k.split("#")[0]), nn.Conv2d)]
    assert len(ours_convs) == len(graph_convs) == len(_convs(converted)) == len(theirs_convs)
    assert ours_convs == theirs_convs  # the torch model's names, in the order they ran
    for mine, torchs in zip(ours_convs, theirs_convs, strict=True):
        assert torch.allclose(ours[mine], theirs[torchs], atol=1e-5), mine


@pytest.mark.parametrize("name", ["resnet20", "depthwise", "inception"])
def test_with_batchnorm_folded_the_conv_gives_what_torchs_batchnorm_gives(name):
    """torch.onnx.export folds an eval-mode BatchNorm into the convolution before it: the converted Conv2d then
    computes what the torch model's BatchNorm outputs."""
    model, shape = _built(name)
    converted, _ = load_onnx_model(export(model, shape))
    x = torch.randn(shape, generator=torch.Generator().manual_seed(3))
    theirs = capture(model, x)
    ours = capture(converted, x)
    for conv in _convs(converted):
        bn = conv.replace("conv", "bn") if name == "resnet20" else None
        if name == "resnet20" and "downsample" in conv:
            bn = conv[:-1] + "1"
        expected = theirs[bn] if bn in theirs else theirs[conv]
        if name == "depthwise" and conv == "stem":
            expected = theirs["bn"]
        assert torch.allclose(ours[conv], expected, atol=1e-4, rtol=1e-4), conv  # folding rounds differently


@pytest.mark.parametrize("name", ["lenet5", "resnet20", "depthwise", "inception"])
def test_the_layer_table_has_torchs_receptive_fields(name):
    model, shape = _built(name)
    converted, _ = load_onnx_model(export(model, shape))
    x = torch.zeros(shape)
    theirs = {row.name: row for row in trace_layers(model, x)}
    rows = {row.name: row for row in trace_layers(converted, x)}
    for conv in _convs(converted):
        mine = rows[conv]
        if conv == "mix":  # after torch.cat, a function, torch's table follows the last layer run (the pool's 3)
            assert mine.receptive_field == 5 + 2 * (3 - 1)  # the widest branch (5×5) and the dilated 3×3
            continue
        assert (mine.receptive_field, mine.jump, mine.start, mine.shape) == (
            theirs[conv].receptive_field,
            theirs[conv].jump,
            theirs[conv].start,
            theirs[conv].shape,
        ), conv


@pytest.mark.parametrize("name", ["lenet5", "depthwise", "resnet20"])
def test_one_activation_is_explained_down_to_the_dot_product(name):
    model, shape = _built(name)
    converted, _ = load_onnx_model(export(model, shape))
    x = torch.randn(shape, generator=torch.Generator().manual_seed(4))
    acts = capture(converted, x)
    for layer in _convs(converted)[:3]:
        module = converted.get_submodule(layer)
        out = acts[layer][0]
        oc, oy, ox = out.shape[0] - 1, out.shape[1] // 2, out.shape[2] // 3
        explained = explain_activation(converted, x, layer, oc, oy, ox, out)
        assert explained.step.value == pytest.approx(explained.captured, abs=1e-4)
        per_group = module.in_channels // module.groups
        assert len(explained.step.input_channels) == per_group  # a depthwise kernel reads its own channel only
    relus = [k for k in acts if isinstance(converted.get_submodule(k), (nn.ReLU, nn.ReLU6))]
    assert producing_conv(converted, acts, relus[0]) is not None


def test_a_converted_resnet_keeps_torchvisions_names_and_depthwise_groups():
    from torchvision.models import mobilenet_v3_small

    torch.manual_seed(0)
    model = mobilenet_v3_small().eval()
    converted, info = load_onnx_model(export(model, (1, 3, 64, 64)))
    assert _convs(converted) == _convs(model)  # "features.1.block.0.0", as torchvision names them
    depthwise = converted.get_submodule("features.1.block.0.0")
    assert depthwise.groups == depthwise.in_channels == 16
    assert info.input_size == (3, 64, 64) and len(info.classes) == 1000 and info.classes[0] == "tench"
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(converted(x), model(x), atol=1e-5)


class Viewed(nn.Module):
    """Old-style code: ``x.view(x.size(0), -1)``, which the exporter writes as Shape, Gather, Concat, Reshape."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 26 * 26, 10)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        return self.fc(y.view(y.size(0), -1))


def test_a_dynamic_batch_and_the_shapes_computed_from_it():
    """A symbolic batch is one picture; the shape arithmetic on it is done once, at conversion."""
    torch.manual_seed(0)
    model = Viewed().eval()
    data = export(model, (1, 1, 28, 28), input_names=["image"], dynamic_axes={"image": {0: "batch"}})
    assert {"Shape", "Gather", "Concat"} <= {n.op_type for n in onnx.load_from_string(data).graph.node}
    converted, info = load_onnx_model(data)
    x = torch.randn(1, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(converted(x), model(x), atol=1e-5)
    assert info.input_size == (1, 28, 28) and info.card["input"] == "image"
    assert [name for name, _ in converted.named_children()] == ["conv", "relu", "reshape", "fc"]


# ---------------------------------------------------------------- graphs built by hand


def _model(nodes, inputs, outputs, initializers=(), opset=17, **kwargs) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "test", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], **kwargs)
    model.ir_version = 8
    return model


def _input(name="x", shape=(1, 3, 8, 8)):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def _output(name="y", rank=4):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [None] * rank)  # its shape left to inference


def _weights(name, shape, seed=0):
    values = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return numpy_helper.from_array(values, name), torch.from_numpy(values)


def _bytes(model: onnx.ModelProto) -> bytes:
    return model.SerializeToString()


def test_same_upper_padding_with_stride_2_is_padded_as_onnx_pads():
    """Keras's "same" at stride 2 pads one more on the bottom and right: a ZeroPad2d before the Conv2d."""
    w, weight = _weights("w", (4, 3, 3, 3))
    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", strides=[2, 2], auto_pad="SAME_UPPER")
    model, _ = load_onnx_model(_bytes(_model([conv], [_input(shape=(1, 3, 8, 8))], [_output()], [w])))
    x = torch.randn(1, 3, 8, 8)
    expected = F.conv2d(F.pad(x, (0, 1, 0, 1)), weight, stride=2)
    with torch.no_grad():
        assert torch.allclose(model(x), expected, atol=1e-5)
    assert isinstance(model.get_submodule("conv_pad"), nn.ZeroPad2d)


def test_an_nhwc_input_is_given_as_nchw_and_a_dense_layer_gets_its_bias():
    """tf2onnx writes Keras models with an NHWC input and a Dense layer as MatMul then Add: the module takes
    [1, C, H, W] all the same, and the Add becomes the Linear's bias."""
    w, weight = _weights("kernel", (2, 3, 3, 3))
    m, matrix = _weights("dense", (2 * 6 * 6, 4), 1)
    b, bias = _weights("bias", (4,), 2)
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [1, -1])
    nodes = [
        helper.make_node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["t", "kernel"], ["c"], name="model/conv2d/Conv2D"),
        helper.make_node("Relu", ["c"], ["r"], name="model/conv2d/Relu"),
        helper.make_node("Reshape", ["r", "shape"], ["f"]),
        helper.make_node("MatMul", ["f", "dense"], ["mm"], name="model/dense/MatMul"),
        helper.make_node("Add", ["mm", "bias"], ["y"], name="model/dense/BiasAdd"),
    ]
    onnx_model = _model(nodes, [_input("x", (1, 8, 8, 3))], [_output(rank=2)], [w, m, b, shape])
    model, info = load_onnx_model(_bytes(onnx_model))
    assert info.input_size == (3, 8, 8) and info.card["layout"] == "NHWC"
    linear = model.get_submodule("model.dense")  # the scope of "model/dense/MatMul"
    assert isinstance(linear, nn.Linear) and torch.equal(linear.bias.detach(), bias)
    x = torch.randn(1, 3, 8, 8)
    expected = F.linear(F.relu(F.conv2d(x, weight)).reshape(1, -1), matrix.T, bias)
    with torch.no_grad():
        assert torch.allclose(model(x), expected, atol=1e-5)
    assert info.classes == ["0", "1", "2", "3"]


def test_a_symbolic_size_is_chosen_by_the_caller():
    w, _ = _weights("w", (2, 1, 3, 3))
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"])]
    onnx_model = _model(nodes, [_input("x", ("N", 1, "H", "W"))], [_output()], [w])
    with pytest.raises(OnnxError, match="height and width are not fixed"):
        load_onnx_model(_bytes(onnx_model))
    model, info = load_onnx_model(_bytes(onnx_model), input_size=(1, 12, 10))
    assert info.input_size == (1, 12, 10) and info.card["output_shape"] == [1, 2, 10, 8]
    with pytest.raises(OnnxError, match="does not fit"):
        load_onnx_model(_bytes(onnx_model), input_size=(3, 12, 10))


def test_class_names_preprocessing_and_the_card():
    model, shape = _built("lenet5")
    data = export(model, shape)
    names = "\n".join(f"digit {d}" for d in range(10)) + "\n\n"
    _, info = load_onnx_model(data, name="my LeNet", class_names=names)
    assert info.name == "my LeNet" and info.classes[3] == "digit 3"
    assert info.card["preprocessing"] == "mnist" and info.card["preprocessing_guessed"]
    assert info.card["sha256"] == __import__("hashlib").sha256(data).hexdigest()
    assert info.card["opset"] >= OPSETS[0] and info.card["producer"].startswith("pytorch")
    assert info.card["convolutions"] == 2 and info.card["source"] == "onnx" and info.card["format"] == "ONNX"
    assert info.card["nodes"] == len(onnx.load_from_string(data).graph.node)
    assert (info.mean, info.std) == (MNIST.mean, MNIST.std)
    x = info.preprocess(Image.new("L", (40, 60), 255))
    assert x.shape == (1, 1, 28, 28)
    with pytest.raises(OnnxError, match="has 3 lines, but the model answers 10 scores"):
        load_onnx_model(data, class_names="a\nb\nc")
    with pytest.raises(OnnxError, match="empty lines"):
        load_onnx_model(data, class_names="a\n\n" + "x\n" * 8)
    _, unit = load_onnx_model(data, preprocess="unit")
    assert unit.preprocess(Image.new("L", (28, 28), 255)).max() == pytest.approx(1.0)
    with pytest.raises(OnnxError, match="not one of"):
        load_onnx_model(data, preprocess="zscore")


@pytest.mark.parametrize("kind", PREPROCESSING)
@pytest.mark.parametrize("size", [(1, 28, 28), (3, 32, 32), (3, 224, 224), (1, 64, 48)])
def test_every_preprocessing_gives_the_inputs_shape_and_to_image_undoes_it(kind, size):
    transform, mean, std = preprocessing(kind, size)
    picture = Image.fromarray(np.random.default_rng(0).integers(0, 256, (50, 70, 3), dtype=np.uint8))
    x = transform(picture)
    assert x.shape == (1, *size) and x.dtype == torch.float32
    info = ModelInfo("m", [], size, transform, {}, mean, std)
    assert info.to_image(x).shape == (size[1], size[2], 3)
    if kind == "imagenet" and size == (3, 224, 224):
        assert torch.allclose(x, IMAGENET.preprocess(picture), atol=0.02)  # torchvision's own transform


def test_guessed_preprocessing():
    assert guess_preprocessing((1, 28, 28)) == "mnist"
    assert guess_preprocessing((3, 224, 224)) == "imagenet"
    assert guess_preprocessing((3, 32, 32)) == "unit"
    assert guess_preprocessing((1, 64, 64)) == "unit"


def test_messages_come_in_chinese_too():
    with pytest.raises(OnnxError) as refused:
        load_onnx_model(b"not a model at all")
    assert "ONNX" in refused.value.message("zh") and "不是" in refused.value.message("zh")


# ---------------------------------------------------------------- hostile and broken files


def _small() -> bytes:
    model, shape = _built("lenet5")
    return export(model, shape)


def _refused(data: bytes, match: str, **options) -> OnnxError:
    started = time.perf_counter()
    with pytest.raises(OnnxError, match=match) as refused:
        load_onnx_model(data, **options)
    assert time.perf_counter() - started < QUICK_S
    assert isinstance(refused.value, ValueError)
    return refused.value


def test_not_an_onnx_file():
    _refused(b"", "empty")
    _refused(b"\x89PNG\r\n\x1a\n" + bytes(100), "not an ONNX model")
    _refused(np.random.default_rng(0).bytes(5000), "not an ONNX model")
    _refused(b"PK\x03\x04" + bytes(200), "not an ONNX model")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.999])
def test_a_truncated_file(fraction):
    data = _small()
    _refused(data[: int(len(data) * fraction)], "not an ONNX model|damaged|cut short|refuses|missing")


def test_a_file_over_the_limit_is_refused_before_it_is_parsed():
    _refused(bytes(2048), "more than the 0.0 MB", max_bytes=1000)


def test_external_data_is_refused_without_looking_for_the_file():
    model = onnx.load_from_string(_small())
    tensor = model.graph.initializer[0]
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "../../../../etc/passwd"
    error = _refused(_bytes(model), "external data")
    assert tensor.name in str(error)


def test_a_custom_domain_is_refused_naming_the_node():
    w, _ = _weights("w", (2, 3, 3, 3))
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("FancyOp", ["c"], ["y"], name="fancy_1", domain="com.example"),
    ]
    model = _model(nodes, [_input()], [_output()], [w])
    model.opset_import.append(helper.make_opsetid("com.example", 1))
    error = _refused(_bytes(model), "com.example")
    assert "FancyOp (fancy_1)" in str(error)


def test_an_unsupported_operator_is_named_with_its_nodes():
    nodes = [
        helper.make_node("Reshape", ["x", "shape"], ["seq"], name="to_sequence"),
        helper.make_node("LSTM", ["seq", "W", "R"], ["y"], name="lstm_1", hidden_size=4),
        helper.make_node("NonMaxSuppression", ["y", "y"], ["z"], name="nms"),
    ]
    shape = helper.make_tensor("shape", TensorProto.INT64, [3], [1, 3, 64])
    w = helper.make_tensor("W", TensorProto.FLOAT, [1, 16, 64], [0.0] * 1024)
    r = helper.make_tensor("R", TensorProto.FLOAT, [1, 16, 4], [0.0] * 64)
    model = _model(nodes, [_input()], [_output("z")], [shape, w, r])
    error = _refused(_bytes(model), "cannot compute 2 operators")
    assert "LSTM (lstm_1)" in str(error) and "NonMaxSuppression (nms)" in str(error) and "Conv" in str(error)


def test_control_flow_is_refused():
    then = helper.make_graph([], "then", [], [_output("x")])
    nodes = [helper.make_node("If", ["cond"], ["y"], name="branch", then_branch=then, else_branch=then)]
    cond = helper.make_tensor("cond", TensorProto.BOOL, [], [True])
    _refused(_bytes(_model(nodes, [_input()], [_output()], [cond])), "If")


def test_a_huge_declared_initializer_is_refused_before_it_is_read():
    big = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[100_000, 100_000, 3, 3], raw_data=bytes(16))
    model = _model([helper.make_node("Conv", ["x", "w"], ["y"])], [_input()], [_output()], [big])
    _refused(_bytes(model), "declared with shape")


def test_an_initializer_shorter_than_its_shape_is_refused():
    short = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 3, 3, 3], raw_data=bytes(40))
    model = _model([helper.make_node("Conv", ["x", "w"], ["y"])], [_input()], [_output()], [short])
    _refused(_bytes(model), "data holds 10")


def test_a_reshape_to_a_gigantic_shape_is_refused():
    shape = helper.make_tensor("shape", TensorProto.INT64, [4], [1 << 20, 1 << 20, 1 << 20, 1 << 20])
    model = _model([helper.make_node("Reshape", ["x", "shape"], ["y"], name="big")], [_input()], [_output()], [shape])
    _refused(_bytes(model), "reshape|inconsistent|refuses|does not hold")


def test_an_expand_or_constant_to_a_gigantic_shape_is_refused():
    shape = helper.make_tensor("shape", TensorProto.INT64, [4], [1, 3, 1 << 16, 1 << 16])
    nodes = [helper.make_node("Expand", ["x", "shape"], ["y"], name="grow")]
    _refused(
        _bytes(_model(nodes, [_input(shape=(1, 3, 1, 1))], [_output()], [shape])), "values one tensor|inconsistent"
    )
    nodes = [
        helper.make_node("ConstantOfShape", ["shape"], ["zeros"], name="zeros"),
        helper.make_node("Add", ["x", "zeros"], ["y"]),
    ]
    _refused(
        _bytes(_model(nodes, [_input(shape=(1, 3, 1, 1))], [_output()], [shape])), "values one tensor|inconsistent"
    )


def test_a_cycle_is_refused():
    nodes = [
        helper.make_node("Add", ["x", "b"], ["a"], name="first"),
        helper.make_node("Relu", ["a"], ["b"], name="second"),
        helper.make_node("Relu", ["b"], ["y"], name="third"),
    ]
    _refused(_bytes(_model(nodes, [_input()], [_output()])), "no earlier node|cycle")


def test_ten_thousand_chained_nodes_are_refused_quickly():
    nodes = [helper.make_node("Relu", [f"v{i}" if i else "x"], [f"v{i + 1}"]) for i in range(10_000)]
    nodes.append(helper.make_node("Relu", ["v10000"], ["y"]))
    data = _bytes(_model(nodes, [_input()], [_output()]))
    _refused(data, "10001 nodes")
    _refused(data, "chain of more than 3000", limits=Limits(max_nodes=20_000))


def test_a_model_too_large_to_run_is_refused_before_it_runs():
    w, _ = _weights("w", (64, 3, 3, 3))
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="wide", pads=[1, 1, 1, 1])]
    nodes += [helper.make_node("Relu", ["c" if i == 0 else f"r{i}"], [f"r{i + 1}"]) for i in range(20)]
    nodes.append(helper.make_node("Relu", ["r20"], ["y"]))
    data = _bytes(_model(nodes, [_input(shape=(1, 3, 1024, 1024))], [_output()], [w]))
    _refused(data, "more than 1,536 MB")  # 22 maps of 64 × 1024 × 1024 float32: 5.6 GB
    _refused(_small(), "more than 0 billion multiply-adds", limits=Limits(max_macs=1000))
    conv = helper.make_node("Conv", ["x", "w"], ["y"])
    _refused(_bytes(_model([conv], [_input(shape=(1, 3, 2048, 2048))], [_output()], [w])), "at most 1024×1024")


def test_inputs_that_are_not_one_picture():
    w, _ = _weights("w", (2, 5, 3, 3))
    conv = helper.make_node("Conv", ["x", "w"], ["y"])
    _refused(_bytes(_model([conv], [_input(shape=(1, 5, 8, 8))], [_output()], [w])), "C = 1 \\(grey\\) or 3")
    _refused(_bytes(_model([conv], [_input(shape=(8, 5, 8, 8))], [_output()], [w])), "fixed batch of 8")
    _refused(_bytes(_model([conv], [_input(shape=(1, 8, 8))], [_output()], [w])), "\\[1, C, H, W\\]")
    add = helper.make_node("Add", ["x", "z"], ["y"])
    _refused(_bytes(_model([add], [_input(), _input("z")], [_output()])), "2 inputs")
    ints = helper.make_tensor_value_info("x", TensorProto.INT64, [1, 3, 8, 8])
    _refused(_bytes(_model([helper.make_node("Relu", ["x"], ["y"])], [ints], [_output()])), "int64")


def test_weights_computed_while_running_are_refused():
    nodes = [helper.make_node("Relu", ["x"], ["w"]), helper.make_node("Conv", ["x", "w"], ["y"], name="dynamic")]
    _refused(_bytes(_model(nodes, [_input(shape=(1, 3, 3, 3))], [_output()])), "computes its W while running")


def test_opsets_outside_the_range_are_refused():
    nodes = [helper.make_node("Relu", ["x"], ["y"])]
    _refused(_bytes(_model(nodes, [_input()], [_output()], opset=OPSETS[1] + 1)), "opset")
    model = _model(nodes, [_input()], [_output()], opset=7)
    model.ir_version = 3
    _refused(_bytes(model), "opset 7")


def test_the_supported_operators_include_the_cnn_subset():
    needed = {"Conv", "ConvTranspose", "BatchNormalization", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Gelu", "Clip"}
    needed |= {"MaxPool", "AveragePool", "GlobalAveragePool", "Add", "Mul", "Concat", "Flatten", "Reshape"}
    needed |= {"Gemm", "MatMul", "Softmax", "Pad", "Resize", "Identity", "Dropout", "HardSwish", "ReduceMean"}
    assert needed <= set(supported_operators())

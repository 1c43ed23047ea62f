"""A student's own state_dict: loaded with weights_only=True, checked against the architecture, explained."""

from __future__ import annotations

import gc
import io
import os
import pickle
import re
import time
import weakref
import zipfile

import pytest
import torch

from vizconv.nets import models
from vizconv.nets.architectures import ResNet20, lenet5
from vizconv.nets.models import ModelError, load_model, load_user_weights


def _bytes(obj: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "build"), [("lenet5", lenet5), ("resnet20", ResNet20)])
def test_own_weights_are_used_and_the_shared_model_is_untouched(name, build):
    torch.manual_seed(1)
    mine = build()
    shared, _ = load_model(name)
    before = {k: v.clone() for k, v in shared.state_dict().items()}
    model, info = load_user_weights(name, _bytes(mine.state_dict()))
    for key, value in mine.state_dict().items():
        assert torch.equal(model.state_dict()[key], value)
    assert not model.training and info.card["source"] == "uploaded"
    assert len(info.classes) == 10
    assert all(torch.equal(shared.state_dict()[k], v) for k, v in before.items())


def test_resnet18_weights_need_no_download():
    from torchvision.models import resnet18

    model, info = load_user_weights("resnet18", _bytes(resnet18().state_dict()))
    assert info.input_size == (3, 224, 224) and len(info.classes) == 1000
    assert model(torch.zeros(1, 3, 224, 224)).shape == (1, 1000)


def test_a_training_checkpoint_and_dataparallel_names_are_accepted():
    state = lenet5().state_dict()
    load_user_weights("lenet5", _bytes({"state_dict": state, "epoch": 3}))
    load_user_weights("lenet5", _bytes({f"module.{k}": v for k, v in state.items()}))


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch /tmp/vizconv_pwned",))


def test_pickled_code_never_runs(tmp_path):
    if os.path.exists("/tmp/vizconv_pwned"):
        os.remove("/tmp/vizconv_pwned")
    with pytest.raises(ModelError, match="weights_only=True"):
        load_user_weights("lenet5", _bytes({"conv": _Exploit()}))
    with pytest.raises(ModelError, match="weights_only=True"):
        load_user_weights("lenet5", pickle.dumps(_Exploit()))
    assert not os.path.exists("/tmp/vizconv_pwned")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "cannot be loaded safely"),
        (b"not a checkpoint at all", "cannot be loaded safely"),
        (_bytes([1, 2, 3]), "holds a list, not a state_dict"),
        (_bytes({"a": 1}), "not a state_dict"),
        (_bytes(ResNet20().state_dict()), r"10 parameters missing .* and 128 parameters unexpected"),
    ],
    ids=["empty", "text", "list", "dict of numbers", "another architecture"],
)
def test_what_does_not_fit_is_explained(payload, message):
    with pytest.raises(ModelError, match=message):
        load_user_weights("lenet5", payload)


def test_counts_of_one_are_singular_in_both_languages():
    state = lenet5().state_dict()
    del state["0.bias"]
    with pytest.raises(ModelError, match="1 parameter missing .* and 0 parameters unexpected") as missing:
        load_user_weights("lenet5", _bytes(state))
    assert "缺少 1 个参数" in missing.value.message("zh")
    state = lenet5().state_dict()
    state["0.weight"] = torch.zeros(6, 3, 5, 5)
    with pytest.raises(ModelError, match="1 tensor of another shape, for example") as shapes:
        load_user_weights("lenet5", _bytes(state))
    assert "有 1 个张量形状不同" in shapes.value.message("zh")
    state = lenet5().state_dict()
    state["0.bias"] = state["0.bias"].to(torch.complex64)
    with pytest.raises(ModelError, match="These weights hold 1 value the model cannot compute with") as kind:
        load_user_weights("lenet5", _bytes(state))
    assert "这些权重中有 1 个值不是" in kind.value.message("zh")


def test_a_wrong_shape_and_nan_values_are_named():
    state = lenet5().state_dict()
    state["0.weight"] = torch.zeros(6, 3, 5, 5)
    with pytest.raises(ModelError, match=r"0.weight \[6, 3, 5, 5\] ≠ \[6, 1, 5, 5\]"):
        load_user_weights("lenet5", _bytes(state))
    state = lenet5().state_dict()
    state["3.bias"][0] = float("nan")
    with pytest.raises(ModelError, match="NaN or infinite values \\(in 3.bias\\)"):
        load_user_weights("lenet5", _bytes(state))


def test_size_limit_and_unknown_architecture(monkeypatch):
    monkeypatch.setattr(models, "MAX_WEIGHTS_BYTES", 1000)
    with pytest.raises(ModelError, match="larger than"):
        load_user_weights("resnet20", _bytes(ResNet20().state_dict()))
    with pytest.raises(ModelError, match="There is no model"):
        load_user_weights("vgg99", b"")


# ---------------------------------------------------------------- hostile files (issue 16)


def _rezipped(data: bytes, compression: int = zipfile.ZIP_STORED, replace: dict[str, bytes] | None = None) -> bytes:
    """A torch.save file's entries written again into a new zip: compressed, or with entries replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", compression) as target:
        for name in source.namelist():
            target.writestr(name, (replace or {}).get(name.split("/", 1)[1], source.read(name)))
    return out.getvalue()


@pytest.fixture
def no_unpacking(monkeypatch):
    """torch.load must not run: the file is refused from its zip directory alone."""

    def refuse(*args, **kwargs):
        raise AssertionError("torch.load ran on a file that should have been refused before it")

    monkeypatch.setattr(torch, "load", refuse)


def _refused(payload: bytes, key: str, name: str = "lenet5") -> ModelError:
    started = time.perf_counter()
    with pytest.raises(ModelError) as caught:
        load_user_weights(name, payload)
    assert caught.value.key == key, caught.value
    assert time.perf_counter() - started < 5, "refused, but not quickly"
    assert caught.value.message("en") and caught.value.message("zh")
    return caught.value


def test_a_compressed_storage_is_refused_before_it_is_unpacked(no_unpacking):
    """The red team's file: a storage record of zeros, deflated (here 32 MB in about 32 KB; theirs 4 GB in 4.2 MB)."""
    data = _bytes(lenet5().state_dict())
    bomb = _rezipped(data, zipfile.ZIP_DEFLATED, {"data/0": bytes(32 * 1024 * 1024)})
    assert len(bomb) < len(data) + 100_000  # the 32 MB take about 32 KB
    assert "never does" in str(_refused(bomb, "weights.compressed"))
    _refused(_rezipped(data, zipfile.ZIP_DEFLATED), "weights.compressed")  # a genuine file zipped again: said so


def test_more_bytes_than_the_architecture_needs_are_refused_before_they_are_unpacked(no_unpacking):
    state = lenet5().state_dict()  # 61,706 numbers: 2 MB at most (float64, twice, + 1 MiB)
    stored = _rezipped(_bytes(state), replace={"data/0": bytes(3 * 1024 * 1024)})
    assert "at most 2.0 MB" in str(_refused(stored, "weights.too_many_bytes"))
    _refused(_bytes(torch.zeros(600_000)), "weights.too_many_bytes")


def test_many_keys_sharing_one_storage_are_refused_before_they_are_unpacked(no_unpacking):
    """The red team's 750,000 keys (58 MB) shrunk: 5,000 views of one storage already make the index too large."""
    one = torch.zeros(1)
    many = _bytes({f"k{i}": one.view(1) for i in range(5000)})
    assert len(many) < 500_000
    _refused(many, "weights.too_many_keys", "resnet18")


def test_many_records_are_refused_before_they_are_unpacked(no_unpacking):
    data = _bytes(lenet5().state_dict())
    extra = {f"data/x{i}": b"" for i in range(600)}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        for name in extra:
            target.writestr("archive/" + name, b"")
    _refused(out.getvalue(), "weights.too_many_records")


def test_the_legacy_format_is_refused_with_a_clear_message(no_unpacking):
    legacy = io.BytesIO()
    torch.save(lenet5().state_dict(), legacy, _use_new_zipfile_serialization=False)
    assert "PyTorch 1.6" in str(_refused(legacy.getvalue(), "weights.legacy"))


def _with(key: str, value: torch.Tensor, state: dict | None = None) -> bytes:
    state = dict(lenet5().state_dict() if state is None else state)
    state[key] = value
    return _bytes(state)


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch: quantized tensors are deprecated; sparse ones validated
@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (lambda w: w.to_sparse(), "torch.sparse_coo"),
        (lambda w: torch.empty(w.shape, device="meta"), "meta"),
        (lambda w: torch.quantize_per_tensor(w, 0.01, 0, torch.qint8), "torch.qint8"),
        (lambda w: torch.complex(w, w).index_put_((torch.tensor(0),), torch.tensor(complex("nan"))), "complex64"),
        (lambda w: torch.ones(w.shape, dtype=torch.int64), "torch.int64"),
        (lambda w: torch.ones(w.shape, dtype=torch.bool), "torch.bool"),
    ],
    ids=["sparse", "meta", "quantized", "complex with NaN", "integer", "bool"],
)
def test_tensors_the_model_cannot_compute_with_are_refused(value, kind):
    weight = lenet5().state_dict()["0.weight"]
    error = _refused(_with("0.weight", value(weight)), "weights.kind")
    assert f"0.weight ({kind}" in str(error) or f"0.weight (torch.{kind}" in str(error)


@pytest.mark.parametrize(
    ("big", "dtype"),
    [(1e300, torch.float64), (3e38, torch.float32), (-1.5e6, torch.float32), (1e6 + 1, torch.float64)],
)
def test_values_that_would_overflow_are_refused(big, dtype):
    """Finite as written, but inf once in float32 (1e300), or inf after one multiplication (3e38)."""
    state = {k: v.to(dtype) if v.is_floating_point() else v for k, v in lenet5().state_dict().items()}
    state["3.bias"][1] = big
    assert "1,000,000" in str(_refused(_bytes(state), "weights.too_large_values"))
    state["3.bias"][1] = 1e6  # the largest accepted
    load_user_weights("lenet5", _bytes(state))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused_in_any_float_type(bad):
    for dtype in (torch.float16, torch.bfloat16, torch.float64):
        state = {k: v.to(dtype) for k, v in lenet5().state_dict().items()}
        state["0.weight"][0, 0, 0, 0] = bad
        assert "0.weight" in str(_refused(_bytes(state), "weights.not_finite"))


def test_a_negative_running_variance_is_refused():
    state = ResNet20().state_dict()
    state["layer1.0.bn1.running_var"][3] = -1.0
    assert "layer1.0.bn1.running_var" in str(_refused(_bytes(state), "weights.negative_variance", "resnet20"))


@pytest.mark.parametrize("name", models.BUNDLED_MODELS)
def test_the_bundled_weights_load_as_own_weights(name):
    data = (models.MODELS_DIR / f"{name}.pt").read_bytes()
    model, _ = load_user_weights(name, data)
    shared, _ = load_model(name)
    assert all(torch.equal(model.state_dict()[k], v) for k, v in shared.state_dict().items())
    assert all(not t.is_meta for t in (*model.parameters(), *model.buffers()))


def test_float64_weights_and_float_counters_are_converted():
    torch.manual_seed(2)
    state = ResNet20().state_dict()
    as_double = {k: v.double() for k, v in state.items()}  # num_batches_tracked too: a whole float64
    for payload in (as_double, {"state_dict": {f"module.{k}": v for k, v in as_double.items()}}):
        model, _ = load_user_weights("resnet20", _bytes(payload))
        loaded = model.state_dict()
        assert all(
            loaded[k].dtype == v.dtype and torch.allclose(loaded[k].double(), v.double()) for k, v in state.items()
        )
    state["bn1.num_batches_tracked"] = torch.tensor(2.5, dtype=torch.float64)  # not a count
    _refused(_bytes(state), "weights.kind", "resnet20")


def test_a_training_checkpoint_with_its_optimizer_is_accepted():
    model = ResNet20()
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.zeros(2, 3, 32, 32)).sum().backward()
    optimizer.step()  # exp_avg and exp_avg_sq for every weight
    checkpoint = {"state_dict": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 1}
    loaded, _ = load_user_weights("resnet20", _bytes(checkpoint))
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in model.state_dict().items())


def test_a_weight_that_is_a_view_gets_its_own_storage():
    """A weight stored as a slice of a larger tensor is copied out of it, so the rest is not kept alive."""
    state = lenet5().state_dict()
    big = torch.zeros(100_000)
    big[: state["0.bias"].numel()] = state["0.bias"]
    state["0.bias"] = big[: state["0.bias"].numel()]
    model, _ = load_user_weights("lenet5", _bytes(state))
    bias = model.state_dict()["0.bias"]
    assert bias.untyped_storage().nbytes() == bias.nbytes


def test_key_names_never_become_markdown():
    """A key named like a Markdown image is quoted as text: the page's message would not fetch anything."""
    state = lenet5().state_dict()
    state["![x](http://host/p.png)"] = torch.zeros(1)
    error = _refused(_bytes(state), "weights.keys")
    assert "![x](http://host/p.png)" in str(error)  # the English text, for logs, as it was
    for lang in ("en", "zh"):
        shown = error.message(lang)
        assert r"!\[x\](http\://host/p.png)" in shown.replace("\u2060", "")  # U+2060: no autolink either
        unescaped = re.sub(r"\\.", "", shown)  # what Markdown reads as syntax: every character not escaped
        assert "[" not in unescaped and "](" not in unescaped and "http:" not in unescaped


def test_nothing_but_the_session_keeps_an_own_model_alive():
    """What the Feature maps page does with a model (capture, layer table, module paths, explanations) leaves
    no reference behind: once the session lets it go, it is freed."""
    from vizconv.nets.capture import capturable_layers, capture, modules_by_path
    from vizconv.nets.feature_maps import explain_activation, no_single_kernel, producing_conv
    from vizconv.nets.layers import layer_table

    model, info = load_user_weights("resnet20", _bytes(ResNet20().state_dict()))
    x = torch.zeros(1, 3, 32, 32)
    acts = capture(model, x)
    layer_table(model, tuple(x.shape))
    assert modules_by_path(model)[""] is model and len(modules_by_path(model)) == len(dict(model.named_modules()))
    conv = next(name for name in capturable_layers(model) if isinstance(modules_by_path(model)[name], torch.nn.Conv2d))
    explain_activation(model, x, conv, 0, 1, 1, captured=acts[conv][0])
    producing_conv(model, acts, "layer1.0.relu")
    no_single_kernel(model, acts, "layer1.0")
    gone = weakref.ref(model)
    del model, info, acts
    gc.collect()
    assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())]

"""The zoo: every registered model builds, takes the input its spec says, answers with its spec's classes, and
its ModelInfo comes from one factory."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from vizconv.nets import models, zoo
from vizconv.nets.zoo import MODELS, MODELS_DIR, ModelError, ModelInfo, model_info, spec
from vizconv.training import train
from vizconv.training.datasets import CIFAR10_CLASSES, CIFAR10_MEAN, MNIST_MEAN

NAMES = sorted(MODELS)


@pytest.fixture(scope="module")
def built():
    """Every registered architecture, with seeded fresh weights, in eval mode."""
    torch.manual_seed(0)
    return {name: MODELS[name].build().eval() for name in NAMES}


def test_the_registry_is_what_load_model_accepts():
    assert set(NAMES) == {"lenet5", "lenet5-classic", "resnet20", "resnet18"}
    assert models.available_models() == tuple(MODELS)
    assert models.BUNDLED_MODELS == ("lenet5", "lenet5-classic", "resnet20")
    assert models.DOWNLOADED_MODELS == ("resnet18",)
    assert all(s.name == name for name, s in MODELS.items())


@pytest.mark.parametrize("name", NAMES)
def test_input_size_is_what_the_model_takes_and_classes_what_it_answers(name, built):
    model_spec = MODELS[name]
    with torch.no_grad():
        logits = built[name](torch.zeros(1, *model_spec.input_size))
    assert logits.shape == (1, len(model_spec.classes))
    assert len(set(model_spec.classes)) == len(model_spec.classes)  # no class named twice


@pytest.mark.parametrize("name", NAMES)
def test_preprocess_gives_the_specs_shape(name):
    model_spec = MODELS[name]
    for picture in (Image.new("RGB", (50, 40), "white"), Image.new("L", (300, 500), 30)):
        x = model_spec.preprocess(picture)
        assert x.shape == (1, *model_spec.input_size) and x.dtype == torch.float32


@pytest.mark.parametrize("name", NAMES)
def test_standardisation_matches_the_preprocess(name):
    """A mid-grey picture comes out as (0.5 - mean) / std per channel, away from a digit's ink (MNIST)."""
    model_spec = MODELS[name]
    if model_spec.dataset == "mnist":
        x = model_spec.preprocess(Image.new("L", (28, 28), 0))  # no ink: the background, 0 on 0..1
        assert torch.allclose(x, torch.full_like(x, (0 - MNIST_MEAN) / model_spec.data.std[0]))
        return
    x = model_spec.preprocess(Image.fromarray(np.full((64, 64, 3), 128, dtype=np.uint8)))
    expected = (128 / 255 - torch.tensor(model_spec.data.mean)) / torch.tensor(model_spec.data.std)
    assert torch.allclose(x[0, :, 0, 0], expected, atol=1e-5)


def test_one_copy_of_each_dataset():
    assert MODELS["resnet20"].classes == CIFAR10_CLASSES and MODELS["resnet20"].data.mean == CIFAR10_MEAN
    assert MODELS["lenet5"].data is MODELS["lenet5-classic"].data is zoo.MNIST
    assert MODELS["lenet5"].classes == tuple("0123456789")
    assert MODELS["resnet18"].classes[0] == "tench" and len(MODELS["resnet18"].classes) == 1000


def test_training_builds_and_learns_from_what_the_zoo_says():
    assert set(train.RECIPES) == set(models.BUNDLED_MODELS)
    for name, recipe in train.RECIPES.items():
        assert recipe["build"] is MODELS[name].build and recipe["dataset"] == MODELS[name].dataset
    assert train.MODELS_DIR == MODELS_DIR == models.MODELS_DIR


@pytest.mark.parametrize("name", models.BUNDLED_MODELS)
def test_bundled_cards_agree_with_the_zoo(name):
    model_spec = MODELS[name]
    card = json.loads(model_spec.card_path(MODELS_DIR).read_text(encoding="utf-8"))
    assert card["classes"] == list(model_spec.classes)
    assert card["dataset"] == model_spec.dataset and card["architecture"] == model_spec.architecture
    assert zoo.sha256_of(model_spec.weights_path(MODELS_DIR)) == card["sha256"]


def test_resnet18_is_downloaded_from_torchvision():
    from torchvision.models import ResNet18_Weights

    resnet18 = MODELS["resnet18"]
    assert not resnet18.bundled and resnet18.url == ResNet18_Weights.DEFAULT.url
    assert 0.6 < resnet18.accuracy < 0.8  # torchvision's published top-1 (69.758 %)
    assert models.resnet18_weights_path().name == resnet18.url.rsplit("/", 1)[1]


@pytest.mark.parametrize("name", NAMES)
def test_model_info_is_the_zoos(name):
    info = model_info(name, {"sha256": "abc", "dataset": "mnist"}, source="random", seed=3)
    model_spec = MODELS[name]
    assert isinstance(info, ModelInfo)
    assert info.classes == list(model_spec.classes) and info.input_size == model_spec.input_size
    assert info.preprocess is model_spec.preprocess
    assert (info.mean, info.std) == (model_spec.data.mean, model_spec.data.std)
    assert info.card == {"dataset": "mnist", "sha256": "abc", "source": "random", "seed": 3}  # the card's own
    assert model_info(name).card == {"dataset": model_spec.dataset}


def test_model_info_gives_each_caller_its_own_card_and_classes():
    card = {"sha256": "abc"}
    first, second = model_info("lenet5", card), model_info("lenet5", card)
    first.card["sha256"] = "changed"
    first.classes.append("10")
    assert card == {"sha256": "abc"} and second.card["sha256"] == "abc"
    assert len(second.classes) == 10 and MODELS["lenet5"].classes == tuple("0123456789")


def test_every_way_of_loading_goes_through_the_factory():
    _, bundled = models.load_model("lenet5")
    _, random = models.random_model("resnet20")
    assert bundled.card["sha256"] and bundled.classes == list(MODELS["lenet5"].classes)
    assert random.card == {"dataset": "cifar10", "source": "random", "seed": models.RANDOM_SEED}
    assert random.input_size == MODELS["resnet20"].input_size


def test_an_unknown_name_is_a_model_error_naming_the_models():
    with pytest.raises(ModelError, match="lenet5, lenet5-classic, resnet20, resnet18"):
        spec("vgg99")
    with pytest.raises(ModelError, match="Available"):
        model_info("vgg99")
    with pytest.raises(ModelError, match="Available"):
        models.random_model("vgg99")


def test_a_card_of_other_classes_is_refused(tmp_path):
    for suffix in (".pt", ".json"):
        (tmp_path / f"lenet5{suffix}").write_bytes((MODELS_DIR / f"lenet5{suffix}").read_bytes())
    card = json.loads((tmp_path / "lenet5.json").read_text(encoding="utf-8"))
    card["classes"] = list(CIFAR10_CLASSES)  # ten names, but not this model's
    (tmp_path / "lenet5.json").write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="model card of lenet5"):
        models.load_model("lenet5", models_dir=tmp_path)

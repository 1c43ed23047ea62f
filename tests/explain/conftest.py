"""Models for the explanation tests: the bundled ones, loaded once (the tests that hook them must leave them as
they found them)."""

from __future__ import annotations

import pytest
from torch import nn

from vizconv.nets.models import load_model


@pytest.fixture(scope="session")
def resnet20() -> nn.Module:
    return load_model("resnet20")[0]


@pytest.fixture(scope="session")
def lenet() -> nn.Module:
    return load_model("lenet5")[0]

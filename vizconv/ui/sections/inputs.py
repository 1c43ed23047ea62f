"""What the lessons of one page share: the page's memory, where a lesson says why it has nothing to show, and the
inputs several lessons read (an upload, an MNIST digit, LeNet-5's first maps)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
import torch
from PIL import Image

from vizconv.errors import MessageError
from vizconv.inputs.feature_sources import digit_picture, lenet_maps
from vizconv.ui.language import t
from vizconv.ui.model_cache import cached_model
from vizconv.ui.page import show_error
from vizconv.ui.url_state import WidgetMemory
from vizconv.ui.widgets import image_uploader, upload_prompt, uploaded_picture

__all__ = ["Lesson", "lenet"]


@dataclass(frozen=True)
class Lesson:
    """One page's lessons' common ground: settings ``memory`` (prefix ``<page>``), and ``notices``, a container
    above the lesson's content for why an input cannot be shown (no upload yet, a broken install)."""

    memory: WidgetMemory
    notices: st.delta_generator.DeltaGenerator

    def input(self, read: Callable[[Lesson], torch.Tensor | None]) -> torch.Tensor | None:
        """Under the sidebar's "Input" heading, ``read(self)``: the lesson's input; None, with the reason in
        ``notices``, where the install lacks a file it needs (LeNet-5's weights, a sample picture): the other inputs
        keep working."""
        st.header(t(f"{self.memory.prefix}.input"))  # catalogue: pool.input
        try:
            return read(self)
        except MessageError as exc:
            with self.notices:
                show_error(exc)
                st.info(t(f"{self.memory.prefix}.other_input"), icon="⬅️")  # catalogue: pool.other_input
            return None

    def upload(self, key: str) -> Image.Image | None:
        """The uploaded picture, or None (with a prompt or the reason it cannot be read, in ``notices``: the
        sidebar's uploader is where the eye is not while the main column is empty)."""
        upload = image_uploader(key)
        if upload is None:
            with self.notices:
                upload_prompt(self.memory.prefix)
            return None
        st.session_state[f"{self.memory.prefix}_upload_from_link"] = False  # the link's request is answered
        try:
            return uploaded_picture(upload, key)
        except MessageError as exc:
            with self.notices:
                show_error(exc)
            return None

    def digit(self) -> int:
        """The MNIST digit picked in the sidebar (setting ``digit``, one for every lesson of the page)."""
        return st.selectbox(t("pool.digit"), range(10), **self.memory.seed("digit", range(10)))

    def lenet_channel(self, stage: str, name: str, bounds: tuple[int, int]) -> torch.Tensor:
        """One channel (setting ``name``, within ``bounds``) of LeNet-5's map ``stage`` for the digit picked: (H, W)."""
        digit = self.digit()
        return lenet(digit)[stage][st.slider(t("act.channel"), *bounds, **self.memory.seed(name))]

    def seed(self, bounds: tuple[int, int]) -> int:
        """The random numbers' seed (setting ``seed``)."""
        return int(st.number_input(t("conv.seed"), *bounds, **self.memory.seed("seed")))


def lenet(digit: int) -> dict[str, torch.Tensor]:
    """LeNet-5's first-layer maps of the bundled ``digit``: stage -> (6, H, W)."""
    return lenet_maps(*cached_model("lenet5"), digit_picture(digit))

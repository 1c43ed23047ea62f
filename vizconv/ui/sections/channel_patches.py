"""The "Why it answered" page, lesson 4: what one conv channel looks for (Zeiler & Fergus): the nine bundled
pictures on which it is largest, each with the part of the picture its cell sees (its receptive field), the
value, and the channel's map of the student's own picture beside them."""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.explain.top_patches import load_top_patches, top_patch_layers
from vizconv.nets.capture import capture
from vizconv.nets.feature_maps import channel_grid
from vizconv.ui.sections.explained import Explained

t = ui.t
TILE_PX = 96  # each patch's side on screen: enlarged by a whole factor, then drawn this wide


def _tile(patch: np.ndarray) -> Image.Image:
    factor = max(1, -(-TILE_PX // patch.shape[0]))  # at least TILE_PX: the browser then scales it down
    return Image.fromarray(patch.repeat(factor, axis=0).repeat(factor, axis=1))


def show(seen: Explained) -> None:
    memory = seen.memory
    if seen.weights == "random":  # the stored pictures are what the trained channels answer most
        st.info(t("why.channel.trained_only"), icon="🎲")
        return
    try:
        layers = top_patch_layers(seen.name)
    except MessageError as exc:  # a model without stored patches (torchvision's), or the files are missing
        ui.show_error(exc)
        return
    with st.sidebar:
        st.header(t("why.channel.settings"))
        layer = st.selectbox(t("why.conv"), layers, **memory.seed("conv", layers))
        channels = int(seen.model.get_submodule(layer).out_channels)
        memory.set(channel=min(memory.get("channel"), channels - 1))
        channel = st.number_input(t("why.channel_pick", n=channels), 0, channels - 1, **memory.seed("channel"))
    try:
        top = load_top_patches(seen.name, layer, int(channel))
    except MessageError as exc:
        ui.show_error(exc)
        return
    st.subheader(t("why.channel.title", layer=layer, channel=channel))
    patches = top.patches()
    for row in range(0, len(patches), 3):
        for column, n in zip(st.columns(3), range(row, min(row + 3, len(patches))), strict=False):
            column.image(
                _tile(patches[n]),
                width=TILE_PX,
                caption=t("why.patch_caption", value=f"{float(top.values[n]):.3g}", source=top.source_files[n]),
            )
    st.caption(t("why.channel.caption", rf=top.receptive_field, n=len(patches)))
    maps = capture(seen.model, seen.prediction.x, layers=[layer])[layer][0]  # (C, h, w)
    st.image(channel_grid(maps[int(channel)][None]).png, caption=t("why.channel.yours", layer=layer, channel=channel))

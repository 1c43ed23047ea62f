"""One position and channel shared by an animation and its step panel (Stepper), and the live animator's mount:
its script and style sheet served as files, the view the browser sends back."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from vizconv.ui.figures import plotly_figure
from vizconv.ui.language import lang, t
from vizconv.ui.page import presenting
from vizconv.ui.url_state import WidgetMemory
from vizconv.viz.animator import SPEEDS, AnimatorView, Opening


@dataclass(frozen=True)
class Stepper:
    """One cell of a grid (a row-major position) and one channel, shared by an animation and its step panel.

    Session state holds them under ``position_key`` and ``channel_key``. A click on a cell of the figure
    (``figure``, its clickable curves mapped to channels) moves both there; ◀ ▶ and the ← → keys step
    (``controls``). Build it with ``stepper``, which clamps the remembered values to this grid.
    """

    position_key: str
    channel_key: str
    figure_key: str
    positions: int  # cells in the grid
    channels: int
    width: int  # cells per row of the clickable grid

    @property
    def position(self) -> int:
        return int(st.session_state[self.position_key])

    @property
    def channel(self) -> int:
        return int(st.session_state[self.channel_key])

    def _move(self, delta: int) -> None:
        st.session_state[self.position_key] = (st.session_state[self.position_key] + delta) % self.positions

    def _clicked(self) -> None:
        """A click on a cell moves the step panel there (the curve map is the one drawn on the last run)."""
        state = st.session_state
        curves = state.get(self.figure_key + "_curves", {})
        width = state.get(self.figure_key + "_width", self.width)
        for point in (state.get(self.figure_key) or {}).get("selection", {}).get("points", []):
            channel = curves.get(point.get("curve_number"))
            if channel is not None and "x" in point and "y" in point:
                state[self.channel_key] = channel
                state[self.position_key] = int(point["y"]) * width + int(point["x"])
                return

    def figure(self, spec: dict, curves: dict[int, int]) -> None:
        """Draw the animation; ``curves``: trace number -> channel of its clickable cells."""
        st.session_state[self.figure_key + "_curves"] = curves
        st.session_state[self.figure_key + "_width"] = self.width
        plotly_figure(spec, key=self.figure_key, on_select=self._clicked)

    def live(self, make_data: Callable[[Opening], dict], memory: WidgetMemory | None = None) -> None:
        """Draw the live animator with the data ``make_data`` gives (one of vizconv.viz.animator's ``*_animator_data``
        with its trace bound), opening at this stepper's position and channel, at the speed of ``memory``'s
        setting ``speed``, in the page's language and presenter mode. The view the browser sends back when the
        student pauses, steps or clicks moves the step panel (and the speed)."""
        opening = Opening(self.position, self.channel, animator_speed(memory), lang(), presenting())
        mount = _live_animator()
        mount(
            key=self.figure_key,
            data=make_data(opening),
            on_view_change=functools.partial(_view_changed, self, memory),
            width="stretch",
        )

    def panel(
        self,
        title: str,
        key: str,
        channel: str,
        position_help: str | None = None,
        parent=None,
        channel_names: Callable[[int], str] | None = None,
    ):
        """A step panel: its heading ``title``, then a container keyed ``key`` (``<page>_step_panel``: presenter
        mode enlarges what is inside, ui.PRESENTER_CSS) holding ◀, the position slider, ▶ and the ``channel``
        choice (each option named by ``channel_names``: text the same in every language, as a choice travels to
        the browser as its label); returns the container, for the explanation below the controls. ``parent``:
        where (st)."""
        parent = st if parent is None else parent
        parent.subheader(title)
        panel = parent.container(key=key)
        labels = (t("conv.position"), channel, t("conv.back"), t("conv.forward"))
        self.controls(panel, *labels, position_help, channel_names)
        return panel

    def controls(
        self,
        container,
        position: str,
        channel: str,
        back: str,
        forward: str,
        position_help: str | None = None,
        channel_names: Callable[[int], str] | None = None,
    ) -> None:
        """◀, the position slider, ▶ and the channel choice in one row of ``container``."""
        # ◀ and ▶ wide enough for the arrow and its key hint, also in presenter mode on a 1024-pixel projector
        back_col, slider_col, forward_col, channel_col = container.columns(
            [1.6, 5, 1.6, 3], vertical_alignment="bottom"
        )
        prefix = self.position_key.rsplit("_", 1)[0]
        # ← and → step too (Streamlit ignores them while a text field has the focus)
        for col, key, label, action, delta, arrow, shortcut in (
            (back_col, prefix + "_back", "◀", back, -1, "←", "Left"),
            (forward_col, prefix + "_forward", "▶", forward, 1, "→", "Right"),
        ):
            col.button(
                label,
                key=key,
                on_click=self._move,
                args=(delta,),
                help=t("present.key_hint", action=action, shortcut=arrow),
                width="stretch",
                shortcut=shortcut,
            )
        if self.positions > 1:
            last = self.positions - 1
            slider_col.slider(position, 0, last, key=self.position_key, format=f"%d / {last}", help=position_help)
        channel_col.selectbox(channel, range(self.channels), key=self.channel_key, format_func=channel_names or str)


# The live animator's JS and CSS: files Streamlit serves itself at app/static/ (server.enableStaticServing), so
# the browser fetches the script once and keeps it; the component sent with every rerun is only a loader
# (the script inline would add its 30 KB to every rerun's messages).
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
ANIMATOR_JS = STATIC_DIR / "animator.js"
ANIMATOR_CSS = STATIC_DIR / "animator.css"
_LOADER_JS = """// vizconv's live animator: app/static/animator.js, imported once per browser (its version in the address).
const url = new URL("app/static/animator.js?v=%s", document.baseURI).href;
export default function (component) {
  let cleanup = null;
  let gone = false;
  import(url).then((module) => {
    if (!gone) cleanup = module.default(component);
  });
  return () => {
    gone = true;
    if (cleanup) cleanup();
  };
}
"""


@functools.cache
def _live_animator():
    """The live animator component (static/animator.js through a loader, static/animator.css), registered once
    per process; the script's address carries a hash of its content, so a new version is fetched anew."""
    version = hashlib.sha256(ANIMATOR_JS.read_bytes()).hexdigest()[:12]
    return st.components.v2.component(
        "vizconv.viz.animator", css=ANIMATOR_CSS.read_text(encoding="utf-8"), js=_LOADER_JS % version
    )


def animator_speed(memory: WidgetMemory | None) -> int:
    """Positions a second the animator plays at: ``memory``'s setting ``speed`` (its speed menu sets it when
    the student pauses), 4 where there is none or it is not one of SPEEDS."""
    speed = memory.get("speed") if memory is not None else None
    return speed if speed in SPEEDS else 4


def _view_changed(stepper: Stepper, memory: WidgetMemory | None) -> None:
    """The browser paused, stepped or was clicked: its view (a hostile client's too, clamped) moves the step."""
    state = st.session_state.get(stepper.figure_key)
    raw = state.get("view") if hasattr(state, "get") else None
    view = AnimatorView.parse(raw, stepper.positions, stepper.channels)
    if view is None:
        return
    st.session_state[stepper.position_key] = view.position
    st.session_state[stepper.channel_key] = view.channel
    speed = raw.get("speed")  # raw is a dict: AnimatorView.parse accepted it
    if memory is not None and isinstance(speed, int) and speed in SPEEDS:
        memory.set(speed=speed)


def stepper(position_key: str, channel_key: str, figure_key: str, positions: int, channels: int, width: int) -> Stepper:
    """A ``Stepper`` for this grid, its remembered position and channel clamped to it (0 the first time)."""
    state = st.session_state
    state.setdefault(position_key, 0)
    state[position_key] = min(int(state[position_key]), positions - 1)
    state.setdefault(channel_key, 0)
    state[channel_key] = min(int(state[channel_key]), channels - 1)
    return Stepper(position_key, channel_key, figure_key, positions, channels, width)

"""The one package of vizconv that imports Streamlit: the glue between the pages and the library, by job.

- ``language``: the page's language, catalogue lookups (``t``, ``labels``);
- ``page``: every page's set-up (config, language switch, presenter mode, style sheets), errors as messages;
- ``url_state``: settings remembered across reruns and carried by the URL (``WidgetMemory``), the share box;
- ``stepping``: a position and channel shared by an animation and its step panel, the live animator's mount;
- ``figures``: Plotly figures, a heatmap cell picked by a click;
- ``widgets``: a choice kept by the memory, the image uploader, the digit canvas, pair inputs, the kernel editor;
- ``blocks``: what several pages draw alike: a download button of one kind, torch's verdict, a row of metrics;
- ``setting_widgets``: a setting's widget drawn from the kind of value its link carries;
- ``model_cache``: models cached per process, a session's own weights;
- ``model_choice``: a model with the weights a page chose, and the ways on when they cannot be had;
- ``results``: a network's answer: a table of probabilities, a chart of a few values;
- ``patch_dragger``: a grey patch the student drags over a picture (the occlusion lesson).

Pages use the names below as ``ui.<name>``.
"""

from __future__ import annotations

from vizconv.server import collect_garbage_periodically, configure_allocator, configure_threads

# Once per server process, before any page computes: one torch thread per request unless
# VIZCONV_TORCH_THREADS says otherwise, and freed tensor memory kept for the next rerun
# (vizconv.server, docs/deploy.md "Threads" and "Memory"), and a full garbage collection every 30 s in place of
# Streamlit's after every run (runner.postScriptGC is off).
configure_threads()
configure_allocator()
collect_garbage_periodically()

from vizconv.ui.blocks import (  # noqa: E402 (after the set-up above)
    DOWNLOADS,
    download,
    formula_box,
    metric_row,
    pytorch_code,
    torch_verdict,
)
from vizconv.ui.figures import (  # noqa: E402 (after the set-up above)
    PrebuiltFigure,
    cell_picker,
    plotly_figure,
)
from vizconv.ui.language import (  # noqa: E402 (after the set-up above)
    LANG_KEY,
    labels,
    lang,
    t,
    t_or,
)
from vizconv.ui.model_cache import (  # noqa: E402 (after the set-up above)
    OWN_MODEL_KEY,
    cached_model,
    cached_random_model,
    cached_snapshot,
    drop_session_model,
    session_model,
)
from vizconv.ui.model_choice import (  # noqa: E402 (after the set-up above)
    chosen_model,
    other_ways,
)
from vizconv.ui.page import (  # noqa: E402 (after the set-up above)
    FIT_TO_WIDTH_HTML,
    KEYBOARD_HTML,
    NAV_CSS,
    PAGE_PARAMS,
    PAGE_TOP_CSS,
    PRESENT_KEY,
    PRESENTER_CSS,
    PRESENTER_FIGURE_FONT,
    page_setup,
    presenting,
    show_error,
)
from vizconv.ui.patch_dragger import patch_dragger  # noqa: E402 (after the set-up above)
from vizconv.ui.results import (  # noqa: E402 (after the set-up above)
    bar_chart,
    probability_table,
)
from vizconv.ui.setting_widgets import setting_input  # noqa: E402 (after the set-up above)
from vizconv.ui.stepping import (  # noqa: E402 (after the set-up above)
    ANIMATOR_CSS,
    ANIMATOR_JS,
    STATIC_DIR,
    Stepper,
    animator_speed,
    stepper,
)
from vizconv.ui.url_state import (  # noqa: E402 (after the set-up above)
    LABELS_SHOWN_KEY,
    MAX_VALUE_CHARS,
    Decimal,
    Encoded,
    Flag,
    Name,
    OneOf,
    Whole,
    WidgetMemory,
    page_address,
    share_box,
)
from vizconv.ui.widgets import (  # noqa: E402 (after the set-up above)
    CANVAS_SIDE,
    UPLOADS_KEY,
    choice,
    digit_canvas,
    editable_weights,
    image_uploader,
    kernel_editor,
    pair_input,
    upload_prompt,
    uploaded_picture,
)

__all__ = [
    "ANIMATOR_CSS",
    "ANIMATOR_JS",
    "CANVAS_SIDE",
    "DOWNLOADS",
    "Decimal",
    "Encoded",
    "FIT_TO_WIDTH_HTML",
    "Flag",
    "KEYBOARD_HTML",
    "LABELS_SHOWN_KEY",
    "LANG_KEY",
    "MAX_VALUE_CHARS",
    "NAV_CSS",
    "Name",
    "OWN_MODEL_KEY",
    "OneOf",
    "PAGE_PARAMS",
    "PAGE_TOP_CSS",
    "PRESENTER_CSS",
    "PRESENTER_FIGURE_FONT",
    "PRESENT_KEY",
    "PrebuiltFigure",
    "STATIC_DIR",
    "Stepper",
    "UPLOADS_KEY",
    "Whole",
    "WidgetMemory",
    "animator_speed",
    "bar_chart",
    "cached_model",
    "cached_random_model",
    "cached_snapshot",
    "cell_picker",
    "chosen_model",
    "choice",
    "digit_canvas",
    "download",
    "drop_session_model",
    "editable_weights",
    "formula_box",
    "image_uploader",
    "kernel_editor",
    "labels",
    "lang",
    "metric_row",
    "other_ways",
    "page_address",
    "page_setup",
    "pair_input",
    "patch_dragger",
    "plotly_figure",
    "pytorch_code",
    "presenting",
    "probability_table",
    "session_model",
    "setting_input",
    "share_box",
    "show_error",
    "stepper",
    "t",
    "t_or",
    "torch_verdict",
    "upload_prompt",
    "uploaded_picture",
]

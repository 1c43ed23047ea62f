"""The live animator in headless Chromium: what it writes equals the trace, and it moves with the page.

The animator (static/animator.js) computes every step in the browser from the data the page sends once
(vizconv.viz.animator). These tests read what it shows, at several positions of random configurations, and compare
it with ``trace.step(...)`` computed here with torch for the same settings; they check that pausing, clicking
and the keyboard move the server's step panel, that the page's ◀ ▶ move the animator, the text twin for
screen readers, both languages, presenter mode's larger type, the reverse view (an input cell's readers), and
that on a 1024 × 768 projector and a phone the animation with its arithmetic is on the first screen, cut off
nowhere. No timing assertions.

Uses tests/browser/conftest.py's server and browser fixtures (one ``streamlit run app.py``, Debian's Chromium).
"""

from __future__ import annotations

import random
import re
from urllib.parse import urlencode

import pytest
import torch
from browser_support import ARTIFACTS, animator_cell_point, animator_position, require_browser

from vizconv.errors import ParameterError
from vizconv.inputs.samples import SAMPLES, random_grid
from vizconv.ops.transposed import EXAMPLES, layer_weight, partial_canvases, trace_conv_transpose2d
from vizconv.ops.upsample import trace_interpolate
from vizconv.views.convolution import PlaygroundSettings, build_input, default_bias, default_weight, run_playground
from vizconv.viz import style
from vizconv.viz.steps import format_number

pytestmark = pytest.mark.browser

require_browser()

CONV = "/Convolution_卷积"
STEP_TIMEOUT_MS = 30_000


def _settings_query(settings: PlaygroundSettings) -> str:
    """The share link's query for these settings (the page's SHARED names, prefixed conv_)."""
    params = {"lang": "en"}
    for name, value in settings.__dict__.items():
        params[f"conv_{name}"] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return urlencode(params)


def _random_settings(rng: random.Random) -> PlaygroundSettings:
    """Random settings the engine accepts: random input, random kernels, any geometry the limits allow."""
    while True:
        channels = rng.choice([1, 2, 4])
        groups = rng.choice([g for g in (1, 2) if channels % g == 0])
        out_channels = groups * rng.choice([1, 2])
        settings = PlaygroundSettings(
            source="random",
            random_channels=channels,
            random_height=rng.randint(5, 9),
            random_width=rng.randint(5, 9),
            random_seed=rng.randint(0, 999),
            out_channels=out_channels,
            kernel_h=rng.choice([1, 2, 3]),
            kernel_w=rng.choice([2, 3]),
            stride_h=rng.choice([1, 2]),
            stride_w=rng.choice([1, 2, 3]),
            padding_h=rng.choice([0, 1, 2]),
            padding_w=rng.choice([0, 1]),
            padding_mode=rng.choice(["zeros", "reflect", "replicate", "circular"]),
            dilation_h=rng.choice([1, 2]),
            dilation_w=1,
            groups=groups,
            preset="random_normal",
            kernel_seed=rng.randint(0, 999),
        )
        try:
            x = build_input(settings)
            trace = run_playground(
                settings, x, default_weight(settings, x.shape[0]), default_bias(settings, x.shape[0])
            )
        except ParameterError:
            continue
        if trace.positions >= 4:
            return settings


def _trace(settings: PlaygroundSettings):
    x = build_input(settings)
    return run_playground(settings, x, default_weight(settings, x.shape[0]), default_bias(settings, x.shape[0]))


def _numbers(texts: list[str]) -> list[float]:
    return [float(t.replace("−", "-")) for t in texts]


def _shown_step(tab) -> dict:
    """What the animator writes for its current step: every table cell, each channel's sum, the total line."""
    return tab.evaluate(
        """() => { const vz = document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot
                       .querySelector('.vz');
                   const rows = [...vz.querySelectorAll('.vz-arow')].filter(r => r.offsetParent !== null);
                   return { position: vz.dataset.position, channel: vz.dataset.channel,
                            where: vz.querySelector('.vz-where').textContent,
                            rows: rows.map(r => ({ head: r.querySelector('.vz-ahead').textContent,
                                                   tables: [...r.querySelectorAll('table')].map(t =>
                                                       [...t.querySelectorAll('td')].map(td => td.textContent)),
                                                   sum: (r.querySelector('.vz-sum') || {}).textContent })),
                            total: vz.querySelector('.vz-tline').textContent,
                            twin: vz.querySelector('.vz-twin').textContent }; }"""
    )


def _close(shown: list[float], expected: list[float], what: str) -> None:
    """Written with at most 3 decimals: each within half a unit of the third decimal of torch's value (the
    browser sums float32 products in float64, torch in float32: the last written digit may round apart)."""
    assert len(shown) == len(expected), (what, shown, expected)
    for a, b in zip(shown, expected, strict=True):
        assert abs(a - b) <= 0.0015 + 1e-6 * abs(b), (what, shown, expected)


def _check_step(tab, trace, oc: int, position: int) -> None:
    oy, ox = trace.position(position)
    step = trace.step(oc, oy, ox)
    shown = _shown_step(tab)
    assert shown["position"] == str(position) and shown["channel"] == str(oc), shown
    assert shown["where"].startswith(f"Output channel {oc}, row {oy}, column {ox}")
    assert len(shown["rows"]) == len(step.input_channels)
    for k, (row, ic) in enumerate(zip(shown["rows"], step.input_channels, strict=True)):
        assert row["head"] == f"input channel {ic}"
        window, kernel, products = (_numbers(cells) for cells in row["tables"])
        _close(window, step.window[k].flatten().tolist(), f"window of channel {ic}")
        _close(kernel, step.kernel[k].flatten().tolist(), f"kernel {oc}, channel {ic}")
        _close(products, step.products[k].flatten().tolist(), f"products of channel {ic}")
        _close(_numbers([row["sum"].split("=")[-1]]), [float(step.channel_sums[k])], f"sum of channel {ic}")
    terms, value = shown["total"].split(" = ")
    expected_terms = [float(s) for s in step.channel_sums] + ([step.bias] if trace.bias is not None else [])
    _close(_numbers(re.findall(r"\(([^)]*)\)", terms)), expected_terms, "the total's terms")
    _close(_numbers([value]), [step.value], "the value")
    assert value == format_number(float(trace.output[oc, oy, ox]), 3)  # the value torch computed, as written
    assert shown["twin"].startswith(f"Output channel {oc}, row {oy}, column {ox}:")


def _wait_for_panel(tab, oc: int, oy: int, ox: int) -> None:
    tab.locator(".st-key-conv_step_panel").get_by_test_id("stMarkdownContainer").filter(
        has_text=f"Output channel {oc}, row {oy}, column {ox}:"
    ).first.wait_for(timeout=STEP_TIMEOUT_MS)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_arithmetic_shown_equals_the_trace(server, page, seed):  # noqa: F811
    """At several positions of a random configuration (reached by clicking output cells, the keyboard and the
    animator's buttons) every window value, kernel weight, product, channel sum and the value equal torch's."""
    rng = random.Random(seed)
    settings = _random_settings(rng)
    trace = _trace(settings)
    page.goto(f"{server}{CONV}?{_settings_query(settings)}")
    page.locator(".vz canvas").first.wait_for(timeout=60_000)
    h_out, w_out = trace.out_size
    for _ in range(3):
        oc, oy, ox = rng.randrange(trace.out_channels), rng.randrange(h_out), rng.randrange(w_out)
        point = animator_cell_point(page, "outputs", oc, oy, ox)
        page.mouse.click(*point)
        _wait_for_panel(page, oc, oy, ox)  # the click went back to the server: the step panel follows
        _check_step(page, trace, oc, oy * w_out + ox)
    page.locator(".vz").focus()
    page.keyboard.press("ArrowRight")
    position = (oy * w_out + ox + 1) % trace.positions
    _check_step(page, trace, oc, position)
    page.locator(".vz-back").click()
    _check_step(page, trace, oc, (position - 1) % trace.positions)
    page.keyboard.press("End")
    _check_step(page, trace, oc, trace.positions - 1)
    _wait_for_panel(page, oc, h_out - 1, w_out - 1)
    assert page.get_by_test_id("stException").count() == 0


def test_a_classroom_grid_with_bias_and_numbers_in_every_cell(server, page):  # noqa: F811
    """CS231n's 7×7×3 grid, two kernels with a bias: small maps have their numbers in every cell, and the total
    adds the bias."""
    page.goto(f"{server}{CONV}?lang=en&conv_source=sample&conv_sample=cs231n_7x7x3")
    page.locator(".vz canvas").first.wait_for(timeout=60_000)
    sample = SAMPLES["cs231n_7x7x3"]
    settings = PlaygroundSettings(
        source="sample",
        sample="cs231n_7x7x3",
        out_channels=2,
        stride_h=sample.settings["stride"],
        stride_w=sample.settings["stride"],
        padding_h=sample.settings["padding"],
        padding_w=sample.settings["padding"],
        bias=True,
        preset="example",
    )
    trace = _trace(settings)
    assert trace.bias is not None
    point = animator_cell_point(page, "outputs", 1, 2, 1)
    page.mouse.click(*point)
    _wait_for_panel(page, 1, 2, 1)
    _check_step(page, trace, 1, 2 * trace.out_size[1] + 1)
    assert page.locator(".vz-total .vz-tcap").inner_text() == "Σ channel sums + bias = value"


def test_pause_sends_the_position_and_the_page_moves_the_animator(server, page):  # noqa: F811
    """Play runs in the browser; Pause sends the position to the server, whose step panel follows. The page's
    own ▶ (and the channel box) move the animator."""
    page.goto(f"{server}{CONV}?lang=en")
    page.locator(".vz canvas").first.wait_for(timeout=60_000)
    page.locator(".vz-play").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot"
        ".querySelector('.vz').dataset.position !== '428'"
    )
    page.locator(".vz-play").click()  # pause
    position = int(animator_position(page))
    oy, ox = divmod(position, 26)
    _wait_for_panel(page, 0, oy, ox)
    page.locator(".st-key-conv_forward button").first.click()
    page.wait_for_function(
        f"""() => document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot
                  .querySelector('.vz').dataset.position === '{position + 1}'""",
        timeout=STEP_TIMEOUT_MS,
    )
    assert page.locator(".vz-play").inner_text() == "▶ Play"
    assert page.get_by_test_id("stException").count() == 0


def test_space_plays_and_the_text_twin_follows_in_both_languages(server, page):  # noqa: F811
    """Space plays and pauses when the animator has the focus; the twin (aria-live) says the step in the page's
    language."""
    for lang, twin in (("en", "Output channel 0, row 16, column 12:"), ("zh", "输出通道 0，第 16 行，第 12 列：")):
        page.goto(f"{server}{CONV}?lang={lang}")
        page.locator(".vz canvas").first.wait_for(timeout=60_000)
        live = page.locator(".vz-twin")
        assert live.get_attribute("aria-live") == "polite"
        assert live.text_content().startswith(twin), live.text_content()
        page.locator(".vz").focus()
        page.keyboard.press(" ")
        assert page.locator(".vz").get_attribute("data-playing") == "1"
        page.wait_for_timeout(600)
        page.keyboard.press(" ")
        assert page.locator(".vz").get_attribute("data-playing") == "0"
        assert not live.text_content().startswith(twin)  # it moved, and the twin says where


def test_an_input_cell_shows_every_output_that_reads_it(server, page):  # noqa: F811
    """Click an input cell: the outputs whose window reads it are named (ezyang's reverse view)."""
    page.goto(f"{server}{CONV}?lang=en&conv_sample=classic_5x5")
    page.locator(".vz canvas").first.wait_for(timeout=60_000)
    point = animator_cell_point(page, "inputs", 0, 2, 2)  # the centre of the 5×5 grid, 3×3 kernel: 9 readers
    page.mouse.click(*point)
    assert page.locator(".vz").get_attribute("data-readers") == "0,1,2,3,4,5,6,7,8"
    assert "read by 9 output positions" in page.locator(".vz-reverse").inner_text()
    page.mouse.click(*animator_cell_point(page, "inputs", 0, 0, 0))  # a corner: one reader
    assert page.locator(".vz").get_attribute("data-readers") == "0"


@pytest.mark.parametrize(
    ("query", "written"),
    [("conv_sample=classic_5x5", True), ("conv_sample=digit_7", False)],
)
@pytest.mark.parametrize("width", [1024, 390])
def test_numbers_in_the_maps_only_where_legible(server, browser, query, written, width):  # noqa: F811
    """A small grid has its numbers in every cell of its maps, at 8 px or more, on a projector and on a phone; a
    28×28 digit's maps are colours only, and the legend says the numbers are written out beside them."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab.goto(f"{server}{CONV}?lang=en&conv_source=sample&{query}")
        tab.locator(".vz canvas").first.wait_for()
        sizes = [float(c.get_attribute("data-numbers")) for c in tab.locator(".vz-map canvas").all()]
        assert sizes
        if written:
            assert all(size >= 8 for size in sizes), sizes
        else:
            assert sizes == [0.0] * len(sizes)
            assert "written out beside them" in tab.locator(".vz-legend").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("width", "height"), [(1024, 768), (390, 844)])
def test_on_the_first_screen_and_cut_off_nowhere(server, browser, width, height, lang):  # noqa: F811
    """On a 1024 × 768 projector the default page shows the animation with its arithmetic without scrolling;
    on a phone nothing of it is cut off (it lies inside the page's width)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab.goto(f"{server}{CONV}?lang={lang}")
        tab.locator(".vz canvas").first.wait_for()
        tab.wait_for_timeout(500)
        box = tab.evaluate(
            """() => { const vz = document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot
                           .querySelector('.vz');
                       const r = e => e.getBoundingClientRect();
                       return { total: r(vz.querySelector('.vz-total')).bottom, maps: r(vz.querySelector('.vz-maps')),
                                right: Math.max(...[...vz.querySelectorAll('*')].map(e => r(e).right)),
                                width: document.documentElement.clientWidth }; }"""
        )
        tab.screenshot(path=str(ARTIFACTS / f"animator_first_screen_{width}_{lang}.png"))
        assert box["right"] <= box["width"], box
        if width >= 1024:
            assert box["total"] <= height, box  # Σ … = value is on the first screen
    finally:
        context.close()


def test_presenter_mode_enlarges_the_arithmetic(server, page):  # noqa: F811
    """With ?present=1 the animator's tables and its total are written larger (the back of the room reads them)."""
    sizes = {}
    for present in ("0", "1"):
        page.goto(f"{server}{CONV}?lang=en&present={present}")
        page.locator(".vz canvas").first.wait_for(timeout=60_000)
        sizes[present] = page.evaluate(
            """() => { const vz = document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot;
                       const px = s => parseFloat(getComputedStyle(vz.querySelector(s)).fontSize);
                       return [px('.vz-table'), px('.vz-tline'), px('.vz-legend')]; }"""
        )
    assert all(large >= 1.3 * normal for normal, large in zip(sizes["0"], sizes["1"], strict=True)), sizes


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_shows_the_winner_or_the_mean(server, page, kind):  # noqa: F811
    """The Pooling page's animator: max marks the largest cell of the window (padding −∞ never wins) and writes
    it as the value; average adds the window (padding included) and divides by its cell count. At three clicked
    positions, each against the value torch computed (the step panel's check says they agree)."""
    page.goto(f"{server}/Pooling_and_activations_池化与激活?lang=en&pool_kind={kind}&pool_padding_h=1&pool_padding_w=1")
    page.locator(".vz canvas").first.wait_for(timeout=60_000)
    for row, col in ((0, 0), (3, 5), (14, 14)):
        page.mouse.click(*animator_cell_point(page, "outputs", 0, row, col))
        _wait_for_panel_pool(page, row, col)
        cells = [
            float(t.replace("−", "-").replace("-∞", "-inf")) for t in page.locator(".vz-table td").all_inner_texts()
        ]
        value = float(page.locator(".vz-tline").inner_text().split(" = ")[-1])
        if kind == "max":
            winner = page.locator(".vz-table td.vz-win")
            assert winner.count() == 1 and float(winner.inner_text()) == max(cells)
            assert value == pytest.approx(max(cells), abs=1e-3)
        else:
            assert page.locator(".vz-table td.vz-win").count() == 0
            assert value == pytest.approx(sum(cells) / len(cells), abs=2e-3)
            assert page.locator(".vz-total .vz-tcap").inner_text() == f"Σ window ÷ {len(cells)} cells = value"
    assert page.get_by_test_id("stException").count() == 0


def _wait_for_panel_pool(tab, oy: int, ox: int) -> None:
    tab.locator(".st-key-pool_step_panel").get_by_test_id("stMarkdownContainer").filter(
        has_text=f"Output channel 0, row {oy}, column {ox}:"
    ).first.wait_for(timeout=STEP_TIMEOUT_MS)


# ---------------------------------------------------------------- transposed convolution and upsampling

TCONV = "/Transposed_convolution_转置卷积"


def _random_transposed(rng: random.Random) -> tuple[dict, object]:
    """A random transposed layer the engine accepts (as the page builds it from a link), and its trace."""
    while True:
        channels = rng.choice([1, 2])
        groups = rng.choice([g for g in (1, 2) if channels % g == 0])
        params = {
            "tconv_source": "random",
            "tconv_channels": channels,
            "tconv_height": rng.randint(2, 4),
            "tconv_width": rng.randint(2, 4),
            "tconv_seed": rng.randint(0, 999),
            "tconv_out_channels": groups * rng.choice([1, 2]),
            "tconv_kernel": rng.choice([2, 3]),
            "tconv_stride": rng.choice([1, 2, 3]),
            "tconv_padding": rng.choice([0, 1]),
            "tconv_dilation": rng.choice([1, 2]),
            "tconv_groups": groups,
            "tconv_bias": 1,
            "tconv_preset": "random_int",
            "tconv_kernel_seed": rng.randint(0, 999),
        }
        params["tconv_output_padding"] = rng.randrange(min(params["tconv_stride"], params["tconv_dilation"]))
        x = random_grid(channels, params["tconv_height"], params["tconv_width"], params["tconv_seed"], high=4)
        try:
            weight = layer_weight(
                "random_int", channels, params["tconv_out_channels"], groups, params["tconv_kernel"],
                seed=params["tconv_kernel_seed"],
            )  # fmt: skip
            trace = trace_conv_transpose2d(
                x,
                weight,
                torch.ones(params["tconv_out_channels"]),
                stride=params["tconv_stride"],
                padding=params["tconv_padding"],
                output_padding=params["tconv_output_padding"],
                groups=groups,
                dilation=params["tconv_dilation"],
            )
        except ParameterError:
            continue
        return params, trace


def _dumoulin_trace():
    """The transposed page's default: Dumoulin & Visin's 2×2 input, 3×3 kernel, stride 2."""
    example = EXAMPLES["dumoulin_stride2"]
    return trace_conv_transpose2d(
        torch.tensor(example.grid, dtype=torch.float32),
        torch.tensor(example.weight, dtype=torch.float32),
        stride=example.stride,
        padding=example.padding,
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_the_scatter_view_writes_what_each_input_value_stamps(server, page, seed):  # noqa: F811
    """Transposed convolution, scatter view, random layers: at clicked input cells (any channel) and after → and
    End, each output channel's row shows the value, its kernel, value × kernel and the running sums under the
    stamp, all equal to torch's (the sums to the uncropped canvas after that many input positions); the cells
    that padding crops are tinted and counted; the server's step panel follows the click."""
    rng = random.Random(seed)
    params, trace = _random_transposed(rng)
    page.goto(f"{server}{TCONV}?{urlencode({'lang': 'en', **params})}")
    page.locator(".vz[data-kind=scatter] canvas").first.wait_for(timeout=60_000)
    sums = partial_canvases(trace)  # (positions, C_out, H_canvas, W_canvas)
    h, w = trace.in_size

    def check(ic: int, position: int) -> None:
        iy, ix = divmod(position, w)
        scatter = trace.scatter(ic, iy, ix)
        shown = _shown_step(page)
        assert (shown["position"], shown["channel"]) == (str(position), str(ic)), shown
        assert shown["where"].startswith(f"Input channel {ic}, row {iy}, column {ix}")
        assert len(shown["rows"]) == len(scatter.output_channels)
        for j, (row, oc) in enumerate(zip(shown["rows"], scatter.output_channels, strict=True)):
            assert row["head"] == f"onto output channel {oc}"
            value, kernel, written, after = (_numbers(cells) for cells in row["tables"])
            _close(value, [scatter.value], "the input value")
            _close(kernel, scatter.kernels[j].flatten().tolist(), "the kernel")
            _close(written, scatter.contribution[j].flatten().tolist(), "value × kernel")
            under = sums[position, oc][scatter.rows][:, scatter.cols]
            _close(after, under.flatten().tolist(), "the running sums under the stamp")
        kept = int(page.locator(".vz-tline").get_attribute("data-kept"))
        assert kept == int(scatter.inside.sum())
        tinted = page.locator(".vz-arow").first.locator("table").nth(2).locator("td.vz-pad").count()
        assert tinted == scatter.inside.numel() - kept

    for _ in range(2):
        ic, iy, ix = rng.randrange(trace.in_channels), rng.randrange(h), rng.randrange(w)
        page.mouse.click(*animator_cell_point(page, "inputs", ic, iy, ix))
        page.locator(".st-key-tconv_step_panel").get_by_test_id("stMarkdownContainer").filter(
            has_text=f"Input channel {ic}, row {iy}, column {ix} holds"
        ).first.wait_for(timeout=STEP_TIMEOUT_MS)
        check(ic, iy * w + ix)
    page.locator(".vz").focus()
    page.keyboard.press("Home")
    check(ic, 0)
    page.keyboard.press("ArrowRight")
    check(ic, 1 % trace.positions)
    page.keyboard.press("End")
    check(ic, trace.positions - 1)
    assert "the bias is added once to every output cell" in page.locator(".vz-tline").inner_text()
    assert page.get_by_test_id("stException").count() == 0


def test_an_output_cell_of_the_scatter_view_names_the_inputs_that_write_it(server, page):  # noqa: F811
    """Hover an output cell on the canvas: the input positions whose value × kernel lands there are marked (the
    gather view, trace.contributions); a cell no input writes says so."""
    page.goto(f"{server}{TCONV}?lang=en&tconv_example=dumoulin_stride2")
    page.locator(".vz[data-kind=scatter] canvas").first.wait_for(timeout=60_000)
    trace = _dumoulin_trace()
    for oy, ox in ((2, 2), (0, 0), (2, 3)):
        page.mouse.move(*animator_cell_point(page, "outputs", 0, oy, ox))  # no padding: canvas = output
        writers = sorted({term.iy * trace.in_size[1] + term.ix for term in trace.contributions(0, oy, ox)})
        assert page.locator(".vz").get_attribute("data-readers") == ",".join(map(str, writers)), (oy, ox)
        note = page.locator(".vz-reverse").inner_text()
        assert (f"gathers from {len(writers)} input positions" in note) if writers else ("no input value" in note)


def test_the_equivalent_view_is_a_convolution_over_inserted_zeros(server, page):  # noqa: F811
    """The equivalent view: an ordinary convolution of the padded zero-inserted input with the flipped kernel;
    its window, kernel, products and value equal trace.equivalent's step, and the inserted zeros in the window
    are marked."""
    page.goto(f"{server}{TCONV}?lang=en&tconv_view=equivalent")
    page.locator(".vz[data-kind=conv] canvas").first.wait_for(timeout=60_000)
    trace = _dumoulin_trace()
    page.mouse.click(*animator_cell_point(page, "outputs", 0, 2, 2))
    _check_step(page, trace.equivalent, 0, 2 * 5 + 2)
    # the window over padded rows/columns 2–4 of the 2×2 input with one 0 inserted: (1, 0, 2 / 0, 0, 0 / 3, 0, 4)
    assert page.locator(".vz-arow table").first.locator("td.vz-ins").count() == 5
    assert "a zero inserted between two input values" in page.locator(".vz-legend").inner_text()


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_upsampling_shows_each_output_cells_taps_and_weights(server, page, mode):  # noqa: F811
    """Upsampling a random 5×5 map: at clicked output cells, the values read, their weights (row × column) and
    products equal UpsampleTrace.step, the value F.interpolate's; the page's explained cell follows the click;
    an input cell names every output cell it weighs in."""
    query = urlencode(
        {"lang": "en", "pool_section": "upsampling", "pool_up_source": "random", "pool_up_size": 5,
         "pool_seed": 3, "pool_mode": mode, "pool_scale": 3}
    )  # fmt: skip
    page.goto(f"{server}/Pooling_and_activations_池化与激活?{query}")
    page.locator(".vz[data-kind=upsample] canvas").first.wait_for(timeout=60_000)
    trace = trace_interpolate(random_grid(1, 5, 5, 3), mode, 3)
    for oy, ox in ((0, 0), (7, 4), (14, 13)):
        page.mouse.click(*animator_cell_point(page, "outputs", 0, oy, ox))
        page.locator("[data-testid=stMain] .katex").filter(has_text=f"y{oy},{ox}").first.wait_for(
            timeout=STEP_TIMEOUT_MS
        )  # the page's explained cell (its sliders and formula) follows the click
        step = trace.step(0, oy, ox)
        shown = _shown_step(page)
        assert shown["position"] == str(oy * 15 + ox)
        values, weights, products = (_numbers(cells) for cells in shown["rows"][0]["tables"])
        _close(values, step.values.flatten().tolist(), "the values read")
        assert len(weights) == step.weights.numel()
        for a, b in zip(weights, step.weights.flatten().tolist(), strict=True):
            assert abs(a - b) <= 0.00015, (weights, step.weights)  # written with 4 decimals
        _close(products, (step.values * step.weights).flatten().tolist(), "the products")
        assert shown["total"] == f"Σ = {format_number(float(trace.output[0, oy, ox]), 3)}"
    page.mouse.click(*animator_cell_point(page, "inputs", 0, 2, 2))
    readers = page.locator(".vz").get_attribute("data-readers").split(",")

    def weighs_in(oy: int, ox: int) -> bool:  # input cell (2, 2)'s weight in output (oy, ox) is not 0
        step = trace.step(0, oy, ox)
        on_row = torch.tensor(step.rows) == 2
        on_col = torch.tensor(step.cols) == 2
        return float(step.weights[on_row][:, on_col].sum()) != 0

    expected = [oy * 15 + ox for oy in range(15) for ox in range(15) if weighs_in(oy, ox)]
    assert [int(r) for r in readers] == expected
    assert page.get_by_test_id("stException").count() == 0


@pytest.mark.parametrize(
    ("path", "kind"),
    [(f"{CONV}?lang=en&conv_sample=classic_5x5", "conv"), (f"{TCONV}?lang=en", "scatter")],
)
def test_at_the_end_no_output_stays_covered(server, page, path, kind):  # noqa: F811
    """Grey covers the outputs not computed (not written) yet: at the first step the last output cell is grey,
    at the last step (End) it shows its value, on the convolution and on the transposed scatter view."""
    page.goto(server + path)
    page.locator(f".vz[data-kind={kind}] canvas").first.wait_for(timeout=60_000)
    cover = tuple(int(style.COVER_COLOUR[i : i + 2], 16) for i in (1, 3, 5))

    def last_cell() -> tuple[int, int, int]:  # the centre pixel of the first output map's last cell
        return tuple(
            page.locator(".vz-outputs canvas").first.evaluate(
                """(c) => { const rows = +c.dataset.rows, cols = +c.dataset.cols;
                            const x = Math.floor(c.width * (cols - 0.5) / cols);
                            const y = Math.floor(c.height * (rows - 0.5) / rows);
                            return [...c.getContext('2d').getImageData(x, y, 1, 1).data].slice(0, 3); }"""
            )
        )

    page.locator(".vz").focus()
    page.keyboard.press("Home")
    assert last_cell() == cover
    page.keyboard.press("End")
    assert last_cell() != cover

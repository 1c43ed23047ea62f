"""The one string catalogue: every user-facing text, by key and language.

Pages never hold literal UI text; they call ``text(key, lang, **params)``
(``vizconv.ui.t`` in a page). Parameters are filled with ``str.format``; a
parameter given as ``Term("key")`` is itself looked up in the same language,
so an error raised in the library can name "rows" or "columns" in whichever
language the page shows it.
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "STRINGS", "Term", "text"]

LANGUAGES = ("en",)


class Term(str):
    """A catalogue key used as a message parameter; rendered in the message's language."""

    __slots__ = ()


def text(key: str, lang: str = "en", **params: object) -> str:
    """The catalogue entry ``key`` in ``lang`` (English if missing), formatted with params."""
    entry = STRINGS[key]
    template = entry.get(lang) or entry["en"]
    if not params:
        return template
    filled = {name: text(value, lang) if isinstance(value, Term) else value for name, value in params.items()}
    return template.format(**filled)


STRINGS: dict[str, dict[str, str]] = {
    # --- words used inside other messages -------------------------------------------
    "axis.rows": {"en": "rows"},
    "axis.cols": {"en": "columns"},
    # --- engine errors (vizconv.geometry, vizconv.conv) -------------------------------
    "err.not_int": {"en": "{name} must be a whole number, but it is {value}."},
    "err.too_small": {"en": "{name} must be at least {minimum}, but it is {value}."},
    "err.not_pair": {"en": "{name} must be one number or a pair (height, width), but it is {value}."},
    "err.padding_word": {"en": 'Padding must be a number, a pair, "same" or "valid", but it is {value}.'},
    "err.padding_mode": {"en": "Padding mode {value} is not one of: {modes}."},
    "err.same_stride": {
        "en": 'Padding "same" keeps the output as large as the input, which only works with stride 1 '
        "(here the stride is {stride}). Set the stride to 1, or choose a number for the padding."
    },
    "err.empty_output": {
        "en": "The output would have {out} {axis}: the kernel spans {span} {axis} "
        "(dilation {dilation} × (kernel {kernel} − 1) + 1), but the padded input has only {padded} "
        "({size} + {padding} padding). Make the kernel or the dilation smaller, or add padding."
    },
    "err.reflect_too_big": {
        "en": "Reflect padding of {pad} needs more than {pad} {axis} of input to mirror, but the input has "
        "{size}. Reduce the padding below {size}, or pick zeros, replicate or circular padding."
    },
    "err.circular_too_big": {
        "en": "Circular padding of {pad} would wrap around the input more than once (it has only {size} {axis}). "
        "Reduce the padding to at most {size}, or pick another padding mode."
    },
    "err.not_tensor": {"en": "{name} must be an array of real numbers with shape {shape}."},
    "err.tensor_dims": {"en": "{name} must have shape {shape}, but its shape is {got}."},
    "err.empty_input": {"en": "The input is empty (shape {shape}): it needs at least one channel, row and column."},
    "err.empty_weight": {"en": "The weight is empty (shape {shape}): every dimension needs at least 1."},
    "err.groups_in": {
        "en": "Groups must divide the input channels: {c_in} input channels cannot be split into {groups} "
        "equal groups. Choose groups from the divisors of {c_in}."
    },
    "err.groups_out": {
        "en": "Groups must divide the number of kernels too: {c_out} kernels cannot be split into {groups} "
        "equal groups. Use a multiple of {groups} kernels, or fewer groups."
    },
    "err.weight_channels": {
        "en": "The weight {shape} has {got} channels per kernel, but {c_in} input channels in {groups} group(s) "
        "need {want}. Each kernel must have C_in / groups channels."
    },
    "err.bias_shape": {"en": "The bias has {got} values, but there are {c_out} kernels: one bias per kernel."},
    "err.step_range": {"en": "Position {name} = {value} is outside the output (valid: 0 to {size} − 1)."},
    "err.kernel_preset": {"en": "Kernel preset {value} is not one of: {presets}."},
    "err.kernel_too_small_for_preset": {
        "en": "The {preset} filter is 3×3; it does not fit a {kh}×{kw} kernel. Use a kernel of at least 3×3."
    },
    "err.kernel_learned_size": {"en": "The {preset} filters are {size}; set the kernel size to {size} to use them."},
    "err.unknown_layers": {"en": "The model has no layer {layers}. Layers: {available}."},
    "err.not_feature_map": {"en": "A feature map grid needs values of shape [C, H, W], not {shape}."},
    "err.not_conv_layer": {"en": "Layer {layer} is not a convolution, so there is no dot product to explain."},
    "err.no_upload": {"en": "Upload an image first."},
    "err.unexpected": {
        "en": "Something went wrong while computing this view. Try other settings; the problem has been logged."
    },
    # --- uploads (vizconv.images) -----------------------------------------------------
    "img.not_binary": {"en": "The upload is not a file of bytes."},
    "img.empty": {"en": "The file is empty. Choose an image file (PNG, JPEG, WebP, BMP, GIF or TIFF)."},
    "img.too_large_bytes": {"en": "The file is larger than {limit_mb} MB. Choose a smaller image."},
    "img.too_many_pixels": {
        "en": "The image has more than {limit} pixels, too many to process safely. Choose a smaller image."
    },
    "img.unknown_format": {"en": "This file is not an image we can read. Supported formats: {formats}."},
    "img.corrupt": {"en": "The image file is damaged or incomplete and cannot be read. Try saving it again."},
    # --- animation (vizconv.animation) ------------------------------------------------
    "anim.input_title": {"en": "input channel {channel} (padded)"},
    "anim.output_title": {"en": "output channel {channel}"},
    "anim.input_scale": {"en": "input"},
    "anim.output_scale": {"en": "output"},
    "anim.hover_input": {"en": "row %{y}, column %{x}<br>value %{z}"},
    "anim.hover_output": {"en": "row %{y}, column %{x}<br>value %{z}<br>click to explain"},
    "anim.play": {"en": "▶ Play"},
    "anim.pause": {"en": "❚❚ Pause"},
    "anim.position": {"en": "window at (row, column):"},
    # --- home page ------------------------------------------------------------------------
    "home.title": {"en": "vizconv"},
    "home.title.intro": {
        "en": "See what a convolution layer computes: every output value, made from dot products plus a bias."
    },
    "home.what": {
        "en": "vizconv slides a kernel over an input you choose (a digit, a photo, a classroom grid or your own "
        "picture) with any stride, padding, dilation, groups and channel count, and shows how each output value "
        "is made. Every number is checked against PyTorch."
    },
    "home.pages": {"en": "Pages"},
    "home.conv_link": {"en": "Convolution playground"},
    "home.conv_blurb": {
        "en": "Pick an input and a kernel, watch the window slide, and read each output value as per-channel "
        "dot products plus bias."
    },
    "home.howto": {"en": "How to use it in class"},
    "home.howto_text": {
        "en": "1. Open **Convolution** in the sidebar.  \n"
        "2. Start with a classroom grid (the 5×5 example) and press **▶ Play**.  \n"
        "3. Click any output cell to see the arithmetic that made it.  \n"
        "4. Change stride, padding or dilation and watch the output size formula update."
    },
    # --- Convolution page ----------------------------------------------------------------
    "conv.title": {"en": "Convolution"},
    "conv.title.intro": {
        "en": "A kernel slides over the input; at each position every input channel gives a dot product, and "
        "their sum plus the bias is one output value."
    },
    "conv.input": {"en": "Input"},
    "conv.source": {"en": "Source"},
    "conv.source.sample": {"en": "Sample"},
    "conv.source.random": {"en": "Random"},
    "conv.source.upload": {"en": "Upload"},
    "conv.sample": {"en": "Sample input"},
    "conv.random_channels": {"en": "Input channels"},
    "conv.random_height": {"en": "Height"},
    "conv.random_width": {"en": "Width"},
    "conv.seed": {"en": "Random seed"},
    "conv.upload": {"en": "Your image"},
    "conv.upload_help": {"en": "PNG, JPEG, WebP, BMP, GIF or TIFF, up to {limit} MB."},
    "conv.upload_prompt": {"en": "Upload an image in the sidebar to convolve it."},
    "conv.side": {"en": "Size (pixels on the longer side)"},
    "conv.side_help": {"en": "Images are scaled down so the animation stays legible: 5 to 64 pixels."},
    "conv.colour": {"en": "Colour (3 channels)"},
    "conv.colour_help": {"en": "On: red, green and blue channels. Off: one grayscale channel."},
    "conv.layer": {"en": "Layer"},
    "conv.out_channels": {"en": "Kernels (output channels)"},
    "conv.out_channels_help": {"en": "Each kernel makes one output channel."},
    "conv.h": {"en": "h"},
    "conv.w": {"en": "w"},
    "conv.kernel": {"en": "Kernel"},
    "conv.stride": {"en": "Stride"},
    "conv.padding": {"en": "Padding"},
    "conv.padding.number": {"en": "number"},
    "conv.padding.same": {"en": "same"},
    "conv.padding.valid": {"en": "valid"},
    "conv.padding_amount": {"en": "Padding"},
    "conv.padding_mode": {"en": "Padding mode"},
    "conv.mode.zeros": {"en": "zeros"},
    "conv.mode.reflect": {"en": "reflect"},
    "conv.mode.replicate": {"en": "replicate"},
    "conv.mode.circular": {"en": "circular"},
    "conv.dilation": {"en": "Dilation"},
    "conv.groups": {"en": "Groups"},
    "conv.groups_help": {
        "en": "1: every kernel sees every input channel. C_in: depthwise, each kernel sees one channel. "
        "Groups must divide both the input channels and the number of kernels."
    },
    "conv.bias": {"en": "Bias"},
    "conv.kernels": {"en": "Kernels"},
    "conv.preset": {"en": "Kernel preset"},
    "conv.varied": {"en": "A different preset for each kernel"},
    "conv.varied_help": {"en": "Kernel 0 gets Sobel x, kernel 1 Sobel y, then Laplacian, sharpen, …"},
    "conv.example_mismatch": {
        "en": "The example's own kernel does not fit the current layer shape, so a preset is used instead."
    },
    "conv.edit": {"en": "✏️ Edit kernels and bias"},
    "conv.edit_help": {
        "en": "Pick a kernel and one of its input channels, then type new numbers. Edits last until the "
        "preset or the kernel shape changes."
    },
    "conv.edit_kernel": {"en": "Kernel (output channel)"},
    "conv.edit_channel": {"en": "Input channel"},
    "conv.bias_column": {"en": "bias"},
    "conv.formula": {"en": "Output size"},
    "conv.mistake": {
        "en": "p = padding on each side, k = kernel size, d = dilation, s = stride. A common mistake "
        "(also in some notes) is ${wrong}$: the + 1 belongs outside the division, which is rounded down."
    },
    "conv.unreached_rows": {
        "en": "The stride does not tile the padded input: its last {rows} row(s) are never covered by any window "
        "(marked ✕). Change stride, padding or kernel to use them."
    },
    "conv.unreached_cols": {
        "en": "The stride does not tile the padded input: its last {cols} column(s) are never covered by any "
        "window (marked ✕). Change stride, padding or kernel to use them."
    },
    "conv.unreached_both": {
        "en": "The stride does not tile the padded input: its last {rows} row(s) and {cols} column(s) are never "
        "covered by any window (marked ✕). Change stride, padding or kernel to use them."
    },
    "conv.animation": {"en": "The kernel sliding"},
    "conv.speed": {"en": "Speed"},
    "conv.speed_value": {"en": "{n} positions/s"},
    "conv.animation_help": {
        "en": "{frames} window positions. Orange: the window on each input channel (shaded cells are padding, "
        "dotted line the original input). Green: the output cell being computed. Press Play, drag the slider, "
        "or click an output cell to explain it below."
    },
    "conv.step": {"en": "How one output value is made"},
    "conv.back": {"en": "Previous position"},
    "conv.forward": {"en": "Next position"},
    "conv.position": {"en": "Position"},
    "conv.position_help": {"en": "Window positions in reading order: left to right, top to bottom."},
    "conv.step_kernel": {"en": "Kernel (output channel)"},
    "conv.step_where": {
        "en": "Output channel **{oc}**, row **{oy}**, column **{ox}**: the window covers rows {rows} and "
        "columns {cols} of the padded input. For each input channel, multiply window and kernel cell by cell "
        "and add up; then add the channel sums and the bias."
    },
    "conv.step_check": {"en": "The output map holds {value} at this position: the same number."},
    "conv.shapes": {"en": "Shapes and the same layer in PyTorch"},
    "conv.shape_input": {"en": "Input [C_in, H, W]"},
    "conv.shape_padded": {"en": "Padded input"},
    "conv.shape_weight": {"en": "Weight [C_out, C_in/groups, kH, kW]"},
    "conv.shape_bias": {"en": "Bias [C_out]"},
    "conv.shape_output": {"en": "Output [C_out, H_out, W_out]"},
    "conv.none": {"en": "none"},
    "conv.params": {"en": "Parameters"},
    "conv.macs": {"en": "Multiply-adds"},
    "conv.positions": {"en": "Window positions"},
    "conv.torch_match": {
        "en": "Ran this code: nn.Conv2d gives the same output as the step-by-step trace (max |difference| = {diff})."
    },
    "conv.torch_mismatch": {"en": "nn.Conv2d differs from the trace by up to {diff}. Please report this."},
    # --- sample inputs -------------------------------------------------------------------
    "sample.digit_7": {"en": "MNIST digit 7"},
    "sample.digit_3": {"en": "MNIST digit 3"},
    "sample.camera": {"en": "Photo: camera man (grayscale)"},
    "sample.chelsea": {"en": "Photo: Chelsea the cat (colour)"},
    "sample.coffee": {"en": "Photo: coffee (colour)"},
    "sample.astronaut": {"en": "Photo: astronaut (colour)"},
    "sample.d2l_3x3": {"en": "Grid 3×3 with a 2×2 kernel (Dive into Deep Learning)"},
    "sample.classic_5x5": {"en": "Grid 5×5 with the classic 3×3 kernel"},
    "sample.cs231n_7x7x3": {"en": "Grid 5×5×3, padded to 7×7×3, stride 2 (CS231n)"},
    # --- kernel presets ------------------------------------------------------------------
    "preset.example": {"en": "The example's own kernel"},
    "preset.identity": {"en": "Identity"},
    "preset.box_blur": {"en": "Box blur"},
    "preset.gaussian": {"en": "Gaussian blur"},
    "preset.sharpen": {"en": "Sharpen"},
    "preset.sobel_x": {"en": "Sobel x (vertical edges)"},
    "preset.sobel_y": {"en": "Sobel y (horizontal edges)"},
    "preset.laplacian": {"en": "Laplacian"},
    "preset.emboss": {"en": "Emboss"},
    "preset.random_int": {"en": "Random integers (−1, 0, 1)"},
    "preset.random_normal": {"en": "Random (normal)"},
    # --- models (vizconv.models) ---------------------------------------------------------
    "model.missing": {"en": "The weights of {name} are missing ({path}). Reinstall vizconv or retrain the model."},
    "model.altered": {"en": "The weights of {name} do not match the sha256 in their model card, so they are not used."},
    "model.offline": {
        "en": "{name} needs its ImageNet weights, downloaded once from {url}, and the download failed (no internet?). "
        "The bundled models keep working."
    },
    "model.unknown": {"en": "There is no model {name}. Available: {names}."},
    # --- Convolution page: learned kernels --------------------------------------------------
    "preset.lenet5_conv1": {"en": "LeNet-5 learned filters (conv1, 5×5)"},
    "preset.resnet20_conv1": {"en": "ResNet-20 learned filters (conv1, 3×3×3)"},
    # --- Feature maps page ---------------------------------------------------------------
    "fm.title": {"en": "Feature maps"},
    "fm.title.intro": {
        "en": "What a trained network sees: every layer's output, captured with forward hooks, down to the "
        "dot products behind one activation."
    },
    "fm.model_header": {"en": "Model"},
    "fm.model": {"en": "Trained model"},
    "fm.model.lenet5": {"en": "LeNet-5 (ReLU, max pooling) · MNIST"},
    "fm.model.lenet5-classic": {"en": "LeNet-5 classic (sigmoid, average pooling) · MNIST"},
    "fm.model.resnet20": {"en": "ResNet-20 · CIFAR-10"},
    "fm.model.resnet18": {"en": "ResNet-18 · ImageNet (downloaded once)"},
    "fm.input_header": {"en": "Input"},
    "fm.source": {"en": "Source"},
    "fm.source.sample": {"en": "Sample"},
    "fm.source.upload": {"en": "Upload"},
    "fm.sample": {"en": "Sample picture"},
    "fm.source.draw": {"en": "Draw"},
    "fm.draw_help": {"en": "Draw one digit, large, in the middle of the black square."},
    "fm.draw_prompt": {"en": "Draw a digit on the canvas in the sidebar."},
    "fm.draw_digits_only": {"en": "Drawing is for the digit models (LeNet-5); this model sees photos."},
    "fm.canvas_unavailable": {"en": "The drawing canvas is not available here; upload a picture instead."},
    "fm.loading": {"en": "Loading {name} …"},
    "fm.downloading": {"en": "Downloading the ResNet-18 ImageNet weights (about 45 MB, once) …"},
    "fm.upload_prompt": {"en": "Upload a picture in the sidebar to see what the network makes of it."},
    "fm.seen": {"en": "What the model sees"},
    "fm.seen_caption": {"en": "After preprocessing: {c}×{h}×{w}, as in training."},
    "fm.prediction": {"en": "Prediction"},
    "fm.class": {"en": "class"},
    "fm.probability": {"en": "probability"},
    "fm.card_accuracy": {"en": "Accuracy on held-out images (model card): {accuracy}."},
    "fm.layers": {"en": "Layer by layer"},
    "fm.col_layer": {"en": "layer"},
    "fm.col_kind": {"en": "type"},
    "fm.col_shape": {"en": "output shape"},
    "fm.col_params": {"en": "parameters"},
    "fm.col_rf": {"en": "receptive field"},
    "fm.col_jump": {"en": "jump"},
    "fm.grid": {"en": "All channels of one layer"},
    "fm.layer": {"en": "Layer"},
    "fm.shared": {"en": "Shared colour scale"},
    "fm.shared_help": {
        "en": "On: one colour range for every channel, so channels can be compared. Off: each channel "
        "stretched to its own range, so weak channels show their pattern."
    },
    "fm.bar_max": {"en": "each max"},
    "fm.bar_min": {"en": "each min"},
    "fm.grid_caption": {"en": "{n} channels of {h}×{w}, numbered."},
    "fm.channel": {"en": "One channel"},
    "fm.channel_pick": {"en": "Channel"},
    "fm.hover": {"en": "row %{y}, column %{x}<br>value %{customdata}<br>click to explain (convolution layers)"},
    "fm.min": {"en": "min"},
    "fm.max": {"en": "max"},
    "fm.mean": {"en": "mean"},
    "fm.zeros": {"en": "zeros"},
    "fm.kernel": {"en": "The kernel that made this channel: {c_in} input channels of {k}×{k}."},
    "fm.explain": {"en": "Explain one activation"},
    "fm.row": {"en": "Row"},
    "fm.col": {"en": "Column"},
    "fm.field": {
        "en": "The {rf}×{rf} receptive field of this cell on the input (top-left at row {top}, column {left}; "
        "parts outside the picture are padding)."
    },
    "fm.channel_sum": {"en": "sum of window ⊙ kernel, per input channel"},
    "fm.captured": {"en": "The forward hook captured {value} here: the same number, recomputed step by step."},
    "fm.strongest": {"en": "The three input channels that contribute most, written out"},
    "fm.not_conv": {
        "en": "This layer is not a convolution: pick a Conv2d layer to see its kernel and explain an activation."
    },
    "fm.filters": {"en": "Learned filters of the first layer ({layer})"},
    "fm.filters_caption": {"en": "Each filter stretched to its own range; colour filters shown as RGB."},
    # --- Feature maps samples ----------------------------------------------------------------
    **{f"sample.digit_{d}": {"en": f"MNIST digit {d}"} for d in (0, 1, 2, 4, 5, 6, 8, 9)},
    **{
        f"sample.cifar_{name}": {"en": f"CIFAR-10 test image: {name}"}
        for name in ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
    },
    # --- Pooling & activations page (pool.*, act.*, up.*) ------------------------------------
    # (end of pooling & activations)
    # --- Transposed convolution page (tconv.*) -------------------------------------------------
    # (end of transposed convolution)
    # --- Network builder page (nb.*) -----------------------------------------------------------
    # (end of network builder)
}

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
    "err.pool_kind": {"en": "Pooling kind {value} is not one of: {kinds}."},
    "err.pool_padding": {
        "en": "Pooling padding {pad} is more than half the {kernel}-wide window (at most {limit}): a window could "
        "then hold only padding. Reduce the padding to {limit} or less, or make the window larger."
    },
    "err.pool_no_winner": {"en": "Average pooling has no winning cell: every value in the window counts."},
    "err.activation": {"en": "Activation {value} is not one of: {names}."},
    "err.leaky_slope": {"en": "The Leaky ReLU slope must be at least 0 and below 1, but it is {value}."},
    "err.upsample_mode": {"en": "Upsampling mode {value} is not one of: {modes}."},
    "err.upsample_scale": {"en": "A scale of {value} is too large to show; use at most {limit}."},
    "err.upsample_corners": {
        "en": "align_corners only applies to interpolating modes (bilinear, bicubic), not to nearest."
    },
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
    "home.fm_link": {"en": "Feature maps"},
    "home.fm_blurb": {
        "en": "What a trained LeNet-5 or ResNet sees, layer by layer, and any activation explained down to one "
        "dot product."
    },
    "home.pool_link": {"en": "Pooling & activations"},
    "home.pool_blurb": {
        "en": "Max and average pooling (no weights, channels kept), ReLU and friends on real feature maps, and "
        "upsampling with F.interpolate."
    },
    "home.tconv_link": {"en": "Transposed convolution"},
    "home.tconv_blurb": {
        "en": "How a transposed convolution makes a map larger: each input value scatters value × kernel, or, "
        "equivalently, a convolution over a zero-inserted input."
    },
    "home.nb_link": {"en": "Network builder"},
    "home.nb_blurb": {
        "en": "Stack layers from an input shape and see every shape, parameter count and receptive field; export "
        "the stack as PyTorch code."
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
    "pool.title": {"en": "Pooling & activations"},
    "pool.title.intro": {
        "en": "The layers between convolutions, on real feature maps: pooling slides a window with no weights, "
        "activations reshape every value, upsampling makes a map larger."
    },
    "pool.section": {"en": "Show"},
    "pool.section.pooling": {"en": "Pooling"},
    "pool.section.activations": {"en": "Activations"},
    "pool.section.upsampling": {"en": "Upsampling"},
    "pool.input": {"en": "Input"},
    "pool.layer": {"en": "Pooling layer"},
    "pool.upload_prompt": {"en": "Upload a picture in the sidebar (PNG, JPEG, WebP, BMP, GIF or TIFF)."},
    "pool.source": {"en": "Feature map"},
    "pool.source.lenet": {"en": "LeNet-5"},
    "pool.source.sample": {"en": "Sample"},
    "pool.source.random": {"en": "Random"},
    "pool.source.upload": {"en": "Upload"},
    "pool.digit": {"en": "MNIST digit"},
    "pool.stage": {"en": "LeNet-5 layer output"},
    "pool.stage.conv1": {"en": "conv1 (before ReLU): 6×28×28"},
    "pool.stage.relu1": {"en": "conv1 + ReLU: 6×28×28 (what LeNet-5 pools)"},
    "pool.stage.pool1": {"en": "after 2×2 max pooling: 6×14×14"},
    "pool.channels": {"en": "Channels shown"},
    "pool.channels_help": {"en": "LeNet-5's first layer makes 6 channels; pooling treats each one on its own."},
    "pool.side_help": {"en": "Pixels on the longer side: small pictures keep the animation legible."},
    "pool.random_size": {"en": "Size (rows = columns)"},
    "pool.kind": {"en": "Kind"},
    "pool.kind.max": {"en": "max"},
    "pool.kind.avg": {"en": "average"},
    "pool.stride_default": {"en": "Stride = kernel size (PyTorch's default)"},
    "pool.stride_default_help": {
        "en": "nn.MaxPool2d(2) means a 2×2 window moved 2 cells at a time: windows that do not overlap."
    },
    "pool.formula": {"en": "Output size: the same formula as convolution (dilation 1)"},
    "pool.formula_note": {
        "en": "Padding is at most half the window. Max pooling pads with −∞, so padding never wins; average "
        "pooling pads with zeros and counts them in the mean (PyTorch's count_include_pad=True)."
    },
    "pool.no_weights_help": {"en": "Pooling has no kernel to learn and no bias: nothing here is trained."},
    "pool.channels_kept": {"en": "Channels"},
    "pool.no_weights.max": {
        "en": "Max pooling has **no weights**: each output value is the largest value in its window of **one** "
        "channel (boxed in pink). Channels are never mixed, so the channel count stays the same; only the "
        "height and width shrink. The network keeps the strongest response and forgets exactly where it was."
    },
    "pool.no_weights.avg": {
        "en": "Average pooling has **no weights**: each output value is the mean of its window of **one** channel. "
        "Channels are never mixed, so the channel count stays the same; only the height and width shrink."
    },
    "pool.animation_help.max": {
        "en": "{frames} window positions. Press Play or drag the slider; the pink box marks the value each window "
        "keeps. Click an output cell to explain it below."
    },
    "pool.animation_help.avg": {
        "en": "{frames} window positions. Press Play or drag the slider; click an output cell to explain it below."
    },
    "pool.animation": {"en": "The window sliding"},
    "pool.step_channel": {"en": "Channel"},
    "pool.step_where": {
        "en": "Output channel **{c}**, row **{oy}**, column **{ox}**: the window covers padded rows {rows} and "
        "columns {cols} of input channel {c} only."
    },
    "pool.torch_check": {
        "en": "PyTorch's F.{function} on the same input gives the same output (max |difference| {diff})."
    },
    "pool.hover": {"en": "row %{y}, column %{x}<br>value %{z}"},
    "act.source": {"en": "Feature map"},
    "act.source.lenet": {"en": "LeNet-5 conv1"},
    "act.source.kernel": {"en": "Picture ⊛ kernel"},
    "act.channel": {"en": "Channel of LeNet-5's first layer"},
    "act.picture": {"en": "Picture"},
    "act.upload": {"en": "Upload your own"},
    "act.kernel": {"en": "Kernel (3×3, padding 1)"},
    "act.function": {"en": "Activation"},
    "act.relu": {"en": "ReLU"},
    "act.leaky_relu": {"en": "Leaky ReLU"},
    "act.sigmoid": {"en": "Sigmoid"},
    "act.tanh": {"en": "Tanh"},
    "act.gelu": {"en": "GELU"},
    "act.slope": {"en": "Negative slope"},
    "act.why.relu": {
        "en": "ReLU keeps positive responses and sets every negative one to zero: weak or opposite responses are "
        "removed, and the map becomes sparse. Without a non-linearity between them, stacked convolutions would "
        "collapse into one linear map."
    },
    "act.why.leaky_relu": {
        "en": "Leaky ReLU keeps a small slope for negative values, so they shrink instead of vanishing and their "
        "gradient is never exactly zero."
    },
    "act.why.sigmoid": {
        "en": "Sigmoid squashes every value into (0, 1); zero becomes 0.5, so nothing is zeroed. The classic LeNet-5 "
        "used it; large values saturate, which slows training of deep networks."
    },
    "act.why.tanh": {"en": "Tanh squashes values into (−1, 1) and keeps their sign; large values saturate."},
    "act.why.gelu": {
        "en": "GELU multiplies a value by the probability that a standard normal variable is below it: like a "
        "smooth ReLU that lets small negative values through a little."
    },
    "act.negative": {"en": "Negative before"},
    "act.zeroed": {"en": "Set to zero"},
    "act.zeroed_help": {"en": "Share of the values that were not zero before and are exactly zero after."},
    "act.range_before": {"en": "Range before"},
    "act.range_after": {"en": "Range after"},
    "act.before": {"en": "before"},
    "act.after": {"en": "after {name}"},
    "act.histogram": {"en": "Values before and after"},
    "act.value": {"en": "value"},
    "act.count": {"en": "number of cells"},
    "act.histogram_help": {
        "en": "The same bins for both: after ReLU every negative value piles up in the bin at zero."
    },
    "up.source": {"en": "Map to upsample"},
    "up.source.lenet": {"en": "LeNet-5 pooled map"},
    "up.source.digit": {"en": "Small digit"},
    "up.source.random": {"en": "Random"},
    "up.size": {"en": "Size (pixels on the longer side)"},
    "up.layer": {"en": "Upsampling"},
    "up.mode": {"en": "Mode"},
    "up.scale": {"en": "Scale"},
    "up.corners_help": {
        "en": "False (the default): pixels are squares and their centres are aligned. True: the corner pixels of "
        "input and output are aligned, which stretches the grid slightly."
    },
    "up.what.nearest": {
        "en": "Nearest: every value is copied into a scale × scale block. No new values appear; there are no weights."
    },
    "up.what.bilinear": {
        "en": "Bilinear: each output value is a weighted mean of the 4 nearest input values, weighted by distance "
        "along each axis. No weights are learned."
    },
    "up.what.bicubic": {
        "en": "Bicubic: each output value mixes 4 × 4 input values with cubic weights (a = −0.75). Smoother than "
        "bilinear; it can overshoot the input's range. No weights are learned."
    },
    "up.source_title": {"en": "input {h}×{w}"},
    "up.output_title": {"en": "output {h}×{w}"},
    "up.overshoot": {
        "en": "Bicubic overshoots: some outputs lie outside the input's range, because its weights can be negative."
    },
    "up.explain": {"en": "Where one output value comes from"},
    "up.step_where": {
        "en": "Output row **{oy}**, column **{ox}** maps to input coordinate ({sy}, {sx}); it reads input rows "
        "{rows} and columns {cols} (indices clamped at the border)."
    },
    "up.torch_check": {"en": "F.interpolate gives {value} here: the same number."},
    # (end of pooling & activations)
    # --- Transposed convolution page (tconv.*) -------------------------------------------------
    "tconv.title": {"en": "Transposed convolution"},
    "tconv.title.intro": {
        "en": "Each input value stamps value × kernel onto a larger output; the same result is an ordinary "
        "convolution over the input with zeros inserted. Both views, with your numbers."
    },
    "tconv.input": {"en": "Input"},
    "tconv.source": {"en": "Source"},
    "tconv.source.example": {"en": "Example"},
    "tconv.source.random": {"en": "Random"},
    "tconv.example": {"en": "Example"},
    "tconv.example.d2l_2x2": {"en": "Dive into Deep Learning: 2×2 input, 2×2 kernel, stride 1"},
    "tconv.example.dumoulin_stride2": {"en": "Dumoulin & Visin fig. 4.5: 2×2 input, 3×3 kernel, stride 2"},
    "tconv.channels": {"en": "Input channels"},
    "tconv.height": {"en": "Height"},
    "tconv.width": {"en": "Width"},
    "tconv.seed": {"en": "Random seed"},
    "tconv.layer": {"en": "Layer"},
    "tconv.out_channels": {"en": "Output channels"},
    "tconv.kernel": {"en": "Kernel size"},
    "tconv.stride": {"en": "Stride"},
    "tconv.padding": {"en": "Padding"},
    "tconv.padding_help": {
        "en": "In a transposed convolution padding removes rows and columns: it crops this many from each side "
        "of the output."
    },
    "tconv.output_padding": {"en": "Output padding"},
    "tconv.output_padding_help": {
        "en": "Adds rows and columns at the bottom and right only; it must be smaller than the stride or the dilation."
    },
    "tconv.dilation": {"en": "Dilation"},
    "tconv.groups": {"en": "Groups"},
    "tconv.groups_help": {
        "en": "Input and output channels are split into this many groups; each input channel writes only to the "
        "output channels of its own group."
    },
    "tconv.bias": {"en": "Bias"},
    "tconv.kernels": {"en": "Kernels"},
    "tconv.preset": {"en": "Kernel preset"},
    "tconv.preset.example": {"en": "the example's kernel"},
    "tconv.preset.ones": {"en": "ones"},
    "tconv.preset.identity": {"en": "identity (centre 1)"},
    "tconv.preset.bilinear": {"en": "bilinear upsampling"},
    "tconv.preset.random_int": {"en": "random integers (−1 to 2)"},
    "tconv.edit": {"en": "✏️ Edit kernels and bias"},
    "tconv.edit_help": {
        "en": "The weight has shape [C_in, C_out/groups, k, k]: one k×k kernel for each (input channel, output "
        "channel of its group) pair. Type new values; the page recomputes at once."
    },
    "tconv.edit_input": {"en": "Input channel"},
    "tconv.edit_output": {"en": "Output channel (in the group)"},
    "tconv.bias_column": {"en": "bias"},
    "tconv.formula": {"en": "Output size"},
    "tconv.symbols": {
        "en": "s = stride, p = padding (cropped from each side), k = kernel size, d = dilation, "
        "p_out = output padding (added at the bottom/right). Nothing is divided, so nothing is rounded."
    },
    "tconv.not_inverse": {
        "en": "A transposed convolution is not the inverse of a convolution: it restores the shape of the "
        "convolution's input, not its values. It is the convolution's transpose (its gradient with respect to the "
        "input), a learnable upsampling."
    },
    "tconv.output_padding_why": {
        "en": "Why output padding exists: with stride {stride}, a convolution with this kernel, stride and "
        "padding turns inputs of {low} to {high} rows all into {h} rows. Going back from {h} rows, the transposed "
        "convolution gives {low}; output padding 1, 2, … chooses one of the larger sizes."
    },
    "tconv.shape_input": {"en": "Input [C_in, H, W]"},
    "tconv.shape_weight": {"en": "Weight [C_in, C_out/groups, k, k]"},
    "tconv.shape_output": {"en": "Output [C_out, H_out, W_out]"},
    "tconv.params": {"en": "Parameters"},
    "tconv.view": {"en": "View"},
    "tconv.view.scatter": {"en": "scatter: value × kernel"},
    "tconv.view.equivalent": {"en": "equivalent convolution"},
    "tconv.speed": {"en": "Speed"},
    "tconv.speed_value": {"en": "{n} positions/s"},
    "tconv.scatter": {"en": "Each input value stamps value × kernel"},
    "tconv.scatter_help": {
        "en": "{frames} input positions. Green: the input value being used. Orange: the cells where value × "
        "kernel is added, on the uncropped output. Shaded rows/columns are removed by padding {padding} (the "
        "dotted line is the output); output padding {output_padding} adds rows/columns at the bottom/right. Grey: "
        "cells no value has reached yet; ✕: cells no input value ever writes to (they hold only the bias). "
        "Click an input cell to explain it below."
    },
    "tconv.scatter_step": {"en": "What one input value writes"},
    "tconv.back": {"en": "Previous position"},
    "tconv.forward": {"en": "Next position"},
    "tconv.position": {"en": "Position"},
    "tconv.step_input": {"en": "Input channel"},
    "tconv.step_output": {"en": "Output channel"},
    "tconv.scatter_where": {
        "en": "Input channel **{ic}**, row **{iy}**, column **{ix}** holds **{value}**. It multiplies every "
        "kernel of its group and adds the result onto rows {rows} and columns {cols} of the uncropped output."
    },
    "tconv.scatter_channel": {"en": "onto output channel {oc}:"},
    "tconv.scatter_all_inside": {"en": "All of it lands inside the output: rows {rows}, columns {cols}."},
    "tconv.scatter_cropped": {
        "en": "{kept} of the {taps} cells land inside the output; the others fall in the {padding} row(s)/column(s) "
        "that padding crops away."
    },
    "tconv.gather": {"en": "Where one output value comes from"},
    "tconv.out_oc": {"en": "Output channel"},
    "tconv.out_y": {"en": "Output row"},
    "tconv.out_x": {"en": "Output column"},
    "tconv.gather_where": {"en": "{n} input value(s) write here, each times one kernel weight:"},
    "tconv.gather_none": {
        "en": "No input value writes here (the stride leaves a gap between the stamped kernels), so it holds only "
        "the bias."
    },
    "tconv.gather_check": {"en": "The output holds {value} here: the same number."},
    "tconv.equivalent": {"en": "The same output as an ordinary convolution"},
    "tconv.equivalent_help": {
        "en": "Insert {zeros} zero(s) between neighbouring input values (the stride becomes zero insertion), pad by "
        "d·(k − 1) − p: {top} row(s) at the top and {bottom} at the bottom, {left} column(s) left and {right} "
        "right (output padding adds to the bottom/right; a negative number crops instead), then slide the "
        "kernel, flipped in both directions, with stride 1 and dilation {dilation}. Shaded cells are padding; "
        "the dotted line is the zero-inserted input."
    },
    "tconv.shape_zero_inserted": {"en": "Zero-inserted input"},
    "tconv.shape_padded": {"en": "Padded, zero-inserted input"},
    "tconv.shape_equivalent_weight": {"en": "Flipped weight [C_out, C_in/groups, k, k]"},
    "tconv.flip_help": {
        "en": "The kernel is flipped (rotated 180°) and its input and output channels swapped: a stamped kernel "
        "read back from the output's side appears mirrored."
    },
    "tconv.equivalent_step": {"en": "How one output value is made (equivalent convolution)"},
    "tconv.torch": {"en": "The same layer in PyTorch"},
    "tconv.torch_match": {"en": "nn.ConvTranspose2d gives the same output (largest difference {diff}, rounding only)."},
    "tconv.torch_mismatch": {"en": "nn.ConvTranspose2d differs from the trace by up to {diff}. Please report this."},
    "tconv.anim.input_title": {"en": "input channel {channel}"},
    "tconv.anim.canvas_title": {"en": "output channel {channel} (uncropped)"},
    "tconv.anim.hover_input": {"en": "row %{y}, column %{x}<br>value %{customdata}<br>click to explain"},
    "tconv.anim.hover_canvas": {"en": "uncropped row %{y}, column %{x}<br>value %{z}"},
    "tconv.anim.position": {"en": "input cell (row, column):"},
    "err.tconv_input_range": {"en": "Position {name} = {value} is outside the input (valid: 0 to {size} − 1)."},
    "err.tconv_weight_in": {
        "en": "The weight {shape} starts with {got}, but the input has {c_in} channels. A transposed convolution's "
        "weight has shape [C_in, C_out/groups, kH, kW]: its first dimension is the number of input channels."
    },
    "err.tconv_groups_out": {
        "en": "Groups must divide the output channels: {c_out} output channels cannot be split into {groups} "
        "equal groups. Use a multiple of {groups} output channels, or fewer groups."
    },
    "err.tconv_bias": {
        "en": "The bias has {got} values, but there are {c_out} output channels ({per_group} per group × {groups} "
        "group(s)): one bias per output channel."
    },
    "err.tconv_output_padding": {
        "en": "Output padding {output_padding} ({axis}) must be smaller than the stride ({stride}) or the "
        "dilation ({dilation}): it only chooses among the output sizes the stride makes ambiguous. Use at most "
        "{largest}, or raise the stride."
    },
    "err.tconv_empty_output": {
        "en": "The output would have {out} {axis}: ({size} − 1)·{stride} − 2·{padding} + {dilation}·({kernel} − 1) "
        "+ {output_padding} + 1 = {out}. Padding crops {padding} {axis} from each side of the {written} the kernels "
        "write to. Use a padding of at most {largest}, or a larger input, kernel, stride or dilation."
    },
    # (end of transposed convolution)
    # --- Network builder page (nb.*) -----------------------------------------------------------
    "nb.title": {"en": "Network builder"},
    "nb.title.intro": {
        "en": "Start from an input shape and stack layers: after each one, its output shape, parameters and "
        "receptive field. A layer that does not fit is explained, and the stack exports as nn.Sequential code."
    },
    # the layer kinds (also inside error messages: "Layer 3 (Conv2d): …")
    "nb.kind": {"en": "Layer type"},
    "nb.kind.conv2d": {"en": "Conv2d"},
    "nb.kind.conv1x1": {"en": "1×1 Conv2d"},
    "nb.kind.maxpool": {"en": "MaxPool2d"},
    "nb.kind.avgpool": {"en": "AvgPool2d"},
    "nb.kind.activation": {"en": "Activation"},
    "nb.kind.batchnorm2d": {"en": "BatchNorm2d"},
    "nb.kind.flatten": {"en": "Flatten"},
    "nb.kind.linear": {"en": "Linear"},
    "nb.kind.basic_block": {"en": "BasicBlock (residual)"},
    "nb.kind.bottleneck": {"en": "Bottleneck (residual)"},
    "nb.about.conv2d": {"en": "Slides out_channels kernels of in_channels × k × k over the map."},
    "nb.about.conv1x1": {
        "en": "A 1×1 kernel sees one pixel: it mixes the channels there and changes their number, not the size."
    },
    "nb.about.maxpool": {"en": "Keeps the largest value of each window, per channel. No parameters."},
    "nb.about.avgpool": {"en": "Averages each window, per channel. No parameters."},
    "nb.about.activation": {"en": "Applied to every value on its own: the shape does not change."},
    "nb.about.batchnorm2d": {
        "en": "Normalises each channel with its mean and variance, then scales and shifts it (2 parameters per "
        "channel)."
    },
    "nb.about.flatten": {"en": "Turns a C×H×W map into one vector of C·H·W values, for Linear layers."},
    "nb.about.linear": {"en": "Every output is a weighted sum of all in_features inputs, plus a bias."},
    "nb.about.basic_block": {
        "en": "ResNet-18/34's block: two 3×3 convolutions with batch norm, plus the input added back (a 1×1 "
        "convolution adapts the shortcut when the stride or the channel count changes)."
    },
    "nb.about.bottleneck": {
        "en": "ResNet-50's block: 1×1 squeezes to width channels, 3×3 works there, 1×1 expands to 4 × width; "
        "the input is added back."
    },
    "nb.param.in_channels": {"en": "in_channels"},
    "nb.param.out_channels": {"en": "out_channels"},
    "nb.param.kernel_size": {"en": "kernel_size"},
    "nb.param.stride": {"en": "stride"},
    "nb.param.padding": {"en": "padding"},
    "nb.param.dilation": {"en": "dilation"},
    "nb.param.bias": {"en": "bias"},
    "nb.param.function": {"en": "function"},
    "nb.param.num_features": {"en": "num_features"},
    "nb.param.in_features": {"en": "in_features"},
    "nb.param.out_features": {"en": "out_features"},
    "nb.param.width": {"en": "width"},
    "nb.help.in_channels": {"en": "Channels the layer expects: must equal the channels of its input."},
    "nb.help.out_channels": {"en": "Number of kernels, so the channels of the output."},
    "nb.help.kernel_size": {"en": "Side of the square window."},
    "nb.help.stride": {"en": "Step between windows; 2 halves the height and width."},
    "nb.help.padding": {"en": "Rows and columns added on every side (zeros; pooling pads with −∞ or 0)."},
    "nb.help.dilation": {"en": "Spacing between the kernel's taps."},
    "nb.help.num_features": {"en": "Channels to normalise: must equal the channels of the input."},
    "nb.help.in_features": {"en": "Length of the input vector: must equal what Flatten or the previous Linear gives."},
    "nb.help.out_features": {"en": "Length of the output vector."},
    "nb.help.width": {"en": "Channels inside the block; it outputs 4 × width."},
    # presets and controls
    "nb.preset": {"en": "Preset"},
    "nb.preset.lenet5": {"en": "LeNet-5 (as in the notes)"},
    "nb.preset.basic_block": {"en": "ResNet basic blocks"},
    "nb.preset.bottleneck": {"en": "ResNet bottleneck blocks"},
    "nb.preset.mismatch": {"en": "Mistake: a 3-channel kernel on a 1-channel digit"},
    "nb.preset.no_flatten": {"en": "Mistake: Linear without Flatten"},
    "nb.reset": {"en": "Reload the preset"},
    "nb.input": {"en": "Input"},
    "nb.input_c": {"en": "channels C"},
    "nb.input_h": {"en": "height H"},
    "nb.input_w": {"en": "width W"},
    "nb.add_header": {"en": "Add a layer"},
    "nb.autofit": {"en": "Fit input sizes to the stack"},
    "nb.autofit_help": {
        "en": "On: in_channels, num_features and in_features are taken from the current output, as "
        "nn.LazyConv2d and nn.LazyLinear do. Off: you type them, as in ordinary PyTorch code, and a mismatch "
        "is explained."
    },
    "nb.add": {"en": "Add"},
    "nb.edit_header": {"en": "Edit the stack"},
    "nb.pick": {"en": "Layer"},
    "nb.up": {"en": "Move up"},
    "nb.down": {"en": "Move down"},
    "nb.remove": {"en": "Remove"},
    "nb.clear": {"en": "Clear the stack"},
    # the table
    "nb.stack": {"en": "The stack, layer by layer"},
    "nb.col_index": {"en": "#"},
    "nb.col_layer": {"en": "layer"},
    "nb.col_settings": {"en": "settings"},
    "nb.col_shape": {"en": "output shape"},
    "nb.col_params": {"en": "parameters"},
    "nb.col_rf": {"en": "receptive field"},
    "nb.col_jump": {"en": "jump"},
    "nb.input_row": {"en": "input"},
    "nb.does_not_fit": {"en": "✖ does not fit"},
    "nb.not_built": {"en": "not reached"},
    "nb.empty": {"en": "The stack is empty: add a layer in the sidebar, or pick a preset."},
    "nb.fix.size": {"en": "Set {name} to {value}"},
    "nb.fix.flatten": {"en": "Insert a Flatten and set in_features to {value}"},
    "nb.fit_all": {"en": "Fit every layer to its input"},
    "nb.no_auto_fix": {"en": "This one needs a decision: change the layer's settings, or move or remove layers."},
    "nb.total_params": {"en": "Parameters"},
    "nb.final_shape": {"en": "Output shape"},
    "nb.layer_count": {"en": "Layers"},
    "nb.final_rf": {"en": "Receptive field"},
    "nb.final_rf_help": {"en": "What one cell of the last feature map sees of the input, before Flatten."},
    "nb.code": {"en": "PyTorch code"},
    "nb.code_caption": {
        "en": "Runs as is: it builds the stack as nn.Sequential and prints the output shape for one input of zeros."
    },
    "nb.code_blocked": {"en": "Fix the layer that does not fit, and the runnable code appears here."},
    "nb.download": {"en": "Download model.py"},
    # teaching notes
    "nb.notes": {"en": "Notes"},
    "nb.note.1x1_title": {"en": "1×1 convolutions change the channel count"},
    "nb.note.1x1": {
        "en": "A 1×1 kernel covers one pixel, so the height and width stay as they are (with stride 1) and the "
        "receptive field does not grow. What it does is mix the channels: each output channel is a weighted sum "
        "of all input channels at that pixel, so a [64, 256, 1, 1] weight turns 256 channels into 64 for "
        "256 × 64 + 64 parameters. Bottleneck blocks use it to squeeze channels before an expensive 3×3 "
        "convolution and to expand them again afterwards; shortcuts use it to match channel counts."
    },
    "nb.note.head_title": {"en": "Feature extractor and classifier: Flatten + Linear"},
    "nb.note.head": {
        "en": "Convolutions and pooling keep a map [C, H, W]: that is the feature extractor, and the receptive "
        "field tells how much of the picture one cell sees. A Linear layer wants one vector per example, so "
        "Flatten turns the last map into C·H·W numbers (LeNet-5: 16 × 5 × 5 = 400), and in_features must be "
        "exactly that. From there on there is no spatial layout, hence no receptive field. Change the input "
        "size and the first Linear no longer fits: that is why modern networks put a global average pooling "
        "before Flatten."
    },
    "nb.note.residual_title": {"en": "Residual connections"},
    "nb.note.residual": {
        "en": "A residual block computes F(x) with two or three convolutions and returns ReLU(F(x) + x): the "
        "input is added back, so the block only has to learn a correction, and the gradient has a direct path "
        "through the sum. The sum needs both terms to have the same shape; when the block strides or changes "
        "the channel count, the shortcut is a 1×1 convolution with batch norm (the downsample in the code)."
    },
    "nb.note.mistake_title": {"en": "The residual block in the notes has bugs"},
    "nb.note.mistake": {
        "en": "The three-convolution block in the notes does not run, and would not be residual if it did:\n\n"
        "1. `self.bn1` is assigned twice and `self.bn2` never: `forward` stops with *AttributeError: 'Res' object "
        "has no attribute 'bn2'*.\n"
        "2. `forward` computes `sout = self.extra(x) + out` and then returns `out`: the shortcut is thrown away, "
        "so the block is a plain stack of three convolutions.\n"
        "3. The last ReLU comes before the sum; ResNet adds first and applies ReLU to the sum.\n"
        "4. conv3 always outputs 256 channels whatever `cha_out` is; ResNet's bottleneck outputs 4 × its width "
        "(64 → 256).\n\n"
        "The bottleneck preset builds the correct block (torchvision's Bottleneck)."
    },
    "nb.note.as_written": {"en": "As written in the notes"},
    "nb.note.corrected": {"en": "Corrected (what the bottleneck preset builds, without stride)"},
    # errors and remarks (vizconv.builder)
    "nb.err.kind": {"en": "Layer type {value} is not one of: {kinds}."},
    "nb.err.unknown_param": {"en": "{layer} has no setting {name}; its settings are: {names}."},
    "nb.err.not_bool": {"en": "{name} must be True or False, but it is {value}."},
    "nb.err.activation": {"en": "Activation {value} is not one of: {names}."},
    "nb.err.pool_padding": {
        "en": "{layer}: padding {padding} is more than half the window (kernel_size {kernel} // 2 = {half}), "
        "which PyTorch refuses: a window could then cover padding only. Set the padding to at most {half}, or "
        "make the window larger."
    },
    "nb.err.input_shape": {"en": "The input shape must be three numbers [C, H, W], but it is {value}."},
    "nb.err.channels": {
        "en": "Layer {index} ({layer}): the kernel expects {expected} input channels, the input has {got}. Its "
        "weight {weight} holds one filter per input channel in each kernel. Set in_channels to {got}, or add a "
        "layer before it that makes {expected} channels."
    },
    "nb.err.block_channels": {
        "en": "Layer {index} ({layer}): the block's first convolution and its shortcut expect {expected} input "
        "channels, the input has {got}. Set in_channels to {got}, or add a layer before it that makes "
        "{expected} channels."
    },
    "nb.err.bn_channels": {
        "en": "Layer {index} (BatchNorm2d): num_features is {expected}, but the input has {got} channels; batch "
        "norm keeps one mean, variance, scale and shift per channel. Set num_features to {got}."
    },
    "nb.err.features_flat": {
        "en": "Layer {index} (Linear): in_features is {expected}, but its input has {got} values: the Flatten at "
        "layer {source} turned the {c}×{h}×{w} map into {c} × {h} × {w} = {got}. Set in_features to {got}, or "
        "change the layers before the Flatten."
    },
    "nb.err.features": {
        "en": "Layer {index} (Linear): in_features is {expected}, but its input has {got} values (the "
        "out_features of layer {source}). Set in_features to {got}."
    },
    "nb.err.needs_flatten": {
        "en": "Layer {index} (Linear): its input is a {c}×{h}×{w} feature map, but Linear takes one vector per "
        "example. Add a Flatten before it: it turns the map into {c} × {h} × {w} = {size} values, so in_features "
        "must be {size}."
    },
    "nb.err.needs_map": {
        "en": "Layer {index} ({layer}) needs a feature map [C, H, W], but its input is a vector of {size} values "
        "(since layer {source}, {source_layer}). Put this layer before the Flatten, or remove it."
    },
    "nb.err.empty": {
        "en": "Layer {index} ({layer}): the output would have {out} {axis}. The window spans {span} {axis} "
        "(dilation {dilation} × (kernel {kernel} − 1) + 1), but the padded input has only {padded} ({size} + "
        "{padding} padding). Make the window smaller, add padding, or remove a layer before it that shrinks "
        "the map."
    },
    "nb.warn.flatten_noop": {
        "en": "Layer {index} (Flatten) does nothing: its input is already a vector of {size} values."
    },
    # (end of network builder)
}

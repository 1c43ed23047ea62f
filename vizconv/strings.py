"""The one string catalogue: every user-facing text, by key and language.

Pages never hold literal UI text; they call ``text(key, lang, **params)``
(``vizconv.ui.t`` in a page). Parameters are filled with ``str.format``; a
parameter given as ``Term("key")`` is itself looked up in the same language,
so an error raised in the library can name "rows" or "columns" in whichever
language the page shows it.

Counts: an entry whose text holds a number that can be 1 has an ``en_one``
form, the English singular ("1 input channel"); Chinese has no plural, so it
needs none (a ``zh_one`` is used where the Chinese for one reads differently).
``text_n(key, n, lang, **params)`` picks the form for ``n``, and a parameter
given as ``Count("count.rows", n)`` becomes "1 row" or "3 rows" (the entry
``count.rows`` with ``{n}``), so one message can hold several counts.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "STRINGS", "Count", "Term", "text", "text_n"]

LANGUAGES = ("en", "zh")  # English, Simplified Chinese
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}  # each in its own language, for the switch


class Term(str):
    """A catalogue key used as a message parameter; rendered in the message's language."""

    __slots__ = ()


@dataclass(frozen=True)
class Count:
    """A number with its noun, as a message parameter: the catalogue entry ``key`` (such as ``count.rows``,
    "{n} rows") with ``{n}`` = ``n``, singular or plural in the message's language."""

    key: str
    n: int


def _filled(template: str, lang: str, params: dict[str, object]) -> str:
    if not params:
        return template
    filled = {
        name: text(value, lang)
        if isinstance(value, Term)
        else text_n(value.key, value.n, lang, n=value.n)
        if isinstance(value, Count)
        else value
        for name, value in params.items()
    }
    return template.format(**filled)


def text(key: str, lang: str = "en", **params: object) -> str:
    """The catalogue entry ``key`` in ``lang`` (English if missing), formatted with params."""
    entry = STRINGS[key]
    return _filled(entry.get(lang) or entry["en"], lang, params)


def text_n(key: str, count: int, lang: str = "en", **params: object) -> str:
    """The catalogue entry ``key`` for a number ``count``: its ``<lang>_one`` form when ``count`` is 1 and the entry
    has one (the English singular), else the usual form; formatted with params (which name the number themselves).
    """
    entry = STRINGS[key]
    lang = lang if entry.get(lang) else "en"
    one = entry.get(f"{lang}_one") if count == 1 else None
    return _filled(one or entry[lang], lang, params)


# CIFAR-10's classes in the dataset's order, with their Chinese names.
CIFAR10_CLASSES = (
    ("airplane", "飞机"),
    ("automobile", "汽车"),
    ("bird", "鸟"),
    ("cat", "猫"),
    ("deer", "鹿"),
    ("dog", "狗"),
    ("frog", "青蛙"),
    ("horse", "马"),
    ("ship", "船"),
    ("truck", "卡车"),
)

STRINGS: dict[str, dict[str, str]] = {
    # --- the language switch (vizconv.ui) ------------------------------------------------
    "ui.language": {"en": "Language", "zh": "语言"},
    # --- words used inside other messages -------------------------------------------
    "axis.rows": {"en": "rows", "zh": "行"},
    "axis.cols": {"en": "columns", "zh": "列"},
    "axis.height": {"en": "height", "zh": "高度"},
    "axis.width": {"en": "width", "zh": "宽度"},
    # --- a number and its noun, singular when the number is 1 (strings.Count) --------------
    "count.rows": {"en": "{n} rows", "en_one": "{n} row", "zh": "{n} 行"},
    "count.cols": {"en": "{n} columns", "en_one": "{n} column", "zh": "{n} 列"},
    "count.channels": {"en": "{n} channels", "en_one": "{n} channel", "zh": "{n} 个通道"},
    "count.input_channels": {"en": "{n} input channels", "en_one": "{n} input channel", "zh": "{n} 个输入通道"},
    "count.output_channels": {"en": "{n} output channels", "en_one": "{n} output channel", "zh": "{n} 个输出通道"},
    "count.kernels": {"en": "{n} kernels", "en_one": "{n} kernel", "zh": "{n} 个卷积核"},
    "count.groups": {"en": "{n} groups", "en_one": "{n} group", "zh": "{n} 组"},
    "count.values": {"en": "{n} values", "en_one": "{n} value", "zh": "{n} 个值"},
    "count.parameters": {"en": "{n} parameters", "en_one": "{n} parameter", "zh": "{n} 个参数"},
    "count.tensors": {"en": "{n} tensors", "en_one": "{n} tensor", "zh": "{n} 个张量"},
    "count.zeros": {"en": "{n} zeros", "en_one": "{n} zero", "zh": "{n} 个零"},
    "count.pixels": {"en": "{n} pixels", "en_one": "{n} pixel", "zh": "{n} 像素"},
    "count.frames": {"en": "{n} frames", "en_one": "{n} frame", "zh": "{n} 帧"},
    "count.window_positions": {"en": "{n} window positions", "en_one": "{n} window position", "zh": "{n} 个窗口位置"},
    "count.input_positions": {"en": "{n} input positions", "en_one": "{n} input position", "zh": "{n} 个输入位置"},
    # --- engine errors (vizconv.geometry, vizconv.conv) -------------------------------
    "err.not_int": {
        "en": "{name} must be a whole number, but it is {value}.",
        "zh": "{name} 必须是整数，但现在是 {value}。",
    },
    "err.too_small": {
        "en": "{name} must be at least {minimum}, but it is {value}.",
        "zh": "{name} 至少应为 {minimum}，但现在是 {value}。",
    },
    "err.not_pair": {
        "en": "{name} must be one number or a pair (height, width), but it is {value}.",
        "zh": "{name} 必须是一个数，或一对数（高, 宽），但现在是 {value}。",
    },
    "err.padding_word": {
        "en": 'Padding must be a number, a pair, "same" or "valid", but it is {value}.',
        "zh": '填充必须是一个数、一对数、"same" 或 "valid"，但现在是 {value}。',
    },
    "err.padding_mode": {
        "en": "Padding mode {value} is not one of: {modes}.",
        "zh": "填充模式 {value} 不在可选范围内：{modes}。",
    },
    "err.same_stride": {
        "en": 'Padding "same" keeps the output as large as the input, which only works with stride 1 '
        "(here the stride is {stride}). Set the stride to 1, or choose a number for the padding.",
        "zh": '填充 "same" 让输出与输入一样大，这只在步幅为 1 时可行（现在步幅是 {stride}）。请把步幅设为 1，'
        "或把填充设为一个数。",
    },
    "err.empty_output": {
        "en": "The output would be empty (the formula gives {out} {axis}): the kernel spans {span} {axis} "
        "(dilation {dilation} × (kernel {kernel} − 1) + 1), but the padded input has only {padded} "
        "({size} + {padding} padding). Make the kernel or the dilation smaller, or add padding.",
        "zh": "输出将为空（按公式为 {out} {axis}）：卷积核跨越 {span} {axis}（膨胀率 {dilation} × (卷积核 {kernel} − 1) + 1），"
        "但填充后的输入只有 {padded} {axis}（{size} + 填充 {padding}）。请减小卷积核或膨胀率，或增加填充。",
    },
    "err.empty_output_window": {
        "en": "The output would be empty (the formula gives {out} {axis}): the window spans {span} {axis}, but "
        "the padded input has only {padded} ({size} + {padding} padding). Make the window smaller, or add padding.",
        "zh": "输出将为空（按公式为 {out} {axis}）：窗口跨越 {span} {axis}，但填充后的输入只有 {padded} {axis}"
        "（{size} + 填充 {padding}）。请减小窗口，或增加填充。",
    },
    "err.reflect_too_big": {
        "en": "Reflect padding of {pad} needs more than {lines} of input to mirror, but the input has {size_lines}. "
        "Reduce the padding below {size}, or pick zeros, replicate or circular padding.",
        "zh": "反射填充 {pad} 需要输入有多于 {lines}可供镜像，但输入只有 {size_lines}。请把填充减到 {size} "
        "以下，或改用零填充、复制填充或循环填充。",
    },
    "err.circular_too_big": {
        "en": "Circular padding of {pad} would wrap around the input more than once (it has only {size_lines}). "
        "Reduce the padding to at most {size}, or pick another padding mode.",
        "zh": "循环填充 {pad} 会绕输入不止一圈（输入只有 {size_lines}）。请把填充减到最多 {size}，或换一种填充模式。",
    },
    "err.not_tensor": {
        "en": "{name} must be an array of real numbers with shape {shape}.",
        "zh": "{name} 必须是形状为 {shape} 的实数数组。",
    },
    "err.tensor_dims": {
        "en": "{name} must have shape {shape}, but its shape is {got}.",
        "zh": "{name} 的形状必须是 {shape}，但它的形状是 {got}。",
    },
    "err.empty_input": {
        "en": "The input is empty (shape {shape}): it needs at least one channel, row and column.",
        "zh": "输入是空的（形状 {shape}）：至少需要一个通道、一行和一列。",
    },
    "err.empty_weight": {
        "en": "The weight is empty (shape {shape}): every dimension needs at least 1.",
        "zh": "权重是空的（形状 {shape}）：每个维度至少为 1。",
    },
    "err.groups_in": {
        "en": "Groups must divide the input channels: {channels} cannot be split into {groups} equal groups. "
        "Choose groups from the divisors of {c_in}.",
        "zh": "分组数必须整除输入通道数：{channels}无法平均分成 {groups} 组。请从 {c_in} 的约数中选择分组数。",
    },
    "err.groups_out": {
        "en": "Groups must divide the number of kernels too: {kernels} cannot be split into {groups} equal groups. "
        "Use a multiple of {groups} kernels, or fewer groups.",
        "zh": "分组数也必须整除卷积核个数：{kernels}无法平均分成 {groups} 组。请使用 {groups} 的倍数个卷积核，"
        "或减少分组数。",
    },
    "err.weight_channels": {
        "en": "The weight {shape} has {got} per kernel, but {c_in} in {groups} need {want}. Each kernel must have "
        "C_in / groups channels.",
        "zh": "权重 {shape} 的每个卷积核有 {got}，但 {c_in}分成 {groups}时需要 {want} 个。"
        "每个卷积核的通道数必须是 C_in / groups。",
    },
    "err.bias_shape": {
        "en": "The bias has {got}, but there are {c_out}: one bias per kernel.",
        "zh": "偏置有 {got}，但有 {c_out}：每个卷积核对应一个偏置。",
    },
    "err.step_range": {
        "en": "Position {name} = {value} is outside the output (valid: 0 to {size} − 1).",
        "zh": "位置 {name} = {value} 超出了输出范围（有效范围：0 到 {size} − 1）。",
    },
    "err.pool_kind": {
        "en": "Pooling kind {value} is not one of: {kinds}.",
        "zh": "池化类型 {value} 不在可选范围内：{kinds}。",
    },
    "err.pool_padding": {
        "en": "Pooling padding {pad} along the {axis} is more than half the window's {axis} {kernel} (at most "
        "{limit}): a window could then hold only padding. Reduce that padding to {limit}, or make the window larger.",
        "zh": "池化在{axis}方向上的填充 {pad} 超过了窗口{axis} {kernel} 的一半（最多 {limit}）：那样某个窗口可能只含填充。"
        "请把这个填充减到 {limit}，或增大窗口。",
    },
    "err.pool_no_winner": {
        "en": "Average pooling has no winning cell: every value in the window counts.",
        "zh": "平均池化没有“胜出”的单元格：窗口里的每个值都参与计算。",
    },
    "err.activation": {
        "en": "Activation {value} is not one of: {names}.",
        "zh": "激活函数 {value} 不在可选范围内：{names}。",
    },
    "err.leaky_slope": {
        "en": "The Leaky ReLU slope must be at least 0 and below 1, but it is {value}.",
        "zh": "Leaky ReLU 的斜率必须不小于 0 且小于 1，但现在是 {value}。",
    },
    "err.upsample_mode": {
        "en": "Upsampling mode {value} is not one of: {modes}.",
        "zh": "上采样模式 {value} 不在可选范围内：{modes}。",
    },
    "err.upsample_scale": {
        "en": "A scale of {value} is too large to show; use at most {limit}.",
        "zh": "放大倍数 {value} 太大，无法显示；最多使用 {limit}。",
    },
    "err.upsample_corners": {
        "en": "align_corners only applies to interpolating modes (bilinear, bicubic), not to nearest.",
        "zh": "align_corners 只对插值模式（bilinear、bicubic）有效，对 nearest 无效。",
    },
    "err.kernel_preset": {
        "en": "Kernel preset {value} is not one of: {presets}.",
        "zh": "卷积核预设 {value} 不在可选范围内：{presets}。",
    },
    "err.kernel_too_small_for_preset": {
        "en": "The {preset} filter is 3×3; it does not fit a {kh}×{kw} kernel. Use a kernel of at least 3×3.",
        "zh": "{preset} 滤波器是 3×3 的，放不进 {kh}×{kw} 的卷积核。请使用至少 3×3 的卷积核。",
    },
    "err.kernel_learned_size": {
        "en": "The {preset} filters are {size}; set the kernel size to {size} to use them.",
        "zh": "{preset} 滤波器的尺寸是 {size}；要使用它们，请把卷积核尺寸设为 {size}。",
    },
    "err.unknown_layers": {
        "en": "The model has no layer {layers}. Layers: {available}.",
        "zh": "模型中没有层 {layers}。现有的层：{available}。",
    },
    "err.not_feature_map": {
        "en": "A feature map grid needs values of shape [C, H, W], not {shape}.",
        "zh": "特征图网格需要形状为 [C, H, W] 的数值，而不是 {shape}。",
    },
    "err.not_conv_layer": {
        "en": "Layer {layer} is not a convolution, so there is no dot product to explain.",
        "zh": "层 {layer} 不是卷积层，所以没有可以解释的点积。",
    },
    "err.no_upload": {"en": "Upload an image first.", "zh": "请先上传一张图片。"},
    "err.unexpected": {
        "en": "Something went wrong while computing this view. Try other settings; the problem has been logged.",
        "zh": "计算这个视图时出了问题。请尝试其他设置；问题已记录在日志中。",
    },
    # --- uploads (vizconv.images) -----------------------------------------------------
    "img.not_binary": {"en": "The upload is not a file of bytes.", "zh": "上传的内容不是字节文件。"},
    "img.empty": {
        "en": "The file is empty. Choose an image file (PNG, JPEG, WebP, BMP, GIF or TIFF).",
        "zh": "文件是空的。请选择一个图片文件（PNG、JPEG、WebP、BMP、GIF 或 TIFF）。",
    },
    "img.too_large_bytes": {
        "en": "The file is larger than {limit_mb} MB. Choose a smaller image.",
        "zh": "文件大于 {limit_mb} MB。请选择一张更小的图片。",
    },
    "img.too_many_pixels": {
        "en": "The image has more than {limit} pixels, too many to process safely. Choose a smaller image.",
        "zh": "图片超过 {limit} 像素，太大，无法安全处理。请选择一张更小的图片。",
    },
    "img.too_elongated": {
        "en": "The image is {width} × {height} pixels: one side is more than {limit} times the other, too thin to "
        "show. Crop it to a less elongated shape.",
        "zh": "图片为 {width} × {height} 像素：一条边是另一条边的 {limit} 倍以上，太细长，无法显示。请把它裁剪得不那么细长。",
    },
    "img.too_much_memory": {
        "en": "The image is {width} × {height} pixels and would take about {need} MB of memory to read (the limit "
        "is {limit} MB). Choose a smaller image, or save it with 8 bits per channel and without transparency.",
        "zh": "图片为 {width} × {height} 像素，读取它大约需要 {need} MB 内存（上限为 {limit} MB）。"
        "请选择一张更小的图片，或者把它另存为每通道 8 位、不带透明度的图片。",
    },
    "img.unknown_format": {
        "en": "This file is not an image we can read. Supported formats: {formats}.",
        "zh": "这个文件不是我们能读取的图片。支持的格式：{formats}。",
    },
    "img.corrupt": {
        "en": "The image file is damaged or incomplete and cannot be read. Try saving it again.",
        "zh": "图片文件已损坏或不完整，无法读取。请尝试重新保存。",
    },
    # --- how the live animator marks cells no window reads (static/animator.js) ------------
    "anim.mark.cross": {
        "en": "marked with a red ✕, one diagonal in a small cell",
        "zh": "用红色 ✕ 标出，单元格小时为一条斜线",
    },
    "anim.mark_short.cross": {"en": "✕ marks", "zh": "✕ 标记"},
    # --- live animator (vizconv.animator, static/animator.js): {name} filled in the browser ---------
    "live.label": {
        "en": "Convolution animator: ← → step, space plays or pauses, click an output cell to explain it",
        "zh": "卷积动画：← → 单步，空格键播放或暂停，点击输出单元格查看解释",
    },
    "live.label_pool": {
        "en": "Pooling animator: ← → step, space plays or pauses, click an output cell to explain it",
        "zh": "池化动画：← → 单步，空格键播放或暂停，点击输出单元格查看解释",
    },
    "live.legend_max": {
        "en": "Pink outline: the largest value of the window, the one max pooling keeps (padding is −∞: it never "
        "wins).",
        "zh": "粉色边框：窗口中最大的值，也就是最大池化保留的值（填充是 −∞，永远不会被选中）。",
    },
    "live.legend_avg": {
        "en": "Average pooling adds the window and divides by its number of cells, padding included.",
        "zh": "平均池化把窗口中的值相加，再除以单元格个数（包括填充）。",
    },
    "live.magnified_pool": {
        "en": "At this size the maps show colours; the window's numbers are written out beside them.",
        "zh": "在这个尺寸下，特征图只显示颜色；窗口的数值写在旁边。",
    },
    "live.pool_max": {"en": "max of the window", "zh": "窗口中的最大值"},
    "live.total_max": {"en": "the largest value = value", "zh": "最大值 = 输出值"},
    "live.total_avg": {"en": "Σ window ÷ {n} cells = value", "zh": "Σ 窗口 ÷ {n} 个单元格 = 输出值"},
    "live.twin_avg": {"en": "window sum {s} divided by {n}", "zh": "窗口之和 {s} 除以 {n}"},
    "live.play": {"en": "▶ Play", "zh": "▶ 播放"},
    "live.pause": {"en": "❚❚ Pause", "zh": "❚❚ 暂停"},
    "live.back": {"en": "Step back (←)", "zh": "后退一步（←）"},
    "live.forward": {"en": "Step forward (→)", "zh": "前进一步（→）"},
    "live.scrub": {"en": "Window position", "zh": "窗口位置"},
    "live.speed": {"en": "Speed", "zh": "速度"},
    "live.per_second": {"en": "{n} / s", "zh": "每秒 {n} 步"},
    "live.loop": {"en": "Loop", "zh": "循环"},
    "live.channel": {"en": "Output channel", "zh": "输出通道"},
    "live.where": {
        "en": "Output channel {oc}, row {oy}, column {ox} (position {p} of {last})",
        "zh": "输出通道 {oc}，第 {oy} 行，第 {ox} 列（位置 {p} / {last}）",
    },
    "live.input": {"en": "input channel {c}", "zh": "输入通道 {c}"},
    "live.input_other": {
        "en": "input channel {c}: not in this kernel's group",
        "zh": "输入通道 {c}：不在这个卷积核的分组里",
    },
    "live.output": {"en": "output channel {c}", "zh": "输出通道 {c}"},
    "live.window": {"en": "window", "zh": "窗口"},
    "live.input_scale": {"en": "input values", "zh": "输入值"},
    "live.output_scale": {"en": "output values", "zh": "输出值"},
    "live.values_scale": {"en": "values (input and output)", "zh": "数值（输入和输出）"},
    "live.kernel": {"en": "kernel {oc}, channel {c}", "zh": "卷积核 {oc}，通道 {c}"},
    "live.products": {"en": "products", "zh": "乘积"},
    "live.channel_sum": {"en": "sum of channel {c}", "zh": "通道 {c} 之和"},
    "live.total": {"en": "Σ channel sums + bias = value", "zh": "Σ 各通道之和 + 偏置 = 输出值"},
    "live.total_no_bias": {"en": "Σ channel sums = value", "zh": "Σ 各通道之和 = 输出值"},
    "live.legend": {
        "en": "Orange outline: the window's taps. Tinted: padding. Blue outline: the original input. Red: cells no "
        "window reads. Grey: outputs not computed yet. Green outline: the value being computed.",
        "zh": "橙色边框：窗口读取的单元格。浅色底：填充。蓝色边框：原始输入。红色：没有任何窗口读取的单元格。"
        "灰色：尚未计算的输出。绿色边框：正在计算的值。",
    },
    "live.reverse": {
        "en": "Input row {y}, column {x} is read by {n} output positions (marked pink); click again to clear",
        "zh": "输入第 {y} 行第 {x} 列被 {n} 个输出位置读取（粉色标出）；再次点击取消",
    },
    "live.reverse_none": {
        "en": "Input row {y}, column {x} is read by no window",
        "zh": "输入第 {y} 行第 {x} 列不被任何窗口读取",
    },
    "live.twin": {
        "en": "Output channel {oc}, row {oy}, column {ox}: {terms} = {value}",
        "zh": "输出通道 {oc}，第 {oy} 行，第 {ox} 列：{terms} = {value}",
    },
    "live.twin_bias": {"en": "bias {b}", "zh": "偏置 {b}"},
    "live.twin_channel": {"en": "channel {c} sum {s}", "zh": "通道 {c} 之和 {s}"},
    "live.magnified": {
        "en": "At this size the maps show colours; the window, its kernel and their products are written out "
        "beside them.",
        "zh": "在这个尺寸下，特征图只显示颜色；窗口、卷积核及其乘积的数值写在旁边。",
    },
    "live.legend_inserted": {
        "en": "Dotted ring (blue italics in the window): a zero inserted between two input values, stride − 1 of them.",
        "zh": "虚线小框（窗口中的蓝色斜体）：插在两个输入值之间的 0，每处 stride − 1 个。",
    },
    # the scatter view of a transposed convolution (kind "scatter")
    "live.label_scatter": {
        "en": "Transposed convolution animator: ← → step through the input values, space plays or pauses, click "
        "an input cell to go there",
        "zh": "转置卷积动画：← → 逐个输入值单步，空格键播放或暂停，点击输入单元格跳到那里",
    },
    "live.scrub_input": {"en": "Input position", "zh": "输入位置"},
    "live.channel_in": {"en": "Input channel", "zh": "输入通道"},
    "live.where_scatter": {
        "en": "Input channel {ic}, row {iy}, column {ix} (position {p} of {last})",
        "zh": "输入通道 {ic}，第 {iy} 行，第 {ix} 列（位置 {p} / {last}）",
    },
    "live.output_other": {
        "en": "output channel {c}: not in this input channel's group",
        "zh": "输出通道 {c}：不在这个输入通道的分组里",
    },
    "live.onto": {"en": "onto output channel {oc}", "zh": "加到输出通道 {oc}"},
    "live.value_at": {"en": "input x[{c}, {y}, {x}]", "zh": "输入 x[{c}, {y}, {x}]"},
    "live.kernel_scatter": {"en": "kernel: input {c} → output {oc}", "zh": "卷积核：输入 {c} → 输出 {oc}"},
    "live.writes": {"en": "what it writes", "zh": "写入的值"},
    "live.sums_after": {"en": "the sums there now", "zh": "那里现在的累加和"},
    "live.lands": {"en": "where it lands", "zh": "落在哪里"},
    "live.lands_all": {
        "en": "output rows {rows}, columns {cols}: all {taps} values inside the output.",
        "zh": "输出第 {rows} 行、第 {cols} 列：{taps} 个值全部在输出之内。",
    },
    "live.lands_cropped": {
        "en": "output rows {rows}, columns {cols}: {kept} of {taps} values inside the output; the rest fall on "
        "rows or columns that padding crops (tinted).",
        "zh": "输出第 {rows} 行、第 {cols} 列：{taps} 个值中有 {kept} 个在输出之内；其余落在被 padding 裁掉的行或列上"
        "（浅色底）。",
    },
    "live.scatter_bias": {
        "en": "Every input value has written: the bias is added once to every output cell (channel: bias {biases}).",
        "zh": "所有输入值都已写完：每个输出单元格再加一次偏置（通道：偏置 {biases}）。",
    },
    "live.scatter_done": {
        "en": "Every input value has written: this is the output (no bias).",
        "zh": "所有输入值都已写完：这就是输出（没有偏置）。",
    },
    "live.twin_scatter": {
        "en": "Input channel {ic}, row {iy}, column {ix}, value {value}, writes value × kernel onto output channels "
        "{outputs}: {where}",
        "zh": "输入通道 {ic}，第 {iy} 行，第 {ix} 列，值 {value}，把“值 × 卷积核”写到输出通道 {outputs}：{where}",
    },
    "live.gather": {
        "en": "Output row {y}, column {x} of channel {oc} gathers from {n} input positions (marked pink); click "
        "again to clear",
        "zh": "输出通道 {oc} 第 {y} 行第 {x} 列汇集了 {n} 个输入位置的值（粉色标出）；再次点击取消",
    },
    "live.gather_none": {
        "en": "Output row {y}, column {x}: no input value writes here (it holds only the bias)",
        "zh": "输出第 {y} 行第 {x} 列：没有任何输入值写到这里（只有偏置）",
    },
    "live.gather_cropped": {
        "en": "This cell is cropped away by padding; {n} input positions write to it",
        "zh": "这个单元格被 padding 裁掉了；有 {n} 个输入位置写到它",
    },
    "live.legend_scatter": {
        "en": "Green outline: the input value being used (grey: not used yet). Orange outline: where value × "
        "kernel lands. Tinted: rows and columns that padding crops; dashed blue: the output. Red ✕: cells no "
        "input value writes to. Grey: not written yet. Hover over an output cell to see which inputs write it.",
        "zh": "绿色边框：正在使用的输入值（灰色：尚未使用）。橙色边框：“值 × 卷积核”落下的位置。浅色底：被 padding "
        "裁掉的行和列；蓝色虚线：输出。红色 ✕：没有任何输入值写到的单元格。灰色：尚未写入。把鼠标移到输出单元格上，"
        "可以看到哪些输入写到它。",
    },
    "live.magnified_scatter": {
        "en": "At this size the maps show colours; the value, the kernel and what it writes are written out beside "
        "them.",
        "zh": "在这个尺寸下，特征图只显示颜色；数值、卷积核和写入的值写在旁边。",
    },
    # upsampling (kind "upsample")
    "live.label_upsample": {
        "en": "Upsampling animator: ← → step through the output cells, space plays or pauses, click an output cell "
        "to explain it",
        "zh": "上采样动画：← → 逐个输出单元格单步，空格键播放或暂停，点击输出单元格查看解释",
    },
    "live.scrub_output": {"en": "Output cell", "zh": "输出单元格"},
    "live.where_upsample": {
        "en": "Output row {oy}, column {ox} (position {p} of {last})",
        "zh": "输出第 {oy} 行，第 {ox} 列（位置 {p} / {last}）",
    },
    "live.up_source": {
        "en": "Source coordinate ({sy}, {sx}): input rows {rows} weighted {wy}; columns {cols} weighted {wx}",
        "zh": "源坐标 ({sy}, {sx})：输入第 {rows} 行，权重 {wy}；第 {cols} 列，权重 {wx}",
    },
    "live.up_values": {"en": "input rows {rows} × columns {cols}", "zh": "输入第 {rows} 行 × 第 {cols} 列"},
    "live.up_weights": {"en": "weights (row × column)", "zh": "权重（行 × 列）"},
    "live.total_upsample": {"en": "Σ products = value", "zh": "Σ 乘积 = 输出值"},
    "live.twin_upsample": {
        "en": "Output row {oy}, column {ox}: source ({sy}, {sx}), {n} input values weighted and added = {value}",
        "zh": "输出第 {oy} 行，第 {ox} 列：源坐标 ({sy}, {sx})，{n} 个输入值加权相加 = {value}",
    },
    "live.reverse_upsample": {
        "en": "Input row {y}, column {x} weighs in {n} output cells (marked pink); click again to clear",
        "zh": "输入第 {y} 行第 {x} 列参与了 {n} 个输出单元格（粉色标出）；再次点击取消",
    },
    "live.legend_upsample": {
        "en": "Orange outline: the input cells this output cell reads (weight not 0). Green dot: where the output "
        "cell's centre falls on the input. Grey: outputs not computed yet.",
        "zh": "橙色边框：这个输出单元格读取的输入单元格（权重不为 0）。绿色圆点：输出单元格中心在输入上的位置。"
        "灰色：尚未计算的输出。",
    },
    "live.legend_upsample_nearest": {
        "en": "Nearest: one cell, weight 1: every value repeated scale × scale times.",
        "zh": "最近邻：一个单元格，权重 1：每个值重复 scale × scale 次。",
    },
    "live.legend_upsample_bilinear": {
        "en": "Bilinear: the 2 × 2 neighbours, weighted by distance on each axis (the weights add up to 1).",
        "zh": "双线性：周围 2 × 2 个单元格，按每个方向上的距离加权（权重之和为 1）。",
    },
    "live.legend_upsample_bicubic": {
        "en": "Bicubic: 4 × 4 neighbours with cubic weights, some negative: the output can overshoot the input's "
        "range.",
        "zh": "双三次：周围 4 × 4 个单元格，三次权重，有些为负：输出可能超出输入的取值范围。",
    },
    "live.magnified_upsample": {
        "en": "At this size the maps show colours; the values read, their weights and products are written out "
        "beside them.",
        "zh": "在这个尺寸下，特征图只显示颜色；读取的值、权重和乘积写在旁边。",
    },
    # --- home page ------------------------------------------------------------------------
    "home.title": {"en": "vizconv", "zh": "vizconv"},
    "home.title.intro": {
        "en": "See what a convolution layer computes: every output value, made from dot products plus a bias.",
        "zh": "看清卷积层算了什么：每个输出值都由点积加上偏置得到。",
    },
    "home.what": {
        "en": "vizconv slides a kernel over an input you choose (a digit, a photo, a classroom grid or your own "
        "picture) with any stride, padding, dilation, groups and channel count, and shows how each output value "
        "is made. Every number is checked against PyTorch.",
        "zh": "vizconv 让卷积核在你选择的输入上滑动（手写数字、照片、课堂上的小网格，或你自己的图片），"
        "可以任意设置步幅、填充、膨胀率、分组和通道数，并展示每个输出值是怎样算出来的。每个数字都与 PyTorch "
        "的结果核对过。",
    },
    "home.pages": {"en": "Pages", "zh": "页面"},
    "home.conv_link": {"en": "Convolution playground", "zh": "卷积演练场"},
    "home.conv_blurb": {
        "en": "Pick an input and a kernel, watch the window slide, and read each output value as per-channel "
        "dot products plus bias.",
        "zh": "选择输入和卷积核，看窗口滑动，把每个输出值读作各通道的点积之和加偏置。",
    },
    "home.fm_link": {"en": "Feature maps", "zh": "特征图"},
    "home.fm_blurb": {
        "en": "What a trained LeNet-5 or ResNet sees, layer by layer, and any activation explained down to one "
        "dot product.",
        "zh": "训练好的 LeNet-5 或 ResNet 逐层看到了什么；任意一个激活值都能拆解到一次点积。",
    },
    "home.pool_link": {"en": "Pooling & activations", "zh": "池化与激活函数"},
    "home.pool_blurb": {
        "en": "Max and average pooling (no weights, channels kept), ReLU and friends on real feature maps, and "
        "upsampling with F.interpolate.",
        "zh": "最大池化与平均池化（没有权重，通道数不变），ReLU 等激活函数作用在真实的特征图上，以及用 F.interpolate "
        "上采样。",
    },
    "home.tconv_link": {"en": "Transposed convolution", "zh": "转置卷积"},
    "home.tconv_blurb": {
        "en": "How a transposed convolution makes a map larger: each input value scatters value × kernel, or, "
        "equivalently, a convolution over a zero-inserted input.",
        "zh": "转置卷积如何把特征图变大：每个输入值把“值 × 卷积核”散布到输出上；等价地，"
        "也可以看作在插入零的输入上做普通卷积。",
    },
    "home.nb_link": {"en": "Network builder", "zh": "搭建网络"},
    "home.nb_blurb": {
        "en": "Stack layers from an input shape and see every shape, parameter count and receptive field; export "
        "the stack as PyTorch code.",
        "zh": "从输入形状开始逐层堆叠，查看每层的形状、参数量和感受野；把整个网络导出为 PyTorch 代码。",
    },
    "home.howto": {"en": "How to use it in class", "zh": "课堂上怎么用"},
    "home.first_example_link": {
        "en": "Open the 5×5 grid with the classic 3×3 kernel",
        "zh": "打开 5×5 网格与经典的 3×3 卷积核",
    },
    "home.howto_text": {
        "en": "1. Open **Convolution** in the sidebar.  \n"
        "2. Start with the classroom grid *Grid 5×5 with the classic 3×3 kernel* (the link below opens it) and "
        "press **▶ Play**.  \n"
        "3. Click any output cell to see the arithmetic that made it.  \n"
        "4. Change stride, padding or dilation and watch the output size formula update.",
        "zh": "1. 在侧边栏打开 **Convolution 卷积**。  \n2. 先选课堂小网格“5×5 网格，配经典的 3×3 卷积核”（下面的链接直接打开它），按 **▶ 播放**。  \n3. "
        "点击任意输出单元格，查看得到它的算式。  \n4. 改变步幅、填充或膨胀率，观察输出尺寸公式随之更新。",
    },
    # --- Convolution page ----------------------------------------------------------------
    "conv.title": {"en": "Convolution", "zh": "卷积"},
    "conv.title.intro": {
        "en": "A kernel slides over the input; at each position every input channel gives a dot product, and "
        "their sum plus the bias is one output value. (Strictly, nn.Conv2d computes a cross-correlation: the "
        "kernel is not flipped, as a mathematician's convolution would flip it.)",
        "zh": "卷积核在输入上滑动：在每个位置，每个输入通道各给出一个点积，它们的和再加上偏置，就是一个输出值。"
        "（严格地说，nn.Conv2d 计算的是互相关：卷积核不翻转，而数学上的卷积会把它翻转。）",
    },
    "conv.input": {"en": "Input", "zh": "输入"},
    "conv.source": {"en": "Source", "zh": "来源"},
    "conv.source.sample": {"en": "Sample", "zh": "示例"},
    "conv.source.random": {"en": "Random", "zh": "随机"},
    "conv.source.upload": {"en": "Upload", "zh": "上传"},
    "conv.sample": {"en": "Sample input", "zh": "示例输入"},
    "conv.random_channels": {"en": "Input channels", "zh": "输入通道数"},
    "conv.random_height": {"en": "Height", "zh": "高"},
    "conv.random_width": {"en": "Width", "zh": "宽"},
    "conv.seed": {"en": "Random seed", "zh": "随机种子"},
    "conv.upload": {"en": "Your image", "zh": "你的图片"},
    "conv.upload_help": {
        "en": "PNG, JPEG, WebP, BMP, GIF or TIFF, up to {limit} MB.",
        "zh": "PNG、JPEG、WebP、BMP、GIF 或 TIFF，最大 {limit} MB。",
    },
    "conv.upload_enlarged": {
        "en": "Your picture is only {pixels} on its longer side, so it was enlarged to {side} (bicubic "
        "interpolation), which makes up the values in between. To convolve its own pixels, set the side to "
        "{original} (5 at least) or upload a larger picture.",
        "zh": "你的图片较长的一边只有 {pixels}，所以被放大到了 {side}（双三次插值），中间的值是插值算出来的。"
        "要对它原本的像素做卷积，请把边长设为 {original}（至少 5），或上传一张更大的图片。",
    },
    "conv.upload_prompt": {
        "en": "Upload an image in the sidebar to convolve it.",
        "zh": "在侧边栏上传一张图片，对它做卷积。",
    },
    "conv.side": {"en": "Size (pixels on the longer side)", "zh": "尺寸（长边像素数）"},
    "conv.side_help": {
        "en": "Images are scaled down to 5 to 128 pixels on the longer side. Up to 15 the maps show every number; "
        "larger pictures show colours, with the numbers of the window written out beside them.",
        "zh": "图片会缩小到长边 5 到 128 像素。不超过 15 像素时，特征图中显示每个数值；更大的图片只显示颜色，"
        "窗口的数值写在旁边。",
    },
    "conv.colour": {"en": "Colour (3 channels)", "zh": "彩色（3 个通道）"},
    "conv.colour_help": {
        "en": "On: red, green and blue channels. Off: one grayscale channel.",
        "zh": "开：红、绿、蓝三个通道。关：一个灰度通道。",
    },
    "conv.layer": {"en": "Layer", "zh": "卷积层"},
    "conv.out_channels": {"en": "Kernels (output channels)", "zh": "卷积核个数（输出通道数）"},
    "conv.out_channels_help": {"en": "Each kernel makes one output channel.", "zh": "每个卷积核生成一个输出通道。"},
    "conv.h": {"en": "h", "zh": "高"},
    "conv.w": {"en": "w", "zh": "宽"},
    "conv.kernel": {"en": "Kernel", "zh": "卷积核"},
    "conv.stride": {"en": "Stride", "zh": "步幅"},
    "conv.padding": {"en": "Padding", "zh": "填充"},
    "conv.padding.number": {"en": "number", "zh": "数值"},
    "conv.padding.same": {"en": "same", "zh": "same（尺寸不变）"},
    "conv.padding.valid": {"en": "valid", "zh": "valid（不填充）"},
    "conv.padding_amount": {"en": "Padding", "zh": "填充"},
    "conv.padding_mode": {"en": "Padding mode", "zh": "填充模式"},
    "conv.mode.zeros": {"en": "zeros", "zh": "补零（zeros）"},
    "conv.mode.reflect": {"en": "reflect", "zh": "反射（reflect）"},
    "conv.mode.replicate": {"en": "replicate", "zh": "复制边缘（replicate）"},
    "conv.mode.circular": {"en": "circular", "zh": "循环（circular）"},
    "conv.dilation": {"en": "Dilation", "zh": "膨胀率"},
    "conv.groups": {"en": "Groups", "zh": "分组数"},
    "conv.groups_help": {
        "en": "1: every kernel sees every input channel. C_in: depthwise, each kernel sees one channel. "
        "Groups must divide both the input channels and the number of kernels.",
        "zh": "1：每个卷积核看到全部输入通道。C_in：逐通道（depthwise）卷积，每个卷积核只看一个通道。"
        "分组数必须同时整除输入通道数和卷积核个数。",
    },
    "conv.bias": {"en": "Bias", "zh": "偏置"},
    "conv.kernels": {"en": "Kernels", "zh": "卷积核"},
    "conv.preset": {"en": "Kernel preset", "zh": "卷积核预设"},
    "conv.varied": {"en": "A different preset for each kernel", "zh": "每个卷积核用不同的预设"},
    "conv.varied_help": {
        "en": "Kernel 0 uses the chosen preset; the next kernels take Sobel x, Sobel y, Laplacian, sharpen, … "
        "in turn, skipping the chosen one. (Random and learned presets already differ from kernel to kernel.)",
        "zh": "卷积核 0 用所选的预设；后面的卷积核依次用 Sobel x、Sobel y、拉普拉斯、锐化……（跳过所选的那个）。"
        "（随机预设和学到的卷积核本来就每个卷积核都不同。）",
    },
    "conv.example_mismatch": {
        "en": "The example's own kernel does not fit the current layer shape, so a preset is used instead.",
        "zh": "示例自带的卷积核与当前卷积层的形状不符，因此改用一个预设。",
    },
    "conv.edit": {"en": "✏️ Edit kernels and bias", "zh": "✏️ 编辑卷积核和偏置"},
    "tconv.example_mismatch": {
        "en": "The example's own kernel is {own}, but this layer needs {needed}, so it uses a kernel of ones "
        "instead. Set the layer back to the example's, or pick another kernel.",
        "zh": "示例自带的卷积核是 {own}，而这一层需要 {needed}，所以改用全为 1 的卷积核。请把卷积层改回示例的设置，"
        "或选择另一个卷积核。",
    },
    "conv.edit_help": {
        "en": "Pick a kernel and one of its input channels, then type new numbers. Edits last until the "
        "preset or the kernel shape changes.",
        "zh": "选择一个卷积核及它的一个输入通道，然后输入新的数值。修改会一直保留，直到预设或卷积核形状改变。",
    },
    "conv.edit_kernel": {"en": "Kernel (output channel)", "zh": "卷积核（输出通道）"},
    "conv.edit_channel": {"en": "Input channel", "zh": "输入通道"},
    "conv.bias_column": {"en": "bias", "zh": "偏置"},
    "conv.formula": {"en": "Output size", "zh": "输出尺寸"},
    "conv.mistake": {
        "en": "p = padding on each side, k = kernel size, d = dilation, s = stride. A common mistake "
        "(also in some notes) is ${wrong}$: the + 1 belongs outside the division, which is rounded down.",
        "zh": "p = 每一侧的填充，k = 卷积核尺寸，d = 膨胀率，s = 步幅。常见错误（有些笔记里也有）是写成 ${wrong}$：+ 1 "
        "应放在除法之外，而除法结果向下取整。",
    },
    "conv.unread": {
        "en": "No window reads {what} of the padded input ({mark}): the windows step over them, or stop "
        "before the end. Change stride, padding, kernel or dilation to use them.",
        "zh": "没有任何窗口读取填充后输入的{what}（{mark}）：窗口跨过了它们，或在末尾之前就停下了。"
        "改变步幅、填充、卷积核或膨胀率即可用上它们。",
    },
    "conv.unread_row": {"en": "row {lines}", "zh": "第 {lines} 行"},
    "conv.unread_rows": {"en": "rows {lines}", "zh": "第 {lines} 行"},
    "conv.unread_col": {"en": "column {lines}", "zh": "第 {lines} 列"},
    "conv.unread_cols": {"en": "columns {lines}", "zh": "第 {lines} 列"},
    "conv.unread_and": {"en": " and ", "zh": "以及"},
    "conv.animation": {"en": "The kernel sliding", "zh": "卷积核的滑动"},
    "conv.animation_help": {
        "en": "{frames}. Play runs in your browser; when you pause, step (◀ ▶, or ← → once you have clicked the "
        "animation) or click an output cell, the step panel below follows. Click an input cell to mark every output "
        "whose window reads it.",
        "zh": "共 {frames}。播放在你的浏览器中进行；暂停、单步（◀ ▶，或点击动画后用 ← →）或点击输出单元格时，"
        "下方的步骤面板会随之更新。点击输入单元格，可以标出所有读取它的输出位置。",
    },
    "conv.step": {"en": "How one output value is made", "zh": "一个输出值是怎样算出来的"},
    "conv.back": {"en": "Previous position", "zh": "上一个位置"},
    "conv.forward": {"en": "Next position", "zh": "下一个位置"},
    "conv.position": {"en": "Position", "zh": "位置"},
    "conv.position_help": {
        "en": "Window positions in reading order: left to right, top to bottom.",
        "zh": "窗口位置按阅读顺序编号：从左到右，从上到下。",
    },
    "conv.step_kernel": {"en": "Kernel (output channel)", "zh": "卷积核（输出通道）"},
    "conv.step_where": {
        "en": "Output channel **{oc}**, row **{oy}**, column **{ox}**: the window covers rows {rows} and "
        "columns {cols} of the padded input. For each input channel, multiply window and kernel cell by cell "
        "and add up; then add the channel sums and the bias.",
        "zh": "输出通道 **{oc}**，第 **{oy}** 行，第 **{ox}** 列：窗口覆盖填充后输入的第 {rows} 行、第 {cols} 列。"
        "对每个输入通道，把窗口与卷积核逐个单元格相乘再求和；然后把各通道的和相加，再加上偏置。",
    },
    "conv.step_check": {
        "en": "The output map holds {value} at this position: the same number.",
        "zh": "输出特征图在这个位置的值是 {value}：同一个数。",
    },
    "conv.shapes": {"en": "Shapes and the same layer in PyTorch", "zh": "形状，以及 PyTorch 中的同一层"},
    "conv.shape_input": {"en": "Input [C_in, H, W]", "zh": "输入 [C_in, H, W]"},
    "conv.shape_padded": {"en": "Padded input", "zh": "填充后的输入"},
    "conv.shape_weight": {"en": "Weight [C_out, C_in/groups, kH, kW]", "zh": "权重 [C_out, C_in/groups, kH, kW]"},
    "conv.shape_bias": {"en": "Bias [C_out]", "zh": "偏置 [C_out]"},
    "conv.shape_output": {"en": "Output [C_out, H_out, W_out]", "zh": "输出 [C_out, H_out, W_out]"},
    "conv.none": {"en": "none", "zh": "无"},
    "conv.params": {"en": "Parameters", "zh": "参数量"},
    "conv.macs": {"en": "Multiply-adds", "zh": "乘加次数"},
    "conv.positions": {"en": "Window positions", "zh": "窗口位置数"},
    "conv.torch_match": {
        "en": "Ran this code: nn.Conv2d gives the same output as the step-by-step trace (max |difference| = {diff}).",
        "zh": "已运行这段代码：nn.Conv2d 的输出与逐步计算的结果相同（最大 |差值| = {diff}）。",
    },
    "conv.torch_mismatch": {
        "en": "nn.Conv2d differs from the trace by up to {diff}. Please report this.",
        "zh": "nn.Conv2d 与逐步计算的结果最多相差 {diff}。请报告这个问题。",
    },
    # --- sample inputs -------------------------------------------------------------------
    "sample.digit_7": {"en": "MNIST digit 7", "zh": "MNIST 数字 7"},
    "sample.digit_3": {"en": "MNIST digit 3", "zh": "MNIST 数字 3"},
    # Labels fit the sidebar's select box (about 26 Latin characters); the grids' sources are in sample.about.*
    "sample.camera": {"en": "Photo: cameraman (grey)", "zh": "照片：摄影师（灰度）"},
    "sample.chelsea": {"en": "Photo: cat (colour)", "zh": "照片：猫（彩色）"},
    "sample.coffee": {"en": "Photo: coffee (colour)", "zh": "照片：咖啡（彩色）"},
    "sample.astronaut": {"en": "Photo: astronaut (colour)", "zh": "照片：宇航员（彩色）"},
    "sample.d2l_3x3": {"en": "Grid 3×3, kernel 2×2 (D2L)", "zh": "3×3 网格，2×2 核（D2L）"},
    "sample.classic_5x5": {"en": "Grid 5×5, kernel 3×3", "zh": "5×5 网格，3×3 核"},
    "sample.cs231n_7x7x3": {"en": "Grid 5×5×3, stride 2 (CS231n)", "zh": "5×5×3，步幅 2（CS231n）"},
    "sample.about.d2l_3x3": {
        "en": "The first example of *Dive into Deep Learning* (D2L), “Convolutions for Images”: input 0 … 8, kernel "
        "[[0, 1], [2, 3]], output [[19, 25], [37, 43]].",
        "zh": "《动手学深度学习》（D2L）“图像卷积”一节的第一个例子：输入 0 … 8，卷积核 [[0, 1], [2, 3]]，"
        "输出 [[19, 25], [37, 43]]。",
    },
    "sample.about.classic_5x5": {
        "en": "The classic textbook example: a 5×5 grid of 0 and 1 and the 3×3 “X” kernel [[1, 0, 1], [0, 1, 0], "
        "[1, 0, 1]], giving a 3×3 output.",
        "zh": "经典的教科书例子：0 和 1 组成的 5×5 网格，配 3×3 的“X”形卷积核 [[1, 0, 1], [0, 1, 0], [1, 0, 1]]，"
        "输出 3×3。",
    },
    "sample.about.cs231n_7x7x3": {
        "en": "The demo of Stanford's CS231n notes: a 5×5×3 input padded by 1 to 7×7×3, two 3×3×3 kernels with "
        "biases 1 and 0, stride 2, giving a 3×3×2 output.",
        "zh": "斯坦福 CS231n 讲义中的演示：5×5×3 的输入每侧填充 1 变为 7×7×3，两个 3×3×3 卷积核，偏置 1 和 0，"
        "步幅 2，输出 3×3×2。",
    },
    # --- kernel presets ------------------------------------------------------------------
    "preset.example": {"en": "The example's own kernel", "zh": "示例自带的卷积核"},
    "preset.identity": {"en": "Identity", "zh": "恒等"},
    "preset.box_blur": {"en": "Box blur", "zh": "均值模糊"},
    "preset.gaussian": {"en": "Gaussian blur", "zh": "高斯模糊"},
    "preset.sharpen": {"en": "Sharpen", "zh": "锐化"},
    "preset.sobel_x": {"en": "Sobel x (vertical edges)", "zh": "Sobel x（竖直边缘）"},
    "preset.sobel_y": {"en": "Sobel y (horizontal edges)", "zh": "Sobel y（水平边缘）"},
    "preset.laplacian": {"en": "Laplacian", "zh": "拉普拉斯"},
    "preset.emboss": {"en": "Emboss", "zh": "浮雕"},
    "preset.random_int": {"en": "Random integers (−1, 0, 1)", "zh": "随机整数（−1、0、1）"},
    "preset.random_normal": {"en": "Random (normal)", "zh": "随机（正态分布）"},
    # --- models (vizconv.models) ---------------------------------------------------------
    "model.missing": {
        "en": "A file of {name} is missing: `{path}`. Restore vizconv's bundled files: in a clone of vizconv run "
        "`git checkout assets` (or reinstall vizconv), or retrain the model with `python -m vizconv.train {name}`.",
        "zh": "{name} 的一个文件缺失：`{path}`。请恢复 vizconv 自带的文件：在 vizconv 的克隆目录中运行 "
        "`git checkout assets`（或重新安装 vizconv），或者用 `python -m vizconv.train {name}` 重新训练模型。",
    },
    "model.altered": {
        "en": "The weights of {name} (`{path}`) do not match the sha256 in their model card, so they are not used. "
        "Restore vizconv's bundled files: in a clone of vizconv run `git checkout assets` (or reinstall vizconv). "
        "A model retrained on purpose needs the card its training wrote next to the weights.",
        "zh": "{name} 的权重（`{path}`）与其模型卡中的 sha256 不符，因此不会使用。请恢复 vizconv 自带的文件：在 "
        "vizconv 的克隆目录中运行 `git checkout assets`（或重新安装 vizconv）。有意重新训练的模型需要训练时写在权重旁边的模型卡。",
    },
    "model.card_broken": {
        "en": "The model card of {name} (`{path}`) cannot be read: it must be JSON with the weights' sha256 and the "
        "class names. Restore it: in a clone of vizconv run `git checkout assets` (or reinstall vizconv).",
        "zh": "{name} 的模型卡（`{path}`）无法读取：它必须是包含权重 sha256 和类别名称的 JSON 文件。请恢复它：在 "
        "vizconv 的克隆目录中运行 `git checkout assets`（或重新安装 vizconv）。",
    },
    "model.unreadable": {
        "en": "The files of {name} in `{path}` cannot be read ({reason}). Let the user that runs vizconv read that "
        "folder, or reinstall vizconv.",
        "zh": "无法读取 `{path}` 中 {name} 的文件（{reason}）。请让运行 vizconv 的用户可以读取这个文件夹，或者重新安装 vizconv。",
    },
    "model.cache_unwritable": {
        "en": "{name} needs its ImageNet weights, downloaded once into torch's cache folder `{folder}`, and that "
        "folder cannot be written ({reason}), so nothing was downloaded. Set the environment variable TORCH_HOME "
        "to a folder the server may write (for example `TORCH_HOME=/var/cache/vizconv/torch`) and restart "
        "vizconv. The bundled models keep working.",
        "zh": "{name} 需要它的 ImageNet 权重，需下载一次到 torch 的缓存文件夹 `{folder}`，但这个文件夹无法写入"
        "（{reason}），所以没有下载任何内容。请把环境变量 TORCH_HOME 设置为服务器可以写入的文件夹（例如 "
        "`TORCH_HOME=/var/cache/vizconv/torch`），然后重新启动 vizconv。内置模型仍可正常使用。",
    },
    "model.damaged": {
        "en": "The downloaded weights of {name} (`{path}`) cannot be read: the file is damaged or incomplete. "
        "vizconv removed it where the folder allows; delete it if it is still there, then open the page again to "
        "download it anew.",
        "zh": "已下载的 {name} 权重（`{path}`）无法读取：文件已损坏或不完整。vizconv 已在文件夹允许时删除了它；"
        "如果它还在，请手动删除，然后重新打开页面再次下载。",
    },
    "asset.sample_missing": {
        "en": "The sample picture `{path}` is missing or cannot be read. Restore vizconv's bundled files: in a clone "
        "of vizconv run `git checkout assets` (or reinstall vizconv). Inputs that need no file (random numbers, "
        "the classroom grids, your own picture) keep working.",
        "zh": "示例图片 `{path}` 缺失或无法读取。请恢复 vizconv 自带的文件：在 vizconv 的克隆目录中运行 "
        "`git checkout assets`（或重新安装 vizconv）。不需要文件的输入（随机数、课堂网格、你自己的图片）仍可正常使用。",
    },
    "asset.samples_none": {
        "en": "There are no sample pictures for this model in `{folder}`. Restore vizconv's bundled files: in a "
        "clone of vizconv run `git checkout assets` (or reinstall vizconv). Meanwhile, upload a picture of your own.",
        "zh": "`{folder}` 中没有这个模型的示例图片。请恢复 vizconv 自带的文件：在 vizconv 的克隆目录中运行 "
        "`git checkout assets`（或重新安装 vizconv）。在此期间，可以上传你自己的图片。",
    },
    "model.offline": {
        "en": "{name} needs its ImageNet weights, downloaded once from {url}, and the download failed (no internet?). "
        "The bundled models keep working. To use {name} without internet, download that file on a computer that "
        "has it and copy it to {path} on the machine that runs vizconv.",
        "zh": "{name} 需要它的 ImageNet 权重，需从 {url} 下载一次，但下载失败了（没有联网？）。内置模型仍可正常使用。"
        "要在没有网络时使用 {name}，请在能联网的电脑上下载这个文件，再复制到运行 vizconv 的机器上的 {path}。",
    },
    "model.unknown": {
        "en": "There is no model {name}. Available: {names}.",
        "zh": "没有名为 {name} 的模型。可用的模型：{names}。",
    },
    "weights.too_large": {
        "en": "The file is larger than {limit_mb} MB, more than any of these models needs (ResNet-18's state_dict "
        "is about 45 MB). Choose the state_dict of one model.",
        "zh": "文件大于 {limit_mb} MB，超过了这些模型所需的大小（ResNet-18 的 state_dict 约 45 MB）。请选择单个模型的 state_dict。",
    },
    "weights.unreadable": {
        "en": "This file cannot be loaded safely as PyTorch weights (it is not a file written by torch.save, or "
        "torch.load with weights_only=True refused it). Save your weights with "
        "torch.save(model.state_dict(), 'weights.pt') and upload that file.",
        "zh": "这个文件无法作为 PyTorch 权重被安全加载（它不是 torch.save 写出的文件，或者 torch.load 在 "
        "weights_only=True 下拒绝了它）。请用 torch.save(model.state_dict(), 'weights.pt') 保存权重，再上传该文件。",
    },
    "weights.legacy": {
        "en": "This file is in PyTorch's old format (from before PyTorch 1.6), which cannot be checked before it is "
        "unpacked, so it is not loaded. Load it in PyTorch and save it again with "
        "torch.save(model.state_dict(), 'weights.pt'): any PyTorch since 1.6 writes the current format.",
        "zh": "这个文件是 PyTorch 的旧格式（PyTorch 1.6 之前），无法在解包之前检查，因此不会加载。请在 PyTorch 中"
        "加载它，再用 torch.save(model.state_dict(), 'weights.pt') 重新保存：PyTorch 1.6 及以后的版本都会写出新格式。",
    },
    "weights.compressed": {
        "en": "This file's contents are compressed, which torch.save never does, so it is not unpacked (a small "
        "compressed file can unpack to many gigabytes). Upload the file exactly as "
        "torch.save(model.state_dict(), 'weights.pt') wrote it, not zipped again.",
        "zh": "这个文件的内容经过了压缩，而 torch.save 从不压缩，因此不会解包（一个很小的压缩文件可能解包成好几 GB）。"
        "请上传 torch.save(model.state_dict(), 'weights.pt') 原样写出的文件，不要再次压缩。",
    },
    "weights.too_many_records": {
        "en": "This file holds more tensors than the weights of {name} can need (at most {limit}), so it is not "
        "unpacked. Upload only the state_dict of one {name}: torch.save(model.state_dict(), 'weights.pt').",
        "zh": "这个文件里的张量比 {name} 的权重可能需要的还多（最多 {limit} 个），因此不会解包。请只上传一个 {name} 的 "
        "state_dict：torch.save(model.state_dict(), 'weights.pt')。",
    },
    "weights.too_many_bytes": {
        "en": "This file would unpack to more than the weights of {name} can need (at most {limit_mb} MB), so it is "
        "not unpacked. Are they the weights of a larger model? Upload only the state_dict of one {name}: "
        "torch.save(model.state_dict(), 'weights.pt').",
        "zh": "这个文件解包后会超过 {name} 的权重可能需要的大小（最多 {limit_mb} MB），因此不会解包。它是不是更大的"
        "模型的权重？请只上传一个 {name} 的 state_dict：torch.save(model.state_dict(), 'weights.pt')。",
    },
    "weights.too_many_keys": {
        "en": "This file names more entries than the weights of {name} can need (its index is larger than "
        "{limit_kb} KB), so it is not unpacked. Upload only the state_dict of one {name}: "
        "torch.save(model.state_dict(), 'weights.pt').",
        "zh": "这个文件列出的条目比 {name} 的权重可能需要的还多（索引大于 {limit_kb} KB），因此不会解包。请只上传一个 "
        "{name} 的 state_dict：torch.save(model.state_dict(), 'weights.pt')。",
    },
    "weights.kind": {
        "en": "These weights hold {count} the model cannot compute with, for example {examples}. Only dense floating-point tensors on the CPU are accepted (whole numbers for BatchNorm's "
        "num_batches_tracked): not sparse, quantized, complex or meta tensors. Save the model's own "
        "state_dict, on the CPU: torch.save(model.cpu().state_dict(), 'weights.pt').",
        "zh": "这些权重中有 {count}不是模型可以用来计算的张量，例如 {examples}。只接受 CPU 上的稠密浮点张量"
        "（BatchNorm 的 num_batches_tracked 为整数）：不接受稀疏、量化、复数或 meta 张量。请在 CPU 上保存模型自己的 "
        "state_dict：torch.save(model.cpu().state_dict(), 'weights.pt')。",
    },
    "weights.too_large_values": {
        "en": "These weights contain values larger than {limit} in magnitude once converted to float32, the type "
        "the model computes in (in {examples}). Trained weights are far smaller; values this large make the "
        "activations overflow to infinity.",
        "zh": "这些权重在转换为模型计算所用的 float32 之后，含有绝对值大于 {limit} 的值（在 {examples} 中）。"
        "训练得到的权重远比这小；这么大的值会让激活值溢出为无穷大。",
    },
    "weights.negative_variance": {
        "en": "These weights contain a negative BatchNorm running variance (in {examples}). A variance is never "
        "below zero, and its square root would turn every activation after it into NaN.",
        "zh": "这些权重中 BatchNorm 的滑动方差（running_var）有负值（在 {examples} 中）。方差不会小于零，"
        "而对负数开平方会让其后的每个激活值都变成 NaN。",
    },
    "weights.not_state_dict": {
        "en": "The file holds a {kind}, not a state_dict (a dictionary from parameter names to tensors). Save it with "
        "torch.save(model.state_dict(), 'weights.pt').",
        "zh": "文件里是一个 {kind}，而不是 state_dict（从参数名到张量的字典）。请用 "
        "torch.save(model.state_dict(), 'weights.pt') 保存。",
    },
    "weights.keys": {
        "en": "These weights do not fit {name}: {missing} missing (for example {missing_examples}) and "
        "{unexpected} unexpected (for example {unexpected_examples}). Were they saved from another architecture?",
        "zh": "这些权重与 {name} 不匹配：缺少 {missing}（例如 {missing_examples}），多出 {unexpected}"
        "（例如 {unexpected_examples}）。它们是不是从别的网络结构保存的？",
    },
    "weights.shapes": {
        "en": "These weights do not fit {name}: {count} of another shape, for example {examples}.",
        "zh": "这些权重与 {name} 不匹配：有 {count}形状不同，例如 {examples}。",
    },
    "weights.not_finite": {
        "en": "These weights contain NaN or infinite values (in {examples}); the model would only output nonsense.",
        "zh": "这些权重含有 NaN 或无穷大的值（在 {examples} 中）；模型只会输出无意义的结果。",
    },
    # --- Convolution page: learned kernels --------------------------------------------------
    "preset.lenet5_conv1": {"en": "LeNet-5 conv1 (learned)", "zh": "LeNet-5 conv1（学到的）"},
    "preset.resnet20_conv1": {"en": "ResNet-20 conv1 (learned)", "zh": "ResNet-20 conv1（学到的）"},
    # --- Feature maps page ---------------------------------------------------------------
    "fm.title": {"en": "Feature maps", "zh": "特征图"},
    "fm.title.intro": {
        "en": "What a trained network sees: every layer's output, captured with forward hooks, down to the "
        "dot products behind one activation.",
        "zh": "训练好的网络看到了什么：用前向钩子（forward hook）捕获每一层的输出，一直深入到某个激活值背后的点积。",
    },
    "fm.model_header": {"en": "Model", "zh": "模型"},
    "fm.weights": {"en": "Weights", "zh": "权重"},
    "fm.weights.bundled": {"en": "trained by vizconv", "zh": "vizconv 训练的"},
    "fm.weights.own": {"en": "my own", "zh": "我自己的"},
    "fm.weights.random": {"en": "random (untrained)", "zh": "随机（未训练）"},
    "fm.random_note": {
        "en": "Random weights, as a network has them before training (PyTorch's default initialisation, seed 0). "
        "Every number below is really computed, but the network has learned nothing: its prediction is a guess, "
        "and its maps show no learned features. Compare them with the trained weights.",
        "zh": "随机权重，就像训练之前的网络（PyTorch 的默认初始化，随机种子 0）。下面的每个数都是真实计算出来的，"
        "但网络什么也没有学到：它的预测只是猜测，特征图里也没有学到的特征。可以和训练好的权重对比一下。",
    },
    "fm.instead": {
        "en": "Carry on without these weights:",
        "zh": "不用这些权重，继续：",
    },
    "fm.instead_random": {"en": "{name} with random weights", "zh": "随机权重的 {name}"},
    "fm.weights.pretrained": {"en": "ImageNet (torchvision)", "zh": "torchvision 的 ImageNet 权重"},
    "fm.weights_help": {
        "en": "Random: the weights the network starts training from, to compare with trained ones (they need no "
        "download). My own: upload a state_dict you trained for the same architecture "
        "(torch.save(model.state_dict(), path)). It is checked, loaded with weights_only=True, and kept in your "
        "session only: nobody else sees it.",
        "zh": "随机：网络开始训练时的权重，可以和训练好的权重对比（无需下载）。我自己的：上传你为同一网络结构训练的 "
        "state_dict（torch.save(model.state_dict(), path)）。它会被检查、以 weights_only=True 加载，"
        "并且只保存在你的会话中：其他人看不到。",
    },
    "fm.weights_upload": {"en": "Your state_dict (.pt)", "zh": "你的 state_dict（.pt）"},
    "fm.weights_upload_help": {
        "en": "The parameter names and shapes must be those of {name}.",
        "zh": "参数名和形状必须与 {name} 的一致。",
    },
    "fm.weights_prompt": {
        "en": "Upload your {name} state_dict in the sidebar, or choose the weights trained by vizconv.",
        "zh": "请在侧边栏上传你的 {name} state_dict，或者选择 vizconv 训练的权重。",
    },
    "fm.formula_window": {"en": "window", "zh": "窗口"},
    "fm.formula_kernel": {"en": "kernel", "zh": "卷积核"},
    "fm.weights_loaded": {
        "en": "Your own {name} weights (sha256 {sha}…), checked against the architecture; only you see them.",
        "zh": "你自己的 {name} 权重（sha256 {sha}…），已按网络结构检查；只有你能看到。",
    },
    "fm.model": {"en": "Trained model", "zh": "训练好的模型"},
    # Labels fit the sidebar's select box; fm.model_help has the details.
    "fm.model.lenet5": {"en": "LeNet-5 (ReLU) · MNIST", "zh": "LeNet-5（ReLU）· MNIST"},
    "fm.model.lenet5-classic": {"en": "LeNet-5 (sigmoid) · MNIST", "zh": "LeNet-5（sigmoid）· MNIST"},
    "fm.model_help": {
        "en": "LeNet-5 (ReLU): ReLU and max pooling, as networks are built today. LeNet-5 (sigmoid): sigmoid and "
        "average pooling, as in Dive into Deep Learning (LeCun et al., 1998, used a scaled tanh and trainable "
        "subsampling). Both read 28×28 MNIST digits. ResNet-20 reads 32×32 CIFAR-10 pictures. ResNet-18's ImageNet "
        "weights come from torchvision and are downloaded once.",
        "zh": "LeNet-5（ReLU）：ReLU 加最大池化，是如今搭网络的常见做法。LeNet-5（sigmoid）：sigmoid 加平均池化，与"
        "《动手学深度学习》相同（LeCun 等人 1998 年的原版用的是缩放的 tanh 和可训练的下采样）。两者都读 28×28 的 MNIST "
        "数字。ResNet-20 读 32×32 的 CIFAR-10 图片。ResNet-18 的 ImageNet 权重来自 torchvision，需下载一次。",
    },
    "fm.model.resnet20": {"en": "ResNet-20 · CIFAR-10", "zh": "ResNet-20 · CIFAR-10"},
    "fm.model.resnet18": {"en": "ResNet-18 · ImageNet", "zh": "ResNet-18 · ImageNet"},
    "fm.input_header": {"en": "Input", "zh": "输入"},
    "fm.source": {"en": "Source", "zh": "来源"},
    "fm.source.sample": {"en": "Sample", "zh": "示例"},
    "fm.source.upload": {"en": "Upload", "zh": "上传"},
    "fm.sample": {"en": "Sample picture", "zh": "示例图片"},
    "fm.source.draw": {"en": "Draw", "zh": "手绘"},
    "fm.draw_where": {
        "en": "Draw your digit on the black square at the top of the page.",
        "zh": "在页面上方的黑色方框里写下你的数字。",
    },
    "fm.draw_help": {
        "en": "Draw one digit, large, in the middle of the black square.",
        "zh": "在黑色方框中央写一个大大的数字。",
    },
    "fm.draw_prompt": {
        "en": "Draw a digit on the black square above: the network reads it when you lift the pen.",
        "zh": "在上面的黑色方框里写一个数字：抬起笔后，网络就会读取它。",
    },
    "fm.draw_digits_only": {
        "en": "Drawing is for the digit models (LeNet-5); this model sees photos.",
        "zh": "手绘只适用于手写数字模型（LeNet-5）；这个模型看的是照片。",
    },
    "fm.canvas_unavailable": {
        "en": "The drawing canvas is not available here; upload a picture instead.",
        "zh": "这里无法使用画布；请改为上传一张图片。",
    },
    "fm.loading": {"en": "Loading {name} …", "zh": "正在加载 {name} ……"},
    "fm.downloading": {
        "en": "Downloading the ResNet-18 ImageNet weights (about 45 MB, once) …",
        "zh": "正在下载 ResNet-18 的 ImageNet 权重（约 45 MB，只需一次）……",
    },
    "fm.upload_prompt": {
        "en": "Upload a picture in the sidebar to see what the network makes of it.",
        "zh": "在侧边栏上传一张图片，看看网络怎样理解它。",
    },
    "fm.seen": {"en": "What the model sees", "zh": "模型看到的输入"},
    "fm.seen_caption": {
        "en": "After preprocessing: {c}×{h}×{w}, as in training.",
        "zh": "预处理之后：{c}×{h}×{w}，与训练时相同。",
    },
    "fm.prediction": {"en": "Prediction", "zh": "预测"},
    "fm.class": {"en": "class", "zh": "类别"},
    "fm.probability": {"en": "probability", "zh": "概率"},
    "fm.closed_world": {
        "en": "The model knows only its {n:,} training classes: softmax shares 100 % among them, so a picture of "
        "anything else still gets one of them, often with high confidence.",
        "zh": "模型只认识它训练时的 {n:,} 个类别：softmax 把 100% 分给这些类别，所以任何其他东西的图片"
        "也会被归为其中之一，而且常常很有把握。",
    },
    "fm.card_accuracy": {
        "en": "Accuracy on held-out images (model card): {accuracy}.",
        "zh": "在未参与训练的图片上的准确率（模型卡）：{accuracy}。",
    },
    "fm.layers": {"en": "Layer by layer", "zh": "逐层查看"},
    "fm.col_layer": {"en": "layer", "zh": "层"},
    "fm.col_kind": {"en": "type", "zh": "类型"},
    "fm.col_shape": {"en": "output shape", "zh": "输出形状"},
    "fm.col_params": {"en": "parameters", "zh": "参数量"},
    "fm.col_rf": {"en": "receptive field", "zh": "感受野"},
    "fm.col_jump": {"en": "jump", "zh": "累积步幅"},
    "fm.grid": {"en": "All channels of one layer", "zh": "某一层的全部通道"},
    "fm.layer": {"en": "Layer", "zh": "层"},
    "fm.shared": {"en": "Shared colour scale", "zh": "统一色标"},
    "fm.shared_help": {
        "en": "On: one colour range for every channel, so channels can be compared. Off: each channel "
        "stretched to its own range, so weak channels show their pattern.",
        "zh": "开：所有通道使用同一个颜色范围，便于比较通道之间的强弱。关：每个通道拉伸到各自的范围，"
        "响应较弱的通道也能显出图案。",
    },
    # drawn into the channel grid's PNG with Pillow's default font, which has no CJK glyphs: Latin in both
    "fm.bar_max": {"en": "each max", "zh": "max"},
    "fm.bar_min": {"en": "each min", "zh": "min"},
    "fm.grid_caption": {"en": "{n} of {h}×{w}, numbered.", "zh": "{n}，每个 {h}×{w}，已编号。"},
    "fm.channel": {"en": "One channel", "zh": "单个通道"},
    "fm.channel_pick": {"en": "Channel", "zh": "通道"},
    "fm.hover": {
        "en": "row %{y}, column %{x}<br>value %{customdata}<br>click to explain (convolution layers)",
        "zh": "第 %{y} 行，第 %{x} 列<br>值 %{customdata}<br>点击查看解释（卷积层）",
    },
    "fm.min": {"en": "min", "zh": "最小值"},
    "fm.max": {"en": "max", "zh": "最大值"},
    "fm.mean": {"en": "mean", "zh": "平均值"},
    "fm.zeros": {"en": "zeros", "zh": "零值占比"},
    "fm.kernel": {
        "en": "The kernel that made this channel: {c_in}×{k}×{k}, one {k}×{k} slice per input channel.",
        "zh": "生成这个通道的卷积核：{c_in} 个输入通道，每个 {k}×{k}。",
    },
    "fm.explain": {"en": "Explain one activation", "zh": "解释一个激活值"},
    "fm.row": {"en": "Row", "zh": "行"},
    "fm.col": {"en": "Column", "zh": "列"},
    "fm.field": {
        "en": "The {rf}×{rf} receptive field of this cell on the input (top-left at row {top}, column {left}; "
        "parts outside the picture, outlined with dots, are padding).",
        "zh": "这个单元格在输入上的 {rf}×{rf} 感受野（左上角位于第 {top} 行、第 {left} 列；超出图片（点线框）的部分是填充）。",
    },
    "fm.channel_sum": {"en": "sum of window ⊙ kernel, per input channel", "zh": "每个输入通道的 窗口 ⊙ 卷积核 之和"},
    "fm.channel_sum_axis": {"en": "sum", "zh": "和"},
    "fm.input_channel_axis": {"en": "input channel c", "zh": "输入通道 c"},
    "fm.captured": {
        "en": "The forward hook captured {value} here: the same number, recomputed step by step.",
        "zh": "前向钩子在这里捕获的值是 {value}：与逐步重新计算的结果是同一个数。",
    },
    "fm.strongest": {
        "en": "The {n} input channels that contribute most, written out",
        "en_one": "The input channel, written out",
        "zh": "贡献最大的 {n} 个输入通道，完整写出",
        "zh_one": "唯一的输入通道，完整写出",
    },
    "fm.not_conv.mixed": {
        "en": "No single kernel made this layer's values: Flatten and Linear mix every channel. Pick a Conv2d "
        "layer, or a BatchNorm, activation or pooling right after one, to see its kernel and explain an activation.",
        "zh": "这一层的值不是由某一个卷积核生成的：Flatten 和 Linear 会混合所有通道。请选择一个 Conv2d 层，"
        "或紧跟在卷积后面的 BatchNorm、激活或池化层，查看卷积核并解释一个激活值。",
    },
    "fm.not_conv.block": {
        "en": "No single kernel made this layer's channels: a residual block's output is ReLU(bn2(conv2(…)) + "
        "shortcut), the shortcut being the block's input or its 1×1 convolution. Pick a Conv2d inside the block, "
        "or the BatchNorm right after one, to explain an activation.",
        "zh": "这一层的通道不是由某一个卷积核生成的：残差块的输出是 ReLU(bn2(conv2(…)) + 捷径)，捷径是块的输入或它的 "
        "1×1 卷积。请选择块内的一个 Conv2d，或紧跟其后的 BatchNorm，来解释一个激活值。",
    },
    "fm.not_conv.after_block": {
        "en": "This layer works on each channel by itself, but the channels it receives are a sum: a residual block "
        "added its shortcut to a convolution's output, so no single kernel made them. Pick a Conv2d inside a "
        "block, or the BatchNorm right after one, to explain an activation.",
        "zh": "这一层对每个通道单独运算，但它收到的通道是一个和：残差块把捷径分支加到了卷积的输出上，所以它们不是由某一个"
        "卷积核生成的。请选择块内的一个 Conv2d，或紧跟其后的 BatchNorm，来解释一个激活值。",
    },
    "fm.made_by": {
        "en": "Channel **{c}** of this layer is channel {c} of layer `{conv}` ({kind}) after {steps}: these layers "
        "work on each "
        "channel by itself, so one kernel made it (checked on the captured values).",
        "zh": "这一层的通道 **{c}** 就是层 `{conv}`（{kind}）的通道 {c} 经过 {steps} 的结果：这些层逐通道处理，"
        "所以它由一个卷积核生成（已用捕获的数值核对）。",
    },
    "fm.show_conv": {"en": "Explain it in layer `{conv}` ({kind})", "zh": "在层 `{conv}`（{kind}）中解释"},
    "fm.explain_in_conv": {
        "en": "The dot products are explained on the convolution itself: press the button above.",
        "zh": "点积要在卷积层本身上解释：请点击上面的按钮。",
    },
    "fm.filters": {
        "en": "Learned filters of the first layer (`{layer}`, {kind})",
        "zh": "第一层（`{layer}`，{kind}）学到的滤波器",
    },
    "fm.filters_caption_rgb": {
        "en": "Each filter shown as an RGB picture (its red, green and blue weights), stretched to its own range.",
        "zh": "每个滤波器显示为一张 RGB 图片（它的红、绿、蓝权重），拉伸到各自的范围。",
    },
    "fm.filters_caption_gray": {
        "en": "One colour scale for every filter, zero at white: red weights are positive, blue ones negative.",
        "zh": "所有滤波器共用一个色标，零为白色：红色权重为正，蓝色为负。",
    },
    # --- CIFAR-10's class names, as the Prediction table shows them (digits and ImageNet's 1,000 stay as they are)
    **{f"class.{name}": {"en": name, "zh": f"{zh}（{name}）"} for name, zh in CIFAR10_CLASSES},
    # --- Feature maps samples ----------------------------------------------------------------
    **{f"sample.digit_{d}": {"en": f"MNIST digit {d}", "zh": f"MNIST 数字 {d}"} for d in (0, 1, 2, 4, 5, 6, 8, 9)},
    **{
        f"sample.cifar_{name}": {"en": f"CIFAR-10 test image: {name}", "zh": f"CIFAR-10 测试图像：{zh}"}
        for name, zh in CIFAR10_CLASSES
    },
    # --- Pooling & activations page (pool.*, act.*, up.*) ------------------------------------
    "pool.title": {"en": "Pooling & activations", "zh": "池化与激活函数"},
    "pool.title.intro": {
        "en": "The layers between convolutions, on real feature maps: pooling slides a window with no weights, "
        "activations reshape every value, upsampling makes a map larger.",
        "zh": "卷积层之间的那些层，作用在真实的特征图上：池化（《动手学深度学习》中文版称为“汇聚”）滑动一个没有权重的窗口，"
        "激活函数逐个变换每个值，"
        "上采样把特征图变大。",
    },
    "pool.section": {"en": "Show", "zh": "显示"},
    "pool.window_size": {"en": "Window (kernel_size)", "zh": "池化窗口（kernel_size）"},
    "pool.section.pooling": {"en": "Pooling", "zh": "池化"},
    "pool.section.activations": {"en": "Activations", "zh": "激活函数"},
    "pool.section.upsampling": {"en": "Upsampling", "zh": "上采样"},
    "pool.input": {"en": "Input", "zh": "输入"},
    "pool.layer": {"en": "Pooling layer", "zh": "池化层"},
    "pool.upload_prompt": {
        "en": "Upload a picture in the sidebar (PNG, JPEG, WebP, BMP, GIF or TIFF).",
        "zh": "在侧边栏上传一张图片（PNG、JPEG、WebP、BMP、GIF 或 TIFF）。",
    },
    "pool.other_input": {
        "en": "Meanwhile, choose another input in the sidebar: the others do not need this file.",
        "zh": "在此期间，请在侧边栏中选择其他输入：其他输入不需要这个文件。",
    },
    "pool.source": {"en": "Feature map", "zh": "特征图"},
    "pool.source.lenet": {"en": "LeNet-5", "zh": "LeNet-5"},
    "pool.source.sample": {"en": "Sample", "zh": "示例"},
    "pool.source.random": {"en": "Random", "zh": "随机"},
    "pool.source.upload": {"en": "Upload", "zh": "上传"},
    "pool.digit": {"en": "MNIST digit", "zh": "MNIST 数字"},
    "pool.stage": {"en": "LeNet-5 layer output", "zh": "LeNet-5 某层的输出"},
    "pool.stage.conv1": {"en": "conv1: 6×28×28", "zh": "conv1：6×28×28"},
    "pool.stage.relu1": {"en": "conv1 + ReLU: 6×28×28", "zh": "conv1 + ReLU：6×28×28"},
    "pool.stage.pool1": {"en": "max pooled: 6×14×14", "zh": "最大池化后：6×14×14"},
    "pool.stage_help": {
        "en": "The bundled LeNet-5's first layer for this digit: conv1's output before ReLU, after ReLU (what "
        "LeNet-5 pools), or after its 2×2 max pooling.",
        "zh": "内置 LeNet-5 对这个数字的第一层输出：conv1 在 ReLU 之前、ReLU 之后（LeNet-5 对它做池化），或 2×2 "
        "最大池化之后。",
    },
    "pool.channels": {"en": "Channels shown", "zh": "显示的通道数"},
    "pool.channels_help": {
        "en": "LeNet-5's first layer makes 6 channels; pooling treats each one on its own.",
        "zh": "LeNet-5 的第一层生成 6 个通道；池化对每个通道单独处理。",
    },
    "pool.side_help": {
        "en": "Pixels on the longer side: small pictures keep the animation legible.",
        "zh": "长边的像素数：图片小一些，动画才清晰可读。",
    },
    "pool.random_size": {"en": "Size (rows = columns)", "zh": "尺寸（行数 = 列数）"},
    "pool.kind": {"en": "Kind", "zh": "类型"},
    "pool.kind.max": {"en": "max", "zh": "最大"},
    "pool.kind.avg": {"en": "average", "zh": "平均"},
    "pool.stride_default": {
        "en": "Stride = kernel size (PyTorch's default)",
        "zh": "步幅 = 窗口尺寸（PyTorch 的默认值）",
    },
    "pool.stride_default_help": {
        "en": "nn.MaxPool2d(2) means a 2×2 window moved 2 cells at a time: windows that do not overlap.",
        "zh": "nn.MaxPool2d(2) 表示 2×2 的窗口每次移动 2 格：窗口之间互不重叠。",
    },
    "pool.formula": {
        "en": "Output size: the same formula as convolution (dilation 1)",
        "zh": "输出尺寸：与卷积相同的公式（膨胀率为 1）",
    },
    "pool.formula_note": {
        "en": "Padding is at most half the window. Max pooling pads with −∞, so padding never wins; average "
        "pooling pads with zeros and counts them in the mean (PyTorch's count_include_pad=True).",
        "zh": "填充最多为窗口的一半。最大池化用 −∞ 填充，所以填充永远不会胜出；平均池化用零填充，"
        "并把这些零计入平均值（PyTorch 的 count_include_pad=True）。",
    },
    "pool.no_weights_help": {
        "en": "Pooling has no kernel to learn and no bias: nothing here is trained.",
        "zh": "池化没有要学习的卷积核，也没有偏置：这里没有任何东西需要训练。",
    },
    "pool.channels_kept": {"en": "Channels", "zh": "通道数"},
    "pool.no_weights.max": {
        "en": "Max pooling has **no weights**: each output value is the largest value in its window of **one** "
        "channel (boxed in pink). Channels are never mixed, so the channel count stays the same; only the "
        "height and width can change (to ⌊(H + 2p − k)/s⌋ + 1: smaller with the usual stride, the window). The "
        "network keeps the strongest response and forgets exactly where it was.",
        "zh": "最大池化**没有权重**：每个输出值是**单个**通道中其窗口内的最大值（用粉色框标出）。通道之间从不混合，"
        "所以通道数保持不变；只有高和宽可能改变（变为 ⌊(H + 2p − k)/s⌋ + 1：在通常的步幅，即窗口大小下会变小）。"
        "网络保留了最强的响应，而忘记了它的确切位置。",
    },
    "pool.no_weights.avg": {
        "en": "Average pooling has **no weights**: each output value is the mean of its window of **one** channel. "
        "Channels are never mixed, so the channel count stays the same; only the height and width can change "
        "(to ⌊(H + 2p − k)/s⌋ + 1: smaller with the usual stride, the window).",
        "zh": "平均池化**没有权重**：每个输出值是**单个**通道中其窗口内的平均值。通道之间从不混合，"
        "所以通道数保持不变；只有高和宽可能改变（变为 ⌊(H + 2p − k)/s⌋ + 1：在通常的步幅，即窗口大小下会变小）。",
    },
    "pool.animation_help.max": {
        "en": "{frames}. Press Play or drag the slider; the pink box marks the value each window "
        "keeps. Click an output cell to explain it below.",
        "zh": "共 {frames}。按“播放”或拖动滑块；粉色框标出每个窗口保留的值。点击一个输出单元格，在下方查看它的解释。",
    },
    "pool.animation_help.avg": {
        "en": "{frames}. Press Play or drag the slider; click an output cell to explain it below.",
        "zh": "共 {frames}。按“播放”或拖动滑块；点击一个输出单元格，在下方查看它的解释。",
    },
    "pool.animation": {"en": "The window sliding", "zh": "窗口的滑动"},
    "pool.step_channel": {"en": "Channel", "zh": "通道"},
    "pool.step_where": {
        "en": "Output channel **{c}**, row **{oy}**, column **{ox}**: the window covers padded rows {rows} and "
        "columns {cols} of input channel {c} only.",
        "zh": "输出通道 **{c}**，第 **{oy}** 行，第 **{ox}** 列：窗口只覆盖输入通道 {c} 填充后的第 {rows} 行、第 "
        "{cols} 列。",
    },
    "pool.torch_check": {
        "en": "PyTorch's F.{function} on the same input gives the same output (max |difference| {diff}).",
        "zh": "PyTorch 的 F.{function} 对同一输入给出相同的输出（最大 |差值| {diff}）。",
    },
    "pool.hover": {"en": "row %{y}, column %{x}<br>value %{z}", "zh": "第 %{y} 行，第 %{x} 列<br>值 %{z}"},
    "act.source": {"en": "Feature map", "zh": "特征图"},
    "act.source.lenet": {"en": "LeNet-5 conv1", "zh": "LeNet-5 conv1"},
    "act.source.kernel": {"en": "Picture ⊛ kernel", "zh": "图片 ⊛ 卷积核"},
    "act.channel": {"en": "Channel of LeNet-5's first layer", "zh": "LeNet-5 第一层的通道"},
    "act.picture": {"en": "Picture", "zh": "图片"},
    "act.upload": {"en": "Upload your own", "zh": "上传你自己的图片"},
    "act.kernel": {"en": "Kernel (3×3, padding 1)", "zh": "卷积核（3×3，填充 1）"},
    "act.function": {"en": "Activation", "zh": "激活函数"},
    "act.relu": {"en": "ReLU", "zh": "ReLU"},
    "act.leaky_relu": {"en": "Leaky ReLU", "zh": "Leaky ReLU"},
    "act.sigmoid": {"en": "Sigmoid", "zh": "Sigmoid"},
    "act.tanh": {"en": "Tanh", "zh": "Tanh"},
    "act.gelu": {"en": "GELU", "zh": "GELU"},
    "act.slope": {"en": "Negative slope", "zh": "负半轴斜率"},
    "act.why.relu": {
        "en": "ReLU keeps positive responses and sets every negative one to zero: it removes responses below zero "
        "(opposite to the kernel's pattern), not weak ones — a small positive response stays. The map becomes "
        "sparse. Without a non-linearity between them, stacked convolutions would collapse into one linear map.",
        "zh": "ReLU 保留正的响应，把所有负值置为零：它去掉的是小于零的响应（与卷积核的模式相反），而不是微弱的响应——"
        "一个小的正响应会保留下来。特征图变得稀疏。如果卷积层之间没有非线性，堆叠起来的卷积会塌缩成一个线性映射。",
    },
    "act.why.leaky_relu": {
        "en": "Leaky ReLU keeps a small slope for negative values (PyTorch's default is 0.01), so they shrink "
        "instead of vanishing, and their gradient is the slope rather than zero. With slope 0 it is ReLU.",
        "zh": "Leaky ReLU 对负值保留一个小斜率（PyTorch 默认 0.01），负值只是被缩小而不会消失，梯度等于这个斜率而不是零。"
        "斜率为 0 时它就是 ReLU。",
    },
    "act.why.sigmoid": {
        "en": "Sigmoid squashes every value into (0, 1); zero becomes 0.5, so nothing is zeroed. The LeNet-5 of "
        'Dive into Deep Learning (this app\'s "classic" model) uses it (LeCun et al., 1998, used a scaled tanh, '
        "1.7159·tanh(2x/3)); large values saturate, which slows training of deep networks.",
        "zh": "Sigmoid 把每个值压缩到 (0, 1)；零变成 0.5，所以没有值被置零。《动手学深度学习》中的 LeNet-5（本应用的“经典”模型）"
        "用的就是它（LeCun 等人 1998 年的原版用的是缩放的 tanh：1.7159·tanh(2x/3)）；值很大时会饱和，这会拖慢深层网络的训练。",
    },
    "act.why.tanh": {
        "en": "Tanh squashes values into (−1, 1) and keeps their sign; large values saturate.",
        "zh": "Tanh 把值压缩到 (−1, 1)，并保留符号；值很大时会饱和。",
    },
    "act.why.gelu": {
        "en": "GELU multiplies a value by the probability that a standard normal variable is below it: like a "
        "smooth ReLU that lets small negative values through a little.",
        "zh": "GELU 把一个值乘以“标准正态变量小于它”的概率：像一个平滑的 ReLU，让较小的负值也能通过一点。",
    },
    "act.negative": {"en": "Negative before", "zh": "之前为负的比例"},
    "act.zeroed": {"en": "Set to zero", "zh": "被置零的比例"},
    "act.zeroed_help": {
        "en": "Share of the values that were not zero before and are exactly zero after.",
        "zh": "之前不为零、之后恰好为零的值所占的比例。",
    },
    "act.range_before": {"en": "Range before", "zh": "之前的范围"},
    "act.range_after": {"en": "Range after", "zh": "之后的范围"},
    "act.before": {"en": "before", "zh": "激活之前"},
    "act.after": {"en": "after {name}", "zh": "经过 {name} 之后"},
    "act.same_scale": {
        "en": "Both maps use the same colour scale, so a colour means the same value in both.",
        "zh": "两张图使用同一个颜色刻度，所以同一种颜色在两张图中代表同一个数值。",
    },
    "act.histogram": {"en": "Values before and after", "zh": "之前与之后的数值分布"},
    "act.value": {"en": "value", "zh": "数值"},
    "act.count": {"en": "number of cells", "zh": "单元格个数"},
    "act.histogram_help.relu": {
        "en": "The same bins for both: after ReLU every negative value piles up in the bin at zero, and the "
        "positive values stay where they were.",
        "zh": "两者使用相同的分箱：经过 ReLU 之后，所有负值都堆积到零所在的那一箱，正值保持原位。",
    },
    "act.histogram_help.leaky_relu": {
        "en": "The same bins for both: after Leaky ReLU the negative values move towards zero (multiplied by the "
        "slope) but stay negative, and the positive values stay where they were.",
        "zh": "两者使用相同的分箱：经过 Leaky ReLU 之后，负值向零靠拢（乘以斜率）但仍为负，正值保持原位。",
    },
    "act.histogram_help.sigmoid": {
        "en": "The same bins for both: after Sigmoid every value lies between 0 and 1, zero moves to 0.5, and the "
        "large values crowd together just below 1.",
        "zh": "两者使用相同的分箱：经过 Sigmoid 之后，所有值都落在 0 和 1 之间，零变成 0.5，较大的值挤在略低于 1 的地方。",
    },
    "act.histogram_help.tanh": {
        "en": "The same bins for both: after Tanh every value lies between −1 and 1 with its sign kept, and the "
        "large values crowd together near −1 and 1.",
        "zh": "两者使用相同的分箱：经过 Tanh 之后，所有值都落在 −1 和 1 之间且符号不变，较大的值挤在 −1 和 1 附近。",
    },
    "act.histogram_help.gelu": {
        "en": "The same bins for both: after GELU the positive values barely move, and the negative values are "
        "pulled towards zero, none below about −0.17.",
        "zh": "两者使用相同的分箱：经过 GELU 之后，正值几乎不变，负值被拉向零，没有一个小于约 −0.17。",
    },
    "up.source": {"en": "Map to upsample", "zh": "要上采样的特征图"},
    "up.source.lenet": {"en": "LeNet-5 pooled map", "zh": "LeNet-5 池化后的特征图"},
    "up.source.digit": {"en": "Small digit", "zh": "缩小的数字"},
    "up.source.random": {"en": "Random", "zh": "随机"},
    "up.size": {"en": "Size (pixels on the longer side)", "zh": "尺寸（长边像素数）"},
    "up.layer": {"en": "Upsampling", "zh": "上采样"},
    "up.mode": {"en": "Mode", "zh": "模式"},
    "up.scale": {"en": "Scale", "zh": "放大倍数"},
    "up.corners_help": {
        "en": "False (the default): pixels are squares, and the outer corners of the input's and the output's "
        "corner pixels line up. True: the centres of the corner pixels line up, so the corner values are kept "
        "exactly (PyTorch's documentation of F.interpolate).",
        "zh": "False（默认）：像素被看作小方块，输入和输出角上像素的外角对齐。True：角上像素的中心对齐，"
        "所以四个角的值保持不变（见 PyTorch 的 F.interpolate 文档）。",
    },
    "up.what.nearest": {
        "en": "Nearest: every value is copied into a scale × scale block. No new values appear; there are no weights.",
        "zh": "最近邻（nearest）：每个值被复制到一个 scale × scale 的方块中。不产生新的数值；没有权重。",
    },
    "up.what.bilinear": {
        "en": "Bilinear: each output value is a weighted mean of the 4 nearest input values, weighted by distance "
        "along each axis. No weights are learned.",
        "zh": "双线性（bilinear）：每个输出值是最近 4 个输入值的加权平均，权重由沿每个坐标轴的距离决定。"
        "没有需要学习的权重。",
    },
    "up.what.bicubic": {
        "en": "Bicubic: each output value mixes 4 × 4 input values with cubic weights (a = −0.75). Smoother than "
        "bilinear; it can overshoot the input's range. No weights are learned.",
        "zh": "双三次（bicubic）：每个输出值用三次权重（a = −0.75）混合 4 × 4 个输入值。比双线性更平滑；"
        "结果可能超出输入的取值范围。没有需要学习的权重。",
    },
    "up.overshoot": {
        "en": "Bicubic overshoots: some outputs lie outside the input's range, because its weights can be negative.",
        "zh": "双三次插值出现了过冲：有些输出超出了输入的取值范围，因为它的权重可以是负数。",
    },
    "up.explain": {"en": "Where one output value comes from", "zh": "一个输出值从哪里来"},
    "up.step_where": {
        "en": "Output row **{oy}**, column **{ox}** maps to input coordinate ({sy}, {sx}); it reads input rows "
        "{rows} and columns {cols} (indices clamped at the border).",
        "zh": "输出第 **{oy}** 行、第 **{ox}** 列对应输入坐标 ({sy}, {sx})；它读取输入的第 {rows} 行、第 {cols} "
        "列（越过边界的下标被截到边界上）。",
    },
    "up.clamped": {
        "en": "Bilinear upsampling without align_corners clamps a coordinate below 0 to 0 (as PyTorch does): the "
        "first output rows and columns copy the input's border instead of reaching outside it.",
        "zh": "不使用 align_corners 的双线性上采样会把小于 0 的坐标截为 0（与 PyTorch 相同）：前几行和前几列输出直接"
        "复制输入的边界，而不会取到输入之外。",
    },
    "up.torch_check": {
        "en": "F.interpolate gives {value} here: the same number as the sum above.",
        "zh": "F.interpolate 在这里给出 {value}：与上面的求和结果相同。",
    },
    "up.torch_mismatch": {
        "en": "F.interpolate gives {value} here, but the sum above gives {step}. Please report this.",
        "zh": "F.interpolate 在这里给出 {value}，但上面的求和结果是 {step}。请报告这个问题。",
    },
    # (end of pooling & activations)
    # --- Transposed convolution page (tconv.*) -------------------------------------------------
    "tconv.title": {"en": "Transposed convolution", "zh": "转置卷积"},
    "tconv.title.intro": {
        "en": "Each input value stamps value × kernel onto a larger output; the same result is an ordinary "
        "convolution over the input with zeros inserted. Both views, with your numbers.",
        "zh": "每个输入值把“值 × 卷积核”盖印到一个更大的输出上；同样的结果也可以由在插入了零的输入上做普通卷积得到。"
        "两种视角，用你的数字演示。",
    },
    "tconv.input": {"en": "Input", "zh": "输入"},
    "tconv.source": {"en": "Source", "zh": "来源"},
    "tconv.source.example": {"en": "Example", "zh": "例子"},
    "tconv.source.random": {"en": "Random", "zh": "随机"},
    "tconv.example": {"en": "Example", "zh": "例子"},
    # Labels fit the sidebar's select box; tconv.example.about.* under it says where each comes from.
    "tconv.example.d2l_2x2": {"en": "D2L: kernel 2×2, stride 1", "zh": "D2L：2×2 核，步幅 1"},
    "tconv.example.dumoulin_stride2": {"en": "Dumoulin & Visin: stride 2", "zh": "Dumoulin & Visin：步幅 2"},
    "tconv.example.about.d2l_2x2": {
        "en": "Dive into Deep Learning, “Transposed Convolution”: a 2×2 input and a 2×2 kernel, stride 1, give "
        "a 3×3 output.",
        "zh": "《动手学深度学习》“转置卷积”一节：2×2 输入、2×2 卷积核、步幅 1，得到 3×3 输出。",
    },
    "tconv.example.about.dumoulin_stride2": {
        "en": "Dumoulin & Visin, “A guide to convolution arithmetic for deep learning”, figure 4.5: a 2×2 input "
        "and a 3×3 kernel, stride 2, give a 5×5 output.",
        "zh": "Dumoulin 与 Visin《A guide to convolution arithmetic for deep learning》图 4.5：2×2 输入、3×3 卷积核、"
        "步幅 2，得到 5×5 输出。",
    },
    "tconv.channels": {"en": "Input channels", "zh": "输入通道数"},
    "tconv.height": {"en": "Height", "zh": "高"},
    "tconv.width": {"en": "Width", "zh": "宽"},
    "tconv.seed": {"en": "Random seed", "zh": "随机种子"},
    "tconv.layer": {"en": "Layer", "zh": "转置卷积层"},
    "tconv.out_channels": {"en": "Output channels", "zh": "输出通道数"},
    "tconv.kernel": {"en": "Kernel size", "zh": "卷积核尺寸"},
    "tconv.stride": {"en": "Stride", "zh": "步幅"},
    "tconv.padding": {"en": "Padding", "zh": "填充"},
    "tconv.padding_help": {
        "en": "In a transposed convolution padding removes rows and columns: it crops this many from each side "
        "of the output.",
        "zh": "在转置卷积中，填充是去掉行和列：从输出的每一侧裁掉这么多行和列。",
    },
    "tconv.output_padding": {"en": "Output padding", "zh": "输出填充"},
    "tconv.output_padding_help": {
        "en": "Adds rows and columns at the bottom and right only; it must be smaller than the stride or the dilation.",
        "zh": "只在下方和右侧增加行和列；它必须小于步幅或膨胀率。",
    },
    "tconv.dilation": {"en": "Dilation", "zh": "膨胀率"},
    "tconv.groups": {"en": "Groups", "zh": "分组数"},
    "tconv.groups_help": {
        "en": "Input and output channels are split into this many groups; each input channel writes only to the "
        "output channels of its own group.",
        "zh": "输入通道和输出通道都被分成这么多组；每个输入通道只写入本组的输出通道。",
    },
    "tconv.bias": {"en": "Bias", "zh": "偏置"},
    "tconv.kernels": {"en": "Kernels", "zh": "卷积核"},
    "tconv.preset": {"en": "Kernel preset", "zh": "卷积核预设"},
    "tconv.preset.example": {"en": "the example's kernel", "zh": "例子自带的卷积核"},
    "tconv.preset.ones": {"en": "ones", "zh": "全 1"},
    "tconv.preset.identity": {"en": "identity (centre 1)", "zh": "恒等（中心为 1）"},
    "tconv.preset.bilinear": {"en": "bilinear upsampling", "zh": "双线性上采样"},
    "tconv.preset.random_int": {"en": "random integers (−1 to 2)", "zh": "随机整数（−1 到 2）"},
    "tconv.edit": {"en": "✏️ Edit kernels and bias", "zh": "✏️ 编辑卷积核和偏置"},
    "tconv.edit_help": {
        "en": "The weight has shape [C_in, C_out/groups, k, k]: one k×k kernel for each (input channel, output "
        "channel of its group) pair. Type new values; the page recomputes at once.",
        "zh": "权重的形状是 [C_in, C_out/groups, k, k]：每一对（输入通道，其所在组的输出通道）对应一个 k×k 的卷积核。"
        "输入新的数值，页面会立即重新计算。",
    },
    "tconv.edit_input": {"en": "Input channel", "zh": "输入通道"},
    "tconv.edit_output": {"en": "Output channel (in the group)", "zh": "输出通道（组内编号）"},
    "tconv.bias_column": {"en": "bias", "zh": "偏置"},
    "tconv.formula": {"en": "Output size", "zh": "输出尺寸"},
    "tconv.symbols": {
        "en": "s = stride, p = padding (cropped from each side), k = kernel size, d = dilation, "
        "p_out = output padding (added at the bottom/right). Nothing is divided, so nothing is rounded.",
        "zh": "s = 步幅，p = 填充（从每一侧裁掉），k = 卷积核尺寸，d = 膨胀率，p_out = 输出填充（加在下方/右侧）。"
        "这里没有除法，所以不需要取整。",
    },
    "tconv.not_inverse": {
        "en": "A transposed convolution is not the inverse of a convolution: it restores the shape of the "
        "convolution's input, not its values. Written as a matrix, it multiplies by the transpose of the "
        "convolution's matrix: the operation backpropagation uses to carry a convolution's output gradient back "
        "to its input. With learned weights it is a learnable upsampling.",
        "zh": "转置卷积不是卷积的逆运算：它恢复的是卷积输入的形状，而不是它的数值。写成矩阵时，它乘的是卷积矩阵的"
        "转置：反向传播正是用这个运算，把卷积输出的梯度传回到卷积的输入。权重可以学习，所以它是一种可学习的上采样。",
    },
    "tconv.output_padding_why": {
        "en": "Why output padding exists: with stride {stride}, a convolution with this kernel, stride and "
        "padding turns inputs of {low} to {high} rows all into {rows}. Going back from {rows}, the transposed "
        "convolution gives {low}; output padding p (0 ≤ p, smaller than the stride {stride} or the dilation) "
        "gives {low} + p, so any of "
        "the sizes from {low} to {high} can be chosen.",
        "zh": "为什么需要输出填充：步幅为 {stride} 时，用这个卷积核、步幅和填充做卷积，{low} 到 {high} "
        "行的输入都会变成 {rows}。从 {rows} 反推回去，转置卷积给出 {low} 行；输出填充 p（0 ≤ p，且小于步幅 {stride} 或膨胀率）"
        "给出 {low} + p 行，所以 {low} 到 {high} 中的任何尺寸都可以选到。",
    },
    "tconv.shape_input": {"en": "Input [C_in, H, W]", "zh": "输入 [C_in, H, W]"},
    "tconv.shape_weight": {"en": "Weight [C_in, C_out/groups, k, k]", "zh": "权重 [C_in, C_out/groups, k, k]"},
    "tconv.shape_output": {"en": "Output [C_out, H_out, W_out]", "zh": "输出 [C_out, H_out, W_out]"},
    "tconv.params": {"en": "Parameters", "zh": "参数量"},
    "tconv.view": {"en": "View", "zh": "视角"},
    "tconv.view.scatter": {"en": "scatter: value × kernel", "zh": "散布：值 × 卷积核"},
    "tconv.view.equivalent": {"en": "equivalent convolution", "zh": "等价的卷积"},
    "tconv.scatter": {"en": "Each input value stamps value × kernel", "zh": "每个输入值盖印“值 × 卷积核”"},
    "tconv.scatter_help": {
        "en": "{frames}. Green: the input value being used. Orange: the cells where value × "
        "kernel is added, on the uncropped output. The output shows running sums: after each step every cell "
        "holds what the input values so far have added there; the bias is added once per cell, at the last step. "
        "Grey: cells no value has reached yet; {mark}: cells no input value ever writes to (they hold only the "
        "bias). "
        "Click an input cell to explain it below.",
        "zh": "共 {frames}。绿色：正在使用的输入值。橙色：在未裁剪的输出上，加上“值 × 卷积核”的单元格。"
        "输出显示的是累加和：每一步之后，每个单元格保存的是到目前为止各输入值加到这里的总和；偏置在最后一步给每个"
        "单元格加一次。灰色：还没有任何值写到的单元格；{mark}：没有任何输入值会写到的单元格（它们只有偏置）。"
        "点击一个输入单元格，在下方查看它的解释。",
    },
    "tconv.scatter_padding": {
        "en": "Shaded rows and columns are removed by padding {padding}; the dotted line is the output.",
        "zh": "阴影的行和列会被填充 {padding} 裁掉；虚线是输出。",
    },
    "tconv.scatter_output_padding": {
        "en": "Output padding {output_padding} adds that many rows at the bottom and columns at the right.",
        "zh": "输出填充 {output_padding} 在下方增加 {output_padding} 行、在右侧增加 {output_padding} 列。",
    },
    "tconv.scatter_step": {"en": "What one input value writes", "zh": "一个输入值写了什么"},
    "tconv.back": {"en": "Previous position", "zh": "上一个位置"},
    "tconv.forward": {"en": "Next position", "zh": "下一个位置"},
    "tconv.position": {"en": "Position", "zh": "位置"},
    "tconv.step_input": {"en": "Input channel", "zh": "输入通道"},
    "tconv.step_output": {"en": "Output channel", "zh": "输出通道"},
    "tconv.scatter_where": {
        "en": "Input channel **{ic}**, row **{iy}**, column **{ix}** holds **{value}**. It multiplies every "
        "kernel of its group and adds the result onto rows {rows} and columns {cols} of the uncropped output.",
        "zh": "输入通道 **{ic}**，第 **{iy}** 行，第 **{ix}** 列的值是 **{value}**。它乘以本组的每个卷积核，"
        "再把结果加到未裁剪输出的第 {rows} 行、第 {cols} 列上。",
    },
    "tconv.scatter_channel": {"en": "onto output channel {oc}:", "zh": "加到输出通道 {oc}："},
    "tconv.scatter_all_inside": {
        "en": "All of it lands inside the output: rows {rows}, columns {cols}.",
        "zh": "全部落在输出之内：第 {rows} 行，第 {cols} 列。",
    },
    "tconv.scatter_cropped": {
        "en": "{kept} of the {taps} cells land inside the output; the others fall in the rows or columns that "
        "padding {padding} crops away.",
        "en_one": "{kept} of the {taps} cells lands inside the output; the others fall in the rows or columns that "
        "padding {padding} crops away.",
        "zh": "{taps} 个单元格中有 {kept} 个落在输出之内；其余的落在被填充 {padding} 裁掉的行或列中。",
    },
    "tconv.gather": {"en": "Where one output value comes from", "zh": "一个输出值从哪里来"},
    "tconv.out_oc": {"en": "Output channel", "zh": "输出通道"},
    "tconv.out_y": {"en": "Output row", "zh": "输出行"},
    "tconv.out_x": {"en": "Output column", "zh": "输出列"},
    "tconv.gather_where_one": {
        "en": "One input value writes here, times one kernel weight:",
        "zh": "只有 1 个输入值写到这里，它乘以一个卷积核权重：",
    },
    "tconv.gather_where": {
        "en": "{n} input values write here, each times one kernel weight:",
        "zh": "有 {n} 个输入值写到这里，每个都乘以一个卷积核权重：",
    },
    "tconv.gather_indices": {
        "en": "$x_{{c,i,j}}$ is `input[c, i, j]`; $w_{{c,o,k_y,k_x}}$ is `weight[c, o, ky, kx]`, indexed as "
        "nn.ConvTranspose2d stores it, [C_in, C_out/groups, kH, kW]: input channel c, then output channel "
        "{oc}'s number within its group of {per_group} (o = {oc} mod {per_group} = {j}), then the kernel row and "
        "column.",
        "zh": "$x_{{c,i,j}}$ 是 `input[c, i, j]`；$w_{{c,o,k_y,k_x}}$ 是 `weight[c, o, ky, kx]`，下标顺序与 "
        "nn.ConvTranspose2d 存储权重的顺序 [C_in, C_out/groups, kH, kW] 相同：先是输入通道 c，然后是输出通道 {oc} "
        "在它所在的组（每组 {per_group} 个）里的编号（o = {oc} mod {per_group} = {j}），最后是卷积核的行和列。",
    },
    "tconv.gather_none": {
        "en": "No input value writes to this cell, so it holds only the bias.",
        "zh": "没有任何输入值写到这个单元格，所以它只有偏置。",
    },
    "tconv.gather_none_no_bias": {
        "en": "No input value writes to this cell, so it holds 0 (this layer has no bias).",
        "zh": "没有任何输入值写到这个单元格，所以它的值是 0（这一层没有偏置）。",
    },
    "tconv.empty.rows.output_padding": {
        "en": "Row {index} lies below the last row any stamped kernel reaches: it is one of the rows that output "
        "padding ({output_padding}) adds at the bottom, and no input value writes there.",
        "zh": "第 {index} 行在所有盖印的卷积核能到达的最后一行之下：它是输出填充（{output_padding}）在下方增加的行之一，"
        "没有任何输入值写到那里。",
    },
    "tconv.empty.cols.output_padding": {
        "en": "Column {index} lies right of the last column any stamped kernel reaches: it is one of the columns "
        "that output padding ({output_padding}) adds at the right, and no input value writes there.",
        "zh": "第 {index} 列在所有盖印的卷积核能到达的最后一列的右边：它是输出填充（{output_padding}）在右侧增加的列之一，"
        "没有任何输入值写到那里。",
    },
    "tconv.empty.rows.stride_gap": {
        "en": "Row {index} falls between the stamps of input rows {source} and {next}: stamps start every {stride} "
        "rows, but each reaches only {span} (d·(k − 1) + 1), so the rows in between are never written.",
        "zh": "第 {index} 行落在输入第 {source} 行和第 {next} 行的盖印之间：盖印每隔 {stride} 行开始一次，但每次只覆盖 "
        "{span} 行（d·(k − 1) + 1），所以中间的行从来没有被写到。",
    },
    "tconv.empty.cols.stride_gap": {
        "en": "Column {index} falls between the stamps of input columns {source} and {next}: stamps start every "
        "{stride} columns, but each reaches only {span} (d·(k − 1) + 1), so the columns in between are never "
        "written.",
        "zh": "第 {index} 列落在输入第 {source} 列和第 {next} 列的盖印之间：盖印每隔 {stride} 列开始一次，但每次只覆盖 "
        "{span} 列（d·(k − 1) + 1），所以中间的列从来没有被写到。",
    },
    "tconv.empty.rows.dilation_gap": {
        "en": "Row {index} falls between two taps of the kernel that input row {source} stamps: dilation {dilation} "
        "puts the taps {dilation} rows apart, and no other stamp has a tap on this row.",
        "zh": "第 {index} 行落在输入第 {source} 行所盖印的卷积核的两个元素之间：膨胀率 {dilation} 让相邻元素相隔 "
        "{dilation} 行，而且没有别的盖印在这一行上有元素。",
    },
    "tconv.empty.cols.dilation_gap": {
        "en": "Column {index} falls between two taps of the kernel that input column {source} stamps: dilation "
        "{dilation} puts the taps {dilation} columns apart, and no other stamp has a tap on this column.",
        "zh": "第 {index} 列落在输入第 {source} 列所盖印的卷积核的两个元素之间：膨胀率 {dilation} 让相邻元素相隔 "
        "{dilation} 列，而且没有别的盖印在这一列上有元素。",
    },
    "tconv.gather_match": {
        "en": "nn.ConvTranspose2d gives {value} at this cell, and the sum above is {total}: the same, up to float32 "
        "rounding (difference {diff}).",
        "zh": "nn.ConvTranspose2d 在这个单元格给出 {value}，上面的和是 {total}：两者一致，差别不超过 float32 的舍入误差"
        "（差值 {diff}）。",
    },
    "tconv.gather_mismatch": {
        "en": "nn.ConvTranspose2d gives {value} at this cell, but the sum above is {total} (difference {diff}). "
        "Please report this.",
        "zh": "nn.ConvTranspose2d 在这个单元格给出 {value}，但上面的和是 {total}（差值 {diff}）。请报告这个问题。",
    },
    "tconv.equivalent": {"en": "The same output as an ordinary convolution", "zh": "同样的输出，作为一次普通卷积"},
    "tconv.equivalent_help": {
        "en": "Insert {zeros} between neighbouring input values (the stride becomes zero insertion), pad by "
        "d·(k − 1) − p: {top} at the top and {bottom} at the bottom, {left} left and {right} right (output "
        "padding adds to the bottom/right; a negative number crops instead), then slide the kernel, flipped in "
        "both directions, with stride 1 and dilation {dilation}. Shaded cells are padding; the dotted line is the "
        "zero-inserted input.",
        "zh": "在相邻的输入值之间插入 {zeros}（步幅变成了插零），再填充 d·(k − 1) − p：上方 {top}、下方 "
        "{bottom} 行，左侧 {left}、右侧 {right} 列（输出填充加在下方/右侧；负数表示改为裁剪），然后用上下、"
        "左右都翻转过的卷积核，以步幅 1、膨胀率 {dilation} 滑动。阴影单元格是填充；虚线是插零后的输入。",
    },
    "tconv.shape_zero_inserted": {"en": "Zero-inserted input", "zh": "插零后的输入"},
    "tconv.shape_padded": {"en": "Padded, zero-inserted input", "zh": "插零并填充后的输入"},
    "tconv.shape_equivalent_weight": {
        "en": "Flipped weight [C_out, C_in/groups, k, k]",
        "zh": "翻转后的权重 [C_out, C_in/groups, k, k]",
    },
    "tconv.flip_help": {
        "en": "The kernel is flipped (rotated 180°) and its input and output channels swapped: a stamped kernel "
        "read back from the output's side appears mirrored.",
        "zh": "卷积核被翻转（旋转 180°），并交换输入通道与输出通道：从输出一侧回看，盖印的卷积核是镜像的。",
    },
    "tconv.equivalent_step": {
        "en": "How one output value is made (equivalent convolution)",
        "zh": "一个输出值是怎样算出来的（等价卷积）",
    },
    "tconv.torch": {"en": "The same layer in PyTorch", "zh": "PyTorch 中的同一层"},
    "tconv.torch_match": {
        "en": "nn.ConvTranspose2d gives the same output (largest difference {diff}, rounding only).",
        "zh": "nn.ConvTranspose2d 给出相同的输出（最大差值 {diff}，只是舍入误差）。",
    },
    "tconv.torch_mismatch": {
        "en": "nn.ConvTranspose2d differs from the trace by up to {diff}. Please report this.",
        "zh": "nn.ConvTranspose2d 与逐步计算的结果最多相差 {diff}。请报告这个问题。",
    },
    "err.tconv_input_range": {
        "en": "Position {name} = {value} is outside the input (valid: 0 to {size} − 1).",
        "zh": "位置 {name} = {value} 超出了输入范围（有效范围：0 到 {size} − 1）。",
    },
    "err.tconv_weight_in": {
        "en": "The weight {shape} starts with {got}, but the input has {channels}. A transposed convolution's "
        "weight has shape [C_in, C_out/groups, kH, kW]: its first dimension is the number of input channels.",
        "zh": "权重 {shape} 的第一维是 {got}，但输入有 {channels}。转置卷积的权重形状是 [C_in, C_out/groups, kH, "
        "kW]：第一维是输入通道数。",
    },
    "err.tconv_groups_out": {
        "en": "Groups must divide the output channels: {channels} cannot be split into {groups} equal groups. "
        "Use a multiple of {groups} output channels, or fewer groups.",
        "zh": "分组数必须整除输出通道数：{channels}无法平均分成 {groups} 组。请使用 {groups} "
        "的倍数个输出通道，或减少分组数。",
    },
    "err.tconv_bias": {
        "en": "The bias has {got}, but there are {c_out} ({per_group} per group × {groups}): one bias per "
        "output channel.",
        "zh": "偏置有 {got}，但有 {c_out}（每组 {per_group} 个 × {groups}）：每个输出通道对应一个偏置。",
    },
    "err.tconv_output_padding": {
        "en": "Output padding {output_padding} ({axis}) must be smaller than the stride ({stride}) or the "
        "dilation ({dilation}): it only chooses among the output sizes the stride makes ambiguous. Use at most "
        "{largest}, or raise the stride.",
        "zh": "输出填充 {output_padding}（{axis}）必须小于步幅（{stride}）或膨胀率（{dilation}）："
        "它只用来在步幅造成的多个可能的输出尺寸中做选择。请最多使用 {largest}，或增大步幅。",
    },
    "err.tconv_empty_output": {
        "en": "The output would have {out} {axis}: ({size} − 1)·{stride} − 2·{padding} + {dilation}·({kernel} − 1) "
        "+ {output_padding} + 1 = {out}. Padding crops {cropped} from each side of the {written} the kernels "
        "write to. Use a padding of at most {largest}, or a larger input, kernel, stride or dilation.",
        "zh": "输出将只有 {out} {axis}：({size} − 1)·{stride} − 2·{padding} + {dilation}·({kernel} − 1) + "
        "{output_padding} + 1 = {out}。填充从卷积核写入的 {written} {axis}两侧各裁掉 {cropped}。请使用最多 "
        "{largest} 的填充，或增大输入、卷积核、步幅或膨胀率。",
    },
    # (end of transposed convolution)
    # --- Network builder page (nb.*) -----------------------------------------------------------
    "nb.title": {"en": "Network builder", "zh": "搭建网络"},
    "nb.title.intro": {
        "en": "Start from an input shape and stack layers: after each one, its output shape, parameters and "
        "receptive field. A layer that does not fit is explained, and the stack exports as nn.Sequential code.",
        "zh": "从一个输入形状开始逐层堆叠：每加一层，都能看到它的输出形状、参数量和感受野。放不进去的层会得到解释，"
        "整个网络可以导出为 nn.Sequential 代码。",
    },
    # the layer kinds (also inside error messages: "Layer 3 (Conv2d): …")
    "nb.kind": {"en": "Layer type", "zh": "层的类型"},
    "nb.kind.conv2d": {"en": "Conv2d", "zh": "Conv2d"},
    "nb.kind.conv1x1": {"en": "1×1 Conv2d", "zh": "1×1 Conv2d"},
    "nb.kind.maxpool": {"en": "MaxPool2d", "zh": "MaxPool2d"},
    "nb.kind.avgpool": {"en": "AvgPool2d", "zh": "AvgPool2d"},
    "nb.kind.activation": {"en": "Activation", "zh": "激活函数"},
    "nb.kind.batchnorm2d": {"en": "BatchNorm2d", "zh": "BatchNorm2d"},
    "nb.kind.flatten": {"en": "Flatten", "zh": "Flatten"},
    "nb.kind.linear": {"en": "Linear", "zh": "Linear"},
    "nb.kind.basic_block": {"en": "BasicBlock (residual)", "zh": "BasicBlock（残差块）"},
    "nb.kind.bottleneck": {"en": "Bottleneck (residual)", "zh": "Bottleneck（残差块）"},
    "nb.about.conv2d": {
        "en": "Slides out_channels kernels of in_channels × k × k over the map.",
        "zh": "让 out_channels 个 in_channels × k × k 的卷积核在特征图上滑动。",
    },
    "nb.about.conv1x1": {
        "en": "A 1×1 kernel sees one pixel: it mixes the channels there and changes their number, not the size.",
        "zh": "1×1 卷积核只看一个像素：它在该像素处混合各通道、改变通道数，而不改变尺寸。",
    },
    "nb.about.maxpool": {
        "en": "Keeps the largest value of each window, per channel. No parameters.",
        "zh": "在每个通道上，保留每个窗口中的最大值。没有参数。",
    },
    "nb.about.avgpool": {
        "en": "Averages each window, per channel. No parameters.",
        "zh": "在每个通道上，对每个窗口求平均。没有参数。",
    },
    "nb.about.activation": {
        "en": "Applied to every value on its own: the shape does not change.",
        "zh": "逐个作用在每个值上：形状不变。",
    },
    "nb.about.batchnorm2d": {
        "en": "Normalises each channel with its mean and variance, then scales and shifts it (2 parameters per "
        "channel).",
        "zh": "用每个通道的均值和方差做归一化，再缩放和平移（每个通道 2 个参数）。",
    },
    "nb.about.flatten": {
        "en": "Turns a C×H×W map into one vector of C·H·W values, for Linear layers.",
        "zh": "把 C×H×W 的特征图展平成一个有 C·H·W 个值的向量，供全连接层（Linear）使用。",
    },
    "nb.about.linear": {
        "en": "Every output is a weighted sum of all in_features inputs, plus a bias.",
        "zh": "全连接层：每个输出都是全部 in_features 个输入的加权和，再加上偏置。",
    },
    "nb.about.basic_block": {
        "en": "ResNet-18/34's block: two 3×3 convolutions with batch norm, plus the input added back (a 1×1 "
        "convolution adapts the shortcut when the stride or the channel count changes).",
        "zh": "ResNet-18/34 的残差块：两个带批归一化的 3×3 卷积，再把输入加回来（当步幅或通道数改变时，用一个 1×1 "
        "卷积调整捷径分支）。",
    },
    "nb.about.bottleneck": {
        "en": "ResNet-50's block: 1×1 squeezes to width channels, 3×3 works there, 1×1 expands to 4 × width; "
        "the input is added back.",
        "zh": "ResNet-50 的残差块：1×1 卷积把通道压缩到 width，3×3 卷积在此处理，1×1 卷积再扩展到 4 × width；"
        "最后把输入加回来。",
    },
    "nb.param.in_channels": {"en": "in_channels", "zh": "in_channels"},
    "nb.param.out_channels": {"en": "out_channels", "zh": "out_channels"},
    "nb.param.kernel_size": {"en": "kernel_size", "zh": "kernel_size"},
    "nb.param.stride": {"en": "stride", "zh": "stride"},
    "nb.param.padding": {"en": "padding", "zh": "padding"},
    "nb.param.dilation": {"en": "dilation", "zh": "dilation"},
    "nb.param.bias": {"en": "bias", "zh": "bias"},
    "nb.param.function": {"en": "function", "zh": "function"},
    "nb.param.num_features": {"en": "num_features", "zh": "num_features"},
    "nb.param.in_features": {"en": "in_features", "zh": "in_features"},
    "nb.param.out_features": {"en": "out_features", "zh": "out_features"},
    "nb.param.width": {"en": "width", "zh": "width"},
    "nb.help.in_channels": {
        "en": "Channels the layer expects: must equal the channels of its input.",
        "zh": "该层期望的通道数：必须等于它的输入的通道数。",
    },
    "nb.help.out_channels": {
        "en": "Number of kernels, so the channels of the output.",
        "zh": "卷积核个数，也就是输出的通道数。",
    },
    "nb.help.kernel_size": {"en": "Side of the square window.", "zh": "正方形窗口的边长。"},
    "nb.help.stride": {
        "en": "Step between windows; 2 roughly halves the height and width: ⌊(H + 2p − k)/2⌋ + 1.",
        "zh": "窗口之间的步幅；取 2 时高和宽大约减半：⌊(H + 2p − k)/2⌋ + 1。",
    },
    "nb.help.padding": {
        "en": "Rows and columns added on every side (zeros; pooling pads with −∞ or 0).",
        "zh": "在每一侧添加的行数和列数（补零；池化用 −∞ 或 0 填充）。",
    },
    "nb.help.dilation": {"en": "Spacing between the kernel's taps.", "zh": "卷积核各元素之间的间隔。"},
    "nb.help.num_features": {
        "en": "Channels to normalise: must equal the channels of the input.",
        "zh": "要归一化的通道数：必须等于输入的通道数。",
    },
    "nb.help.in_features": {
        "en": "Length of the input vector: must equal what Flatten or the previous Linear gives.",
        "zh": "输入向量的长度：必须等于 Flatten 或上一个 Linear 给出的长度。",
    },
    "nb.help.out_features": {"en": "Length of the output vector.", "zh": "输出向量的长度。"},
    "nb.help.width": {
        "en": "Channels inside the block; it outputs 4 × width.",
        "zh": "残差块内部的通道数；它输出 4 × width 个通道。",
    },
    # presets and controls
    "nb.preset": {"en": "Preset", "zh": "预设"},
    "nb.preset.lenet5": {"en": "LeNet-5 (as in the notes)", "zh": "LeNet-5（与笔记中相同）"},
    "nb.preset.custom": {"en": "Your own stack (changed)", "zh": "你自己的网络（已修改）"},
    # preset names fit the sidebar's select box (about 190 px of text; tests/test_browser_builder.py measures them)
    "nb.preset.basic_block": {"en": "ResNet basic blocks", "zh": "ResNet 基本块（BasicBlock）"},
    "nb.preset.bottleneck": {"en": "ResNet bottleneck blocks", "zh": "ResNet 瓶颈块（Bottleneck）"},
    "nb.preset.mismatch": {"en": "Mistake: wrong in_channels", "zh": "错误示例：输入通道数不匹配"},
    "nb.preset.no_flatten": {"en": "Mistake: Linear without Flatten", "zh": "错误示例：缺少 Flatten"},
    "nb.reset": {"en": "Reload the preset", "zh": "重新载入预设"},
    "nb.input": {"en": "Input", "zh": "输入"},
    "nb.input_c": {"en": "channels C", "zh": "通道数 C"},
    "nb.input_h": {"en": "height H", "zh": "高 H"},
    "nb.input_w": {"en": "width W", "zh": "宽 W"},
    "nb.add_header": {"en": "Add a layer", "zh": "添加一层"},
    "nb.autofit": {"en": "Fit input sizes to the stack", "zh": "自动匹配输入尺寸"},
    "nb.autofit_help": {
        "en": "On: in_channels, num_features and in_features are taken from the current output, as "
        "nn.LazyConv2d and nn.LazyLinear do. Off: you type them, as in ordinary PyTorch code, and a mismatch "
        "is explained.",
        "zh": "开：in_channels、num_features 和 in_features 取自当前的输出，就像 nn.LazyConv2d 和 nn.LazyLinear 那样。"
        "关：由你手动输入，就像普通的 PyTorch 代码一样，不匹配时会给出解释。",
    },
    "nb.add": {"en": "Add", "zh": "添加"},
    "nb.edit_header": {"en": "Edit the stack", "zh": "编辑网络"},
    "nb.pick": {"en": "Layer", "zh": "层"},
    "nb.up": {"en": "Move up", "zh": "上移"},
    "nb.down": {"en": "Move down", "zh": "下移"},
    "nb.remove": {"en": "Remove", "zh": "删除"},
    "nb.clear": {"en": "Clear the stack", "zh": "清空网络"},
    # the table
    "nb.stack": {"en": "The stack, layer by layer", "zh": "网络结构，逐层查看"},
    "nb.col_index": {"en": "#", "zh": "#"},
    "nb.col_layer": {"en": "layer", "zh": "层"},
    "nb.col_settings": {"en": "settings", "zh": "设置"},
    "nb.col_shape": {"en": "output shape", "zh": "输出形状"},
    "nb.col_params": {"en": "parameters", "zh": "参数量"},
    "nb.col_rf": {"en": "receptive field", "zh": "感受野"},
    "nb.col_jump": {"en": "jump", "zh": "累积步幅"},
    "nb.input_row": {"en": "input", "zh": "输入"},
    "nb.does_not_fit": {"en": "✖ does not fit", "zh": "✖ 不匹配"},
    "nb.not_built": {"en": "not reached", "zh": "未到达"},
    "nb.empty": {
        "en": "The stack is empty: add a layer in the sidebar, or pick a preset.",
        "zh": "网络是空的：在侧边栏添加一层，或选择一个预设。",
    },
    "nb.fix.size": {"en": "Set {name} to {value}", "zh": "把 {name} 设为 {value}"},
    "nb.fix.flatten": {
        "en": "Insert a Flatten and set in_features to {value}",
        "zh": "插入一个 Flatten，并把 in_features 设为 {value}",
    },
    "nb.fit_all": {"en": "Fit every layer to its input", "zh": "让每一层都匹配它的输入"},
    "nb.no_auto_fix": {
        "en": "This one needs a decision: change the layer's settings, or move or remove layers.",
        "zh": "这里需要你来决定：修改该层的设置，或者移动、删除一些层。",
    },
    "nb.total_params": {"en": "Parameters", "zh": "参数量"},
    "nb.final_shape": {"en": "Output shape", "zh": "输出形状"},
    "nb.layer_count": {"en": "Layers", "zh": "层数"},
    "nb.final_rf": {"en": "Receptive field", "zh": "感受野"},
    "nb.final_rf_help": {
        "en": "What one cell of the last feature map sees of the input, before Flatten.",
        "zh": "最后一个特征图（Flatten 之前）的一个单元格在输入上能看到的范围。",
    },
    "nb.code": {"en": "PyTorch code", "zh": "PyTorch 代码"},
    "nb.code_caption": {
        "en": "Runs as is: it builds the stack as nn.Sequential and prints the output shape for one input of zeros.",
        "zh": "可以直接运行：它把整个网络搭建成 nn.Sequential，并对一个全零输入打印输出形状。",
    },
    "nb.code_blocked": {
        "en": "Fix the layer that does not fit, and the runnable code appears here.",
        "zh": "修正不匹配的那一层后，可运行的代码就会出现在这里。",
    },
    "nb.download": {"en": "Download model.py", "zh": "下载 model.py"},
    # teaching notes
    "nb.notes": {"en": "Notes", "zh": "笔记"},
    "nb.note.1x1_title": {"en": "1×1 convolutions change the channel count", "zh": "1×1 卷积改变通道数"},
    "nb.note.1x1": {
        "en": "A 1×1 kernel covers one pixel, so the height and width stay as they are (with stride 1) and the "
        "receptive field does not grow. What it does is mix the channels: each output channel is a weighted sum "
        "of all input channels at that pixel, so a [64, 256, 1, 1] weight turns 256 channels into 64 for "
        "256 × 64 + 64 parameters. Bottleneck blocks use it to squeeze channels before an expensive 3×3 "
        "convolution and to expand them again afterwards; shortcuts use it to match channel counts.",
        "zh": "1×1 卷积核只覆盖一个像素，所以高和宽保持不变（步幅为 1 时），感受野也不会增大。它做的是混合通道："
        "每个输出通道都是该像素处所有输入通道的加权和，因此形状为 [64, 256, 1, 1] 的权重用 256 × 64 + 64 个参数把 256 "
        "个通道变成 64 个。瓶颈残差块用它在代价较高的 3×3 卷积之前压缩通道、之后再扩展回来；捷径分支用它来匹配通道数。",
    },
    "nb.note.head_title": {
        "en": "Feature extractor and classifier: Flatten + Linear",
        "zh": "特征提取器与分类器：Flatten + Linear",
    },
    "nb.note.head": {
        "en": "Convolutions and pooling keep a map [C, H, W]: that is the feature extractor, and the receptive "
        "field tells how much of the picture one cell sees. A Linear layer wants one vector per example, so "
        "Flatten turns the last map into C·H·W numbers (LeNet-5: 16 × 5 × 5 = 400), and in_features must be "
        "exactly that. From there on there is no spatial layout, hence no receptive field. Change the input "
        "size and the first Linear no longer fits: that is why modern networks put a global average pooling "
        "before Flatten.",
        "zh": "卷积和池化保持特征图的形式 [C, H, W]：这是特征提取器，感受野说明一个单元格能看到图片的多大范围。"
        "全连接层（Linear）要求每个样本是一个向量，所以 Flatten 把最后的特征图展平成 C·H·W 个数（LeNet-5：16 × 5 × 5 = "
        "400），in_features 必须恰好等于这个数。从这里开始不再有空间布局，也就没有感受野了。改变输入尺寸，第一个 "
        "Linear 就不再匹配：这就是现代网络在 Flatten 之前加一个全局平均池化的原因。",
    },
    "nb.note.residual_title": {"en": "Residual connections", "zh": "残差连接"},
    "nb.note.residual": {
        "en": "A residual block computes F(x) with two or three convolutions and returns ReLU(F(x) + x): the "
        "input is added back, so the block only has to learn a correction, and the gradient has a direct path "
        "through the sum. The sum needs both terms to have the same shape; when the block strides or changes "
        "the channel count, the shortcut is a 1×1 convolution with batch norm (the downsample in the code).",
        "zh": "残差块用两三个卷积计算 F(x)，并返回 ReLU(F(x) + x)：输入被加回来，所以残差块只需学习一个修正量，"
        "梯度也能经由这个加法直接回传。相加要求两项形状相同；当残差块使用步幅或改变通道数时，"
        "捷径分支是一个带批归一化的 1×1 卷积（代码中的 downsample）。",
    },
    "nb.note.mistake_title": {"en": "The residual block in the notes has bugs", "zh": "笔记中的残差块有错误"},
    "nb.note.mistake": {
        "en": "The three-convolution block in the notes does not run, and would not be residual if it did:\n\n"
        "1. `self.bn1` is assigned twice and `self.bn2` never: `forward` stops with *AttributeError: 'Res' object "
        "has no attribute 'bn2'*.\n"
        "2. `forward` computes `sout = self.extra(x) + out` and then returns `out`: the shortcut is thrown away, "
        "so the block is a plain stack of three convolutions.\n"
        "3. The last ReLU comes before the sum; ResNet adds first and applies ReLU to the sum.\n"
        "4. conv3 always outputs 256 channels whatever `cha_out` is; ResNet's bottleneck outputs 4 × its width "
        "(64 → 256).\n\n"
        "The bottleneck preset builds the correct block (torchvision's Bottleneck).",
        "zh": "笔记中这个含三个卷积的残差块无法运行，就算能运行也不是残差结构：\n\n1. `self.bn1` 被赋值了两次，而 "
        "`self.bn2` 从未赋值：`forward` 会报错 *AttributeError: 'Res' object has no attribute 'bn2'*。\n2. `forward` "
        "计算了 `sout = self.extra(x) + out`，却返回 `out`：捷径分支被丢掉了，这个块只是三个卷积的简单堆叠。\n3. "
        "最后一个 ReLU 放在了相加之前；ResNet 是先相加，再对和做 ReLU。\n4. 无论 `cha_out` 是多少，conv3 总是输出 256 "
        "个通道；ResNet 的瓶颈残差块输出的是 4 × width（64 → 256）。\n\n“ResNet "
        "瓶颈块”预设搭建的是正确的残差块（torchvision 的 Bottleneck）。",
    },
    "nb.note.as_written": {"en": "As written in the notes", "zh": "笔记中的写法"},
    "nb.note.corrected": {
        "en": "Corrected (what the bottleneck preset builds, without stride)",
        "zh": "修正后（即“ResNet 瓶颈块”预设搭建的残差块，不含步幅）",
    },
    # errors and remarks (vizconv.builder)
    "nb.err.kind": {
        "en": "Layer type {value} is not one of: {kinds}.",
        "zh": "层的类型 {value} 不在可选范围内：{kinds}。",
    },
    "nb.err.unknown_param": {
        "en": "{layer} has no setting {name}; its settings are: {names}.",
        "zh": "{layer} 没有设置项 {name}；它的设置项是：{names}。",
    },
    "nb.err.not_bool": {
        "en": "{name} must be True or False, but it is {value}.",
        "zh": "{name} 必须是 True 或 False，但现在是 {value}。",
    },
    "nb.err.activation": {
        "en": "Activation {value} is not one of: {names}.",
        "zh": "激活函数 {value} 不在可选范围内：{names}。",
    },
    "nb.err.pool_padding": {
        "en": "{layer}: padding {padding} is more than half the window (kernel_size {kernel} // 2 = {half}), "
        "which PyTorch refuses: a window could then cover padding only. Set the padding to at most {half}, or "
        "make the window larger.",
        "zh": "{layer}：填充 {padding} 超过了窗口的一半（kernel_size {kernel} // 2 = {half}），PyTorch 会拒绝："
        "那样某个窗口可能只覆盖填充。请把填充设为最多 {half}，或增大窗口。",
    },
    "nb.err.input_shape": {
        "en": "The input shape must be three numbers [C, H, W], but it is {value}.",
        "zh": "输入形状必须是三个数 [C, H, W]，但现在是 {value}。",
    },
    "nb.err.channels": {
        "en": "Layer {index} ({layer}): the kernel expects {wanted}, the input has {got}. Its weight {weight} holds "
        "one filter per input channel in each kernel. Set in_channels to {got}, or add a layer before it that "
        "makes {made}.",
        "zh": "第 {index} 层（{layer}）：卷积核期望 {wanted}，而输入有 {got} 个。它的权重 {weight} "
        "在每个卷积核中为每个输入通道存放一个滤波器。请把 in_channels 设为 {got}，或在它前面加一层，生成 {made}。",
    },
    "nb.err.block_channels": {
        "en": "Layer {index} ({layer}): the block's first convolution and its shortcut expect {wanted}, the input "
        "has {got}. Set in_channels to {got}, or add a layer before it that makes {made}.",
        "zh": "第 {index} 层（{layer}）：残差块的第一个卷积及其捷径分支期望 {wanted}，而输入有 {got} 个。"
        "请把 in_channels 设为 {got}，或在它前面加一层，生成 {made}。",
    },
    "nb.err.bn_channels": {
        "en": "Layer {index} (BatchNorm2d): num_features is {expected}, but the input has {channels}; batch norm "
        "keeps one mean, variance, scale and shift per channel. Set num_features to {got}.",
        "zh": "第 {index} 层（BatchNorm2d）：num_features 是 {expected}，但输入有 {channels}；"
        "批归一化为每个通道保存一组均值、方差、缩放和平移。请把 num_features 设为 {got}。",
    },
    "nb.err.features_flat": {
        "en": "Layer {index} (Linear): in_features is {expected}, but its input has {values}: the Flatten at "
        "layer {source} turned the {c}×{h}×{w} map into {c} × {h} × {w} = {got}. Set in_features to {got}, or "
        "change the layers before the Flatten.",
        "zh": "第 {index} 层（Linear）：in_features 是 {expected}，但它的输入有 {values}：第 {source} 层的 Flatten "
        "把 {c}×{h}×{w} 的特征图变成了 {c} × {h} × {w} = {got} 个值。请把 in_features 设为 {got}，或修改 Flatten "
        "之前的层。",
    },
    "nb.err.features": {
        "en": "Layer {index} (Linear): in_features is {expected}, but its input has {values} (the out_features of "
        "layer {source}). Set in_features to {got}.",
        "zh": "第 {index} 层（Linear）：in_features 是 {expected}，但它的输入有 {values}（第 {source} 层的 "
        "out_features）。请把 in_features 设为 {got}。",
    },
    "nb.err.needs_flatten": {
        "en": "Layer {index} (Linear): its input is a {c}×{h}×{w} feature map, but Linear takes one vector per "
        "example. Add a Flatten before it: it turns the map into {c} × {h} × {w} = {values}, so in_features "
        "must be {size}.",
        "zh": "第 {index} 层（Linear）：它的输入是 {c}×{h}×{w} 的特征图，但 Linear 要求每个样本是一个向量。"
        "请在它前面加一个 Flatten：它把特征图变成 {c} × {h} × {w} = {values}，所以 in_features 必须是 {size}。",
    },
    "nb.err.needs_map": {
        "en": "Layer {index} ({layer}) needs a feature map [C, H, W], but its input is a vector of {values} "
        "(since layer {source}, {source_layer}). Put this layer before the Flatten, or remove it.",
        "zh": "第 {index} 层（{layer}）需要形状为 [C, H, W] 的特征图，但它的输入是有 {values}的向量（从第 {source} "
        "层 {source_layer} 开始）。请把这一层放到 Flatten 之前，或删除它。",
    },
    "nb.err.empty": {
        "en": "Layer {index} ({layer}): the output would have {out} {axis}. The window spans {span} {axis} "
        "(dilation {dilation} × (kernel {kernel} − 1) + 1), but the padded input has only {padded} ({size} + "
        "{padding} padding). Make the window smaller, add padding, or remove a layer before it that shrinks "
        "the map.",
        "zh": "第 {index} 层（{layer}）：输出将只有 {out} {axis}。窗口跨越 {span} {axis}（膨胀率 {dilation} × (卷积核 "
        "{kernel} − 1) + 1），但填充后的输入只有 {padded} {axis}（{size} + 填充 {padding}）。请减小窗口、增加填充，"
        "或删除前面某个缩小特征图的层。",
    },
    "nb.err.too_many": {
        "en": "The stack already has {n} layers, the most the builder (and a shared link) holds. Remove a layer "
        "before adding another.",
        "zh": "这个网络已经有 {n} 层，这是搭建器（以及分享链接）能容纳的最多层数。请先删除一层，再添加新的层。",
    },
    "nb.warn.flatten_noop": {
        "en": "Layer {index} (Flatten) does nothing: its input is already a vector of {values}.",
        "zh": "第 {index} 层（Flatten）不起作用：它的输入已经是有 {values}的向量。",
    },
    # a link's stack text that cannot be read (vizconv.builder.read_stack): where, then why
    "nb.link.layer": {
        "en": "The layer stack in this link could not be read at layer {index}, `{token}`: {reason} Only the layers "
        "before it are shown ({read} of them). The address bar keeps your text until you change the stack, so you "
        "can correct it there and reload.",
        "zh": "无法读取这个链接中网络的第 {index} 层 `{token}`：{reason}下面只显示它之前的层（共 {read} 层）。"
        "在你修改网络之前，地址栏会保留你写的文字，你可以在那里改正后重新打开。",
    },
    "nb.link.layer_empty": {
        "en": "The layer stack in this link could not be read at layer {index}: it is empty (two separators in a "
        "row, or one at an end). Only the layers before it are shown ({read} of them). The address bar keeps your "
        "text until you change the stack, so you can correct it there and reload.",
        "zh": "无法读取这个链接中网络的第 {index} 层：这一层是空的（两个分隔符连在一起，或分隔符在开头或结尾）。"
        "下面只显示它之前的层（共 {read} 层）。在你修改网络之前，地址栏会保留你写的文字，你可以在那里改正后重新打开。",
    },
    "nb.link.word": {
        "en": "`{word}` is not a layer. A layer starts with one of: {words}.",
        "zh": "`{word}` 不是一种层。每一层都以下列词之一开头：{words}。",
    },
    "nb.link.no_settings": {
        "en": "{word} takes no settings: write just `{word}`.",
        "zh": "{word} 没有设置项：只写 `{word}` 即可。",
    },
    "nb.link.lead_extra": {
        "en": "{word} takes no number right after its name; its settings are a letter and a number each: {letters}.",
        "zh": "{word} 的名字后面不跟数字；它的每个设置项都写成一个字母加一个数字：{letters}。",
    },
    "nb.link.lead_missing": {
        "en": "{word} needs a number right after its name ({name}), as in `{example}`.",
        "zh": "{word} 的名字后面需要紧跟一个数字（{name}），例如 `{example}`。",
    },
    "nb.link.syntax": {
        "en": "after `{done}`, `{rest}` cannot be read: each setting is one letter followed by a number, as in `c16`.",
        "zh": "在 `{done}` 之后，`{rest}` 无法读取：每个设置项都是一个字母后跟一个数字，例如 `c16`。",
    },
    "nb.link.letter": {
        "en": "{word} has no setting `{letter}`; its letters are: {letters}.",
        "zh": "{word} 没有设置项 `{letter}`；它的字母是：{letters}。",
    },
    "nb.link.twice": {
        "en": "the letter `{letter}` ({name}) is written twice.",
        "zh": "字母 `{letter}`（{name}）写了两次。",
    },
    "nb.link.missing": {
        "en": "{word} needs `{letter}` ({name}), as in `{example}`.",
        "zh": "{word} 需要 `{letter}`（{name}），例如 `{example}`。",
    },
    "nb.link.range": {
        "en": "{word}: {name} {value} is outside its range {low}–{high}.",
        "zh": "{word}：{name} 为 {value}，超出了它的范围 {low}–{high}。",
    },
    "nb.link.bias": {
        "en": "`b` (bias) is 0 (no bias) or 1, not {value}.",
        "zh": "`b`（bias）只能是 0（不用偏置）或 1，不能是 {value}。",
    },
    "nb.link.too_many": {"en": "the builder holds at most {n} layers.", "zh": "搭建器最多容纳 {n} 层。"},
    "nb.link.too_long": {
        "en": "The layer stack in this link is {length} characters long, more than the {limit} a link may carry, "
        "so it was not read.",
        "zh": "这个链接中的网络有 {length} 个字符，超过了链接能携带的 {limit} 个字符，因此没有读取。",
    },
    # (end of network builder)
    # --- Classroom: shareable links, presenter mode, export (share.*, present.*, export.*) ---------
    "share.title": {"en": "Share this view", "zh": "分享当前视图"},
    "share.help": {
        "en": "The address bar already holds this view, and so does the link below: whoever opens it sees the "
        "same settings.",
        "zh": "地址栏里的网址已经包含当前视图，下面的链接也一样：打开它的人会看到相同的设置。",
    },
    "share.kernel_note": {
        "en": "Kernel cells and biases edited by hand are not in the link: it carries the kernel preset.",
        "zh": "手动编辑过的卷积核单元格和偏置不在链接里：链接只带上卷积核预设。",
    },
    "share.upload_note": {
        "en": "Your uploaded picture cannot travel in a link: whoever opens it is asked to upload one.",
        "zh": "上传的图片无法放进链接：打开链接的人会被请求上传一张图片。",
    },
    "share.upload_needed": {
        "en": "This link was shared with an uploaded picture, which a link cannot carry. Upload a picture in the "
        "sidebar to see the same settings applied to it.",
        "zh": "这个链接分享时用的是上传的图片，而图片无法放进链接。请在侧边栏上传一张图片，即可看到相同的设置作用于它。",
    },
    "share.own_weights_note": {
        "en": "Your own weights stay in your session and cannot travel in a link: whoever opens it sees the "
        "weights trained by vizconv, so the prediction and the maps may differ.",
        "zh": "你自己的权重只保存在你的会话中，无法放进链接：打开链接的人看到的是 vizconv 训练的权重，"
        "所以预测和特征图可能不同。",
    },
    "share.own_picture_note": {
        "en": "Your own picture (drawn or uploaded) cannot travel in a link: whoever opens it sees the chosen "
        "sample picture instead, with the same model, layer and channel.",
        "zh": "你自己的图片（手绘或上传）无法放进链接：打开链接的人会看到所选的示例图片，模型、层和通道都相同。",
    },
    "share.stack_note": {
        "en": "The link spells the stack out layer by layer, and you can edit it: `conv5c6p2` is a 5×5 Conv2d "
        "with 6 output channels and padding 2, `maxpool2` a 2×2 max pooling, `linear10` a Linear with 10 outputs.",
        "zh": "链接逐层写出了这个网络，你也可以手动修改它：`conv5c6p2` 表示 5×5 的 Conv2d，6 个输出通道，填充 2；"
        "`maxpool2` 表示 2×2 最大池化；`linear10` 表示有 10 个输出的 Linear。",
    },
    "share.stack_not_in_link": {
        "en": "This stack cannot travel in a link (more than {n} layers, or a size beyond the page's limits): "
        "whoever opens it sees an empty stack.",
        "zh": "这个网络无法放进链接（超过 {n} 层，或某个尺寸超出页面的范围）：打开链接的人会看到一个空网络。",
    },
    "present.toggle": {"en": "Presenter mode", "zh": "演示模式"},
    "present.help": {
        "en": "Large type and a large step panel for a projector; the sidebar folds away (the arrow at the top "
        "left brings it back).",
        "zh": "适合投影的大号字体和放大的计算步骤面板；侧边栏会收起（点击左上角的箭头即可重新打开）。",
    },
    "present.key_hint": {"en": "{action} (key {shortcut})", "zh": "{action}（按键 {shortcut}）"},
    "export.header": {"en": "Download", "zh": "下载"},
    "export.gif": {"en": "Animation (GIF)", "zh": "动画（GIF）"},
    "export.gif_help": {
        "en": "The kernel sliding over your input: {frames}, one for each window position (beyond 5,776 positions, "
        "5,776 of them evenly spread), at the animation's speed. Drawn when you click (thousands of positions take "
        "a few seconds).",
        "zh": "卷积核在你的输入上滑动：共 {frames}，每个窗口位置一帧（超过 5,776 个位置时，均匀选取其中 5,776 个），"
        "速度与动画一致。点击时才生成（几千个位置需要几秒钟）。",
    },
    "export.script": {"en": "This layer as a script (.py)", "zh": "这一层的脚本（.py）"},
    "export.script_help": {
        "en": "The code above with every value of x, the weights and the bias written out: it prints the same y.",
        "zh": "上面的代码，写出了 x、权重和偏置的全部数值：运行后打印出同样的 y。",
    },
    "export.csv": {"en": "This step's numbers (CSV)", "zh": "这一步的数值（CSV）"},
    "export.csv_help": {
        "en": "Every product of window and kernel for the output value shown above, the channel sums, the bias "
        "and the total, for a spreadsheet.",
        "zh": "上面所示输出值的每个窗口与卷积核的乘积、各通道的和、偏置和总和，可用电子表格打开。",
    },
    "export.png": {"en": "Channel grid (PNG)", "zh": "通道网格（PNG）"},
    "export.png_help": {
        "en": "All channels of this layer as one picture, with its colour bar.",
        "zh": "这一层的全部通道合成一张图片，带颜色条。",
    },
    "export.csv.kind": {"en": "term", "zh": "项"},
    "export.csv.channel": {"en": "input channel", "zh": "输入通道"},
    "export.csv.kernel_row": {"en": "kernel row", "zh": "卷积核行"},
    "export.csv.kernel_col": {"en": "kernel column", "zh": "卷积核列"},
    "export.csv.input_row": {"en": "row in padded input", "zh": "填充后输入中的行"},
    "export.csv.input_col": {"en": "column in padded input", "zh": "填充后输入中的列"},
    "export.csv.input": {"en": "input value", "zh": "输入值"},
    "export.csv.weight": {"en": "weight", "zh": "权重"},
    "export.csv.value": {"en": "product or sum", "zh": "乘积或和"},
    "export.csv.kind.product": {"en": "product", "zh": "乘积"},
    "export.csv.kind.channel_sum": {"en": "channel sum", "zh": "通道和"},
    "export.csv.kind.bias": {"en": "bias", "zh": "偏置"},
    "export.csv.kind.output": {"en": "output y[{oc},{oy},{ox}]", "zh": "输出 y[{oc},{oy},{ox}]"},
    # (end of classroom)
    # --- Teaching notes (teach.*) ----------------------------------------------------------------
    "teach.panel": {"en": "Teaching notes", "zh": "教学笔记"},
    # home page
    "teach.home.pages.title": {"en": "How the pages fit together", "zh": "各页面之间的关系"},
    "teach.home.pages": {
        "en": "**Convolution** is the core: one layer, and every output value made from per-channel dot products "
        "plus a bias. **Pooling & activations** shows the layers that sit between convolutions. **Network builder** "
        "stacks layers into a whole network and follows the shape, the parameters and the receptive field through "
        "it. **Feature maps** shows a trained network (LeNet-5, ResNet) doing all of this on a real picture. "
        "**Transposed convolution** goes the other way and makes maps larger, as decoders and segmentation "
        "networks do. Each page has these 📖 notes at the top.",
        "zh": "**卷积**是核心：一个卷积层，以及每个输出值如何由各通道的点积之和加上偏置得到。**池化与激活函数**"
        "展示夹在卷积层之间的那些层。**搭建网络**把各层堆叠成完整的网络，逐层跟踪形状、参数量和感受野。**特征图**"
        "展示训练好的网络（LeNet-5、ResNet）在真实图片上完成这一切。**转置卷积**反其道而行，把特征图变大，"
        "解码器和语义分割网络就是这样做的。每一页顶部都有这样的 📖 笔记。",
    },
    "teach.home.order.title": {"en": "Suggested lesson order", "zh": "建议的课堂顺序"},
    "teach.home.order": {
        "en": "1. **Convolution**, the 5×5 classroom grid: one kernel, stride 1, no padding; click output cells and "
        "check them by hand.  \n"
        "2. Same page: change padding and stride, and work out the output size with the formula.  \n"
        "3. Same page: a colour photo and several kernels: the channels add up, and each kernel makes one output "
        "channel.  \n"
        "4. **Pooling & activations**: max pooling and ReLU on LeNet-5's own feature maps.  \n"
        "5. **Network builder**: the LeNet-5 preset, shapes and parameters layer by layer; then repair the two "
        "mistake presets.  \n"
        "6. **Feature maps**: what the trained LeNet-5 computes for a digit the class draws, and its learned "
        "filters.  \n"
        "7. **Transposed convolution**, for a class that goes on to decoders and segmentation.",
        "zh": "1. **卷积**，5×5 课堂小网格：一个卷积核，步幅 1，不填充；点击输出单元格，并用手算核对。  \n"
        "2. 同一页：改变填充和步幅，用公式算出输出尺寸。  \n"
        "3. 同一页：换成彩色照片和多个卷积核：各通道的结果相加，每个卷积核生成一个输出通道。  \n"
        "4. **池化与激活函数**：在 LeNet-5 自己的特征图上做最大池化和 ReLU。  \n"
        "5. **搭建网络**：LeNet-5 预设，逐层查看形状和参数量；再修好两个“错误示例”预设。  \n"
        "6. **特征图**：训练好的 LeNet-5 对全班手写的数字算出了什么，以及它学到的滤波器。  \n"
        "7. **转置卷积**，适合接下来要学解码器和语义分割的班级。",
    },
    # Convolution page
    "teach.conv.padding.title": {"en": "Why padding", "zh": "为什么要填充"},
    "teach.conv.padding": {
        "en": "Without padding, a k×k kernel fits only where the whole window lies inside the input: a 3×3 kernel "
        "on 28×28 gives 26×26, and five such layers leave 18×18. Border pixels also count less: with a 3×3 kernel "
        "a corner pixel is in 1 window, a pixel in the middle in 9. Padding adds rings of zeros (or reflected "
        "values) around the input so the size can stay: with stride 1, $p = (k - 1)/2$ keeps it, 1 for 3×3 and 2 "
        "for 5×5 (`padding='same'`). The notes' `padding = kernel_size/2` gives these numbers only for odd "
        "kernels, rounded down; with an even kernel (4×4) no equal padding keeps the size, so PyTorch's "
        "`padding='same'` adds the extra row and column at the bottom and on the right.",
        "zh": "不填充时，k×k 的卷积核只能放在整个窗口都落在输入之内的位置：3×3 的卷积核作用在 28×28 上得到 26×26，"
        "连续五层之后只剩 18×18。边缘像素也被用得更少：用 3×3 卷积核时，角上的像素只落在 1 个窗口里，"
        "中间的像素落在 9 个窗口里。填充在输入四周补上几圈零（或反射的值），让尺寸可以保持不变：步幅为 1 时，"
        "$p = (k - 1)/2$ 就能保持尺寸，3×3 取 1，5×5 取 2（`padding='same'`）。笔记中的 `padding = kernel_size/2` "
        "只对奇数尺寸的卷积核、并且向下取整时才给出这些数；偶数尺寸的卷积核（4×4）无法用两侧相等的填充保持尺寸，"
        "所以 PyTorch 的 `padding='same'` 把多出的一行一列补在下方和右侧。",
    },
    "teach.conv.stride.title": {"en": "Why stride", "zh": "为什么用步幅"},
    "teach.conv.stride": {
        "en": "Stride s moves the window s cells at a time, so there are about s² times fewer positions to "
        "compute: stride 2 roughly halves the height and the width (⌊(H + 2p − k)/2⌋ + 1). The notes' "
        "`nn.Conv2d(1, 3, kernel_size=3, stride=2, padding=1)` turns a 1×28×28 digit into 3×14×14, where stride 1 "
        "gives 3×28×28. Networks use stride-2 convolutions (or pooling) to shrink the maps step by step, so later "
        "layers cost less and each of their cells sees more of the picture. When the stride does not fit the "
        "padded input, its last rows or columns are never covered, and a stride larger than the kernel steps "
        "over rows and columns between the windows: this page marks every cell no window reads with a red ✕ (one "
        "diagonal where the cells are small).",
        "zh": "步幅 s 让窗口每次移动 s 格，需要计算的位置大约减少到 1/s²：步幅 2 让高和宽大约减半"
        "（⌊(H + 2p − k)/2⌋ + 1）。笔记中的 "
        "`nn.Conv2d(1, 3, kernel_size=3, stride=2, padding=1)` 把 1×28×28 的数字图片变成 3×14×14，而步幅为 1 "
        "时是 3×28×28。网络用步幅为 2 的卷积（或池化）一步步缩小特征图，这样后面的层计算量更小，"
        "它们的每个单元格也能看到图片的更大范围。当步幅不能恰好铺满填充后的输入时，最后几行或几列永远不会被覆盖；"
        "步幅大于卷积核时，窗口之间的行和列会被跨过：本页标出所有没有被任何窗口读取的单元格，每格一个 ✕；"
        "单元格太小放不下时，改用红色斜线。",
    },
    "teach.conv.dilation.title": {"en": "Dilation", "zh": "膨胀率"},
    "teach.conv.dilation": {
        "en": "Dilation d leaves d − 1 cells between the kernel's taps: a 3×3 kernel with d = 2 spans 5×5 of the "
        "input but still has 9 weights. The receptive field grows without more parameters, and without the "
        "resolution a stride would lose. In the output-size formula the kernel size k becomes the span "
        "$d(k - 1) + 1$: on 28×28, a 3×3 kernel with d = 2 and no padding gives 24×24, not 26×26.",
        "zh": "膨胀率 d 在卷积核的各元素之间空出 d − 1 格：膨胀率为 2 的 3×3 卷积核覆盖输入的 5×5 范围，"
        "但仍然只有 9 个权重。感受野变大了，参数却没有增加，也不像步幅那样损失分辨率。在输出尺寸公式中，"
        "卷积核尺寸 k 要换成跨度 $d(k - 1) + 1$：在 28×28 上，膨胀率为 2、不填充的 3×3 卷积核得到 24×24，"
        "而不是 26×26。",
    },
    "teach.conv.shared.title": {"en": "Shared weights", "zh": "共享权重"},
    "teach.conv.shared": {
        "en": "The same kernel slides to every position: one set of weights for the whole picture. A layer of 6 "
        "kernels 5×5 on a 1-channel input has 6·(1·5·5) + 6 = 156 parameters, whatever the image size. A fully "
        "connected layer from a 28×28 image to the same 6×24×24 output would need 784 × 3,456 + 3,456 = "
        "2,712,960. Because the weights are shared, a pattern is found wherever it appears: shift the input and "
        "the feature map shifts with it (translation equivariance, away from the border).",
        "zh": "同一个卷积核滑到每一个位置：整张图片只用一组权重。一个由 6 个 5×5 卷积核组成、作用在单通道输入上的"
        "卷积层有 6·(1·5·5) + 6 = 156 个参数，与图片大小无关。若用全连接层把 28×28 的图片映射到同样的 6×24×24 "
        "输出，则需要 784 × 3,456 + 3,456 = 2,712,960 个参数。因为权重共享，一个图案无论出现在哪里都能被找到："
        "输入平移，特征图也随之平移（笔记中称为“平移不变性”，严格地说是平移等变性，边缘附近除外）。",
    },
    "teach.conv.channels.title": {"en": "Channels add up", "zh": "各通道相加"},
    "teach.conv.channels": {
        "en": "A kernel has one k×k slice per input channel: on an RGB picture a 3×3 kernel holds 3×3×3 = 27 "
        "weights. Each output value is one dot product per input channel, summed, plus one bias: "
        "$y = \\sum_c W_c \\cdot X_c + b$, where $W_c \\cdot X_c$ is the dot product of channel c's slice with its "
        "window. The channels are added, not kept apart, so one kernel makes one output channel: 16 kernels make "
        "16 channels (weight [16, 3, 3, 3], bias [16], 16 · 27 + 16 = 448 parameters). The slices must match the "
        "input: a [16, 3, 5, 5] weight cannot run on a 1-channel digit.",
        "zh": "卷积核对每个输入通道都有一个 k×k 的切片：作用在 RGB 图片上的 3×3 卷积核有 3×3×3 = 27 个权重。"
        "每个输出值是每个输入通道各做一次点积，再求和，再加上一个偏置：$y = \\sum_c W_c \\cdot X_c + b$，其中 "
        "$W_c \\cdot X_c$ 是通道 c 的切片与其窗口的点积。各通道的结果是相加的，而不是分开保留，"
        "所以一个卷积核生成一个输出通道：16 个卷积核生成 16 个通道（权重 [16, 3, 3, 3]，偏置 [16]，"
        "16 · 27 + 16 = 448 个参数）。切片数必须与输入一致：形状为 [16, 3, 5, 5] 的权重不能用在单通道的数字图片上。",
    },
    "teach.conv.groups.title": {"en": "Groups", "zh": "分组卷积"},
    "teach.conv.groups": {
        "en": "With groups = g, the input channels and the kernels are split into g groups and each kernel sees only "
        "the C_in/g channels of its own group: parameters and multiply-adds drop g-fold. groups = C_in is a "
        "depthwise convolution, each channel filtered on its own; followed by a 1×1 convolution that mixes the "
        "channels, it is MobileNet's depthwise separable convolution. From 32 to 64 channels with 3×3 kernels that "
        "takes 32 · 9 + 32 · 64 = 2,336 weights instead of 64 · 32 · 9 = 18,432 (biases left out).",
        "zh": "分组数为 g 时，输入通道和卷积核都被分成 g 组，每个卷积核只看本组的 C_in/g 个通道："
        "参数量和乘加次数都变为原来的 1/g。groups = C_in 是逐通道（depthwise）卷积，每个通道单独滤波；"
        "后面再接一个混合各通道的 1×1 卷积，就是 MobileNet 的深度可分离卷积。从 32 个通道到 64 个通道、用 3×3 "
        "卷积核时，它需要 32 · 9 + 32 · 64 = 2,336 个权重，而普通卷积需要 64 · 32 · 9 = 18,432 个（不计偏置）。",
    },
    "teach.conv.formula.title": {"en": "Output size", "zh": "输出尺寸"},
    "teach.conv.formula": {
        "en": "Count the window positions along one side: the first window starts at the top, and it can move s "
        "cells at a time while it still fits, which is $\\lfloor (H + 2p - k)/s \\rfloor$ more moves. Positions = "
        "moves + 1, so the + 1 comes after the division, and the division is rounded down (with dilation, k "
        "becomes $d(k - 1) + 1$: the formula in this page's Output size box). Some notes write "
        "$(H + 2p - k + 1)/s$: the same for stride 1, but not in general. This page's CS231n grid (5×5, k = 3, "
        "p = 1, s = 2) has a 3×3 output; that formula gives 5/2 = 2.5. Other notes write $(W - F + 2P)/S + 1$: "
        "right once the division is rounded down, since for 28×28, k = 3, s = 2 and no padding it gives "
        "25/2 + 1 = 13.5, and the output has 13 rows.",
        "zh": "沿一条边数一数窗口的位置：第一个窗口从最上方开始，只要还放得下，就可以每次移动 s 格，一共还能移动 "
        "$\\lfloor (H + 2p - k)/s \\rfloor$ 次。位置数 = 移动次数 + 1，所以 + 1 在除法之后，而且除法要向下取整"
        "（有膨胀率时，k 换成 $d(k - 1) + 1$：即本页“输出尺寸”方框中的公式）。有些笔记写成 $(H + 2p - k + 1)/s$："
        "步幅为 1 时结果相同，但一般情况下不对。本页的 CS231n 网格（5×5，k = 3，p = 1，s = 2）输出是 3×3，"
        "而那个公式给出 5/2 = 2.5。另一些笔记写成 $(W - F + 2P)/S + 1$：除法向下取整之后才正确，因为对 28×28、"
        "k = 3、s = 2、不填充，它给出 25/2 + 1 = 13.5，而输出只有 13 行。",
    },
    # Feature maps page
    "teach.fm.learned.title": {"en": "Learned, not designed", "zh": "学出来的，而不是设计出来的"},
    "teach.fm.learned": {
        "en": "Nobody wrote LeNet-5's kernels: training started from random numbers and changed them, step by "
        "step, to lower the classification loss. Compare its learned first-layer filters (at the bottom of this "
        "page, and a kernel preset on the Convolution page) with Sobel x, which was designed by hand: several "
        "learned filters are edge detectors too, a bright side next to a dark one; others respond to strokes and "
        "blobs. The network learns which features to compute together with the classifier that uses them: that "
        "is representation learning. Trained on photos, the same kind of layer learns other filters (ResNet-20's "
        "colour filters).",
        "zh": "LeNet-5 的卷积核不是人写出来的：训练从随机数开始，一步步修改它们，使分类损失降低。"
        "把它第一层学到的滤波器（在本页底部，也是卷积页中的一个卷积核预设）与人工设计的 Sobel x 比较："
        "有几个学到的滤波器同样是边缘检测器，一侧亮、一侧暗；另一些则对笔画和斑块有响应。"
        "网络在学习分类器的同时，也学习要计算哪些特征：这就是表示学习。如果改用照片训练，"
        "同样的层会学到别的滤波器（ResNet-20 的彩色滤波器）。",
    },
    "teach.fm.extractor.title": {"en": "Feature extractor and classifier", "zh": "特征提取器与分类器"},
    "teach.fm.extractor": {
        "en": "In LeNet-5 the convolution and pooling layers are the feature extractor: they turn 1×28×28 pixels "
        "into 16×5×5 = 400 features, still laid out as maps. Flatten makes them one vector, and the Linear layers "
        "(400 → 120 → 84 → 10) are the classifier: 10 class scores, which softmax turns into the probabilities "
        "shown here. The extractor has 2,572 parameters and the classifier 59,134, 96% of the 61,706: see the "
        "parameters column of the layer table.",
        "zh": "在 LeNet-5 中，卷积层和池化层是特征提取器：它们把 1×28×28 的像素变成 16×5×5 = 400 个特征，"
        "仍然按特征图排列。Flatten 把它们展平成一个向量，全连接层（400 → 120 → 84 → 10）是分类器：给出 10 "
        "个类别得分，softmax 再把它们变成这里显示的概率。特征提取器有 2,572 个参数，分类器有 59,134 个，"
        "占全部 61,706 个的 96%：见逐层表格中的参数量一列。",
    },
    "teach.fm.depth.title": {"en": "Deeper layers", "zh": "更深的层"},
    "teach.fm.depth": {
        "en": "Going deeper, the maps get smaller and more numerous: 6×28×28 after LeNet-5's first convolution, "
        "16×10×10 after the second. The first layer responds to edges and strokes wherever they are; a deeper "
        "layer combines all the channels of the layer before, so its channels respond to larger, more specific "
        "shapes. Pick the second convolution (layer 3 in LeNet-5) and look at one channel for different digits: "
        "it is strong for some and nearly silent for others. After Flatten no map is left: the classifier only "
        "weighs the evidence for each class.",
        "zh": "越往深处，特征图越小、数量越多：LeNet-5 的第一个卷积之后是 6×28×28，第二个卷积之后是 16×10×10。"
        "第一层对各处的边缘和笔画有响应；更深的层把前一层的全部通道组合起来，所以它的通道对更大、更具体的形状有响应。"
        "选择第二个卷积层（LeNet-5 中的第 3 层），换不同的数字看同一个通道：它对某些数字响应很强，"
        "对另一些几乎没有响应。Flatten 之后就不再有特征图：分类器只衡量每个类别的证据。",
    },
    "teach.fm.field.title": {"en": "Receptive field", "zh": "感受野"},
    "teach.fm.field": {
        "en": "A cell of a feature map sees only part of the input: its receptive field (the table's column, and "
        "the box on the picture when you explain an activation). Every layer with a k×k window, a convolution or a "
        "pooling, widens it by (k − 1) × the jump (d·(k − 1) × the jump with dilation d), and every stride-2 "
        "layer doubles the jump. In LeNet-5: 5×5 after the first convolution, 6×6 after "
        "the first pooling, 14×14 after the second convolution, 16×16 after the second pooling. ResNet-20 stacks "
        "19 convolutions of 3×3: a cell of its last 8×8 maps has an 81×81 receptive field, more than the whole "
        "32×32 picture.",
        "zh": "特征图中的一个单元格只能看到输入的一部分：它的感受野（表格中的这一列，以及解释激活值时图片上的方框）。"
        "每个带 k×k 窗口的层（卷积或池化）让感受野增大 (k − 1) × 累积步幅（膨胀率为 d 时是 d·(k − 1) × 累积步幅），"
        "每个步幅为 2 的层让累积步幅翻倍。在 LeNet-5 中："
        "第一个卷积之后是 5×5，第一次池化之后是 6×6，第二个卷积之后是 14×14，第二次池化之后是 16×16。ResNet-20 "
        "堆叠了 19 个 3×3 卷积：它最后的 8×8 特征图中，一个单元格的感受野是 81×81，比整张 32×32 的图片还大。",
    },
    # Pooling & activations page
    "teach.pool.no_weights.title": {"en": "No weights", "zh": "没有权重"},
    "teach.pool.no_weights": {
        "en": "A pooling layer has nothing to learn: `nn.MaxPool2d(2)` has 0 parameters and always takes the "
        "largest value (or, for average pooling, the mean) of each window. It works on each channel on its own, "
        "so the channel count stays: LeNet-5's first pooling turns 6×28×28 into 6×14×14, keeping 1 value in 4. "
        "A stride-2 convolution also roughly halves the size, but with learned weights that mix the channels.",
        "zh": "池化层没有任何要学习的东西：`nn.MaxPool2d(2)` 的参数量为 0，它总是取每个窗口中的最大值"
        "（平均池化则取平均值）。它对每个通道单独处理，所以通道数不变：LeNet-5 的第一个池化层把 6×28×28 变成 "
        "6×14×14，每 4 个值保留 1 个。步幅为 2 的卷积也能让尺寸大约减半，但它用的是学到的、会混合各通道的权重。",
    },
    "teach.pool.why_pool.title": {"en": "Why pool", "zh": "为什么要池化"},
    "teach.pool.why_pool": {
        "en": "Pooling makes the maps smaller, so later layers compute less and the classifier gets fewer "
        "features: LeNet-5's second pooling turns 16×10×10 = 1,600 values into 16×5×5 = 400, exactly what "
        "Flatten hands to the first Linear layer. The next layer's kernel then covers a larger part of the "
        "picture. And small shifts matter less: a 2×2 max pool gives the same output when the maximum moves "
        "inside its window (the notes: it reduces the convolution's sensitivity to position).",
        "zh": "池化让特征图变小，后面的层计算量更小，分类器得到的特征也更少：LeNet-5 的第二个池化层把 16×10×10 = "
        "1,600 个值变成 16×5×5 = 400 个，正好是 Flatten 交给第一个全连接层的数量。下一层的卷积核也因此覆盖图片中"
        "更大的范围。此外，小的平移影响更小：最大值在 2×2 最大池化的窗口内移动时，输出不变"
        "（笔记中说：缓解卷积层对位置的敏感性）。",
    },
    "teach.pool.nonlinear.title": {"en": "Why non-linear activations", "zh": "为什么需要非线性激活函数"},
    "teach.pool.nonlinear": {
        "en": "Without an activation in between, two convolutions are just one convolution: a 3×3 after a 3×3 "
        "(stride 1, no padding) is the same as a single 5×5 kernel, and a stack of Linear layers is one Linear "
        "layer, so depth would add nothing. A non-linear function between the layers is what lets a deep network "
        "compute what one layer cannot. ReLU, $\\max(0, x)$, sets negative values to zero and keeps positive ones "
        "as they are: it removes the negative responses, not the weak ones (0.01 stays 0.01), whatever some notes "
        "say.",
        "zh": "如果中间没有激活函数，两个卷积就只是一个卷积：3×3 卷积之后再接 3×3 卷积（步幅 1，不填充），"
        "等同于一个 5×5 的卷积核；多个全连接层堆叠起来也只是一个全连接层，深度没有带来任何东西。"
        "正是层与层之间的非线性函数，让深层网络能够计算单独一层算不出来的东西。ReLU，即 $\\max(0, x)$，"
        "把负值置为零，正值保持不变：它去掉的是负的响应，而不是微弱的响应（0.01 仍然是 0.01），"
        "这一点与有些笔记的说法不同。",
    },
    "teach.pool.order.title": {"en": "Layer order", "zh": "层的顺序"},
    "teach.pool.order": {
        "en": "Some notes list a unit as conv → batch norm → pooling → ReLU and say the last three can be swapped. "
        "For max pooling and ReLU that is true: ReLU never reverses the order of two values, so the largest stays "
        "the largest, and ReLU then max pooling gives exactly the same numbers as max pooling then ReLU; pooling "
        "2×2 first needs 4 times fewer ReLUs. Average pooling and ReLU do not commute: the mean of ReLU'd values "
        "is not the ReLU of the mean. Batch norm goes right after the convolution, before the ReLU, as in ResNet.",
        "zh": "有些笔记把一个单元写成 卷积 → 批归一化 → 池化 → ReLU，并说后三个可以调换顺序。对最大池化和 ReLU "
        "来说确实如此：ReLU 从不颠倒两个值的大小顺序，最大的仍是最大的，所以先 ReLU 再最大池化，"
        "与先最大池化再 ReLU 得到的数完全相同；先做 2×2 池化，只需要 1/4 的 ReLU 运算。平均池化与 ReLU "
        "不能交换：先 ReLU 再求平均，不等于先求平均再 ReLU。批归一化紧跟在卷积之后、ReLU 之前，ResNet 就是这样做的。",
    },
    # Transposed convolution page
    "teach.tconv.transpose.title": {"en": "Why “transposed”", "zh": "为什么叫“转置”"},
    "teach.tconv.transpose": {
        "en": "A convolution is a linear map, so it can be written as a matrix: a 3×3 kernel on a 4×4 input "
        "(stride 1) gives 2×2, a 4 × 16 matrix C with the kernel's 9 weights in each row. The transposed "
        "convolution multiplies by $C^T$, a 16 × 4 matrix: 4 values in, 16 out, with the same 9 weights. PyTorch "
        "uses exactly this to compute a convolution's gradient with respect to its input. $C^T$ is not the "
        "inverse of C: applied to the 2×2 output it gives a 4×4 map of the right shape, not the original numbers.",
        "zh": "卷积是线性映射，所以可以写成一个矩阵：3×3 卷积核作用在 4×4 输入上（步幅 1）得到 2×2，对应一个 4 × 16 "
        "的矩阵 C，每一行都是卷积核的 9 个权重。转置卷积乘的是 $C^T$，一个 16 × 4 的矩阵：输入 4 个值，输出 16 "
        "个值，用的是同样的 9 个权重。PyTorch 正是用它来计算卷积对输入的梯度。$C^T$ 不是 C 的逆矩阵：把它作用在 "
        "2×2 的输出上，得到的是形状正确的 4×4 特征图，而不是原来的数值。",
    },
    "teach.tconv.checkerboard.title": {"en": "Checkerboard artifacts", "zh": "棋盘格伪影"},
    "teach.tconv.checkerboard": {
        "en": "Each input value stamps a k×k copy of the kernel, s cells from its neighbour's stamp. When the "
        "stride does not divide the kernel size, the stamps overlap unevenly: with a 3×3 kernel and stride 2, a "
        "4×4 input of ones and a kernel of ones give a 9×9 output whose rows read 1 1 2 1 2 1 2 1 1 and "
        "2 2 4 2 4 2 4 2 2, a checkerboard although the input is flat (Odena et al., 2016). With a 4×4 kernel, "
        "stride 2 and padding 1, every cell away from the border is covered by 4 stamps, so the inside is an even "
        "4. Resizing by interpolation and then applying an ordinary convolution avoids the problem too.",
        "zh": "每个输入值盖印一份 k×k 的卷积核，与相邻输入值的印相隔 s 格。当步幅不能整除卷积核尺寸时，"
        "这些印重叠得不均匀：3×3 卷积核、步幅 2 时，全为 1 的 4×4 输入和全为 1 的卷积核会得到 9×9 的输出，"
        "各行是 1 1 2 1 2 1 2 1 1 和 2 2 4 2 4 2 4 2 2——输入是平的，输出却是棋盘格（Odena 等，2016）。"
        "用 4×4 卷积核、步幅 2、填充 1 时，远离边缘的每个单元格都被 4 个印覆盖，所以内部全是 4。"
        "先用插值放大、再做普通卷积，也能避免这个问题。",
    },
    "teach.tconv.output_padding.title": {"en": "Why output_padding", "zh": "为什么需要输出填充"},
    "teach.tconv.output_padding": {
        "en": "A stride-2 convolution (3×3, padding 1) turns both 7×7 and 8×8 inputs into 4×4, because its "
        "division is rounded down. Going back, `nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1)` "
        "cannot know which one you want and gives 7×7; `output_padding=1` adds a row at the bottom and a column "
        "on the right and gives 8×8. That is why decoders that double the size write `output_padding=1` with "
        "this kernel, stride and padding: 4×4 → 8×8. It adds no weights, and it must be smaller than the stride "
        "(or the dilation).",
        "zh": "步幅为 2 的卷积（3×3，填充 1）会把 7×7 和 8×8 的输入都变成 4×4，因为其中的除法要向下取整。反过来时，"
        "`nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1)` 无法知道你想要哪一个，于是给出 7×7；"
        "`output_padding=1` 在下方加一行、在右侧加一列，给出 8×8。所以要让尺寸翻倍的解码器，"
        "在这个卷积核、步幅和填充下会写 `output_padding=1`：4×4 → 8×8。它不增加任何权重，而且必须小于步幅（或膨胀率）。",
    },
    # Network builder page (its own notes, nb.note.*, cover 1×1, the classifier head and residual blocks)
    "teach.nb.params.title": {"en": "Where the parameters are", "zh": "参数在哪里"},
    "teach.nb.params": {
        "en": "Only layers with weights have parameters. A convolution has C_out · (C_in/groups · k · k) + C_out, "
        "whatever the height and width, since its weights are shared; a Linear layer in · out + out; batch norm 2 "
        "per channel (it also keeps a running mean and variance, which are not trained); pooling, activations and "
        "Flatten none. In the LeNet-5 preset the two convolutions hold 2,572 parameters and the three Linear "
        "layers 59,134: almost all of the network is in the classifier, and the first Linear layer alone has "
        "48,120.",
        "zh": "只有带权重的层才有参数。卷积层有 C_out · (C_in/groups · k · k) + C_out 个参数，与高和宽无关，"
        "因为它的权重是共享的；全连接层有 in · out + out 个；批归一化每个通道 2 个（它还保存运行均值和方差，"
        "但这些不参与训练）；池化、激活函数和 Flatten 没有参数。在 LeNet-5 预设中，两个卷积层共有 2,572 个参数，"
        "三个全连接层有 59,134 个：网络的参数几乎都在分类器里，仅第一个全连接层就有 48,120 个。",
    },
    "teach.nb.small_kernels.title": {"en": "Small kernels, stacked", "zh": "堆叠小卷积核"},
    "teach.nb.small_kernels": {
        "en": "Two 3×3 convolutions in a row see a 5×5 window of their input, like one 5×5 convolution, and three "
        "see 7×7. With C channels in and out they need 2 · 9 · C² weights instead of 25 · C² (for C = 64: 73,728 "
        "instead of 102,400), and a ReLU fits between them. That is why VGG-16 uses only 3×3 convolutions, and "
        "ResNet's blocks use 3×3 (and 1×1) kernels. Stack two 3×3 convolutions here and read the receptive field "
        "column: 3, then 5.",
        "zh": "连续两个 3×3 卷积看到输入中 5×5 的窗口，与一个 5×5 卷积相同；三个则看到 7×7。输入和输出都是 C "
        "个通道时，它们需要 2 · 9 · C² 个权重，而不是 25 · C²（C = 64 时：73,728 个而不是 102,400 个），"
        "中间还能再加一个 ReLU。这就是 VGG-16 只用 3×3 卷积、ResNet 的残差块只用 3×3（和 1×1）卷积核的原因。"
        "在这里堆叠两个 3×3 卷积，看感受野这一列：先是 3，然后是 5。",
    },
    "teach.nb.why_residual.title": {"en": "Why residual connections help", "zh": "残差连接为什么有用"},
    "teach.nb.why_residual": {
        "en": "Plain networks get harder to train as they get deeper: in He et al. (2016) a plain 56-layer network "
        "had a higher training error on CIFAR-10 than a 20-layer one, so the problem was not overfitting. A "
        "residual block computes $y = F(x) + x$: if its weights make F(x) = 0, the block passes its input on "
        "unchanged (the ReLU after the sum changes nothing, since x comes out of a ReLU). Extra blocks can "
        "therefore start by doing nothing and only learn a correction, which is the notes' point that more "
        "layers should not do worse. The bundled ResNet-20 was trained from that start: the last batch norm of "
        "each block began with scale 0.",
        "zh": "普通网络越深越难训练：在 He 等人（2016）的实验中，56 层的普通网络在 CIFAR-10 上的训练误差反而比 20 "
        "层的高，所以问题不在过拟合。残差块计算 $y = F(x) + x$：如果它的权重使 F(x) = 0，残差块就把输入原样传下去"
        "（相加之后的 ReLU 不改变任何值，因为 x 本身就是 ReLU 的输出）。因此多加的残差块可以从“什么都不做”开始，"
        "只学习一个修正量，这正是笔记中“层数加深至少不比原来差”的意思。内置的 ResNet-20 就是从这样的起点训练的："
        "每个残差块最后一个批归一化的缩放系数从 0 开始。",
    },
    # (end of teaching notes)
}

"""Loading the models vizconv shows, with what belongs to their weights.

``load_model(name)`` returns the model in eval mode and a ``ModelInfo``:
class names, input size, the preprocessing used in training, and the model
card. Which models there are, and what each is, is the zoo's
(``vizconv.nets.zoo``); this module gets the weights. Bundled weights
(assets/models) are checked against the sha256 in their card and loaded with
``weights_only=True``; so are the snapshots a card lists (``snapshot_epochs``,
``load_snapshot``: the weights before training and after some epochs, written
by ``python -m vizconv.training.train NAME --snapshots ...``). "resnet18" and the
torchvision zoo (``ZOO_MODELS``: AlexNet, VGG, ResNet, MobileNet, EfficientNet, ConvNeXt, RegNet, GoogLeNet) use
torchvision's ImageNet weights, downloaded to torch's hub cache on first use (``download_weights``, with a
progress callback; what arrives is checked against the sha256 digits in its name, as torch.hub checks) and
loaded with ``weights_only=True``. Offline, ``random_model`` gives the same architecture untrained.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import re
import struct
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from vizconv.i18n.strings import Count
from vizconv.nets.zoo import (
    MODELS,
    MODELS_DIR,
    TORCHVISION_MODELS,
    ModelError,
    ModelInfo,
    ModelSpec,
    model_info,
    preprocess_cifar,
    preprocess_digit,
    sha256_of,
    spec,
)

__all__ = [
    "BUNDLED_MODELS",
    "DOWNLOADED_MODELS",
    "MAX_WEIGHTS_BYTES",
    "MODELS_DIR",
    "ZOO_MODELS",
    "ModelError",
    "ModelInfo",
    "available_models",
    "built_on_meta",
    "checked_model",
    "download_resnet18",
    "download_weights",
    "is_safetensors",
    "load_model",
    "load_snapshot",
    "load_user_weights",
    "max_weights_bytes",
    "preprocess_cifar",
    "preprocess_digit",
    "random_model",
    "resnet18_downloaded",
    "resnet18_weights_path",
    "snapshot_epochs",
    "unwrapped",
    "weights_downloaded",
    "weights_path",
]

BUNDLED_MODELS = tuple(name for name, s in MODELS.items() if s.bundled)
DOWNLOADED_MODELS = tuple(name for name, s in MODELS.items() if not s.bundled)
ZOO_MODELS = tuple(TORCHVISION_MODELS)  # torchvision's classifiers, ResNet-18 among them: downloaded, or random
MAX_WEIGHTS_BYTES = 64 * 1024 * 1024  # ResNet-18's state_dict is about 45 MB
# Largest |value| accepted in a student's weights, once converted to the architecture's float32. Trained weights,
# BatchNorm statistics included, stay far below it (the bundled models: below 7), so it refuses only nonsense;
# and a weight this large times an activation this large, summed over ResNet-18's largest fan-in (4608), is
# about 5e15, far below float32's 3.4e38: no layer overflows from one such weight (float64 1e300 or float32
# 3e38 overflow at once). Deep stacks of large weights can still overflow; the pages write inf and NaN.
MAX_WEIGHT = 1e6


def available_models(zoo: bool = False) -> tuple[str, ...]:
    """The model names the Feature maps page offers (MODELS); with ``zoo``, every name ``load_model`` accepts:
    also torchvision's classifiers (ZOO_MODELS)."""
    return tuple(MODELS) + (tuple(n for n in ZOO_MODELS if n not in MODELS) if zoo else ())


def _read_card(model: ModelSpec, path: Path) -> dict:
    """A bundled model's card, with the sha256 loading needs and the zoo's class names; ModelError if it has
    not (a card of other classes describes other weights)."""
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        raise ModelError("model.card_broken", name=model.name, path=str(path)) from exc
    if not isinstance(card, dict):
        raise ModelError("model.card_broken", name=model.name, path=str(path))
    if card.get("classes") != list(model.classes) or not isinstance(card.get("sha256"), str):
        raise ModelError("model.card_broken", name=model.name, path=str(path))
    return card


def _checked_state(model: ModelSpec, weights: Path, sha256: str) -> dict[str, torch.Tensor]:
    """The state_dict in ``weights`` once its sha256 is the card's; ModelError (missing, altered) otherwise."""
    if not weights.is_file():
        raise ModelError("model.missing", name=model.name, path=str(weights))
    if sha256_of(weights) != sha256:
        raise ModelError("model.altered", name=model.name, path=str(weights))
    return torch.load(weights, map_location="cpu", weights_only=True)


def _built(model: ModelSpec, state: dict[str, torch.Tensor]) -> nn.Module:
    network = model.build()
    network.load_state_dict(state)  # the file is the one its card's sha256 names: vizconv's own
    return network.eval()


def _card(model: ModelSpec, models_dir: Path) -> dict:
    """The bundled model's card in ``models_dir`` (``_read_card``); ModelError when it is missing."""
    card_path = model.card_path(models_dir)
    if not card_path.is_file():
        raise ModelError("model.missing", name=model.name, path=str(card_path))
    return _read_card(model, card_path)


def _unreadable(model: ModelSpec, models_dir: Path, exc: OSError) -> ModelError:
    reason = exc.strerror or str(exc)  # a folder or file the server may not read
    return ModelError("model.unreadable", name=model.name, path=str(models_dir), reason=reason)


def _load_bundled(model: ModelSpec, models_dir: Path) -> tuple[nn.Module, ModelInfo]:
    weights = model.weights_path(models_dir)
    try:
        if not weights.is_file():
            raise ModelError("model.missing", name=model.name, path=str(weights))
        card = _card(model, models_dir)
        state = _checked_state(model, weights, card["sha256"])
    except OSError as exc:
        raise _unreadable(model, models_dir, exc) from exc
    return _built(model, state), model_info(model.name, card)


def _snapshots(model: ModelSpec, card: dict, models_dir: Path) -> dict[int, dict]:
    """The card's ``snapshots`` by epoch (none: {}); ModelError (card_broken) when an entry is not an epoch,
    a file inside ``models_dir``, a sha256 and an accuracy."""
    entries = card.get("snapshots", [])
    broken = ModelError("model.card_broken", name=model.name, path=str(model.card_path(models_dir)))
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise broken
    for entry in entries:
        epoch, file = entry.get("epoch"), entry.get("file")
        if type(epoch) is not int or epoch < 0 or not isinstance(file, str) or not isinstance(entry.get("sha256"), str):
            raise broken
        if not isinstance(entry.get("test_accuracy"), (int, float)):
            raise broken
        root = models_dir.resolve()
        if not (root / file).resolve().is_relative_to(root):  # a card names files beside it, nothing else
            raise broken
    by_epoch = {e["epoch"]: e for e in entries}
    if len(by_epoch) != len(entries):
        raise broken
    return dict(sorted(by_epoch.items()))


def snapshot_epochs(name: str, models_dir: Path | None = None) -> tuple[int, ...]:
    """The epochs whose weights model ``name``'s card lists as snapshots (0: before training), in order; () for
    a model with none (or not bundled). ModelError when the card is missing or broken."""
    model = spec(name)
    if not model.bundled:
        return ()
    models_dir = MODELS_DIR if models_dir is None else models_dir
    try:
        return tuple(_snapshots(model, _card(model, models_dir), models_dir))
    except OSError as exc:
        raise _unreadable(model, models_dir, exc) from exc


def load_snapshot(name: str, epoch: int, models_dir: Path | None = None) -> tuple[nn.Module, ModelInfo]:
    """Model ``name`` (eval mode) with its weights after ``epoch`` (0: the random initialisation training started
    from), checked against the sha256 its card lists, and a ModelInfo whose card is the model's with the
    snapshot's ``epoch``, ``file``, ``sha256`` and held-out ``test_accuracy`` (``val_accuracy`` that epoch's, or
    none), ``"source": "snapshot"``. ModelError when a file is missing or altered, as for ``load_model``;
    ValueError for an epoch the card does not list (``snapshot_epochs`` says which it does)."""
    model = spec(name)
    models_dir = MODELS_DIR if models_dir is None else models_dir
    if not model.bundled:
        raise ValueError(f"{name} has no snapshots: its weights are not bundled")
    try:
        card = _card(model, models_dir)
        snapshots = _snapshots(model, card, models_dir)
        if epoch not in snapshots:
            raise ValueError(f"{name} has no snapshot of epoch {epoch}; it has {tuple(snapshots) or 'none'}")
        entry = snapshots[epoch]
        state = _checked_state(model, models_dir / entry["file"], entry["sha256"])
    except OSError as exc:
        raise _unreadable(model, models_dir, exc) from exc
    # That epoch's validation accuracy: the entry's own, else the run's history (not for snapshots of a rerun,
    # vizconv.training.attach_snapshots, whose card's history is another run's).
    history = [] if "snapshots_run" in card else card.get("history", [])
    val = entry.get("val_accuracy", {h["epoch"]: h["val_accuracy"] for h in history}.get(epoch))
    card = {k: v for k, v in card.items() if k not in ("snapshots", "snapshots_run", "val_accuracy")}
    snapshot = {**card, **({"val_accuracy": val} if val is not None else {}), **entry}
    return _built(model, state), model_info(name, snapshot, source="snapshot")


def weights_path(name: str) -> Path:
    """Where torch's hub cache keeps model ``name``'s published weights (torch.hub.load_state_dict_from_url's
    path: ``<hub>/checkpoints/<the URL's file name>``); ValueError for a bundled model."""
    model = spec(name)
    if model.bundled:
        raise ValueError(f"{name}'s weights are bundled with vizconv, not downloaded")
    return Path(torch.hub.get_dir()) / "checkpoints" / model.url.rsplit("/", 1)[1]


def weights_downloaded(name: str) -> bool:
    """Whether model ``name``'s weights are in torch's hub cache (False also where the cache cannot be looked into)."""
    try:
        return weights_path(name).is_file()
    except OSError:  # a cache folder the server may not read: download_weights says what is wrong
        return False


def resnet18_weights_path() -> Path:
    """Where torch's hub cache keeps the ResNet-18 ImageNet weights (``weights_path("resnet18")``)."""
    return weights_path("resnet18")


def resnet18_downloaded() -> bool:
    """Whether the ResNet-18 weights are in torch's hub cache (``weights_downloaded("resnet18")``)."""
    return weights_downloaded("resnet18")


HASH_IN_NAME = re.compile(r"-([a-f0-9]+)\.")  # torch.hub's convention: name-<first hex digits of its sha256>.pth


def _hash_prefix(url: str) -> str | None:
    """The start of the file's sha256 its name carries (torch.hub.download_url_to_file checks the same), if any."""
    match = HASH_IN_NAME.search(url.rsplit("/", 1)[1])
    return match.group(1) if match else None


def _unwritable(model: ModelSpec, target: Path, exc: OSError) -> ModelError:
    return ModelError(
        "model.cache_unwritable", name=model.architecture, folder=str(target.parent), reason=exc.strerror or str(exc)
    )


def download_weights(name: str, progress: Callable[[float], None] | None = None, chunk: int = 1 << 20) -> Path:
    """Download model ``name``'s published ImageNet weights into torch's hub cache, reporting the fraction done
    (``progress(0.0 … 1.0)``, once per ``chunk`` bytes; not at all when the server does not say the size); the
    cached file's path, at once when it is there already.

    ModelError when the cache folder cannot be written (said so, with TORCH_HOME as the way out: that is not
    "no internet"), the download fails (offline) or what arrived is not the file its name promises (its sha256
    does not start with the hex digits in the name, as torch.hub checks); nothing half-written is left behind.
    """
    model = spec(name)
    target = weights_path(name)
    if weights_downloaded(name):
        return target
    partial = target.with_suffix(".partial")
    try:  # before anything is downloaded: a folder the server cannot write
        target.parent.mkdir(parents=True, exist_ok=True)
        file = open(partial, "wb")  # noqa: SIM115 (closed below, after the download)
    except OSError as exc:
        raise _unwritable(model, target, exc) from exc
    written = False
    try:
        digest = hashlib.sha256()
        with file, urllib.request.urlopen(model.url, timeout=30) as response:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while block := response.read(chunk):
                try:
                    file.write(block)
                except OSError as exc:  # the disk is full
                    raise _unwritable(model, target, exc) from exc
                digest.update(block)
                done += len(block)
                if progress and total:
                    progress(min(done / total, 1.0))
        prefix = _hash_prefix(model.url)
        if prefix and not digest.hexdigest().startswith(prefix):  # a proxy's error page, a truncated transfer
            raise ModelError("model.damaged", name=model.architecture, path=str(target))
        try:
            partial.replace(target)
        except OSError as exc:
            raise _unwritable(model, target, exc) from exc
        written = True
    except ModelError:
        raise
    except Exception as exc:  # URLError, HTTPError, timeouts, a broken connection: no usable download
        raise ModelError("model.offline", name=model.architecture, url=model.url, path=str(target)) from exc
    finally:
        if not written:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
    return target


def download_resnet18(progress: Callable[[float], None] | None = None, chunk: int = 1 << 20) -> Path:
    """Download the ResNet-18 ImageNet weights into torch's hub cache (``download_weights("resnet18", ...)``)."""
    return download_weights("resnet18", progress, chunk)


def _load_downloaded(model: ModelSpec) -> tuple[nn.Module, ModelInfo]:
    """A torchvision model with its published weights from torch's hub cache (downloaded first when missing),
    loaded with ``weights_only=True``; a cache file that does not load is removed, so the next try downloads."""
    path = download_weights(model.name)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        state = {k: v for k, v in state.items() if not k.startswith(model.ignore_keys)} if model.ignore_keys else state
        network = built_on_meta(model.name)  # nothing initialised only to be overwritten (VGG-16: 138 M weights)
        network.load_state_dict(state, assign=True)
    except Exception as exc:  # a damaged cache file: remove it (where the folder allows) so the next try downloads
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        raise ModelError("model.damaged", name=model.architecture, path=str(path)) from exc
    network.eval()
    return network, model_info(model.name, source=model.url, test_accuracy=model.accuracy)


def load_model(name: str, models_dir: Path | None = None) -> tuple[nn.Module, ModelInfo]:
    """Model ``name`` in eval mode and its ModelInfo; ModelError when it cannot be had (bundled models are read
    from ``models_dir``, by default MODELS_DIR as it is when called)."""
    model = spec(name)
    if model.bundled:
        return _load_bundled(model, MODELS_DIR if models_dir is None else models_dir)
    return _load_downloaded(model)


@dataclass(frozen=True)
class _Needs:
    """What a file written by ``torch.save`` may hold for one architecture, read from its state_dict."""

    keys: int  # entries of the largest state_dict of any architecture (so another model's file is still read,
    # and its keys named as not fitting)
    values: int  # numbers in this architecture's state_dict

    @property
    def records(self) -> int:
        """Zip entries: one storage per tensor; a training checkpoint's optimizer adds up to three per weight
        (Adam: step, exp_avg, exp_avg_sq); and torch.save's few small files."""
        return 4 * self.keys + 16

    @property
    def bytes(self) -> int:
        """Bytes of all entries: every value as float64, twice (the weights and an optimizer's buffers), + 1 MiB."""
        return 16 * self.values + (1 << 20)

    @property
    def pickle(self) -> int:
        """Bytes of data.pkl, the index that names each tensor: torch.save writes about 120 per key (ResNet-18:
        15 KB; an optimizer's state about as much again), so 1 KiB per key and 32 KiB more. The pickle is
        what torch.load works through one entry at a time: this bounds its time and memory."""
        return 1024 * self.keys + 32 * 1024


def built_on_meta(name: str) -> nn.Module:
    """Architecture ``name`` on the meta device: shapes without memory or initialisation. A builder that computes
    with tensors (RegNet rounds its widths with torch) cannot run there: it is built on the CPU and moved."""
    build = spec(name).build
    try:
        with torch.device("meta"):
            return build()
    except (NotImplementedError, RuntimeError):  # "Cannot copy out of meta tensor"
        return build().to("meta")


@functools.cache
def _state_size(name: str) -> tuple[int, int]:
    """(keys, numbers) of architecture ``name``'s state_dict."""
    state = built_on_meta(name).state_dict()  # shapes only: no memory, no initialisation
    return len(state), sum(v.numel() for v in state.values())


def _needs(name: str) -> _Needs:
    keys, values = _state_size(name)
    return _Needs(max(keys, *(_state_size(n)[0] for n in available_models())), values)


def max_weights_bytes(name: str) -> int:
    """The largest weights file accepted for architecture ``name``: MAX_WEIGHTS_BYTES for the models the page
    always offers (MODELS); for a zoo architecture larger than that, its float32 state_dict and 2 KiB per entry
    more (ResNet-50: 99 MB, VGG-16: 554 MB). The page's upload limit must allow it."""
    if name in MODELS:
        return MAX_WEIGHTS_BYTES
    keys, values = _state_size(name)
    return max(MAX_WEIGHTS_BYTES, 4 * values + 2048 * keys + (1 << 20))


_EOCD, _EOCD64, _EOCD64_LOCATOR = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
_EOCD_SIZE, _EOCD64_SIZE, _LOCATOR_SIZE = 22, 56, 20
_LEGACY_MAGIC = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."  # torch's pre-1.6 format starts with this pickle
_CENTRAL_RECORD_BYTES = 512  # bound on one central directory record (torch.save writes about 70 bytes)


def _directory_bytes(data: bytes) -> int | None:
    """The size of a zip's central directory as zipfile reads it (its end record, or the zip64 one before it);
    None when ``data`` has no end record (not a zip)."""
    end = len(data) - _EOCD_SIZE
    if end < 0:
        return None
    if data[end : end + 4] != _EOCD or data[-2:] != b"\0\0":  # a comment follows the record: search for it
        end = data.rfind(_EOCD, max(0, len(data) - _EOCD_SIZE - 0xFFFF))
        if end < 0 or len(data) - end < _EOCD_SIZE:
            return None
    size = struct.unpack_from("<L", data, end + 12)[0]
    locator = end - _LOCATOR_SIZE
    if locator >= _EOCD64_SIZE and data[locator : locator + 4] == _EOCD64_LOCATOR:
        record = locator - _EOCD64_SIZE
        if data[record : record + 4] == _EOCD64:
            size = struct.unpack_from("<Q", data, record + 40)[0]
    return size


def _checked_archive(data: bytes, needs: _Needs, name: str) -> bytes:
    """The zip that torch.save wrote, written afresh from what was checked: at most ``needs.records`` entries,
    all stored (torch.save never compresses: a compressed entry is how a few MB unpack to GB), of at most
    ``needs.bytes`` in all and a data.pkl of at most ``needs.pickle`` bytes. Rewritten so that torch.load's zip
    reader sees exactly the entries checked here, whatever the two readers would make of a crafted file.
    ModelError otherwise; nothing is unpacked before the sizes are known."""
    directory = _directory_bytes(data)
    if directory is None:
        raise ModelError("weights.legacy" if data.startswith(_LEGACY_MAGIC) else "weights.unreadable")
    if directory > needs.records * _CENTRAL_RECORD_BYTES:
        raise ModelError("weights.too_many_records", name=name, limit=needs.records)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > needs.records:
                raise ModelError("weights.too_many_records", name=name, limit=needs.records)
            if any(e.compress_type != zipfile.ZIP_STORED or e.compress_size != e.file_size for e in entries):
                raise ModelError("weights.compressed")
            if sum(e.file_size for e in entries) > needs.bytes:
                raise ModelError("weights.too_many_bytes", name=name, limit_mb=_megabytes(needs.bytes))
            pickles = [e for e in entries if e.filename.endswith("/data.pkl") or e.filename == "data.pkl"]
            if len(pickles) != 1 or len({e.filename for e in entries}) != len(entries):
                raise ModelError("weights.unreadable")
            if pickles[0].file_size > needs.pickle:
                raise ModelError("weights.too_many_keys", name=name, limit_kb=needs.pickle // 1024)
            clean = io.BytesIO()
            with zipfile.ZipFile(clean, "w", zipfile.ZIP_STORED) as copy:
                for entry in entries:
                    copy.writestr(entry.filename, archive.read(entry))  # read() checks each entry's CRC
            return clean.getvalue()
    except ModelError:
        raise
    except Exception as exc:  # BadZipFile, a bad CRC, an encrypted entry, …: nothing torch.save wrote
        raise ModelError("weights.unreadable") from exc


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f}"


RANDOM_SEED = 0  # random weights are the same for everyone, so a class compares the same maps


def random_model(name: str, seed: int = RANDOM_SEED) -> tuple[nn.Module, ModelInfo]:
    """Architecture ``name`` with the random weights it starts training from (PyTorch's default initialisation,
    seeded), in eval mode: the arithmetic of every layer, no training. Needs no file and no download, so it
    works offline; the ModelInfo's card says ``"source": "random"``."""
    build = spec(name).build
    with torch.random.fork_rng(devices=[]):  # the caller's random state is left as it was
        torch.manual_seed(seed)
        model = build()
    return model.eval(), model_info(name, source="random", seed=seed)


def _examples(names: list[str]) -> str:
    """Up to three names, each at most 60 characters, for a message (rendered escaped: see MessageError)."""
    short = [n if len(n) <= 60 else n[:59] + "…" for n in names[:3]]
    return ", ".join(short) + (" …" if len(names) > 3 else "") if names else "—"


def _kind(value: object) -> str | None:
    """Why a loaded value cannot be a weight of a vizconv model (a torch name, in no language); None if it can."""
    if not isinstance(value, torch.Tensor):
        return type(value).__name__
    if type(value) not in (torch.Tensor, nn.Parameter):  # a tensor subclass: its methods are not plain tensors'
        return type(value).__name__
    if value.layout != torch.strided or value.is_nested:  # sparse (COO, CSR, …) or nested
        return "nested" if value.is_nested else str(value.layout)
    if value.device.type != "cpu":  # meta (a shape without values) or, with map_location="cpu", nothing else
        return value.device.type
    if value.is_quantized or value.is_complex() or value.dtype == torch.bool:
        return str(value.dtype)
    return None


def _converted(key: str, value: torch.Tensor, like: torch.Tensor) -> torch.Tensor | str:
    """``value`` as the architecture's dtype (``like``'s), in its own storage; or why it cannot be: a torch name
    ("torch.float32") for a dtype that does not fit, "nan"/"inf" for non-finite values, "large" beyond MAX_WEIGHT,
    "negative" for a running variance below zero."""
    if like.is_floating_point():
        if not value.is_floating_point():
            return str(value.dtype)
        if not bool(torch.isfinite(value).all()):
            return "nan"
        converted = value.to(like.dtype)
        if not bool(torch.isfinite(converted).all()) or bool((converted.abs() > MAX_WEIGHT).any()):
            return "large"
        if key.endswith("running_var") and bool((converted < 0).any()):
            return "negative"
    else:  # an integer buffer (BatchNorm's num_batches_tracked): any whole number, also written as a float
        if value.is_floating_point():
            whole = torch.isfinite(value).all() and torch.equal(value, value.round()) and (value.abs() <= 2**53).all()
            if not bool(whole):
                return str(value.dtype)
        converted = value.to(like.dtype)
    if not converted.is_contiguous() or converted.untyped_storage().nbytes() != converted.nbytes:
        converted = converted.clone(memory_format=torch.contiguous_format)  # not a view into a larger storage
    return converted


def load_user_weights(name: str, data: bytes) -> tuple[nn.Module, ModelInfo]:
    """A student's own state_dict for architecture ``name``, checked, as (model in eval mode, ModelInfo).

    Before anything is unpacked, the file's zip directory is checked against what the architecture's
    state_dict can need (``_Needs``: entries, bytes, the size of its index), so that a small file cannot
    unpack to gigabytes or to a million tensors; PyTorch's legacy format, which cannot be checked so, is
    refused. Then it is loaded with ``torch.load(..., weights_only=True)`` only (no pickled code runs), and
    keys, kinds, shapes and values are checked against the architecture (dense CPU tensors of real numbers,
    finite and at most MAX_WEIGHT in float32), each failure a ModelError that says what does not fit. The
    model is new (built on the meta device and given the checked tensors, so no weights are initialised only
    to be overwritten): nothing shared is changed, so the page can keep it in that session only. A safetensors
    file (``is_safetensors``) is read by ``load_safetensors_weights`` instead, with the same checks.
    """
    if is_safetensors(data):  # a safetensors file, beside torch.save's: read by vizconv.nets.safetensors_weights
        from vizconv.nets.safetensors_weights import load_safetensors_weights

        return load_safetensors_weights(name, data)
    return checked_model(name, _read_state(name, data))


def is_safetensors(data: bytes) -> bool:
    """Whether ``data`` starts as a safetensors file does: an 8-byte little-endian header length, then the
    header's JSON object (torch.save writes a zip, which starts with "PK")."""
    if len(data) < 10:
        return False
    size = struct.unpack_from("<Q", data)[0]
    return 2 <= size <= len(data) - 8 and data[8:9] == b"{"


def checked_model(name: str, state: dict[str, torch.Tensor], **card: object) -> tuple[nn.Module, ModelInfo]:
    """Architecture ``name`` (eval mode) with the weights ``state``, once their keys, kinds, shapes and values
    fit it (``_check_fits``, ``_converted_state``: each failure a ModelError that says what does not fit), and a
    ModelInfo whose card says ``"source": "uploaded"`` and ``card``. Built on the meta device and given the
    checked tensors, so no weights are initialised only to be overwritten; nothing shared is changed."""
    model = built_on_meta(name)
    expected = model.state_dict()  # meta tensors: the names, shapes and dtypes the architecture needs
    _check_fits(name, state, expected)
    converted = _converted_state(state, expected)
    del state
    model.load_state_dict(converted, assign=True)
    if any(t.is_meta for t in (*model.parameters(), *model.buffers())):  # a buffer outside the state_dict
        raise RuntimeError(f"{name}: a tensor outside the state_dict stayed on the meta device")
    model.eval()
    return model, model_info(name, source="uploaded", **card)


def _read_state(name: str, data: bytes) -> dict[str, torch.Tensor]:
    """The state_dict in a student's file for architecture ``name``: its zip checked against ``_Needs`` before
    anything is unpacked, then ``torch.load(..., weights_only=True)``; a training checkpoint's ``state_dict``
    and DataParallel's ``module.`` prefix taken off. ModelError when it is no such file."""
    limit = max_weights_bytes(name)
    if len(data) > limit:
        raise ModelError("weights.too_large", limit_mb=limit // (1024 * 1024))
    archive = _checked_archive(bytes(data), _needs(name), name)
    try:
        state = torch.load(io.BytesIO(archive), map_location="cpu", weights_only=True)
    except Exception as exc:  # UnpicklingError, RuntimeError, EOFError, zip errors, …: not loadable safely
        raise ModelError("weights.unreadable") from exc
    finally:
        del archive
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):  # a training checkpoint
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise ModelError("weights.not_state_dict", kind=type(state).__name__)
    return unwrapped(state)


def unwrapped(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``state`` without DataParallel's ``module.`` prefix, where every key has it."""
    if state and all(k.startswith("module.") for k in state):  # saved from DataParallel
        state = {k[len("module.") :]: v for k, v in state.items()}
    return state


def _check_fits(name: str, state: dict[str, torch.Tensor], expected: dict[str, torch.Tensor]) -> None:
    """ModelError unless ``state`` has exactly the ``expected`` keys, each a tensor of a kind a weight can be,
    of the expected shape."""
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        raise ModelError(
            "weights.keys",
            name=name,
            missing=Count("count.parameters", len(missing)),
            missing_examples=_examples(missing),
            unexpected=Count("count.parameters", len(unexpected)),
            unexpected_examples=_examples(unexpected),
        )
    kinds = {k: kind for k, v in state.items() if (kind := _kind(v)) is not None}
    if kinds:
        raise ModelError(
            "weights.kind",
            count=Count("count.values", len(kinds)),
            examples=_examples([f"{k} ({v})" for k, v in kinds.items()]),
        )
    wrong = [f"{k} {list(state[k].shape)} ≠ {list(v.shape)}" for k, v in expected.items() if state[k].shape != v.shape]
    if wrong:
        raise ModelError(
            "weights.shapes", name=name, count=Count("count.tensors", len(wrong)), examples=_examples(wrong)
        )


def _converted_state(state: dict[str, torch.Tensor], expected: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Every value of ``state`` as the architecture's dtype (``_converted``); ModelError naming the values that
    cannot be (not finite, beyond MAX_WEIGHT, a negative variance, a dtype that does not fit)."""
    converted = {k: _converted(k, state[k], v) for k, v in expected.items()}
    problems = {k: v for k, v in converted.items() if isinstance(v, str)}
    for problem, key in (("nan", "weights.not_finite"), ("large", "weights.too_large_values")):
        if broken := [k for k, v in problems.items() if v == problem]:
            raise ModelError(key, examples=_examples(broken), limit=f"{MAX_WEIGHT:,.0f}")
    if negative := [k for k, v in problems.items() if v == "negative"]:
        raise ModelError("weights.negative_variance", examples=_examples(negative))
    if problems:  # a dtype that cannot become the architecture's
        examples = _examples([f"{k} ({v})" for k, v in problems.items()])
        raise ModelError("weights.kind", count=Count("count.values", len(problems)), examples=examples)
    return converted

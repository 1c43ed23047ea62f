"""Training LeNet-5 live, behind a page: start, pause, resume, reset, and a snapshot to draw at any moment.

A ``LiveTraining`` holds everything of one student's training (the model, its optimiser, the data, the place in
the epoch, the history) and trains in a daemon thread of its own, so the page stays responsive and draws
``snapshot()`` as often as it likes. A page keeps the object in its session: when the session ends the object
is dropped, a finaliser stops its thread at the next batch, and the thread frees its slot.

Bounds, for a server many students share:
- at most ``VIZCONV_LIVE_TRAININGS`` trainings at once in the process (default 2; 0 turns live training off):
  a ``threading.BoundedSemaphore``, the one thing held process-wide. A start beyond it raises ``LiveBusyError``
  ("busy, try again"); a slot is taken by ``start()``/``resume()`` and given back when the thread ends (done,
  paused, stopped, reset, the object dropped), so a paused training holds no slot and no thread;
- at most MAX_EPOCHS epochs;
- one torch thread per training. ``torch.set_num_threads`` is not per thread: it stores a process-wide count,
  which every thread reads once, at its first parallel operation, into its own OpenMP (and MKL) setting; later
  threads (Streamlit runs each script in a new thread) would all take the training's 1. So the training thread
  sets 1 and reads it (its own setting is then fixed at 1), and ``start()``, in the calling thread, puts the
  process's count back at once (``_one_thread_for``): the server's ``VIZCONV_TORCH_THREADS`` stays in force for
  every other thread (tests/training/test_live.py checks both).

Data: the MNIST digits of ``VIZCONV_MNIST`` (an .npz as ``vizconv.training.datasets.load_mnist`` reads it),
by default ``../shared/data/mnist-8k.npz`` beside the repository: its fixed split (seed 0) gives 6,000 training
digits and a held-out test split of 1,000. The recipe is the bundled LeNet-5's (vizconv.training.train: Adam,
lr 2e-3, batch 64) at a constant rate and without augmentation.
"""

from __future__ import annotations

import math
import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from vizconv.errors import MessageError, ParameterError
from vizconv.nets.zoo import MODELS, preprocess_digit
from vizconv.training.datasets import DataError, load_mnist
from vizconv.training.train import normalise

__all__ = [
    "DATA_ENV",
    "MAX_EPOCHS",
    "SLOTS_ENV",
    "LiveBusyError",
    "LiveConfig",
    "LiveDataError",
    "LiveSnapshot",
    "LiveTraining",
    "live_trainings",
    "mnist_path",
]

SLOTS_ENV = "VIZCONV_LIVE_TRAININGS"
DATA_ENV = "VIZCONV_MNIST"
DEFAULT_SLOTS = 2  # trainings at once per server process (each one torch thread)
MAX_EPOCHS = 5
MAX_BATCH = 512
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist-8k.npz"
LIVE_MODELS = ("lenet5", "lenet5-classic")
JOIN_SECONDS = 30.0  # pause/stop wait this long at most for the batch under way


class LiveBusyError(MessageError):
    """Every live-training slot of the server is taken: try again later."""


class LiveDataError(MessageError):
    """The digits to train on are not on this server."""


def live_trainings(environ: dict | None = None) -> int:
    """The cap ``VIZCONV_LIVE_TRAININGS`` asks for (2 when unset, 0 for none); ValueError when it is not a count."""
    raw = (os.environ if environ is None else environ).get(SLOTS_ENV, "").strip()
    if raw == "":
        return DEFAULT_SLOTS
    if not raw.isdigit():
        raise ValueError(f"{SLOTS_ENV} must be a whole number of trainings (0 or more), not {raw!r}")
    return int(raw)


def mnist_path(environ: dict | None = None) -> Path:
    """Where the digits come from: ``VIZCONV_MNIST``, else ../shared/data/mnist-8k.npz beside the repository."""
    raw = (os.environ if environ is None else environ).get(DATA_ENV, "").strip()
    return Path(raw) if raw else DEFAULT_DATA


SLOT_LIMIT = live_trainings()
# The process's one shared bound (everything else lives in each LiveTraining).
_SLOTS = threading.BoundedSemaphore(SLOT_LIMIT) if SLOT_LIMIT else None
_THREADS_GUARD = threading.Lock()  # one training's thread count set up at a time (see _one_thread_for)


@dataclass(frozen=True)
class LiveConfig:
    """One live training's settings."""

    epochs: int = 3  # at most MAX_EPOCHS
    batch: int = 64  # the recipe's batch (vizconv.training.train)
    lr: float = 2e-3  # Adam's rate, the recipe's peak, held constant
    chunk: int = 10  # batches per point of the running curves
    train_size: int | None = None  # None: the whole training split (6,000 digits of mnist-8k.npz)
    test_size: int | None = None  # None: the whole held-out test split (1,000)
    seed: int = 0  # the initial weights and the batches' order
    digit: int = 7  # the bundled sample digit whose feature maps the snapshot shows
    model: str = "lenet5"  # or "lenet5-classic"

    def checked(self) -> LiveConfig:
        """The config itself; ParameterError (training.*) for a setting out of bounds."""
        whole = (
            ("epochs", self.epochs, 1, MAX_EPOCHS),
            ("batch", self.batch, 1, MAX_BATCH),
            ("chunk", self.chunk, 1, 10_000),
            ("digit", self.digit, 0, 9),
        )
        for name, value, low, high in whole:
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ParameterError(f"training.{name}", value=repr(value), low=low, high=high)
        for name in ("train_size", "test_size"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ParameterError("training.size", name=name, value=repr(value))
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 0 < self.lr <= 1:
            raise ParameterError("training.lr", value=repr(self.lr))
        if self.model not in LIVE_MODELS:
            raise ParameterError("training.model", value=repr(self.model), names=", ".join(LIVE_MODELS))
        return self


@dataclass(frozen=True)
class LiveSnapshot:
    """A live training as it stands: progress, curves, the first layer's filters and one digit's maps."""

    state: str  # "ready", "running", "paused", "done" or "failed"
    epoch: int  # epochs completed
    batch: int  # batches done in the epoch under way
    batches_per_epoch: int  # 0 until the data is loaded (the first start)
    epochs: int
    chunk_at: tuple[float, ...]  # where each chunk of batches ended, in epochs (a curve's x)
    chunk_loss: tuple[float, ...]  # the mean training loss over the chunk's batches
    chunk_accuracy: tuple[float, ...]  # the training accuracy on the chunk's batches
    epoch_loss: tuple[float, ...]  # per completed epoch: the mean training loss
    epoch_accuracy: tuple[float, ...]  # per completed epoch: the training accuracy on its batches
    test_accuracy: tuple[float, ...]  # on the held-out test split: [0] before training, then after each epoch
    filters: torch.Tensor  # (6, 1, 5, 5): the first conv layer's weights now
    maps: torch.Tensor  # (6, 28, 28): the first conv layer's output for the chosen digit, at these weights
    digit: int
    threads: int  # torch threads the training ran with (0 before the first start)
    error: str | None  # what stopped a failed training

    @property
    def fraction(self) -> float:
        """How much of the run is done, 0..1."""
        total = self.epochs * self.batches_per_epoch
        return 0.0 if total == 0 else min(1.0, (self.epoch * self.batches_per_epoch + self.batch) / total)


def _initialise(model: nn.Module, generator: torch.Generator) -> None:
    """PyTorch's default initialisation of every Conv2d and Linear (``reset_parameters``), from ``generator``
    rather than torch's process-wide random state, which other sessions share."""
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_uniform_(module.weight, a=math.sqrt(5), generator=generator)
            if module.bias is not None:
                bound = 1 / math.sqrt(module.weight[0].numel())
                nn.init.uniform_(module.bias, -bound, bound, generator=generator)


class _Run:
    """Everything one training holds and its thread touches (never the LiveTraining itself, so dropping that
    object ends the training: its finaliser stops this)."""

    def __init__(self, config: LiveConfig, data: Path | None) -> None:
        self.lock = threading.Lock()  # the weights and the history, between the training thread and snapshot()
        self.stop = threading.Event()  # set: the thread ends after the batch under way
        self.ready = threading.Event()  # set by the thread once its torch thread count is fixed
        self.thread: threading.Thread | None = None
        self.data = data
        self.splits: tuple[torch.Tensor, ...] | None = None  # uint8 x_train, y_train, x_test, y_test
        self.digit_input: torch.Tensor | None = None  # (1, 1, 28, 28) preprocessed
        self.threads = 0
        self.slot: threading.BoundedSemaphore | None = None  # the semaphore this run's thread holds a slot of
        self.reset(config)

    def reset(self, config: LiveConfig) -> None:
        """Fresh weights, optimiser, order and history for ``config`` (the thread must have ended)."""
        if self.splits is not None and (self.config.train_size, self.config.test_size) != (
            config.train_size,
            config.test_size,
        ):
            self.splits = None
        if self.digit_input is not None and self.config.digit != config.digit:
            self.digit_input = None
        self.config = config
        self.generator = torch.Generator().manual_seed(config.seed)
        self.model = MODELS[config.model].build()
        _initialise(self.model, self.generator)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr)
        self.state, self.error = "ready", None
        self.epoch, self.batch, self.order = 0, 0, None
        self.chunk_at, self.chunk_loss, self.chunk_accuracy = [], [], []
        self.epoch_loss, self.epoch_accuracy, self.test_accuracy = [], [], []
        self.pending: list[tuple[float, int, int]] = []  # the chunk under way: (loss, correct, count) per batch
        self.epoch_sums = [0.0, 0, 0]  # the epoch under way: loss · count, correct, count

    def load(self) -> None:
        """The digits to train on, read once (LiveDataError when they are not there)."""
        if self.splits is not None:
            return
        path = self.data or mnist_path()
        try:
            splits = load_mnist(path, seed=0)
        except (DataError, OSError, KeyError, ValueError) as exc:
            raise LiveDataError("training.no_data", path=str(path), env=DATA_ENV) from exc
        size, test_size = self.config.train_size, self.config.test_size
        x, y = splits.train
        xt, yt = splits.test
        self.splits = (x[:size], y[:size], xt[:test_size], yt[:test_size])

    @property
    def batches_per_epoch(self) -> int:
        return 0 if self.splits is None else math.ceil(len(self.splits[0]) / self.config.batch)


def _train_batch(run: _Run, index: torch.Tensor) -> tuple[float, int]:
    """One optimiser step on the training digits at ``index``: (the batch's loss, how many it got right)."""
    x, y = run.splits[0][index], run.splits[1][index]
    logits = run.model(normalise(x, "mnist"))
    loss = F.cross_entropy(logits, y)
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    with run.lock:  # snapshot() reads the weights: never halfway through an update
        run.optimizer.step()
    return float(loss.detach()), int((logits.argmax(1) == y).sum())


@torch.no_grad()
def _test_accuracy(run: _Run, batch: int = 500) -> float:
    """Top-1 accuracy on the held-out test digits, at the current weights."""
    x, y = run.splits[2], run.splits[3]
    run.model.eval()
    correct = sum(
        int((run.model(normalise(x[i : i + batch], "mnist")).argmax(1) == y[i : i + batch]).sum())
        for i in range(0, len(x), batch)
    )
    run.model.train()
    return correct / max(len(x), 1)


def _record(run: _Run, loss: float, correct: int, count: int) -> None:
    """Count a finished batch in the chunk and the epoch under way (the caller holds run.lock)."""
    run.batch += 1
    run.pending.append((loss, correct, count))
    run.epoch_sums = [run.epoch_sums[0] + loss * count, run.epoch_sums[1] + correct, run.epoch_sums[2] + count]
    last = run.batch == run.batches_per_epoch
    if len(run.pending) == run.config.chunk or last:
        seen = sum(c for _, _, c in run.pending)
        run.chunk_at.append(run.epoch + run.batch / run.batches_per_epoch)
        run.chunk_loss.append(sum(loss * c for loss, _, c in run.pending) / seen)
        run.chunk_accuracy.append(sum(right for _, right, _ in run.pending) / seen)
        run.pending = []


def _train(run: _Run) -> None:
    """The training thread: one torch thread, batches until the run is done or told to stop; frees its slot."""
    try:
        torch.set_num_threads(1)
        run.threads = torch.get_num_threads()  # this thread's count is fixed here (start() restores the process's)
        run.ready.set()
        if not run.test_accuracy:
            accuracy = _test_accuracy(run)
            with run.lock:
                run.test_accuracy.append(accuracy)
        size, batch = len(run.splits[0]), run.config.batch
        while run.epoch < run.config.epochs and not run.stop.is_set():
            if run.order is None:
                run.order = torch.randperm(size, generator=run.generator)
            index = run.order[run.batch * batch : (run.batch + 1) * batch]
            loss, correct = _train_batch(run, index)
            with run.lock:
                _record(run, loss, correct, len(index))
            if run.batch == run.batches_per_epoch:
                accuracy = _test_accuracy(run)
                with run.lock:
                    total, right, count = run.epoch_sums
                    run.epoch_loss.append(total / count)
                    run.epoch_accuracy.append(right / count)
                    run.test_accuracy.append(accuracy)
                    run.epoch, run.batch, run.order, run.epoch_sums = run.epoch + 1, 0, None, [0.0, 0, 0]
        with run.lock:
            run.state = "done" if run.epoch >= run.config.epochs else "paused"
    except Exception as exc:  # the page shows it; the slot is freed all the same
        with run.lock:
            run.state, run.error = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        run.ready.set()
        run.slot.release()


def _one_thread_for(thread: threading.Thread, run: _Run) -> None:
    """Start ``thread`` (which sets torch to 1 thread for itself) and put the process's count back once it has
    read its own: the process-wide count is the caller's again within microseconds (see the module docstring)."""
    with _THREADS_GUARD:
        previous = torch.get_num_threads()
        thread.start()
        run.ready.wait(JOIN_SECONDS)
        torch.set_num_threads(previous)


def _halt(run: _Run, wait: bool) -> None:
    """Ask the training thread to end after the batch under way (and wait for it when ``wait``)."""
    run.stop.set()
    thread = run.thread
    if wait and thread is not None and thread is not threading.current_thread():
        thread.join(JOIN_SECONDS)


class LiveTraining:
    """One student's live training of LeNet-5 on the bundled digits (see the module docstring)."""

    def __init__(self, config: LiveConfig | None = None, data: Path | None = None) -> None:
        self._run = _Run((config or LiveConfig()).checked(), data)
        self._control = threading.Lock()  # start / pause / reset one at a time (a rerun and a fragment may overlap)
        # Dropping the object (the session ended) stops its thread, which then frees its slot.
        self._finalizer = weakref.finalize(self, _halt, self._run, False)

    @property
    def config(self) -> LiveConfig:
        return self._run.config

    @property
    def model(self) -> nn.Module:
        """The network being trained (read it between batches: pause first, or through snapshot())."""
        return self._run.model

    @property
    def state(self) -> str:
        """Where the run stands ("ready", "running", "paused", "done", "failed"): snapshot()'s state, without
        copying the weights or computing the maps."""
        with self._run.lock:
            return self._run.state

    @property
    def running(self) -> bool:
        return self._run.thread is not None and self._run.thread.is_alive()

    def start(self) -> bool:
        """Train in the background from where the run stands; False when it is already running or done.

        LiveBusyError when the server's trainings are all taken; LiveDataError when there are no digits."""
        with self._control:
            return self._start()

    def _start(self) -> bool:
        run = self._run
        if self.running or run.state in ("done", "failed"):
            return False
        run.load()
        slots = _SLOTS
        if slots is None or not slots.acquire(blocking=False):
            raise LiveBusyError("training.busy", limit=SLOT_LIMIT)
        run.slot = slots
        run.stop.clear()
        run.ready.clear()
        with run.lock:
            run.state = "running"
        thread = threading.Thread(target=_train, args=(run,), name="vizconv-live-training", daemon=True)
        try:
            _one_thread_for(thread, run)
        except BaseException:
            if thread.ident is None:  # it never started: its slot was never used
                slots.release()
                run.state = "paused" if run.epoch or run.batch else "ready"
            raise
        run.thread = thread
        return True

    resume = start

    def pause(self) -> None:
        """End the thread after the batch under way, keeping the weights and the place in the epoch (the slot is
        freed; ``resume()`` continues exactly where it stopped)."""
        with self._control:
            self._pause()

    def _pause(self) -> None:
        _halt(self._run, wait=True)
        if self.running:  # a batch longer than JOIN_SECONDS: never two threads on one model
            raise RuntimeError("the live training's thread did not stop")

    stop = pause  # what dropping the object does, and waited for: no thread and no slot left

    def reset(self, config: LiveConfig | None = None) -> None:
        """Stop, and start over with fresh weights (of ``config`` if given)."""
        config = (config or self._run.config).checked()
        with self._control:
            self._pause()
            self._run.reset(config)

    def snapshot(self) -> LiveSnapshot:
        """The training as it stands now (safe while the thread runs)."""
        run = self._run
        if run.digit_input is None:
            from vizconv.inputs.feature_sources import digit_picture  # late: it loads the nets' room

            run.digit_input = preprocess_digit(digit_picture(run.config.digit))  # (1, 1, 28, 28)
        conv = run.model[0]
        with run.lock:
            weight, bias = conv.weight.detach().clone(), conv.bias.detach().clone()
            history = (
                tuple(run.chunk_at),
                tuple(run.chunk_loss),
                tuple(run.chunk_accuracy),
                tuple(run.epoch_loss),
                tuple(run.epoch_accuracy),
                tuple(run.test_accuracy),
            )
            state, epoch, batch, error = run.state, run.epoch, run.batch, run.error
        with torch.no_grad():
            maps = F.conv2d(run.digit_input, weight, bias, stride=conv.stride, padding=conv.padding)[0]  # (6, 28, 28)
        return LiveSnapshot(
            state,
            epoch,
            batch,
            run.batches_per_epoch,
            run.config.epochs,
            *history,
            filters=weight,
            maps=maps,
            digit=run.config.digit,
            threads=run.threads,
            error=error,
        )

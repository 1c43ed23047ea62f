"""Training LeNet-5 live: a short run's history, pause and resume, reset, the cap on concurrent trainings, isolation
between sessions, torch's thread count, and no thread left behind."""

from __future__ import annotations

import gc
import threading
import time

import numpy as np
import pytest
import torch

from tests_support import ROOT
from vizconv.errors import ParameterError
from vizconv.inputs.feature_sources import digit_picture
from vizconv.nets.zoo import preprocess_digit
from vizconv.training import live
from vizconv.training.live import LiveBusyError, LiveConfig, LiveDataError, LiveTraining, live_trainings

MNIST_NPZ = ROOT.parent / "shared" / "data" / "mnist-8k.npz"
THREAD = "vizconv-live-training"


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """400 learnable 28×28 "digits": label k is a bright 6×6 block at the k-th place of a 4×3 grid, over noise."""
    rng = np.random.default_rng(0)
    y = np.arange(400) % 10
    x = rng.integers(0, 60, (400, 28, 28))
    for i, k in enumerate(y):
        top, left = 2 + 7 * (k // 4), 2 + 8 * (k % 4)
        x[i, top : top + 6, left : left + 6] = 255
    path = tmp_path_factory.mktemp("live") / "digits.npz"
    np.savez(path, x=x.astype(np.uint8), y=y.astype(np.uint8))
    return path  # load_mnist's split: 300 to train, 50 held out


SMALL = LiveConfig(epochs=1, batch=32, chunk=2, lr=5e-3)  # 10 batches of the 300 training digits


@pytest.fixture
def slots(monkeypatch):
    """A fresh cap of 2 for the test; every training thread gone at its end."""
    monkeypatch.setattr(live, "_SLOTS", threading.BoundedSemaphore(2))
    monkeypatch.setattr(live, "SLOT_LIMIT", 2)
    yield live._SLOTS
    for thread in threading.enumerate():
        if thread.name == THREAD:
            thread.join(10)
    assert _alive() == []


@pytest.fixture
def gate(monkeypatch):
    """Batches wait for the gate (or for their training to be told to stop): a test holds trainings running."""
    opened = threading.Event()
    train_batch = live._train_batch

    def gated(run, index):
        while not opened.wait(0.005) and not run.stop.is_set():
            pass
        return train_batch(run, index)

    monkeypatch.setattr(live, "_train_batch", gated)
    yield opened
    opened.set()  # a test that failed midway leaves no training waiting


def _alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD and t.is_alive()]


def _finish(training: LiveTraining, seconds: float = 60) -> live.LiveSnapshot:
    deadline = time.monotonic() + seconds
    while training.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not training.running
    return training.snapshot()


def _weights(training: LiveTraining) -> list[torch.Tensor]:
    return [p.detach().clone() for p in training.model.parameters()]


def test_a_short_run_finishes_with_its_history(digits, slots):
    training = LiveTraining(SMALL, data=digits)
    before = training.snapshot()
    assert before.state == training.state == "ready" and before.fraction == 0 and before.filters.shape == (6, 1, 5, 5)
    assert training.start()
    shot = _finish(training)
    assert shot.state == training.state == "done" and shot.error is None and shot.threads == 1
    assert (shot.epoch, shot.batch, shot.batches_per_epoch, shot.fraction) == (1, 0, 10, 1.0)
    assert shot.chunk_at == (0.2, 0.4, 0.6, 0.8, 1.0)
    assert len(shot.chunk_loss) == len(shot.chunk_accuracy) == 5
    assert len(shot.epoch_loss) == len(shot.epoch_accuracy) == 1 and len(shot.test_accuracy) == 2
    assert shot.chunk_loss[-1] < shot.chunk_loss[0]
    assert shot.test_accuracy[-1] > shot.test_accuracy[0]
    assert shot.filters.shape == (6, 1, 5, 5) and shot.maps.shape == (6, 28, 28)
    assert not torch.equal(shot.filters, before.filters) and not torch.equal(shot.maps, before.maps)
    expected = training.model[0](preprocess_digit(digit_picture(7)))[0]  # (6, 28, 28): conv1 of the sample 7
    assert torch.allclose(shot.maps, expected.detach(), atol=1e-6)
    assert not training.start()  # done: nothing more to train


def test_pause_and_resume_continue_exactly_where_it_stopped(digits, slots, monkeypatch):
    config = LiveConfig(epochs=2, batch=32, chunk=3, lr=5e-3)
    whole = LiveTraining(config, data=digits)
    whole.start()
    _finish(whole)
    train_batch, seen = live._train_batch, []

    def slow(run, index):
        seen.append(1)
        time.sleep(0.01)
        return train_batch(run, index)

    monkeypatch.setattr(live, "_train_batch", slow)
    paused = LiveTraining(config, data=digits)
    paused.start()
    while len(seen) < 4:
        time.sleep(0.005)
    paused.pause()
    shot = paused.snapshot()
    assert shot.state == paused.state == "paused" and not paused.running and _alive() == []
    assert 0 < shot.epoch * 10 + shot.batch < 20
    assert paused.resume()
    assert _finish(paused).state == "done"
    for a, b in zip(_weights(whole), _weights(paused), strict=True):
        assert torch.equal(a, b)
    assert paused.snapshot().chunk_loss == whole.snapshot().chunk_loss


def test_reset_starts_over_and_leaves_another_session_alone(digits, slots):
    mine, theirs = LiveTraining(SMALL, data=digits), LiveTraining(SMALL, data=digits)
    fresh = _weights(LiveTraining(SMALL, data=digits))
    mine.start()
    theirs.start()
    _finish(mine)
    _finish(theirs)
    trained = _weights(theirs)
    mine.reset()
    shot = mine.snapshot()
    assert shot.state == "ready" and shot.chunk_loss == () and shot.test_accuracy == () and shot.epoch == 0
    assert all(torch.equal(a, b) for a, b in zip(_weights(mine), fresh, strict=True))
    assert all(torch.equal(a, b) for a, b in zip(_weights(theirs), trained, strict=True))
    assert theirs.snapshot().state == "done"
    mine.reset(LiveConfig(epochs=1, batch=32, chunk=2, seed=1))
    assert not torch.equal(_weights(mine)[0], fresh[0])


def test_the_cap_refuses_a_third_training_until_a_slot_is_free(digits, slots, gate):
    first, second, third = (LiveTraining(SMALL, data=digits) for _ in range(3))
    assert first.start() and second.start()
    with pytest.raises(LiveBusyError, match="busy training networks for other students") as caught:
        third.start()
    assert caught.value.key == "training.busy" and "服务器正忙" in caught.value.message("zh")
    assert third.snapshot().state == "ready" and len(_alive()) == 2
    first.stop()
    assert not first.running and first.snapshot().state == "paused"
    assert third.start()
    second.stop()
    third.stop()
    assert _alive() == [] and slots._value == 2


def test_a_dropped_training_stops_and_frees_its_slot(digits, slots, gate):
    training = LiveTraining(SMALL, data=digits)
    training.start()
    assert slots._value == 1
    del training
    gc.collect()
    deadline = time.monotonic() + 10
    while _alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _alive() == [] and slots._value == 2


def test_the_training_thread_alone_runs_on_one_torch_thread(digits, slots):
    """torch.set_num_threads stores one count for the process, which every new thread takes: the training keeps
    its 1 for itself, and the count every other thread (a Streamlit script run) gets stays the server's."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        training = LiveTraining(SMALL, data=digits)
        training.start()
        seen = []
        fresh = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
        fresh.start()
        fresh.join()
        assert torch.get_num_threads() == 2 and seen == [2]
        assert _finish(training).threads == 1
    finally:
        torch.set_num_threads(before)


def test_bounds_and_missing_data_are_explained(tmp_path, slots):
    with pytest.raises(ParameterError, match="Train for 1 to 5 epochs, not 6") as caught:
        LiveTraining(LiveConfig(epochs=6))
    assert "1 到 5" in caught.value.message("zh")
    for bad in (LiveConfig(batch=0), LiveConfig(lr=0), LiveConfig(digit=10), LiveConfig(model="resnet20")):
        with pytest.raises(ParameterError):
            LiveTraining(bad)
    missing = LiveTraining(SMALL, data=tmp_path / "none.npz")
    with pytest.raises(LiveDataError, match="none.npz") as caught:
        missing.start()
    assert "VIZCONV_MNIST" in caught.value.message("zh") and slots._value == 2


def test_the_cap_comes_from_the_environment():
    assert live_trainings({}) == 2
    assert live_trainings({"VIZCONV_LIVE_TRAININGS": "5"}) == 5
    assert live_trainings({"VIZCONV_LIVE_TRAININGS": "0"}) == 0
    with pytest.raises(ValueError, match="VIZCONV_LIVE_TRAININGS"):
        live_trainings({"VIZCONV_LIVE_TRAININGS": "two"})


@pytest.mark.skipif(not MNIST_NPZ.exists(), reason="../shared/data/mnist-8k.npz is not beside the repository")
def test_real_digits_train(slots):
    training = LiveTraining(LiveConfig(epochs=1, train_size=640, test_size=200, chunk=5))
    training.start()
    shot = _finish(training)
    assert shot.state == "done" and shot.batches_per_epoch == 10
    assert shot.chunk_loss[-1] < shot.chunk_loss[0] and shot.test_accuracy[-1] > 0.3

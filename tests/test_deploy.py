"""The deployment recipe: Dockerfile, Kubernetes manifests, the entry script, the thread setting.

Docker cannot run here, so the Dockerfile is read as instructions, and the image's entry command
(deploy/entrypoint.sh) is run directly: it must start the real server, answer its health check and
stop cleanly on SIGTERM.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import torch

from tests_support import ROOT
from vizconv import server
from vizconv.inputs.images import MAX_UPLOAD_BYTES
from vizconv.nets.models import MAX_WEIGHTS_BYTES
from vizconv.views.feature_maps import MAX_ONNX_BYTES, MAX_OWN_WEIGHTS_BYTES

DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
HEALTHCHECK = ROOT / "deploy" / "healthcheck.py"
MANIFESTS = ROOT / "deploy" / "kubernetes.yaml"
HEALTH = "/_stcore/health"


def _instructions(text: str) -> list[tuple[str, str]]:
    """A Dockerfile as (INSTRUCTION, arguments) pairs: comments dropped, continuation lines joined."""
    out, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, args = whole.partition(" ")
        out.append((keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return out


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return _instructions(DOCKERFILE.read_text(encoding="utf-8"))


def _args(instructions, keyword: str) -> list[str]:
    return [args for kw, args in instructions if kw == keyword]


def _arg_defaults(instructions) -> dict[str, str]:
    return dict(args.split("=", 1) for args in _args(instructions, "ARG") if "=" in args)


def _max_upload_mb() -> int:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    return int(config["server"]["maxUploadSize"])


# ---------------------------------------------------------------- Dockerfile


def test_dockerfile_starts_from_a_slim_python_image(dockerfile):
    (base,) = _args(dockerfile, "FROM")
    for name, value in _arg_defaults(dockerfile).items():
        base = base.replace("${" + name + "}", value)
    assert base in ("python:3.11-slim", "python:3.12-slim"), base


def test_dockerfile_runs_as_a_numeric_non_root_user_before_the_entrypoint(dockerfile):
    keywords = [kw for kw, _ in dockerfile]
    users = _args(dockerfile, "USER")
    assert users, "no USER: the container would run as root"
    user = users[-1].split(":")[0]
    assert user.isdigit() and int(user) != 0, "a numeric non-root uid (Kubernetes' runAsNonRoot checks it)"
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    assert f"--uid {user}" in " ".join(_args(dockerfile, "RUN"))
    assert f"runAsUser: {user}" in MANIFESTS.read_text(encoding="utf-8")


def test_dockerfile_exposes_8501_with_a_health_check_and_the_entry_script(dockerfile):
    assert _args(dockerfile, "EXPOSE") == ["8501"]
    (workdir,) = _args(dockerfile, "WORKDIR")
    (entrypoint,) = _args(dockerfile, "ENTRYPOINT")
    assert json.loads(entrypoint) == [f"{workdir}/deploy/entrypoint.sh"]  # exec form: signals reach the server
    (health,) = _args(dockerfile, "HEALTHCHECK")
    assert "--start-period=" in health
    command = json.loads(health.split("CMD", 1)[1])
    assert command == ["python", "deploy/healthcheck.py"]
    assert HEALTH in HEALTHCHECK.read_text(encoding="utf-8")


def test_dockerfile_installs_cpu_torch_by_default_and_pypi_on_request(dockerfile):
    defaults = _arg_defaults(dockerfile)
    assert defaults["TORCH_VARIANT"] == "cpu"
    assert defaults["TORCH_CPU_INDEX"] == "https://download.pytorch.org/whl/cpu"
    install = " ".join(_args(dockerfile, "RUN"))
    assert "pip install -r requirements.txt" in install
    assert "pypi)" in install and "--index-url" in install


def test_dockerfile_copies_what_exists_and_dockerignore_keeps_it(dockerfile):
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    copied = [source for args in _args(dockerfile, "COPY") for source in args.split()[:-1]]
    required_paths = ("app.py", "vizconv", "pages", "static", "assets", "deploy", ".streamlit/config.toml")
    for required in (*required_paths, "requirements.txt"):
        assert required in copied, required
    for source in copied:
        assert (ROOT / source).exists(), source
        assert source not in ignored and source.split("/")[0] not in ignored, source
    assert {".git", "artifacts", "tests"} <= ignored


# ---------------------------------------------------------------- Kubernetes


@pytest.fixture(scope="module")
def manifests() -> dict[str, dict]:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the manifests (pip install pyyaml)")
    documents = [doc for doc in yaml.safe_load_all(MANIFESTS.read_text(encoding="utf-8")) if doc]
    by_kind = {doc["kind"]: doc for doc in documents}
    assert len(by_kind) == len(documents), "one object of each kind"
    return by_kind


def _container(manifests) -> dict:
    (container,) = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    return container


def test_the_dev_requirements_install_what_tests_would_skip_without():
    """Every module a test skips without (pytest.importorskip) is installed by requirements-dev.txt, so a fresh
    ``pip install -r requirements-dev.txt`` runs every test (PyYAML was missing: the manifests went unchecked)."""
    distributions = {"yaml": "pyyaml", "playwright": "playwright", "ruff": "ruff"}  # import name -> pip name
    skipped = set()
    for path in (ROOT / "tests").rglob("*.py"):
        skipped |= set(re.findall(r"importorskip\(\s*[\"']([A-Za-z_]+)", path.read_text(encoding="utf-8")))
    required = {
        re.split(r"[<>=!~\[ ;]", line.strip(), maxsplit=1)[0].lower()
        for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "-r"))
    }
    assert skipped, "the scan found no importorskip: the pattern is broken"
    assert sorted(m for m in skipped if distributions.get(m, m) not in required) == []


def test_deployment_runs_several_probed_replicas_with_resources(manifests):
    deployment = manifests["Deployment"]
    assert deployment["spec"]["replicas"] >= 2
    container = _container(manifests)
    assert {port["containerPort"] for port in container["ports"]} == {8501}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == HEALTH, probe
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind]), kind
    env = {item["name"]: item["value"] for item in container["env"]}
    # one torch thread per core the container may use (docs/deploy.md, "Threads")
    assert env["VIZCONV_TORCH_THREADS"] == str(container["resources"]["limits"]["cpu"])
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_service_and_ingress_reach_the_deployment(manifests):
    labels = manifests["Deployment"]["spec"]["template"]["metadata"]["labels"]
    service = manifests["Service"]
    assert service["spec"]["selector"].items() <= labels.items()
    (path,) = manifests["Ingress"]["spec"]["rules"][0]["http"]["paths"]
    backend = path["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {port["name"] for port in service["spec"]["ports"]}
    assert manifests["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_ingress_has_cookie_affinity_websocket_timeouts_and_the_upload_limit(manifests):
    annotations = manifests["Ingress"]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert annotations[prefix + "affinity"] == "cookie"
    assert annotations[prefix + "affinity-mode"] == "persistent"
    assert annotations[prefix + "session-cookie-name"]
    assert int(annotations[prefix + "session-cookie-max-age"]) >= 3600
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[prefix + timeout]) >= 600, timeout  # an idle websocket must survive a lesson's pause
    body = annotations[prefix + "proxy-body-size"].lower()
    assert body.endswith("m"), "proxy-body-size in megabytes, e.g. 10m"
    assert int(body[:-1]) >= _max_upload_mb(), "nginx would refuse uploads that Streamlit accepts"


def test_the_server_admits_the_largest_uploader_limit():
    largest = max(MAX_UPLOAD_BYTES, MAX_WEIGHTS_BYTES, MAX_ONNX_BYTES, MAX_OWN_WEIGHTS_BYTES) // (1024 * 1024)
    assert _max_upload_mb() >= largest, "Streamlit would refuse a file (an ONNX model, weights) the page accepts"


# ---------------------------------------------------------------- torch threads


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 1), ("1", 1), ("3", 3), (" 2 ", 2), ("0", os.cpu_count()), ("auto", os.cpu_count())],
)
def test_torch_threads_reads_the_environment(value, expected):
    environ = {} if value is None else {server.THREADS_ENV: value}
    assert server.torch_threads(environ) == expected


@pytest.mark.parametrize("value", ["many", "-1", "1.5"])
def test_torch_threads_refuses_what_is_not_a_count(value):
    with pytest.raises(ValueError, match=server.THREADS_ENV):
        server.torch_threads({server.THREADS_ENV: value})


def test_configure_threads_sets_torch_once(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.setattr(server, "_configured", None)
    try:
        assert server.configure_threads({server.THREADS_ENV: "2"}) == 2
        assert torch.get_num_threads() == 2
        assert server.configure_threads({server.THREADS_ENV: "1"}) == 2  # later calls change nothing
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


class _FakeLibc:
    def __init__(self, answer: int = 1):
        self.calls, self.answer = [], answer

    def mallopt(self, parameter: int, value: int) -> int:
        self.calls.append((parameter, value))
        return self.answer


def test_configure_allocator_keeps_freed_tensor_memory_once(monkeypatch):
    monkeypatch.setattr(server, "_allocator", None)
    libc = _FakeLibc()
    said = server.configure_allocator({}, libc=libc)
    assert libc.calls == [(-3, 32 * 1024 * 1024), (-1, 256 * 1024 * 1024)]  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
    assert said == "glibc: mmap threshold 32 MiB, trim threshold 256 MiB"
    assert server.configure_allocator({}, libc=_FakeLibc()) == said  # later calls change nothing


@pytest.mark.parametrize(
    ("environ", "answer", "expected"),
    [
        ({server.ALLOCATOR_ENV: "default"}, 1, "glibc defaults (VIZCONV_MALLOC=default)"),
        ({}, 0, "unchanged (mallopt refused)"),
    ],
)
def test_configure_allocator_can_be_left_alone(monkeypatch, environ, answer, expected):
    monkeypatch.setattr(server, "_allocator", None)
    libc = _FakeLibc(answer)
    assert server.configure_allocator(environ, libc=libc) == expected
    assert len(libc.calls) == (0 if environ else 1)


def test_configure_allocator_refuses_an_unknown_choice(monkeypatch):
    monkeypatch.setattr(server, "_allocator", None)
    with pytest.raises(ValueError, match=server.ALLOCATOR_ENV):
        server.configure_allocator({server.ALLOCATOR_ENV: "jemalloc"}, libc=_FakeLibc())


def test_the_app_process_runs_with_the_tuned_allocator_on_glibc():
    """vizconv.ui applies it on import, as the server does (here: pytest's process)."""
    import vizconv.ui  # noqa: F401

    if server._glibc() is None:
        pytest.skip("not glibc: the allocator is left as it is")
    assert server.configure_allocator().startswith("glibc: mmap threshold 32 MiB")


# ---------------------------------------------------------------- the entry command, without Docker


def _health_module():
    spec = importlib.util.spec_from_file_location("vizconv_healthcheck", HEALTHCHECK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_healthcheck_url_follows_port_and_base_path():
    health_url = _health_module().health_url
    assert health_url({}) == "http://127.0.0.1:8501/_stcore/health"
    assert health_url({"PORT": "9000", "STREAMLIT_SERVER_BASE_URL_PATH": "/viz/"}) == (
        "http://127.0.0.1:9000/viz/_stcore/health"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


@pytest.mark.skipif(shutil.which("bash") is None, reason="deploy/entrypoint.sh needs bash")
def test_the_entry_command_serves_the_app_and_stops_on_sigterm(tmp_path):
    """deploy/entrypoint.sh, as the image runs it: healthy within 90 s, serves /, exits 0 on SIGTERM."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "VIZCONV_TORCH_THREADS")}
    env.update(PORT=str(port), VIZCONV_ADDRESS="127.0.0.1", PYTHON=sys.executable)
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(["bash", str(ENTRYPOINT)], cwd=tmp_path, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, "the server exited:\n" + log_path.read_text(errors="replace")
            try:
                if _get(url + HEALTH) == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("no answer on /_stcore/health within 90 s:\n" + log_path.read_text(errors="replace"))
        assert _get(url + "/") == 200
        check = subprocess.run([sys.executable, str(HEALTHCHECK)], env=env, capture_output=True, timeout=30)
        assert check.returncode == 0, check.stderr
        proc = Path(f"/proc/{process.pid}")
        if proc.exists():  # exec: the shell became the server, so SIGTERM reaches Streamlit itself
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            assert argv[1:3] == [b"deploy/serve.py", b"app.py"], argv  # Streamlit, its imports warmed first
            environ = dict(item.split(b"=", 1) for item in (proc / "environ").read_bytes().split(b"\0") if item)
            assert environ[b"VIZCONV_TORCH_THREADS"] == environ[b"OMP_NUM_THREADS"] == b"1"
            assert environ[b"STREAMLIT_SERVER_FILE_WATCHER_TYPE"] == b"none"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            returncode = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("the server ignored SIGTERM for 30 s")
    assert returncode == 0, log_path.read_text(errors="replace")
    assert "vizconv: imports warmed in" in log_path.read_text(errors="replace")
    after = subprocess.run([sys.executable, str(HEALTHCHECK)], env=env, capture_output=True, timeout=30)
    assert after.returncode == 1


def test_the_server_collects_garbage_itself_once_streamlit_does_not():
    """runner.postScriptGC is off (a full collection after every run stalled every session); one collector
    thread per process collects every 30 s instead, and a cycle left behind is freed by it."""
    import gc
    import weakref

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False

    class Cycle:
        pass

    before = server._collector
    server._collector = None
    try:
        gc.disable()  # only the collector thread may free the cycle
        cycle = Cycle()
        cycle.me = cycle
        alive = weakref.ref(cycle)
        del cycle
        assert server.collect_garbage_periodically(interval=0.05) is True
        assert server.collect_garbage_periodically(interval=0.05) is False  # one per process
        deadline = time.monotonic() + 5
        while alive() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert alive() is None
    finally:
        gc.enable()
        server._collector_stop.set()  # this test's fast collector ends
        server._collector = before

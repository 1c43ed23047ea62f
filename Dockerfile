# vizconv: the Streamlit app in one container. docs/deploy.md explains the settings and how to run
# several replicas (they need sticky sessions).
#
#   docker build -t vizconv .                                 # CPU-only torch (the default)
#   docker build --build-arg TORCH_VARIANT=pypi -t vizconv .  # torch from PyPI as requirements.txt resolves it (CUDA)
#   docker run --rm -p 8501:8501 vizconv                      # then open http://localhost:8501
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim

# cpu: torch/torchvision from the PyTorch CPU index (vizconv never uses a GPU; a much smaller image).
# pypi: whatever `pip install -r requirements.txt` picks on PyPI (on Linux a CUDA build, several GB).
ARG TORCH_VARIANT=cpu
ARG TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu
# 1: download torchvision's ResNet-18 ImageNet weights at build time, so replicas never fetch them.
ARG PRELOAD_RESNET18=0

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8501 \
    VIZCONV_TORCH_THREADS=1 \
    TORCH_HOME=/home/app/.cache/torch

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN set -eux; \
    case "$TORCH_VARIANT" in \
      cpu) pip install --index-url "$TORCH_CPU_INDEX" $(grep -E '^torch(vision)?[<>=!~ ]' requirements.txt) ;; \
      pypi) ;; \
      *) echo "TORCH_VARIANT must be cpu or pypi, not $TORCH_VARIANT" >&2; exit 1 ;; \
    esac; \
    pip install -r requirements.txt; \
    python -c "import torch, torchvision, streamlit; print('torch', torch.__version__, 'streamlit', streamlit.__version__)"

# A non-root user with a numeric id (Kubernetes' runAsNonRoot can check it); the code stays root-owned.
RUN useradd --create-home --uid 10001 --user-group app

COPY .streamlit/config.toml .streamlit/config.toml
COPY app.py pyproject.toml ./
COPY vizconv vizconv
COPY pages pages
COPY static static
COPY assets assets
COPY deploy deploy

USER 10001:10001
RUN if [ "$PRELOAD_RESNET18" = "1" ]; then \
      python -c "from vizconv.nets.models import download_resnet18; print(download_resnet18())"; \
    fi

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["python", "deploy/healthcheck.py"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]

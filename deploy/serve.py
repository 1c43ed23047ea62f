"""Start the Streamlit server with the app's heavy modules already imported (deploy/entrypoint.sh runs this).

Streamlit imports a page's modules when the first session runs it: torch, torchvision, Plotly, pandas and
vizconv took the first student of a freshly started server 3.7–5.2 s (issue 17). Imported here, in the server's
own process before it listens, they are in ``sys.modules`` when the first script runs. Then ``streamlit run``
with the given arguments, in this same process (it still receives SIGTERM itself).

    python deploy/serve.py app.py --server.port 8501 ...
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def warm_imports() -> float:
    """Import what every page imports; the seconds it took."""
    started = time.perf_counter()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the app's root, as streamlit run adds it
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import torch  # noqa: F401
    import torchvision  # noqa: F401

    import vizconv.i18n.teaching  # noqa: F401
    import vizconv.nets.feature_maps  # noqa: F401
    import vizconv.ui  # noqa: F401
    import vizconv.viz.animator  # noqa: F401

    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    seconds = warm_imports()
    print(f"vizconv: imports warmed in {seconds:.1f} s", file=sys.stderr, flush=True)
    from streamlit.web import cli

    return cli.main(args=["run", *argv], prog_name="streamlit", standalone_mode=False) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

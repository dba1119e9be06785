"""``inception-explorer``: serve the explorers with Voila (code cells hidden).

    inception-explorer                      # all explorers, one per tab; opens a browser
    inception-explorer --explorer blocks    # only the block builder
    inception-explorer --no-browser --port 8866

Voila is an optional dependency: ``pip install "inception-notebooks[app]"`` (the ``dev`` extra
has it too).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Sequence

from .explorers import ENV_EXPLORER, ENV_SITE_URL, EXPLORER_CHOICES, INFO

PROG = "inception-explorer"
NOTEBOOK = "explorer.ipynb"
#: JupyterLab extensions that Voila must not load (see voila_command)
LAB_ONLY_EXTENSIONS: tuple[str, ...] = ("jupyterlab-jupytext", "@voila-dashboards/jupyterlab-preview")
#: The largest websocket message the Jupyter servers of this project accept: 64 MiB (tornado's default,
#: 10 MiB, closes the kernel's connection on anything larger, e.g. a 27 MB photo sent to notebook 05's
#: upload button, which then never reaches the kernel and leaves its widget dead). With 64 MiB such a
#: file arrives and the feature browser answers with its own size message. The same number is in the
#: repository's jupyter_server_config.json (for ``jupyter lab --config=...``; tests/test_app.py checks
#: that the two agree).
WEBSOCKET_MAX_MESSAGE_SIZE = 64 * 2**20
MISSING_VOILA = (f"{PROG} needs Voila, which is not installed in this environment. Install it with "
                 "`pip install \"inception-notebooks[app]\"` (or `pip install voila`).")


def notebook_path() -> Path:
    """The dashboard notebook shipped inside the package."""
    return Path(str(resources.files("inception.app") / NOTEBOOK))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Serve GoogLeNet / Inception v1 explorers as an app (Voila, no code cells): "
                    + "; ".join(f"{k}: {v.title.lower()}" for k, v in INFO.items()) + ".")
    p.add_argument("--explorer", default="all", choices=EXPLORER_CHOICES,
                   help="which explorer to show (default: all, one per tab)")
    p.add_argument("--port", type=int, default=8866, help="port to serve on (default: 8866)")
    p.add_argument("--ip", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1; 0.0.0.0 to serve a lecture-hall network)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--site-url", default="",
                   help="URL of the collection's website (built by inception-site), to link each explorer "
                        "to the notebook that teaches it")
    return p


def voila_command(args: argparse.Namespace) -> list[str]:
    """The Voila command line for parsed ``args``."""
    cmd = [sys.executable, "-m", "voila", str(notebook_path()),
           f"--port={args.port}", f"--Voila.ip={args.ip}", "--Voila.port_retries=0",
           "--strip_sources=True", "--theme=light",
           # JupyterLab extensions of the dev environment that are built for JupyterLab itself and
           # fail to load in Voila's page (console errors); the app needs none of them
           f"--VoilaConfiguration.extension_denylist={list(LAB_ONLY_EXTENSIONS)!r}",
           # uploads travel over the websocket: see WEBSOCKET_MAX_MESSAGE_SIZE
           f"--Voila.tornado_settings={{'websocket_max_message_size': {WEBSOCKET_MAX_MESSAGE_SIZE}}}"]
    if args.no_browser:
        cmd.append("--no-browser")
    return cmd


def port_problem(ip: str, port: int) -> str | None:
    """Why Voila could not listen on ``ip:port`` (in use, or not an address of this machine), or None."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((ip, port))
    except OSError as e:
        return f"cannot listen on {ip}:{port} ({e.strerror or e}); choose another --port (or --ip)"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not 0 < args.port < 65536:
        p.error(f"--port must be between 1 and 65535, got {args.port}")
    problem = port_problem(args.ip, args.port)
    if problem:
        p.error(problem)
    if importlib.util.find_spec("voila") is None:
        p.exit(2, f"{PROG}: error: {MISSING_VOILA}\n")
    if not notebook_path().is_file():
        p.exit(2, f"{PROG}: error: the dashboard notebook {NOTEBOOK} is missing from the installed package; "
                  "reinstall it\n")
    env = dict(os.environ, **{ENV_EXPLORER: args.explorer, ENV_SITE_URL: args.site_url})
    print(f"{PROG}: serving '{args.explorer}' on http://{args.ip}:{args.port}/ (Ctrl-C stops it)", flush=True)
    try:
        return subprocess.call(voila_command(args), env=env)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())

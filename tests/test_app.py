"""``inception-explorer`` without a browser: the command line, the dashboard it serves, and the
shipped notebook executed as Voila executes it (tests/browser/test_app_browser.py drives the app)."""

from __future__ import annotations

import importlib.util
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest

from inception.app import cli, explorers

ROOT = Path(__file__).resolve().parents[1]


def test_console_script_and_package_data_are_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["inception-explorer"] == "inception.app.cli:main"
    assert "app/*.ipynb" in project["tool"]["setuptools"]["package-data"]["inception"]
    extras = project["project"]["optional-dependencies"]
    assert any(r.startswith("voila") for r in extras["app"]) and any(r.startswith("voila") for r in extras["dev"])
    assert cli.notebook_path().is_file() and (ROOT / "inception" / "app" / cli.NOTEBOOK).is_file()


@pytest.mark.parametrize(("argv", "message"), [
    (["--explorer", "everything"], "invalid choice: 'everything'"),
    (["--port", "0"], "--port must be between 1 and 65535, got 0"),
    (["--port", "eighty"], "invalid int value"),
])
def test_bad_arguments_are_refused(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2 and message in capsys.readouterr().err


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_busy_port_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as e:
            cli.main(["--no-browser", "--port", str(port)])
    assert e.value.code == 2 and f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_missing_voila_is_explained(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "voila" else real(name, *a))
    with pytest.raises(SystemExit) as e:
        cli.main(["--no-browser", "--port", str(_free_port())])
    assert e.value.code == 2 and 'pip install "inception-notebooks[app]"' in capsys.readouterr().err


def test_main_runs_voila_on_the_shipped_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("voila")
    seen: dict = {}
    monkeypatch.setattr(subprocess, "call", lambda cmd, env: seen.update(cmd=cmd, env=env) or 0)
    port = _free_port()
    assert cli.main(["--explorer", "network", "--port", str(port), "--no-browser", "--site-url", "https://x.org/s"]) == 0
    cmd = seen["cmd"]
    assert cmd[1:4] == ["-m", "voila", str(cli.notebook_path())]
    assert {f"--port={port}", "--no-browser", "--strip_sources=True", "--Voila.ip=127.0.0.1"} <= set(cmd)
    assert seen["env"][explorers.ENV_EXPLORER] == "network"
    assert seen["env"][explorers.ENV_SITE_URL] == "https://x.org/s"



def test_servers_raise_the_websocket_limit(tmp_path: Path) -> None:
    """One limit for uploads: the repository's Jupyter server config (read by the server, as the
    README passes it) and the app's Voila command carry cli.WEBSOCKET_MAX_MESSAGE_SIZE."""
    import json
    import os
    import sys

    from inception.widgets.features import MAX_UPLOAD_BYTES

    limit = cli.WEBSOCKET_MAX_MESSAGE_SIZE
    assert MAX_UPLOAD_BYTES < 10 * 2**20 < limit  # the widget's own check also works under tornado's default
    config = ROOT / "jupyter_server_config.json"
    assert json.loads(config.read_text()) == {"ServerApp": {"tornado_settings": {"websocket_max_message_size": limit}}}
    voila = cli.voila_command(cli.parser().parse_args([]))
    assert f"--Voila.tornado_settings={{'websocket_max_message_size': {limit}}}" in voila
    pytest.importorskip("jupyter_server")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_PLATFORM_DIRS="1")
    env.pop("JUPYTER_CONFIG_PATH", None)
    out = subprocess.run([sys.executable, "-m", "jupyter_server", f"--config={config}", "--show-config"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert f"tornado_settings = {{'websocket_max_message_size': {limit}}}" in out.stdout, out.stdout + out.stderr

def test_selected_explorers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(explorers.ENV_EXPLORER, raising=False)
    assert explorers.selected() == ("blocks", "network", "features")
    monkeypatch.setenv(explorers.ENV_EXPLORER, "features")
    assert explorers.selected() == ("features",)
    assert explorers.selected("blocks") == ("blocks",)
    monkeypatch.setenv(explorers.ENV_EXPLORER, "bogus")
    with pytest.raises(ValueError, match=r"explorer must be one of \['blocks', 'network', 'features', 'all'\]"):
        explorers.selected()


def test_intro_names_and_links_the_teaching_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(explorers.ENV_SITE_URL, raising=False)
    for name, info in explorers.INFO.items():
        assert (ROOT / "notebooks" / info.notebook).is_file()
        text = explorers.intro_html(name)
        assert info.notebook in text and "<a " not in text
    linked = explorers.intro_html("blocks", site_url="https://example.org/site/")
    assert 'href="https://example.org/site/02_building_the_inception_block.html"' in linked
    with pytest.raises(ValueError, match="name must be one of"):
        explorers.intro_html("all")


def test_dashboard_holds_the_package_widgets() -> None:
    import ipywidgets as W

    from inception.widgets import block_builder, network_widget

    app = explorers.dashboard("all", site_url="")
    tab = app.children[-1]
    assert isinstance(tab, W.Tab) and tab.titles == ("Block builder", "Network explorer", "Feature maps")
    kinds = [type(section.children[1]) for section in tab.children]
    assert kinds[0] is type(block_builder().widget) and kinds[1] is type(network_widget().widget)
    assert "inception-app" in app._dom_classes
    single = explorers.dashboard("blocks")
    assert not any(isinstance(c, W.Tab) for c in single.children)
    assert sum(isinstance(w, W.IntSlider) for w in _walk(single)) == 8  # input channels, H = W, six filters


def _walk(widget):  # noqa: ANN001, ANN202
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_shipped_notebook_runs_as_voila_runs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Execute explorer.ipynb in a fresh kernel (what Voila does) for one explorer: no error."""
    from nbclient import NotebookClient

    monkeypatch.setenv(explorers.ENV_EXPLORER, "blocks")  # the kernel inherits the environment
    nb = nbformat.read(cli.notebook_path(), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o.output_type for o in outputs] == ["execute_result"]
    assert "application/vnd.jupyter.widget-view+json" in outputs[0].data

"""JupyterLab + Chromium harness shared by the browser tests (``tests/browser``) and
``benchmarks/bench_browser.py``: one implementation of

* finding a usable Chromium and Playwright (``browser_problem``),
* a throwaway copy of ``notebooks/`` and ``results/`` (outputs cleared) in a temporary directory,
* a JupyterLab server on a free local port with fresh config/data/settings/workspace
  directories (``LabServer``), started in its own process group and stopped with everything
  it spawned (kernels included),
* page helpers: open a notebook, run all cells through the Run menu, wait until every code
  cell has an execution count and the kernel is idle, collect error outputs, find widgets,
  move a slider with the keyboard and wait for the output it drives to change.

Nothing here is a test; nothing here depends on pytest.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

#: The repository's Jupyter server config (raises the websocket message limit for uploads). Jupyter
#: does not read config files from the current directory (jupyter_core >= 4.11.2), so the README's
#: command passes it with ``--config``; LabServer passes it the same way.
SERVER_CONFIG = REPO / "jupyter_server_config.json"

NOTEBOOKS: tuple[str, ...] = (
    "00_index.ipynb",
    "01_why_1x1_convolutions.ipynb",
    "02_building_the_inception_block.ipynb",
    "03_parameters_and_compute.ipynb",
    "04_auxiliary_classifiers.ipynb",
    "05_feature_maps.ipynb",
)

#: Chromium flags: no sandbox (we may be root in a container), no GPU, nothing that phones home.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
)

INSTALL_HINT = ("install a browser and the driver: `apt-get install -y chromium` (or set "
                "INCEPTION_CHROMIUM=/path/to/chrome) and `pip install playwright`")

# ---------------------------------------------------------------------------------- DOM selectors
# JupyterLab 4 / ipywidgets 8 (checked against JupyterLab 4.6 and jupyterlab_widgets 3.0).
SEL_CODE_CELL = ".jp-Notebook .jp-CodeCell"
#: every ipywidgets slider view (IntSlider, FloatSlider, SelectionSlider, ...): one per slider
SEL_SLIDER = ".widget-slider"  # SelectionSlider views lack the .jupyter-widgets class
#: the keyboard-focusable noUiSlider handle inside a slider view
SEL_SLIDER_HANDLE = '.noUi-handle[role="slider"]'
SEL_WIDGET_ERROR_TEXT = "Error displaying widget"
#: stream output on stderr, and also every error output (JupyterLab renders both with this mime type)
SEL_STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


def find_chromium() -> str | None:
    """A Chromium/Chrome binary: $INCEPTION_CHROMIUM, Debian's /usr/bin/chromium, or one on PATH."""
    env = os.environ.get("INCEPTION_CHROMIUM")
    if env:
        return env if Path(env).is_file() and os.access(env, os.X_OK) else None
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browser_problem() -> str | None:
    """None if Playwright, JupyterLab, ipywidgets and a Chromium binary are all there, else why not
    (with how to fix it)."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package `playwright` is not installed")
    for mod, pkg in (("jupyterlab", "jupyterlab"), ("ipywidgets", "ipywidgets")):
        try:
            __import__(mod)
        except ImportError:
            missing.append(f"the Python package `{pkg}` is not installed")
    if find_chromium() is None:
        env = os.environ.get("INCEPTION_CHROMIUM")
        where = (f"INCEPTION_CHROMIUM={env} is not executable" if env else
                 "looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome on PATH")
        missing.append(f"no Chromium binary ({where})")
    if not missing:
        return None
    return "browser widget tests cannot run: " + "; ".join(missing) + ". To fix: " + INSTALL_HINT + "."


# ---------------------------------------------------------------------------------- working copy
def _clear_outputs(path: Path) -> None:
    """Drop outputs, execution counts and saved widget state, so that whatever the browser shows
    afterwards comes from this run."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.get("metadata", {}).pop("widgets", None)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def prepare_workdir(dest: Path, repo: Path = REPO) -> Path:
    """Copy ``notebooks/`` and ``results/`` of ``repo`` into ``dest`` (same relative layout, so
    the notebooks' ``../results/...`` paths work) with outputs cleared. Returns ``dest/notebooks``."""
    dest.mkdir(parents=True, exist_ok=True)
    for sub in ("notebooks", "results"):
        if (repo / sub).is_dir():
            shutil.copytree(repo / sub, dest / sub, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for nb in (dest / "notebooks").glob("*.ipynb"):
        _clear_outputs(nb)
    return dest / "notebooks"


# ---------------------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass
class LabServer:
    """``jupyter lab`` serving ``root`` (a directory holding ``notebooks/``) on 127.0.0.1.

    ``state`` is a scratch directory for the server's own config, data, runtime, settings and
    workspace directories (nothing from the user's ~/.jupyter leaks in). ``extra_env`` is added
    to the server's (and so the kernels') environment, e.g. ``{"PYTHONPATH": ...}``.
    ``server_config``: the server config file passed with ``--config`` as the README does
    (default: the repository's, see :data:`SERVER_CONFIG`); None for Jupyter's defaults.
    ``windowing_mode``: the notebook's ``windowingMode`` setting. The tests use "none" (every
    cell attached, so any output can be found); None keeps JupyterLab's default, what a user sees.
    """

    root: Path
    state: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    server_config: Path | None = SERVER_CONFIG
    windowing_mode: str | None = "none"
    lab_settings: dict[str, dict] = field(default_factory=dict)  # more settings files, e.g. the README's
    startup_timeout: float = 180.0
    port: int = 0
    token: str = ""
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    kernel_python: str = ""  # the interpreter of kernel "python3", checked at start
    _path: str = ""  # PATH of the server and its kernels

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, **query: str) -> str:
        q = "&".join([f"token={self.token}", *(f"{k}={v}" for k, v in query.items())])
        return f"{self.base_url}/{path.lstrip('/')}?{q}"

    # -- REST
    def api(self, path: str, method: str = "GET", body: Any = None, timeout: float = 30.0) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base_url}/api/{path.lstrip('/')}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def _dirs(self) -> dict[str, Path]:
        d = {k: self.state / k for k in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
        for p in d.values():
            p.mkdir(parents=True, exist_ok=True)
        return d

    def _write_config(self, d: dict[str, Path]) -> None:
        # Lab settings: the windowing mode, no news, no update checks, no toasts over the
        # widgets, no autosave (the copy is thrown away anyway).
        tracker = {} if self.windowing_mode is None else {"windowingMode": self.windowing_mode}
        settings = {
            "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": tracker,
            "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
                "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
            "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        }
        for rel, value in self.lab_settings.items():
            settings[rel] = {**settings.get(rel, {}), **value}
        for rel, value in settings.items():
            p = d["settings"] / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(value))
        labconfig = d["config"] / "labconfig"
        labconfig.mkdir(exist_ok=True)
        (labconfig / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))

    def start(self) -> "LabServer":
        d = self._dirs()
        self._write_config(d)
        self.port = self.port or free_port()
        self.token = self.token or secrets.token_hex(24)
        env = dict(os.environ)
        env.update({
            "JUPYTER_CONFIG_DIR": str(d["config"]),
            "JUPYTER_DATA_DIR": str(d["data"]),
            "JUPYTER_RUNTIME_DIR": str(d["runtime"]),
            "JUPYTERLAB_SETTINGS_DIR": str(d["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(d["workspaces"]),
            "IPYTHONDIR": str(d["ipython"]),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        })
        # the kernel must be this interpreter's: put its bin first (kernelspec "python3" is
        # installed with --sys-prefix; a fresh JUPYTER_DATA_DIR hides any user kernelspec)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        env.update(self.extra_env)
        self._path = env["PATH"]
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser", "--ServerApp.open_browser=False",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={d['settings']}",
            f"--LabApp.workspaces_dir={d['workspaces']}",
            "--KernelSpecManager.ensure_native_kernel=False",
        ]
        if self.server_config is not None:
            if not Path(self.server_config).is_file():  # Jupyter would skip a missing file silently
                raise FileNotFoundError(f"server config {self.server_config} does not exist")
            cmd.append(f"--config={self.server_config}")
        if _is_root():
            cmd.append("--allow-root")
        self.log_path = self.state / "jupyter-lab.log"
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self._wait_ready()
        self._check_kernelspec()
        return self

    def log_tail(self, n: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("status", timeout=5)
                with urllib.request.urlopen(self.url("lab"), timeout=10) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {self.startup_timeout:.0f} s:\n{self.log_tail()}")

    def _check_kernelspec(self) -> None:
        specs = self.api("kernelspecs")
        spec = specs["kernelspecs"].get("python3")
        if spec is None:
            raise RuntimeError(f"no 'python3' kernel; have {list(specs['kernelspecs'])}")
        argv0 = spec["spec"]["argv"][0]
        if argv0 in ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"):
            exe = sys.executable  # jupyter_client runs these with the server's own interpreter
        else:
            exe = argv0 if os.path.isabs(argv0) else shutil.which(argv0, path=self._path)
        if exe is None or Path(exe).resolve().parent != Path(sys.executable).resolve().parent:
            raise RuntimeError(f"kernel 'python3' runs {argv0!r} ({exe}), not this interpreter "
                               f"{sys.executable}; install it with `python -m ipykernel install --sys-prefix`")
        self.kernel_python = exe

    def shutdown_kernels(self, path: str | None = None) -> None:
        """Shut down the kernel of notebook ``path`` (relative to the root), or every kernel."""
        try:
            for s in self.api("sessions"):
                if path is None or s.get("path") == path:
                    self.api(f"sessions/{s['id']}", method="DELETE")
            if path is not None:
                return
            for k in self.api("kernels"):
                self.api(f"kernels/{k['id']}", method="DELETE")
        except Exception:  # best effort: stop() kills whatever is left
            pass

    def stop(self) -> None:
        """Shut kernels down, then the server; kill whatever of ours survives (by pid)."""
        if self.proc is None:
            return
        try:
            import psutil

            tracked = [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(recursive=True)]
        except Exception:
            tracked = []
        if self.proc.poll() is None:
            self.shutdown_kernels()
            try:
                self.api("shutdown", method="POST", timeout=10)
            except Exception:
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, sig)  # the server's own process group
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    pass
        for p in tracked:  # kernels run in their own sessions: end the ones we spawned, by pid
            try:
                if p.is_running():
                    p.kill()
            except Exception:
                pass
        self.proc = None


# ---------------------------------------------------------------------------------- the browser
def launch_browser(playwright: Any, executable: str | None = None) -> Any:
    exe = executable or find_chromium()
    if exe is None:
        raise RuntimeError(browser_problem() or "no chromium")
    return playwright.chromium.launch(executable_path=exe, headless=True, args=list(CHROMIUM_ARGS))


def new_context(browser: Any) -> Any:
    return browser.new_context(viewport={"width": 1500, "height": 1000}, service_workers="block")


@dataclass
class RunResult:
    """What one Run All left in the page."""

    name: str
    seconds: float
    executed: int  # code cells with an execution count
    expected: int  # code cells with source (JupyterLab does not execute empty ones)
    errors: list[str]  # error outputs (tracebacks), as text; cells tagged raises-exception excepted
    widget_errors: list[str]  # "Error displaying widget" texts
    stderr: list[str]  # stream outputs on stderr (warnings: reported, not failures)
    finished: bool

    def problems(self) -> list[str]:
        out = []
        if not self.finished:
            out.append(f"only {self.executed} of {self.expected} code cells executed")
        out += [f"error output:\n{e}" for e in self.errors]
        out += [f"widget error: {e}" for e in self.widget_errors]
        return out


def open_notebook(context: Any, server: LabServer, name: str, timeout_ms: float = 120_000) -> Any:
    """Open ``notebooks/name`` in a new JupyterLab page (its own workspace) and wait until its
    kernel is connected and idle."""
    page = context.new_page()
    try:
        page.set_default_timeout(timeout_ms)
        workspace = "w" + secrets.token_hex(4)
        page.goto(server.url(f"lab/workspaces/{workspace}/tree/notebooks/{name}", reset=""),
                  wait_until="domcontentloaded")
        page.wait_for_selector(SEL_CODE_CELL, state="attached", timeout=timeout_ms)
        wait_kernel_idle(page, name, timeout_ms)
    except Exception:
        page.close()
        raise
    return page


# JS evaluated in the page, through the app JupyterLab exposes (--LabApp.expose_app_in_browser):
# the notebook's model knows things the DOM does not spell out reliably (execution counts of
# cells whose input is collapsed, output types, the kernel's status).
_JS_PANEL = """
function findPanel(path) {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
  }
  return null;
}
"""

_JS_STATE = _JS_PANEL + """
return (path => {
  const w = findPanel(path);
  if (!w) return {found: false};
  const s = w.context.sessionContext;
  const k = s && s.session && s.session.kernel;
  const counts = [], errors = [];
  for (const cell of w.content.widgets) {
    if (cell.model.type !== 'code') continue;
    const src = cell.model.sharedModel.getSource();
    counts.push({count: cell.model.executionCount, empty: src.trim() === ''});
    const tags = cell.model.getMetadata('tags') || [];
    if (tags.includes('raises-exception')) continue;  // an error there is the lesson (nbval's tag)
    const outputs = cell.model.outputs;
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs.get(i).toJSON();
      if (o.output_type === 'error')
        errors.push(o.ename + ': ' + o.evalue + '\\n' + (o.traceback || []).join('\\n'));
    }
  }
  return {found: true, kernel: k ? k.status + '/' + k.connectionStatus : 'none', counts, errors};
})"""


def notebook_state(page: Any, name: str) -> dict:
    """{found, kernel: "idle/connected" ..., counts: [{count, empty}] per code cell, errors: [...]}."""
    return page.evaluate(f"(path) => {{ {_JS_STATE} (path) }}", f"notebooks/{name}")


def kernel_status(page: Any, name: str) -> str:
    st = notebook_state(page, name)
    return st.get("kernel", "none") if st["found"] else "no notebook"


def wait_kernel_idle(page: Any, name: str, timeout_ms: float) -> None:
    page.wait_for_function(
        f"(path) => {{ {_JS_PANEL} const w = findPanel(path); const s = w && w.context.sessionContext;"
        " const k = s && s.session && s.session.kernel;"
        " return !!k && k.status === 'idle' && k.connectionStatus === 'connected'; }",
        arg=f"notebooks/{name}", timeout=timeout_ms, polling=250)


def run_all(page: Any) -> None:
    """Run > Run All Cells, through the menu bar as a reader would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=_exact("Run")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()


def _strip_ansi(s: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", s)


def rendered_tracebacks(page: Any) -> list[str]:
    """Error outputs as the page shows them (JupyterLab renders an error with the stderr mime type;
    what tells it from a warning is the traceback/ename text)."""
    out = []
    for t in page.locator(SEL_STDERR).all_inner_texts():
        if "Traceback (most recent call last)" in t or re.search(r"^-{20,}\s*$", t, re.M) or \
                re.search(r"^\w+(Error|Exception)\b.*$", t, re.M):
            out.append(t)
    return out


def stderr_outputs(page: Any) -> list[str]:
    return page.locator(SEL_STDERR).all_inner_texts()


def widget_error_texts(page: Any) -> list[str]:
    return page.get_by_text(SEL_WIDGET_ERROR_TEXT).all_inner_texts()


def run_notebook(page: Any, name: str, timeout_s: float = 900.0, poll_s: float = 1.0) -> RunResult:
    """Run all cells and wait until every code cell with source has an execution count and the
    kernel is idle, or an error output appears (Run All stops there), or ``timeout_s`` passes."""
    t0 = time.monotonic()
    run_all(page)
    deadline = t0 + timeout_s
    finished, idle_polls = False, 0
    st: dict = {"counts": [], "errors": [], "kernel": "none"}
    while time.monotonic() < deadline:
        st = notebook_state(page, name)
        if not st["found"]:
            raise AssertionError(f"notebook {name} is no longer open in the page")
        todo = [c for c in st["counts"] if not c["empty"] and c["count"] is None]
        idle = st["kernel"] == "idle/connected"
        if idle and (not todo or st["errors"]):
            idle_polls += 1
            if idle_polls >= 3:  # idle across a few polls: widget comm messages have settled
                finished = not todo
                break
        else:
            idle_polls = 0
        time.sleep(poll_s)
    expected = sum(1 for c in st["counts"] if not c["empty"])
    executed = sum(1 for c in st["counts"] if not c["empty"] and c["count"] is not None)
    errors = [_strip_ansi(e) for e in st["errors"]]
    dom = rendered_tracebacks(page)
    if dom and not errors:  # the page shows a traceback the model check did not see
        errors = dom
    return RunResult(name, time.monotonic() - t0, executed, expected, errors, widget_error_texts(page),
                     stderr_outputs(page), finished)


_JS_EXEC = _JS_PANEL + """
return (async ([path, code]) => {
  const w = findPanel(path);
  const k = w.context.sessionContext.session.kernel;
  const future = k.requestExecute({code, silent: false, store_history: false});
  let out = '';
  future.onIOPub = msg => {
    const t = msg.header.msg_type;
    if (t === 'stream') out += msg.content.text;
    else if (t === 'error') out += msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  return out;
})"""


def kernel_exec(page: Any, name: str, code: str) -> str:
    """Run ``code`` in the kernel of open notebook ``name`` (not in a cell: the notebook is not
    touched) and return what it printed."""
    return page.evaluate(f"(args) => {{ {_JS_EXEC} (args) }}", [f"notebooks/{name}", code])


def close_notebook(page: Any, server: LabServer, name: str) -> None:
    """Shut down the notebook's kernel and close its page (without saving: it is a copy)."""
    server.shutdown_kernels(f"notebooks/{name}")
    page.close()


# ---------------------------------------------------------------------------------- widgets
def cell_with_source(page: Any, needle: str) -> Any:
    """The code cell whose input contains ``needle``."""
    loc = page.locator(SEL_CODE_CELL).filter(has=page.locator(".jp-InputArea-editor", has_text=needle))
    n = loc.count()
    if n != 1:
        raise AssertionError(f"expected one code cell containing {needle!r}, found {n}")
    return loc.first


def _page(scope: Any) -> Any:
    return scope if hasattr(scope, "goto") else scope.page  # a Page, or a Locator's page


def _exact(label: str) -> "re.Pattern[str]":
    return re.compile(rf"^\s*{re.escape(label)}\s*$")


def sliders(scope: Any) -> Any:
    """Every slider view in ``scope`` (a page or a locator)."""
    return scope.locator(SEL_SLIDER)


def slider_by_label(scope: Any, label: str) -> Any:
    """The slider view whose description is exactly ``label``."""
    return scope.locator(SEL_SLIDER).filter(
        has=_page(scope).locator(".widget-label", has_text=_exact(label)))


#: Kernel code printing the feature browser's upload limit in bytes (see :func:`kernel_exec`).
PRINT_UPLOAD_LIMIT = "from inception.widgets.features import MAX_UPLOAD_BYTES; print(MAX_UPLOAD_BYTES)"


def upload_file(page: Any, scope: Any, name: str, content: bytes, timeout_ms: float = 120_000,
                mime: str = "image/png") -> None:
    """Choose ``content`` as file ``name`` through the FileUpload button inside ``scope``, as a user
    picking a file in the browser's dialog would."""
    with page.expect_file_chooser(timeout=timeout_ms) as chooser:
        scope.locator(".widget-upload").click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": content}])


def dropdown_by_label(scope: Any, label: str) -> Any:
    """The <select> of the Dropdown / SelectMultiple whose description is exactly ``label``."""
    box = scope.locator(".widget-dropdown, .widget-select").filter(
        has=_page(scope).locator(".widget-label", has_text=_exact(label)))
    return box.locator("select")


def slider_readout(slider: Any) -> str:
    return slider.locator(".widget-readout").inner_text().strip()


def press_slider(slider: Any, key: str = "ArrowRight") -> None:
    """Focus the slider's handle and press ``key``, as a keyboard user does."""
    handle = slider.locator(SEL_SLIDER_HANDLE).first
    handle.focus()
    handle.press(key)


_JS_SNAPSHOT = """el => {
  const imgs = Array.from(el.querySelectorAll('img')).map(i => i.src);
  if (el.tagName === 'IMG') imgs.unshift(el.src);
  return imgs.join('|') + '#' + el.innerHTML;
}"""


def snapshot(target: Any) -> str:
    """What the reader sees of an output widget: its HTML, and the ``src`` of images (an Image
    widget gets a new blob URL for every new value)."""
    return target.evaluate(_JS_SNAPSHOT)


def wait_changed(page: Any, target: Any, before: str, timeout_ms: float = 60_000) -> float:
    """Wait until ``snapshot(target)`` differs from ``before``; returns seconds waited."""
    t0 = time.perf_counter()
    handle = target.element_handle(timeout=timeout_ms)
    page.wait_for_function(f"([el, before]) => ({_JS_SNAPSHOT})(el) !== before",
                           arg=[handle, before], timeout=timeout_ms, polling="raf")
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------------- the widgets under test
@dataclass(frozen=True)
class SliderCase:
    """One slider of a notebook's widget to move with the keyboard, and the outputs it drives.
    The slider is an IntSlider with step 1: ArrowRight adds 1 to its readout."""

    notebook: str
    cell: str  # text of the code cell that displays the widget
    slider: str  # the slider's description
    outputs: tuple[str, ...]  # locators, inside the cell's output area, that must change on every move
    expect: str  # text the last output must then contain; {value} is the slider's new readout

    @property
    def id(self) -> str:
        return f"{self.notebook.split('_')[0]}-{self.slider}"

    def output_area(self, page: Any) -> Any:
        return cell_with_source(page, self.cell).locator(".jp-OutputArea")


#: One slider per notebook that has sliders (see inception/blockviz.py, netviz.py, featviz.py).
SLIDER_CASES: tuple[SliderCase, ...] = (
    # Each explorer shows its readout and plot in one HTML view (one message per move).
    # ReductionWidget: the readout (table + verdict) and the SVG plot, whose legend names r
    SliderCase(NOTEBOOKS[1], "widgets.reduction_widget(", "reduction width r", (".widget-html >> nth=0",),
               "your r = {value}"),
    # BlockBuilder: summary, diagram and branch table; the table lists "1x1 conv, <ch1x1>"
    SliderCase(NOTEBOOKS[2], "widgets.block_builder(", "ch1x1", (".widget-html >> nth=0",), "1x1 conv, {value}"),
    # NetworkExplorer: the totals beside the SVG plot
    SliderCase(NOTEBOOKS[3], "widgets.network_widget(", "input px", (".widget-html >> nth=0",),
               "{value}x{value} px"),
    # FeatureBrowser: the picture and the readout below it
    SliderCase(NOTEBOOKS[5], "widgets.feature_browser(", "channel", (".widget-html >> nth=-1",), "channel {value}:"),
)

#: The floor: the cheapest possible round trip, IntSlider -> observe -> HTML.value.
FLOOR_NOTEBOOK = "zz_floor_intslider_html.ipynb"
FLOOR_CASE = SliderCase(FLOOR_NOTEBOOK, "floor_slider = W.IntSlider(", "x", (".widget-html",), "x = {value}")
_FLOOR_SOURCE = """import ipywidgets as W

floor_slider = W.IntSlider(value=0, min=0, max=1000, description="x")
floor_html = W.HTML(value="x = 0")
floor_slider.observe(lambda change: setattr(floor_html, "value", f"x = {change['new']}"), names="value")
W.VBox([floor_slider, floor_html])"""


#: The explorers of 01-03 alone, each in a one-cell notebook: against the floor and against the
#: same explorer in its notebook, this separates the explorer's own cost from its notebook's (a
#: kernel with torch and a large heap, a page with many outputs).
ALONE_CASES: tuple[SliderCase, ...] = (
    SliderCase("zz_alone_01.ipynb", "widgets.reduction_widget(", "reduction width r", (".widget-html >> nth=0",),
               "your r = {value}"),
    SliderCase("zz_alone_02.ipynb", "widgets.block_builder(", "ch1x1", (".widget-html >> nth=0",), "1x1 conv, {value}"),
    SliderCase("zz_alone_03.ipynb", "widgets.network_widget(", "input px", (".widget-html >> nth=0",),
               "{value}x{value} px"),
)
_ALONE_SOURCES = {
    "zz_alone_01.ipynb": "from inception import widgets\n\nwidgets.reduction_widget()",
    "zz_alone_02.ipynb": "from inception import widgets\n\nwidgets.block_builder(\"3a\")",
    "zz_alone_03.ipynb": "from inception import widgets\n\nwidgets.network_widget()",
}


def _one_cell_notebook(path: Path, source: str) -> None:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "only", "metadata": {},
                     "outputs": [], "source": source}],
          "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                      "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb, indent=1))


def write_alone_notebooks(notebooks_dir: Path) -> None:
    """The one-cell notebooks of :data:`ALONE_CASES`."""
    for name, source in _ALONE_SOURCES.items():
        _one_cell_notebook(notebooks_dir / name, source)


def write_floor_notebook(notebooks_dir: Path) -> str:
    """A one-cell notebook with a trivial IntSlider -> HTML widget; returns its file name."""
    _one_cell_notebook(notebooks_dir / FLOOR_NOTEBOOK, _FLOOR_SOURCE)
    return FLOOR_NOTEBOOK



def write_in_page_floor(notebooks_dir: Path, case: SliderCase) -> tuple[SliderCase, SliderCase]:
    """A copy of ``case``'s notebook with the floor's cell appended, so a trivial slider and the
    explorer can be timed in the same page and kernel. Returns (explorer case, floor case) for it."""
    import dataclasses

    nb = json.loads((notebooks_dir / case.notebook).read_text())
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "zz-floor", "metadata": {},
                        "outputs": [], "source": _FLOOR_SOURCE})
    name = f"zz_in_page_{case.notebook}"
    (notebooks_dir / name).write_text(json.dumps(nb, indent=1))
    return dataclasses.replace(case, notebook=name), dataclasses.replace(FLOOR_CASE, notebook=name)

# In-page timing of one keyboard move: the keydown's event timestamp to the DOM mutation after
# which every output differs from before (MutationObserver callback, before paint). Playwright's
# own round trips are not included.
_JS_ARM = f"""([handle, targets]) => {{
  const snap = {_JS_SNAPSHOT};
  const before = targets.map(snap);
  const state = {{keydown: null}};
  window.__sliderMove = state;
  handle.addEventListener('keydown', e => {{ if (state.keydown === null) state.keydown = e.timeStamp; }},
                          {{capture: true, once: true}});
  state.done = new Promise(resolve => {{
    const check = () => {{
      if (state.keydown !== null && targets.every((t, i) => snap(t) !== before[i])) {{
        obs.disconnect(); resolve(performance.now() - state.keydown); return true;
      }}
      return false;
    }};
    const obs = new MutationObserver(check);
    const what = {{subtree: true, childList: true, attributes: true, characterData: true}};
    for (const t of targets) obs.observe(t, what);
  }});
}}"""

_JS_AWAIT = """async (timeoutMs) => {
  const state = window.__sliderMove;
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no change')), timeoutMs));
  return await Promise.race([state.done, timeout]);
}"""


def measure_moves(page: Any, case: SliderCase, n: int = 10, warmup: int = 3, key: str = "ArrowRight",
                  timeout_ms: float = 120_000) -> list[float]:
    """Latency in ms of ``n`` keyboard moves of ``case``'s slider until all its outputs changed
    (after ``warmup`` unmeasured moves). Moves alternate between ``key`` and the opposite key, so the
    slider never runs into the end of its range (a move there would change nothing); a slider that
    starts at its maximum moves left first."""
    area = case.output_area(page)
    slider = slider_by_label(area, case.slider)
    handle = slider.locator(SEL_SLIDER_HANDLE).first
    targets = [area.locator(sel).element_handle(timeout=timeout_ms) for sel in case.outputs]
    opposite = {"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight", "ArrowUp": "ArrowDown", "ArrowDown": "ArrowUp"}
    if key in ("ArrowRight", "ArrowUp") and handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax"):
        key = opposite[key]
    times = []
    for i in range(warmup + n):
        page.evaluate(_JS_ARM, [handle.element_handle(), targets])
        handle.focus()
        handle.press(key if i % 2 == 0 else opposite.get(key, key))
        ms = page.evaluate(_JS_AWAIT, timeout_ms)
        if i >= warmup:
            times.append(ms)
        time.sleep(0.25)  # idle between moves: each one is timed on its own, not queued behind the last
    return times

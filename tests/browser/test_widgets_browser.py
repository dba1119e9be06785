"""The notebooks' widgets in a real browser: JupyterLab + headless Chromium, driven by Playwright.

nbval compares outputs but skips widget views, so nothing else proves that a slider renders or
that moving it updates what it drives. For each notebook (a copy, outputs cleared) this suite
runs all cells through JupyterLab's Run menu, waits for every code cell to get an execution count
and the kernel to go idle, then checks: no error output, no "Error displaying widget", the number
of sliders, and for each widget that a keyboard move of one control changes its output.

Slow by nature (the notebooks really run, 04 trains small networks): one JupyterLab and one
browser serve the whole session, each notebook is executed once for all its tests. Timeouts are
generous and nothing asserts on speed (see benchmarks/bench_browser.py for latencies).
"""

from __future__ import annotations

import importlib.util
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import harness as h

pytestmark = pytest.mark.browser

#: how long a widget may take to react (a bound for a hang, not a speed requirement)
CHANGE_TIMEOUT_MS = 120_000

#: slider views per notebook after Run All (measured with JupyterLab 4.6 / ipywidgets 8.1):
#: 01 ReductionWidget: C_in, C_out, kernel (SelectionSlider), r, H = W; 02 BlockBuilder: input
#: channels, H = W and six filter counts; 03 NetworkExplorer: width, stem, stages 3-5, input px;
#: 04's ablation explorer has menus but no slider; 05 FeatureBrowser: channel.
EXPECTED_SLIDERS: dict[str, int] = {
    "00_index.ipynb": 0,
    "01_why_1x1_convolutions.ipynb": 5,
    "02_building_the_inception_block.ipynb": 8,
    "03_parameters_and_compute.ipynb": 6,
    "04_auxiliary_classifiers.ipynb": 0,
    "05_feature_maps.ipynb": 1,
}


def _short(name: str) -> str:
    return name.split("_")[0]  # "01"


SLIDER_CASES = h.SLIDER_CASES

assert {c.notebook for c in SLIDER_CASES} == {n for n, k in EXPECTED_SLIDERS.items() if k}, \
    "every notebook with sliders needs a slider case"


@dataclass
class Executed:
    name: str
    page: Any
    result: h.RunResult


@pytest.fixture
def executed(request, notebook_runs):
    """Notebook ``request.param``, opened in its own JupyterLab page and run (Run > Run All
    Cells) once for all the tests that use it."""
    name = request.param
    page, result = notebook_runs.get(name)
    yield Executed(name, page, result)
    notebook_runs.release(name, request.node.nodeid)


def _require_run(ex: Executed) -> None:
    if ex.result.problems():
        pytest.fail(f"{ex.name} did not run cleanly, so its widgets cannot be tested:\n"
                    + "\n".join(ex.result.problems()), pytrace=False)


def _nb_params(names) -> Any:
    return pytest.mark.parametrize("executed", list(names), indirect=True, ids=[_short(n) for n in names])


# ---------------------------------------------------------------------------------- every notebook
@_nb_params(h.NOTEBOOKS)
def test_runs_all_cells_without_errors(executed: Executed) -> None:
    r = executed.result
    assert not r.errors, f"{r.name}: error output(s):\n" + "\n\n".join(r.errors)
    assert not r.widget_errors, f"{r.name}: the page shows 'Error displaying widget': {r.widget_errors}"
    assert r.finished and r.executed == r.expected, \
        f"{r.name}: {r.executed} of {r.expected} code cells have an execution count after {r.seconds:.0f} s"
    # a widget that failed to render after the run finished also shows up here
    assert not h.widget_error_texts(executed.page)


@_nb_params(h.NOTEBOOKS)
def test_slider_count(executed: Executed) -> None:
    _require_run(executed)
    page = executed.page
    expected = EXPECTED_SLIDERS[executed.name]
    labels = h.sliders(page).locator(".widget-label").all_inner_texts()
    assert len(labels) == expected, f"{executed.name}: {len(labels)} sliders {labels}, expected {expected}"
    # each one really rendered: a keyboard-focusable noUiSlider handle
    assert page.locator(f"{h.SEL_SLIDER} {h.SEL_SLIDER_HANDLE}").count() == expected


@_nb_params(["00_index.ipynb"])
def test_kernel_imports_this_checkouts_package(executed: Executed) -> None:
    """The notebooks' kernel must import the same ``inception`` as this test process (so that the
    suite tests the code it sits next to, or what PYTHONPATH points at)."""
    _require_run(executed)
    out = h.kernel_exec(executed.page, executed.name,
                        "import inception, sys; print(inception.__file__); print(sys.executable)")
    kernel_file, kernel_python = out.strip().splitlines()[-2:]
    here = importlib.util.find_spec("inception").origin
    print(f"\n[browser] kernel imports {kernel_file} ({kernel_python}); tests import {here}")
    assert Path(kernel_file).resolve() == Path(here).resolve()


# ---------------------------------------------------------------------------------- sliders
def _output_text(target: Any) -> str:
    return re.sub(r"\s+", " ", target.evaluate("el => el.textContent"))


@pytest.mark.parametrize("executed, case", [pytest.param(c.notebook, c, id=c.id) for c in SLIDER_CASES],
                         indirect=["executed"])
def test_keyboard_slider_move_updates_output(executed: Executed, case: h.SliderCase) -> None:
    _require_run(executed)
    page = executed.page
    out_area = case.output_area(page)
    slider = h.slider_by_label(out_area, case.slider)
    assert slider.count() == 1, f"no single slider labelled {case.slider!r} in the output of {case.cell!r}"
    value = int(h.slider_readout(slider))
    targets = [out_area.locator(sel) for sel in case.outputs]
    before = [h.snapshot(t) for t in targets]

    h.press_slider(slider, "ArrowRight")

    try:  # the slider itself moved one step (front end only: no kernel involved yet)
        page.wait_for_function("([el, v]) => el.textContent.trim() === v",
                               arg=[slider.locator(".widget-readout").element_handle(), str(value + 1)],
                               timeout=CHANGE_TIMEOUT_MS)
    except Exception as e:
        raise AssertionError(f"{case.notebook}: ArrowRight on {case.slider!r} did not move it from {value} to "
                             f"{value + 1}; readout {h.slider_readout(slider)!r}") from e
    for sel, target, snap in zip(case.outputs, targets, before):
        try:
            h.wait_changed(page, target, snap, CHANGE_TIMEOUT_MS)
        except Exception as e:  # playwright's TimeoutError
            raise AssertionError(f"{case.notebook}: moving {case.slider!r} from {value} to {value + 1} did not "
                                 f"change output {sel!r} within {CHANGE_TIMEOUT_MS / 1000:.0f} s") from e
    want = case.expect.format(value=value + 1)
    page.wait_for_function("([el, want]) => el.textContent.replace(/\\s+/g, ' ').includes(want)",
                           arg=[targets[-1].element_handle(), want], timeout=CHANGE_TIMEOUT_MS)
    assert want in _output_text(targets[-1])
    assert not h.widget_error_texts(page)


# ---------------------------------------------------------------------------------- menus
def _select_other(select: Any) -> str:
    """Choose an option other than the current one (the next, cyclically); returns its value."""
    options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
    current = select.input_value()
    new = options[(options.index(current) + 1) % len(options)]
    select.select_option(value=new)
    return new


def _change_and_wait(page: Any, target: Any, action, what: str) -> None:
    before = h.snapshot(target)
    action()
    try:
        h.wait_changed(page, target, before, CHANGE_TIMEOUT_MS)
    except Exception as e:
        raise AssertionError(f"{what} did not change the output within {CHANGE_TIMEOUT_MS / 1000:.0f} s") from e


@_nb_params(["04_auxiliary_classifiers.ipynb"])
def test_ablation_explorer_metric_changes_plot(executed: Executed) -> None:
    _require_run(executed)
    page = executed.page
    out_area = h.cell_with_source(page, "explorer.widget()").locator(".jp-OutputArea")
    metric = h.dropdown_by_label(out_area, "metric")
    plot = out_area.locator(".widget-image")
    assert metric.count() == 1 and plot.count() == 1
    picked: list[str] = []
    _change_and_wait(page, plot, lambda: picked.append(_select_other(metric)), "choosing another metric")
    assert metric.input_value() == picked[0]


@_nb_params(["04_auxiliary_classifiers.ipynb"])
def test_ablation_explorer_arms_change_plot(executed: Executed) -> None:
    _require_run(executed)
    page = executed.page
    out_area = h.cell_with_source(page, "explorer.widget()").locator(".jp-OutputArea")
    arms = h.dropdown_by_label(out_area, "arms")  # a SelectMultiple
    plot = out_area.locator(".widget-image")
    options = arms.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert len(options) >= 2, f"the explorer offers {options}"
    _change_and_wait(page, plot, lambda: arms.select_option(value=[options[0]]), "keeping only one arm")


@_nb_params(["05_feature_maps.ipynb"])
def test_feature_browser_menu_changes_view(executed: Executed) -> None:
    _require_run(executed)
    page = executed.page
    out_area = h.cell_with_source(page, "widgets.feature_browser(").locator(".jp-OutputArea")
    image_menu = h.dropdown_by_label(out_area, "image")
    view = readout = out_area.locator(".widget-html").last  # the picture and the readout: one view
    picked: list[str] = []
    _change_and_wait(page, view, lambda: picked.append(_select_other(image_menu)), "choosing another image")
    page.wait_for_function("([el, want]) => el.textContent.includes(want)",
                           arg=[readout.element_handle(), f"image {picked[0]}"], timeout=CHANGE_TIMEOUT_MS)


@_nb_params(["05_feature_maps.ipynb"])
def test_feature_browser_upload_adds_image(executed: Executed) -> None:
    """Upload a picture through the FileUpload button: it becomes the shown image."""
    _require_run(executed)
    from PIL import Image

    page = executed.page
    out_area = h.cell_with_source(page, "widgets.feature_browser(").locator(".jp-OutputArea")
    view = out_area.locator(".widget-html").last
    buf = io.BytesIO()
    Image.new("RGB", (48, 40), (200, 40, 40)).save(buf, format="PNG")

    _change_and_wait(page, view, lambda: h.upload_file(page, out_area, "red-square.png", buf.getvalue(), CHANGE_TIMEOUT_MS),
                     "uploading an image")
    status = out_area.locator(".widget-html").filter(has_text="red-square.png").first
    assert "Added red-square.png" in status.inner_text(timeout=CHANGE_TIMEOUT_MS)
    assert h.dropdown_by_label(out_area, "image").input_value() == "red-square.png"


@_nb_params(["05_feature_maps.ipynb"])
def test_feature_browser_rejects_too_large_upload_and_stays_alive(executed: Executed) -> None:
    """A file over the stated limit (but under the server's 10 MiB message limit, so it reaches
    the kernel) gets a message naming both sizes; a small file afterwards still works."""
    _require_run(executed)
    from PIL import Image

    page = executed.page
    out_area = h.cell_with_source(page, "widgets.feature_browser(").locator(".jp-OutputArea")
    limit = int(h.kernel_exec(page, executed.name, h.PRINT_UPLOAD_LIMIT).strip())
    assert limit < 10 * 2**20
    assert out_area.locator(".widget-html", has_text=f"images up to {limit // 10**6} MB").count() == 1  # beside the button
    big = b"\x89PNG\r\n\x1a\n" + bytes(limit + 500_000)  # 8.5 MB: over the limit, under 10 MiB
    status = out_area.locator(".widget-html").filter(has_text="Could not use too-big.png").first

    h.upload_file(page, out_area, "too-big.png", big, CHANGE_TIMEOUT_MS)
    text = status.inner_text(timeout=CHANGE_TIMEOUT_MS)
    assert "8.5 MB" in text and f"up to {limit // 10**6} MB" in text, text
    assert h.dropdown_by_label(out_area, "image").input_value() != "too-big.png"
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), (30, 160, 60)).save(buf, format="PNG")
    # the widget (and its connection) is still alive
    h.upload_file(page, out_area, "after-big.png", buf.getvalue(), CHANGE_TIMEOUT_MS)
    added = out_area.locator(".widget-html").filter(has_text="Added after-big.png").first
    assert "Added after-big.png" in added.inner_text(timeout=CHANGE_TIMEOUT_MS)
    assert not h.widget_error_texts(page)


@_nb_params(["05_feature_maps.ipynb"])
def test_feature_browser_view_keeps_its_size_between_stages(executed: Executed) -> None:
    """The picture has one size for every stage (it used to grow and shrink with the channel count)."""
    _require_run(executed)
    page = executed.page
    out_area = h.cell_with_source(page, "widgets.feature_browser(").locator(".jp-OutputArea")
    view = out_area.locator(".widget-html").last
    stage = h.dropdown_by_label(out_area, "stage")
    sizes = set()
    for label in ("conv3", "3b", "4e", "5b"):
        stage.select_option(label=label)
        page.wait_for_function("([el, want]) => el.textContent.includes(want)",
                               arg=[view.element_handle(), f"{label}, "], timeout=CHANGE_TIMEOUT_MS)
        box = view.locator("div[style*='position:relative']").first.bounding_box()
        sizes.add((round(box["width"]), round(box["height"])))
    assert len(sizes) == 1, sizes


@_nb_params(["02_building_the_inception_block.ipynb"])
def test_block_builder_fits_one_screen(executed: Executed) -> None:
    """Sliders, summary, diagram and table fit in 650 px (it used to be 934, then 716 px tall)."""
    _require_run(executed)
    page = executed.page
    widget = h.cell_with_source(page, "widgets.block_builder(").locator(".jp-OutputArea .widget-vbox").first
    height = widget.bounding_box()["height"]
    assert height <= 650, f"the block builder is {height:.0f} px tall"


#: training one run in notebook 04's kernel (2 shared cores): a bound for a hang only
TRAIN_TIMEOUT_MS = 900_000


@_nb_params(["04_auxiliary_classifiers.ipynb"])
def test_ablation_explorer_train_one_more_run(executed: Executed) -> None:
    """"train one more run": the new run is plotted and the arms selection survives (it used to be
    emptied when the list's options were replaced, leaving "select at least one arm")."""
    _require_run(executed)
    page = executed.page
    out_area = h.cell_with_source(page, "explorer.widget()").locator(".jp-OutputArea")
    arms = h.dropdown_by_label(out_area, "arms")
    plot = out_area.locator(".widget-image")
    button = out_area.locator("button", has_text="train one more run")
    status = out_area.locator(".widget-html").last
    assert button.count() == 1 and plot.count() == 1
    selected = "s => Array.from(s.selectedOptions).map(o => o.value)"
    # train an arm that is not in the list yet: its new option is what used to empty the selection
    options = arms.locator("option").evaluate_all("os => os.map(o => o.value)")
    variant = h.dropdown_by_label(out_area, "variant").input_value()
    weight = h.dropdown_by_label(out_area, "aux weight")
    new = [w for w in weight.locator("option").evaluate_all("os => os.map(o => o.value)")
           if f"{variant}, aux {float(w):g}" not in options]
    assert new, f"every aux weight is already an arm: {options}"
    weight.select_option(value=new[-1])
    if not arms.evaluate(selected):  # another test may have changed it: start from a selection
        _change_and_wait(page, plot, lambda: arms.select_option(index=0), "selecting an arm")
    before = h.snapshot(plot)
    button.click()
    page.wait_for_function("el => /trained|could not train/.test(el.textContent)", arg=status.element_handle(),
                           timeout=TRAIN_TIMEOUT_MS, polling=500)
    text = status.inner_text()
    assert text.startswith("trained"), f"the run failed: {text!r}"
    h.wait_changed(page, plot, before, CHANGE_TIMEOUT_MS)  # normally already changed
    page.wait_for_function("el => !el.disabled", arg=button.element_handle(), timeout=CHANGE_TIMEOUT_MS)
    assert arms.evaluate(selected), "training emptied the arms selection"
    assert f"{variant}, aux {float(new[-1]):g}" in arms.evaluate(selected)  # the new run's arm is shown
    assert not h.widget_error_texts(page)


@_nb_params(["05_feature_maps.ipynb"])
def test_feature_browser_end_key_reaches_last_channel_of_deep_layer(executed: Executed) -> None:
    """After switching to a wider layer (5b), End on the channel slider goes to that layer's last
    channel (it used to stop at 3a's last channel: the slider library kept its first range)."""
    _require_run(executed)
    page = executed.page
    out_area = h.cell_with_source(page, "widgets.feature_browser(").locator(".jp-OutputArea")
    readout = out_area.locator(".widget-html").last
    n = int(h.kernel_exec(page, executed.name,
                          "print(browser.num_channels('inception5b', 'all (concatenated)'))").strip())
    n3a = int(h.kernel_exec(page, executed.name,
                            "print(browser.num_channels('inception3a', 'all (concatenated)'))").strip())
    assert n > n3a, (n, n3a)
    h.dropdown_by_label(out_area, "stage").select_option(label="5b")
    page.wait_for_function("([el, want]) => el.textContent.includes(want)",
                           arg=[readout.element_handle(), f"5b, {n} channels"], timeout=CHANGE_TIMEOUT_MS)
    slider = h.slider_by_label(out_area, "channel")
    assert slider.count() == 1
    h.press_slider(slider, "End")
    page.wait_for_function("([el, want]) => el.textContent.includes(want)",
                           arg=[readout.element_handle(), f"channel {n - 1}:"], timeout=CHANGE_TIMEOUT_MS)
    assert h.slider_readout(slider) == str(n - 1)

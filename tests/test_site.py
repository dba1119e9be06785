"""``inception-site``: the static website built from the committed notebooks (never executed)."""

from __future__ import annotations

import base64
import json
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from inception.app import site

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: a 2x1 PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAEElEQVR4nGP4z8DwHwSB"
                       "NAMAP7UF+3VzUXIAAAAASUVORK5CYII=")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    before = {p: p.stat().st_mtime_ns for p in NOTEBOOKS}
    assert site.main(["--out", str(out), "--notebooks", str(ROOT / "notebooks")]) == 0
    assert {p: p.stat().st_mtime_ns for p in NOTEBOOKS} == before  # read, never executed or rewritten
    return out


def _links(page: Path) -> list[str]:
    return re.findall(r'href="([^"#:]+\.html)(?:#[^"]*)?"', page.read_text(encoding="utf-8"))


def test_index_links_one_page_per_notebook(built: Path) -> None:
    links = _links(built / "index.html")
    assert links == [site.page_name(nb.name) for nb in NOTEBOOKS]
    for link in links:
        assert (built / link).is_file()


def test_pages_keep_stored_outputs_and_widget_state(built: Path) -> None:
    for nb_path in NOTEBOOKS:
        page = (built / site.page_name(nb_path.name)).read_text(encoding="utf-8")
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        pngs = sum("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))
        assert page.count("data:image/png;base64,") >= pngs, nb_path.name  # every stored figure
        state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
        views = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                    for c in nb["cells"] for o in c.get("outputs", []))
        if views:  # a notebook that shows widgets stores their state, and the page embeds it
            assert state and state["state"], f"{nb_path.name}: executed without widget state"
            assert 'type="application/vnd.jupyter.widget-state+json"' in page
            assert page.count('<script type="application/vnd.jupyter.widget-view+json">') == views
        for link in _links(built / site.page_name(nb_path.name)):  # navigation stays inside the site
            assert (built / link).is_file(), (nb_path.name, link)
        assert not re.search(r'href="[^"]*\.ipynb"', page), nb_path.name  # no link to a notebook file


def _write_index(folder: Path, tagged_output: dict | None) -> None:
    folder.mkdir()
    cells = [nbformat.v4.new_markdown_cell("# Index\n\nThe collection."),
             nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output("stream", text="1\n")])]
    if tagged_output is not None:
        cell = nbformat.v4.new_code_cell("draw()", outputs=[tagged_output])
        cell.metadata["tags"] = ["network-map"]
        cells.append(cell)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / "00_index.ipynb")
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# One\n\nSee [the index](00_index.ipynb).")])
    nbformat.write(other, folder / "01_one.ipynb")


def test_landing_page_shows_the_tagged_map(tmp_path: Path) -> None:
    _write_index(tmp_path / "nb", nbformat.v4.new_output(
        "display_data", data={"image/png": base64.b64encode(PNG).decode(), "text/plain": "<Figure>"}))
    written = site.build_site(tmp_path / "out", tmp_path / "nb")
    index = (tmp_path / "out" / "index.html").read_text()
    assert '<img src="network_map.png"' in index and site.NO_MAP_NOTE not in index
    assert (tmp_path / "out" / "network_map.png").read_bytes() == PNG
    assert [p.name for p in written] == ["index.html", "00_index.html", "01_one.html", "network_map.png"]
    assert 'href="00_index.html"' in (tmp_path / "out" / "01_one.html").read_text()  # notebook link rewritten


def test_landing_page_takes_an_svg_map(tmp_path: Path) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="4" height="2"/></svg>'
    _write_index(tmp_path / "nb", nbformat.v4.new_output("display_data", data={"image/svg+xml": svg}))
    site.build_site(tmp_path / "out", tmp_path / "nb")
    assert (tmp_path / "out" / "network_map.svg").read_text() == svg
    assert '<img src="network_map.svg"' in (tmp_path / "out" / "index.html").read_text()


def test_landing_page_without_a_map_says_so(tmp_path: Path) -> None:
    _write_index(tmp_path / "nb", None)
    site.build_site(tmp_path / "out", tmp_path / "nb")
    index = (tmp_path / "out" / "index.html").read_text()
    assert site.NO_MAP_NOTE in index and "<img" not in index
    assert not list((tmp_path / "out").glob("network_map.*"))


def test_bad_arguments_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        site.main(["--out", str(tmp_path / "o"), "--notebooks", str(tmp_path / "missing")])
    assert e.value.code == 2 and "is not a folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .* files"):
        site.build_site(tmp_path / "o", tmp_path / "empty")
    (tmp_path / "file").write_text("x")
    with pytest.raises(SystemExit):
        site.main(["--out", str(tmp_path / "file")])


def test_console_script_is_declared() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["inception-site"] == "inception.app.site:main"
    assert (ROOT / ".gitignore").read_text().count("/site/") == 1  # the README's output folder

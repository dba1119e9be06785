"""``inception-site --out DIR``: the collection as a static website, built from the committed
notebooks without executing them.

    inception-site --out site/           # then open site/index.html, or publish the folder

* ``index.html``: the landing page, with the whole-network map (Figure 3) taken from the image
  output of the cell tagged ``network-map`` in ``00_index.ipynb`` (a visible note stands in for
  it while no such cell exists), and the list of notebooks;
* one page per notebook (nbconvert's HTML exporter, JupyterLab's look), with every stored output:
  figures, tables, and widgets in their stored state (``metadata.widgets``, which the notebooks
  keep because ``jupytext --execute`` runs them with nbclient, whose ``store_widget_state`` is on
  by default). The widgets render from that state with the ipywidgets HTML manager, which the
  page loads from a CDN; where no kernel runs, the static figure below each widget carries its
  content.

Links between notebooks (``NN_name.ipynb``) point to their pages. nbconvert is in the ``dev``
extra.
"""

from __future__ import annotations

import argparse
import base64
import html
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

PROG = "inception-site"
MAP_TAG = "network-map"
INDEX_NOTEBOOK = "00_index.ipynb"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
MISSING_NBCONVERT = (f"{PROG} needs nbconvert and nbformat, which are not installed in this environment. "
                     "Install them with `pip install -e \".[dev]\"` (or `pip install nbconvert`).")
#: what the landing page shows when 00_index has no cell tagged network-map (yet)
NO_MAP_NOTE = (f"The whole-network map (Figure 3) appears here once {INDEX_NOTEBOOK} has a code cell tagged "
               f"<code>{MAP_TAG}</code> whose output is an image.")

_NB_LINK = re.compile(r'href="(?:\./)?(\d\d_[A-Za-z0-9_\-]+)\.ipynb(#[^"]*)?"')

_NAV_STYLE = """
.inception-site-nav { font-family: system-ui, sans-serif; display: flex; gap: 1.5rem; flex-wrap: wrap;
                      padding: 0.6rem 1rem; border-bottom: 1px solid #ddd; background: #fafafa; }
.inception-site-nav a { text-decoration: none; }
"""
_STYLE = _NAV_STYLE + """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 980px;
       margin: 0 auto; padding: 1.2rem; line-height: 1.5; color: #222; }
.inception-map img { max-width: 100%; height: auto; border: 1px solid #eee; }
.inception-note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.6rem 1rem; }
ul.inception-notebooks li { margin: 0.4rem 0; }
"""


@dataclass(frozen=True)
class Page:
    notebook: str  # file name, e.g. "02_building_the_inception_block.ipynb"
    title: str

    @property
    def html_name(self) -> str:
        return page_name(self.notebook)


def page_name(notebook: str) -> str:
    """``NN_name.ipynb`` -> ``NN_name.html``."""
    return Path(notebook).with_suffix(".html").name


def notebook_title(nb: Any, fallback: str) -> str:
    """The first Markdown heading of the notebook, without its ``#`` marks."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def network_map(nb: Any) -> tuple[str, bytes] | None:
    """The image output (``(suffix, data)``, PNG or SVG) of the first cell tagged ``network-map``,
    or None if there is no such cell or it has no image output."""
    for cell in nb.cells:
        if cell.cell_type != "code" or MAP_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                return ".png", base64.b64decode(data["image/png"])
            if "image/svg+xml" in data:
                svg = data["image/svg+xml"]
                return ".svg", ("".join(svg) if isinstance(svg, list) else svg).encode()
    return None


def _nav(pages: Sequence[Page], i: int | None) -> str:
    links = ['<a href="index.html">&#8962; all notebooks</a>']
    if i is not None and i > 0:
        links.append(f'<a href="{pages[i - 1].html_name}">&#8592; {html.escape(pages[i - 1].title)}</a>')
    if i is not None and i + 1 < len(pages):
        links.append(f'<a href="{pages[i + 1].html_name}">{html.escape(pages[i + 1].title)} &#8594;</a>')
    return f'<nav class="inception-site-nav">{"".join(links)}</nav>'


def _with_nav(body: str, nav: str) -> str:
    """Insert the navigation bar (and its style) right after ``<body ...>``."""
    m = re.search(r"<body[^>]*>", body)
    at = m.end() if m else 0
    return body[:at] + f"<style>{_NAV_STYLE}</style>" + nav + body[at:]


def index_html(pages: Sequence[Page], map_file: str | None) -> str:
    """The landing page."""
    if map_file:
        figure = (f'<figure class="inception-map"><img src="{html.escape(map_file)}" '
                  'alt="GoogLeNet, the whole network (Figure 3 of the paper), drawn by the inception package">'
                  "<figcaption>GoogLeNet as a whole (the paper's Figure 3), from notebook 00.</figcaption></figure>")
    else:
        figure = f'<p class="inception-note">{NO_MAP_NOTE}</p>'
    items = "\n".join(f'<li><a href="{p.html_name}">{html.escape(p.title)}</a> '
                      f'<small>({html.escape(p.notebook)})</small></li>' for p in pages)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>inception-notebooks: GoogLeNet / Inception v1, interactively</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>GoogLeNet / Inception v1, interactively</h1>
<p>Teaching notebooks on Szegedy et al. 2014, <a href="https://arxiv.org/abs/1409.4842">Going deeper with
convolutions</a>: the Inception block, what 1x1 reductions buy, where parameters and compute live, the auxiliary
classifiers as an experiment, and what the feature maps show. These pages show the notebooks with their stored
outputs; widgets appear in their stored state, and the static figure below each one shows its default view.
To move the sliders, run the notebooks in JupyterLab.</p>
{figure}
<h2>The notebooks</h2>
<ul class="inception-notebooks">
{items}
</ul>
</body>
</html>
"""


def build_site(out: Path, notebooks: Path) -> list[Path]:
    """Write the site into ``out`` from the ``NN_*.ipynb`` files in ``notebooks`` (not executed);
    returns the files written, index first."""
    try:
        import nbformat
        from nbconvert import HTMLExporter
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise RuntimeError(MISSING_NBCONVERT) from e
    files = sorted(notebooks.glob(NOTEBOOK_GLOB))
    if not files:
        raise ValueError(f"notebooks: no {NOTEBOOK_GLOB} files in {notebooks}")
    out.mkdir(parents=True, exist_ok=True)
    nbs = {f.name: nbformat.read(f, as_version=4) for f in files}
    pages = [Page(name, notebook_title(nb, Path(name).stem)) for name, nb in nbs.items()]
    exporter = HTMLExporter(template_name="lab")
    written: list[Path] = []
    map_file = None
    found = network_map(nbs[INDEX_NOTEBOOK]) if INDEX_NOTEBOOK in nbs else None
    if found is not None:
        suffix, data = found
        map_file = "network_map" + suffix
        (out / map_file).write_bytes(data)
    index = out / "index.html"
    index.write_text(index_html(pages, map_file), encoding="utf-8")
    written.append(index)
    for i, page in enumerate(pages):
        body, _ = exporter.from_notebook_node(nbs[page.notebook], resources={"metadata": {"name": page.title}})
        body = _NB_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)
        target = out / page.html_name
        target.write_text(_with_nav(body, _nav(pages, i)), encoding="utf-8")
        written.append(target)
    if map_file:
        written.append(out / map_file)
    return written


def _default_notebooks() -> Path:
    return Path.cwd() / "notebooks"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=PROG, description="Build a static website of the notebooks (not executed): "
                                "index.html with the network map and the notebook list, one page per notebook.")
    p.add_argument("--out", required=True, type=Path, help="output folder (created; its old pages are replaced)")
    p.add_argument("--notebooks", type=Path, default=None,
                   help="folder with the NN_*.ipynb notebooks (default: ./notebooks)")
    p.add_argument("--clean", action="store_true", help="empty the output folder first")
    args = p.parse_args(argv)
    notebooks = args.notebooks or _default_notebooks()
    if not notebooks.is_dir():
        p.error(f"--notebooks: {notebooks} is not a folder (run from the repository root or pass --notebooks)")
    if args.out.exists() and not args.out.is_dir():
        p.error(f"--out: {args.out} exists and is not a folder")
    if args.clean and args.out.is_dir():
        shutil.rmtree(args.out)
    try:
        written = build_site(args.out, notebooks)
    except (RuntimeError, ValueError) as e:
        p.exit(2, f"{PROG}: error: {e}\n")
    print(f"{PROG}: wrote {len(written)} files; open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

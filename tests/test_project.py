"""Project files stay consistent: environment.yml vs pyproject.toml, README vs CI, Table 1 data."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"pytorch": "torch"}  # conda-forge name -> PyPI name


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(r) for r in project["dependencies"]}
    pip_names |= {_name(r) for extra in project["optional-dependencies"].values() for r in extra}
    conda_names = set()
    text = (ROOT / "environment.yml").read_text()
    dependencies = text.split("dependencies:", 1)[1]
    for line in dependencies.splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.\-]+)", line)
        if m and m.group(1) not in ("python", "pip"):
            conda_names.add(CONDA_NAMES.get(m.group(1).lower(), m.group(1).lower()))
    assert conda_names == pip_names
    assert "-e ." in (ROOT / "environment.yml").read_text()


def test_torch_range_admits_2_13():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (torch_req,) = [r for r in project["dependencies"] if _name(r) == "torch"]
    spec = torch_req[len("torch"):]
    for part in spec.split(","):
        op, version = re.match(r"\s*([<>=!]+)\s*([\d.]+)", part).groups()
        v, ref = (2, 13), tuple(int(x) for x in version.split("."))[:2]
        assert {"<": v < ref, "<=": v <= ref, ">": v > ref, ">=": v >= ref, "==": v == ref}[op], part
    assert "torchvision" not in " ".join(project["dependencies"])


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pytest --nbval" in readme
    assert re.search(r"^pytest --nbval\s*$", ci, re.M)
    assert "torch==2.13.0" in ci and 'pip install --quiet -e ".[dev]"' in ci
    assert 'pip install -e ".[dev]"' in readme


def test_readme_and_index_list_every_notebook():
    readme = (ROOT / "README.md").read_text()
    index = (ROOT / "notebooks" / "00_index.ipynb").read_text()
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert nb.name in readme, f"{nb.name} missing from README's notebook list"
        assert nb.name in index, f"{nb.name} missing from 00_index's contents"


def test_packaged_table1_is_the_reference_copy():
    """tests/data/googlenet_table1.csv is a verbatim copy of the project's reference transcription
    of Table 1 (shared/reference/googlenet_table1.csv), shipped so this runs in any checkout."""
    reference = ROOT / "tests" / "data" / "googlenet_table1.csv"
    packaged = ROOT / "inception" / "resources" / "googlenet_table1.csv"
    assert packaged.read_text() == reference.read_text()
    # a few rows typed from the paper, so the copy itself is checked too
    rows = reference.read_text().splitlines()
    assert rows[0] == ("name,type,patch_size_stride,output_size,depth,n1x1,n3x3_reduce,n3x3,n5x5_reduce,n5x5,"
                       "pool_proj,params,ops")
    assert "conv1,convolution,7x7/2,112x112x64,1,,,,,,,2.7K,34M" in rows
    assert "3a,inception,,28x28x256,2,64,96,128,16,32,32,159K,128M" in rows
    assert "4c,inception,,14x14x512,2,128,128,256,24,64,64,463K,100M" in rows
    assert "5b,inception,,7x7x1024,2,384,192,384,48,128,128,1388K,71M" in rows
    assert "linear,linear,,1x1x1000,1,,,,,,,1000K,1M" in rows
    assert len(rows) == 1 + 19  # header + the 19 rows of Table 1


def test_table1_data():
    import inception

    assert inception.BLOCK_NAMES == ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b")
    assert inception.INCEPTION_BLOCKS["3a"].as_tuple() == (64, 96, 128, 16, 32, 32)
    assert inception.INCEPTION_BLOCKS["5b"].out_channels == 1024
    assert inception.STEM_CHANNELS == {"conv1": 64, "conv2": 64, "conv3": 192}
    # each block's output channels are the next row's printed depth
    rows = {r.name: r for r in inception.TABLE1}
    for name, spec in inception.INCEPTION_BLOCKS.items():
        assert spec.out_channels == rows[name].output_size[2]

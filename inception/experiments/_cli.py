"""What the experiment commands share: argparse types and checks of where results will be written.

Everything here runs before any training, so a bad option costs a usage message, not a wasted run.
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
from pathlib import Path
from typing import Callable, Iterable

from .._checks import check_int, check_number

__all__ = [
    "positive_int",
    "nonnegative_int",
    "positive_float",
    "HelpFormatter",
    "paragraphs",
    "check_output_file",
    "check_output_dir",
]


def _arg_type(check: Callable[[object], object], parse: Callable[[str], object], what: str):
    """An argparse ``type=``: parse the text, check it; argparse turns the error into a usage message."""

    def convert(text: str):
        try:
            return check(parse(text))
        except ValueError as exc:  # also ArgumentTypeError from _checks
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from exc

    return convert


positive_int = _arg_type(lambda v: check_int("value", v, 1), int, "a positive integer")
nonnegative_int = _arg_type(lambda v: check_int("value", v, 0), int, "an integer >= 0")
positive_float = _arg_type(lambda v: check_number("value", v, 0, min_open=True), float, "a positive number")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keep the description's and epilog's line breaks (they hold example commands and presets)."""


def paragraphs(*texts: str, width: int = 88) -> str:
    """Prose for a raw-formatted epilog: each text wrapped, blank lines between them."""
    return "\n\n".join(textwrap.fill(t, width) for t in texts)


def _check_writable_parent(path: Path) -> None:
    """The nearest existing ancestor of ``path`` must be a folder we can create files in.

    Probed by creating (and removing) a temporary file: permission bits say nothing for root,
    nor for read-only or virtual file systems.
    """
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"cannot create {path}: {parent} is a file, not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".write-probe-"):
            pass
    except OSError as exc:
        raise ValueError(f"cannot write {path}: creating a file in {parent} fails ({exc.strerror or exc})") from None


def check_output_file(path: Path, *, overwrite: bool, flag: str = "--force") -> Path:
    """``path`` if a file can be written there; an existing file only with ``overwrite``."""
    if path.is_dir():
        raise ValueError(f"{path} is a folder: give a file name, e.g. {path / 'results.json'}")
    if path.exists() and not overwrite:
        raise ValueError(f"{path} already exists: pass {flag} to overwrite it, or choose another --out")
    if path.exists():
        try:
            with open(path, "ab"):  # opened for appending: the content is not touched
                pass
        except OSError as exc:
            raise ValueError(f"cannot overwrite {path} ({exc.strerror or exc})") from None
    _check_writable_parent(path)
    return path


def check_output_dir(path: Path, files: Iterable[str], *, overwrite: bool, flag: str = "--force") -> Path:
    """``path`` if ``files`` can be written into it (created if needed); existing files only with ``overwrite``."""
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file: --out must be a folder")
    if path.is_dir():
        existing = [f for f in files if (path / f).exists()]
        if existing and not overwrite:
            raise ValueError(
                f"{path} already holds {', '.join(existing)}: pass {flag} to overwrite, or choose another --out"
            )
        _check_writable_parent(path / "probe")
    else:
        _check_writable_parent(path)
    return path

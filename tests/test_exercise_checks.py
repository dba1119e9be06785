"""Every exercise check speaks through ``display.verdict``: one Verdict type, one wording
("Correct: ...", "Not yet: ...", "Fill in ...") in every notebook."""

from __future__ import annotations

import re
from pathlib import Path

from inception import display

PACKAGE = Path(display.__file__).parent
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "display.py")


def _hits(pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return [f"{p.relative_to(PACKAGE)}:{i}: {line.strip()}"
            for p in SOURCES for i, line in enumerate(p.read_text().splitlines(), 1) if rx.search(line)]


def test_sources_found():
    names = {p.name for p in SOURCES}
    assert {"ablation.py", "features.py", "scale.py", "bottleneck.py", "blockviz.py", "netviz.py"} <= names


def test_no_module_but_display_builds_a_verdict():
    assert _hits(r"\bVerdict\(") == []


def test_no_check_uses_other_wording():
    # the wrong-answer prefix is "Not yet:" everywhere; only display.verdict writes "Correct: "/"Not yet: "
    assert _hits(r"Not quite") == []
    assert _hits(r"""["']\s*(Correct|Not yet)\s*:""") == []


def test_verdict_needs_only_the_message_of_its_state():
    missing = "Fill in x, then run the cell again."
    assert str(display.verdict(None, missing=missing)) == missing
    assert str(display.verdict(False, wrong="x must be a pair.")) == "Not yet: x must be a pair."
    assert str(display.verdict(True, "42.")) == "Correct: 42."
    assert str(display.verdict(None)) == "Fill in your answer, then run the cell again."


def test_every_placeholder_message_ends_the_same_way():
    # the state "answer still missing" reads the same in every notebook: "Fill in ..., then run the cell again."
    literal = re.compile(r'f?"([^"\n]*)"')
    messages = []
    for p in [*SOURCES, PACKAGE / "display.py"]:
        for m in re.finditer(r'missing=((?:f?"[^"\n]*"\s*)+)', p.read_text()):
            msg = "".join(literal.findall(m.group(1)))
            if not msg.endswith("..."):  # display.verdict's docstring shows the call with "Fill in x, ..."
                messages.append((p.name, msg))
    assert len(messages) >= 10, messages
    bad = [(f, msg) for f, msg in messages if not (msg.startswith("Fill in") and msg.endswith("then run the cell again."))]
    assert bad == []
    assert str(display.check_answer(None, 3.0, "the width")) == "Fill in your answer for the width, then run the cell again."

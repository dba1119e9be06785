"""inception.widgets: the shared explorer base, the package's exports, the old import paths and
the one exercise-check helper (display.verdict / display.check_answer)."""

from __future__ import annotations

import pytest

from inception import ablation, blockviz, display, featviz, netviz, widgets
from inception._checks import _MOVED_TO_WIDGETS
from inception.widgets.base import Explorer


class _Toy(Explorer):
    """An explorer with one slider that counts its updates."""

    def __init__(self) -> None:
        import ipywidgets as W

        self.updates = 0
        self.a, self.b = W.IntSlider(value=0), W.IntSlider(value=0)
        for s in (self.a, self.b):
            s.observe(self._on_change, names="value")
        self.widget = W.VBox([self.a, self.b])

    def _on_change(self, _change) -> None:
        if not self.held:
            self.updates += 1

    def __repr__(self) -> str:
        return f"_Toy(a={self.a.value}, b={self.b.value})"


class _Lazy(Explorer):
    def build(self):
        import ipywidgets as W

        self.widget = W.HTML("built")
        return self.widget

    def __repr__(self) -> str:
        return "_Lazy()"


def test_bundle_has_the_widget_view_and_the_short_repr():
    toy = _Toy()
    bundle = toy._repr_mimebundle_()
    assert bundle["text/plain"] == "_Toy(a=0, b=0)"
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == toy.widget.model_id


def test_lazy_explorer_builds_on_first_display():
    lazy = _Lazy()
    assert lazy.widget is None
    assert lazy._repr_mimebundle_()["text/plain"] == "_Lazy()"
    assert lazy.widget is not None and lazy.widget.value == "built"


def test_explorer_without_widget_or_build_says_so():
    with pytest.raises(NotImplementedError, match="builds its widget in __init__"):
        Explorer().root()


def test_hold_skips_updates_and_nests():
    toy = _Toy()
    toy.a.value = 1
    assert toy.updates == 1 and not toy.held
    with toy.hold():
        with toy.hold():
            toy.a.value = 2
        assert toy.held  # the inner block ended; the outer one still holds
        toy.b.value = 3
    assert toy.updates == 1 and not toy.held
    with pytest.raises(RuntimeError):
        with toy.hold():
            raise RuntimeError("a failing update")
    assert not toy.held  # released even when the block fails


@pytest.mark.parametrize("name", widgets.__all__)
def test_widgets_exports_load(name):
    assert getattr(widgets, name).__name__ == name


@pytest.mark.parametrize("module, name", [(m, n) for m, names in _MOVED_TO_WIDGETS.items() for n in names])
def test_old_names_say_where_the_explorer_went(module, name):
    import importlib

    topic = importlib.import_module(module)
    with pytest.raises(AttributeError, match=rf"{module}\.{name} moved: use inception\.widgets\.") as e:
        getattr(topic, name)
    new = str(e.value).split("use ", 1)[1].split(" ", 1)[0]  # e.g. inception.widgets.network.too_small_message
    owner, _, attr = new.rpartition(".")
    assert getattr(importlib.import_module(owner), attr) is not None


def test_topic_modules_do_not_import_the_widgets():
    import ast
    from pathlib import Path

    for mod in (blockviz, netviz, featviz, ablation):
        tree = ast.parse(Path(mod.__file__).read_text())
        imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in imported if m and m.startswith("widgets")], mod.__name__


def test_unknown_names_still_raise_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        blockviz.nothing_here  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        widgets.nothing_here  # noqa: B018


def test_every_explorer_uses_the_base():
    for name in ("ReductionWidget", "BlockBuilder", "NetworkExplorer", "AblationExplorer", "FeatureBrowser"):
        assert issubclass(getattr(widgets, name), Explorer), name


def test_explorers_display_through_the_base():
    for explorer in (widgets.reduction_widget(), widgets.block_builder("4a"), widgets.network_widget()):
        bundle = explorer._repr_mimebundle_()
        assert bundle["text/plain"] == repr(explorer)
        assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


# ------------------------------------------------------------------ the one check helper
def test_verdict_states():
    right, wrong, missing = (display.verdict(True, "42.", "no."), display.verdict(False, "42.", "no."),
                             display.verdict(None, "42.", "no.", missing="Fill in x."))
    assert (right.ok, str(right)) == (True, "Correct: 42.") and bool(right)
    assert (wrong.ok, str(wrong)) == (False, "Not yet: no.") and not wrong
    assert (missing.ok, str(missing)) == (None, "Fill in x.") and not missing


def test_check_answer_tolerance_and_placeholder():
    assert display.check_answer(10.4, 10, "x", tol=0.5).ok is True
    v = display.check_answer(11, 10, "x", tol=0.5, hint="Try again.")
    assert v.ok is False and str(v) == "Not yet: 11 is not x. Try again."
    assert display.check_answer(None, 10, "x").ok is None
    with pytest.raises(TypeError, match="answer for x"):
        display.check_answer("ten", 10, "x")


def test_blockviz_and_netviz_checks_go_through_verdict():
    assert str(blockviz.check_same_padding(3, kernel=7)) == "Correct: the 'same' padding of a 7x7 stride-1 conv = 3."
    assert blockviz.check_same_padding(None).ok is None
    assert netviz.check_half_macs_width(None).ok is None
    assert str(netviz.check_half_macs_width(None)) == "Fill in `width` (a number between 0.25 and 2), then run the cell again."
    assert str(netviz.check_half_macs_width(2.0)).startswith("Not yet: width 2 gives")

"""Runnable experiments: ``python -m inception.experiments.<name>`` (see each module's ``--help``)."""

#: The experiments, loaded on first attribute access (``inception.experiments.aux_ablation``).
MODULES: tuple[str, ...] = ("aux_ablation", "train_checkpoint")


def __getattr__(name: str):
    if name in MODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'inception.experiments' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(MODULES))

"""Experiments that are run as commands (``python -m inception.experiments.<name>``) and whose
results are committed under ``results/``."""

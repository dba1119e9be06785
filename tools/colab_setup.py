# Setup for Google Colab: there, clone the collection, install it and enable ipywidgets 8 widgets.
# Anywhere else this cell does nothing when `inception` imports (source: tools/colab_setup.py).
import importlib.util, os, subprocess, sys

REPO_URL = "https://github.com/OWNER/inception-notebooks"  # README, "Launch paths": set OWNER once
if "google.colab" in sys.modules:
    from google.colab import output

    output.enable_custom_widget_manager()  # ipywidgets 8 widgets in Colab
    _repo = "/content/inception-notebooks"
    if importlib.util.find_spec("inception") is None:
        if "/OWNER/" in REPO_URL:
            raise RuntimeError("REPO_URL in this cell still holds the placeholder OWNER: see the README")
        if not os.path.isdir(_repo):
            subprocess.run(["git", "clone", "--depth", "1", REPO_URL, _repo], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", _repo], check=True)
        importlib.invalidate_caches()
    if os.path.isdir(_repo):
        os.chdir(_repo + "/notebooks")  # notebook 04 reads ../results/
elif importlib.util.find_spec("inception") is None:
    raise ModuleNotFoundError("the inception package is not installed: `pip install -e .` in the repository "
                              "(README, Quick start)")

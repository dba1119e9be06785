"""The explorers as an app and the collection as a website.

* ``inception-explorer`` (:mod:`inception.app.cli`) serves ``explorer.ipynb``, shipped in this
  folder, with Voila: the block builder, the network explorer and the feature browser, with no
  code cells, one explorer per tab, in type large enough for a projector.
* ``inception-site`` (:mod:`inception.app.site`) builds a static website from the committed
  notebooks, without executing them.

Nothing here is imported by ``import inception``.
"""

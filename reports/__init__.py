"""Results of a conformance run and their renderers.

``reports.results``: ``TestRecord``, ``RunInfo``, ``build_results`` -> ``Results``;
``reports.redact``: ``redact``; ``reports.render``: ``write_artefacts``;
``reports.matrix``: ``render_matrix``. Renderers read only the results document.
"""

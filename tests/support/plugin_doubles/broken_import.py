"""A plugin whose module cannot be imported (a dependency is missing)."""

raise ImportError("no module named folio_missing_dependency")

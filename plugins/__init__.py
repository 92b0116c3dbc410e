"""Plugins: installed packages that extend Folio without forking it.

A plugin is found by its entry point in the ``folio.plugins`` group and loaded
only when the FOLIO_PLUGINS allowlist names it (loading.py). What a plugin may
call is in api.py, the one module plugin code imports from here; docs/plugins.md
is the tutorial and the reference.
"""

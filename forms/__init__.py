"""The clinical core of JDM Capture: field registry, validation, scoring and response criteria.

Pure Python. This package imports no Qt, no SQLite and no file-format library, and nothing else
of ours; every other layer is generated from :mod:`forms.registry` and calls its scoring.
"""

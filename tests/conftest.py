"""Test-wide setup: headless Qt before anything imports it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# New databases are encrypted by default; the suite's fixtures create plain files through the
# documented test option (storage.crypto.PLAINTEXT_ENV). Encrypted files are covered by
# tests/storage/test_encryption.py, tests/test_cli_accounts.py and the "encrypted" parameter of
# tests/storage/encrypted.py's fixture. Key slots made by tests use a cheap KDF (a slot records
# its own cost, so this only speeds the tests up).
os.environ.setdefault("JDM_CAPTURE_PLAINTEXT", "1")
os.environ.setdefault("JDM_CAPTURE_INSECURE_FAST_KDF", "1")


def pytest_xdist_auto_num_workers(config: object) -> int:
    """``-n auto`` (pyproject addopts): two pytest-xdist workers per core, at most 8. Many
    tests wait on a child process (the command line, LibreOffice, SIGKILL, a second writer),
    so a second worker per core fills that time: on 2 cores, 2:58 instead of 3:53 for the
    whole suite (issue 16). Capped so a many-core machine is not given a Qt per thread."""
    del config
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(8, 2 * (cores or 1)))


# English unless a test asks for another language (forms.i18n.in_language, gui.i18n.install),
# whatever the machine's locale; the compiled catalogs are built once for the session.
os.environ["JDM_CAPTURE_LANG"] = "en"
# The language setting (QSettings) and anything else Qt stores per user goes to a throw-away
# folder, never the real user's configuration.
if "JDM_TEST_CONFIG" not in os.environ:
    import tempfile  # noqa: PLC0415

    os.environ["JDM_TEST_CONFIG"] = tempfile.mkdtemp(prefix="jdm-test-config-")
    os.environ["XDG_CONFIG_HOME"] = os.environ["JDM_TEST_CONFIG"]
# Cached font metrics (exports.fonts) go to the same throw-away folder, shared by the workers.
os.environ.setdefault("JDM_CAPTURE_CACHE_DIR",
                      os.path.join(os.environ["JDM_TEST_CONFIG"], "font-cache"))


def _build_catalogs() -> None:
    import importlib.util  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    script = Path(__file__).resolve().parents[1] / "scripts" / "i18n.py"
    spec = importlib.util.spec_from_file_location("jdm_i18n_tool", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build()


_build_catalogs()


def _flush_deferred_deletes() -> None:
    """Delete the widgets a test (or pytest-qt's teardown) scheduled with ``deleteLater``.

    ``QApplication.processEvents`` never runs deferred deletes, and pytest-qt only calls that,
    so every closed window of a test stayed alive in its worker: 3,000 widgets per main window,
    200,000 after a few hundred GUI tests. Each translator install, font or palette change then
    walked all of them (a Chinese test's setup took 10-15 s instead of 0.02 s; issue 16)."""
    import sys  # noqa: PLC0415

    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent  # noqa: PLC0415

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


import pytest  # noqa: E402


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> object:
    """After every test's teardown (pytest-qt's included): flush the deferred deletes."""
    try:
        return (yield)
    finally:
        _flush_deferred_deletes()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (child processes, SIGKILL, whole-GUI walks) run first, so no
    worker is left with a 20-second test while the others have finished (a stable sort: the
    order within each group is the collection order, the same on every xdist worker)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)

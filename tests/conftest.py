"""Test-wide setup: headless Qt before anything imports it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# English unless a test asks for another language (forms.i18n.in_language, gui.i18n.install),
# whatever the machine's locale; the compiled catalogs are built once for the session.
os.environ["JDM_CAPTURE_LANG"] = "en"
# The language setting (QSettings) and anything else Qt stores per user goes to a throw-away
# folder, never the real user's configuration.
if "JDM_TEST_CONFIG" not in os.environ:
    import tempfile  # noqa: PLC0415

    os.environ["JDM_TEST_CONFIG"] = tempfile.mkdtemp(prefix="jdm-test-config-")
    os.environ["XDG_CONFIG_HOME"] = os.environ["JDM_TEST_CONFIG"]


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

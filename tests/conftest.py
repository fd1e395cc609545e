"""Test-wide setup: headless Qt before anything imports it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# English unless a test asks for another language (forms.i18n.in_language, gui.i18n.install),
# whatever the machine's locale; the compiled catalogs are built once for the session.
os.environ["JDM_CAPTURE_LANG"] = "en"


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

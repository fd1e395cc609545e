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

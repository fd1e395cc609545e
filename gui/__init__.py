"""The PySide6 desktop application. Qt lives only here; clinical logic never does."""

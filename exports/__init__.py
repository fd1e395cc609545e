"""What leaves the clinic: PDF case summaries, Excel workbooks and collaborator formats. No Qt."""

from exports import rl_import

rl_import.install()  # reportlab.platypus, when a PDF is made, without its 25 ms URL pattern

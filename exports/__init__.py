"""What leaves the clinic: PDF case summaries, Excel workbooks and collaborator formats. No Qt."""

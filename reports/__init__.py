"""Reports: turn a verification run's JSON into Markdown and HTML."""

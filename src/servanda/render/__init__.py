"""Reports written to files (Markdown or HTML), from templates shipped with the package."""

"""The command line: thin commands that parse, call the record services, and render."""

"""Importers of outside datasets: each reads a published file, maps its rows onto records, and writes them
through the one write path (``RecordService.apply``) in a single call, so that an import is all or nothing
and importing the same file twice appends nothing."""

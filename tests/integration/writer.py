"""A separate writer process for the concurrency and crash tests: appends batches, reports each commit.

python -m tests.integration.writer URL PREFIX BATCHES BATCH_SIZE
"""

from __future__ import annotations

import sys

from servanda.record.bootstrap import open_record
from servanda.settings import Settings
from tests import factories as f


def main() -> None:
    url, prefix, batches, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    handle = open_record(Settings.load(db=url, environ={}))
    for batch in range(batches):
        records = [f.source(f"{prefix}-{batch}-{i}", title=f"{prefix} " + "x" * 200) for i in range(size)]
        handle.service.apply(records, f"writer-{prefix}")
        print(f"committed {batch}", flush=True)
    handle.close()


if __name__ == "__main__":
    main()

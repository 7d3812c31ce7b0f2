"""Exit 0 if PostgreSQL answers at the URL given, 1 otherwise (used by `make test`)."""

import sys

from sqlalchemy import create_engine, text

try:
    with create_engine(sys.argv[1], connect_args={"connect_timeout": 3}).connect() as conn:
        conn.execute(text("SELECT 1"))
except Exception as exc:  # any failure means: not reachable
    print(f"PostgreSQL check: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
    sys.exit(1)

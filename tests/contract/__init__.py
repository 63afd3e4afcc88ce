"""One contract suite over every store: memory (tests/support/fakes), SQLite, PostgreSQL."""

"""The use cases on the in-memory fakes: fast, no I/O (tests/support/fakes)."""

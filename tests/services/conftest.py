"""``world``: a programme set up on the in-memory fakes (tests/services/world.py)."""

from __future__ import annotations

import pytest

from tests.services.world import World


@pytest.fixture
def world() -> World:
    w = World()
    w.set_up()
    return w


@pytest.fixture
def bare() -> World:
    """The services on an empty store: nothing configured, nobody registered."""
    return World()

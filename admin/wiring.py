"""Which workflows, record tables and effect handlers make up Banso."""

from __future__ import annotations

from admin.app import App
from admin.settings import Settings


def build_app(settings: Settings) -> App:
    return App(settings)

"""Which workflows, record tables and effect handlers make up Banso."""

from __future__ import annotations

from banso.admin.app import App
from banso.admin.settings import Settings
from banso.storage.models import RECORD_CLASSES
from banso.workflows import DEFINITIONS


def build_app(settings: Settings) -> App:
    return App(settings, definitions=DEFINITIONS, record_classes=RECORD_CLASSES)

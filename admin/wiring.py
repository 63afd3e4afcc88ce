"""Which workflows, record tables and effect handlers make up Banso."""

from __future__ import annotations

from admin.app import App
from admin.settings import Settings
from storage.models import RECORD_CLASSES
from workflows import DEFINITIONS


def build_app(settings: Settings) -> App:
    return App(settings, definitions=DEFINITIONS, record_classes=RECORD_CLASSES)

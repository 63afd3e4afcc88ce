"""Sample data shipped with Banso: one folder per sample (organisations, themes, a survey)."""

from pathlib import Path

SAMPLES = Path(__file__).parent

"""The demo's summary names every kind of mail Banso can send in Japanese."""

from banso.notifications.render import KINDS
from banso.services.demo import MAIL_KIND_LABELS


def test_every_mail_kind_has_a_japanese_name_in_the_demo_summary() -> None:
    assert set(KINDS) - set(MAIL_KIND_LABELS) == set()

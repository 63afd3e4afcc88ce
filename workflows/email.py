"""The one rule for an e-mail address Banso can send to.

Every place that takes an address in (``person add``, the demand survey) and
the mail layer that builds the headers ask this module, so that an address
accepted at the door is one the mail can be sent to: before, ``person add``
took ``jiro@県庁.jp`` and every mail to that person then failed.

What the mail layer delivers is SMTP with ASCII headers and bare addresses,
and municipal (LGWAN) mail is ASCII, so the rule is a strict, plain addr-spec:

- ASCII only: no internationalised domain or local part;
- no whitespace or control character anywhere, a trailing line break included;
- a dot-atom local part (letters, digits and ``!#$%&*+/=?^_{|}~-``, dots only
  between them), at most 64 characters; no quotes, ``<>``, commas or
  semicolons, which come with display names, quoted local parts and
  two addresses pasted into one field;
- a domain of at least two dot-separated labels of letters, digits and
  hyphens (no hyphen first or last, at most 63 characters each), the last one
  (the top-level domain) letters only;
- at most 254 characters in all (RFC 5321's forward path).

Pure: the standard library only.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from banso.engine.phrase import Phrase

__all__ = ["MAX_ADDRESS", "MAX_LOCAL_PART", "email_problem", "is_email"]

MAX_ADDRESS = 254  # RFC 5321 §4.5.3.1.3, a path less its angle brackets
MAX_LOCAL_PART = 64  # RFC 5321 §4.5.3.1.1
_MAX_LABEL = 63  # RFC 1035 §2.3.4

# RFC 5322 atext less the quotes (' and `): an address also ends up in the
# commands that mails show (``--as …``), where a quote would break the line.
_ATOM = re.compile(r"[A-Za-z0-9!#$%&*+/=?^_{|}~-]+")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_TOP_LEVEL = re.compile(r"[A-Za-z]{2,}")
# Characters worth their own reason: each says what was probably pasted.
_SEPARATORS = {",": Phrase("a comma"), ";": Phrase("a semicolon")}
_BRACKETS = "<>()[]"
_QUOTES = "\"'`"


def email_problem(value: str) -> str | None:
    """None if Banso can send mail to ``value``; else a short reason, like
    ``"it has no @"`` or ``"the domain 'x' has only one label"``."""
    if not isinstance(value, str):
        return "it is not text"
    return _problem(value)


# The same few dozen addresses are checked on every message the sweep renders.
@functools.lru_cache(maxsize=4096)
def _problem(value: str) -> str | None:
    if not value:
        return Phrase("it is empty")
    for char in value:
        if char in "\r\n\u2028\u2029\x85":
            return Phrase("it contains a line break")
        if unicodedata.category(char) in ("Cc", "Cf"):
            return Phrase("it contains the control character {char!r}", char=char)
        if char.isspace():
            return Phrase("it contains a space")
    if not value.isascii():
        odd = next(char for char in value if not char.isascii())
        return Phrase("it contains {odd!r}; only ASCII addresses can be sent to", odd=odd)
    if len(value) > MAX_ADDRESS:
        return Phrase(
            "it is {length} characters long; the most is {max_address}",
            length=len(value),
            max_address=MAX_ADDRESS,
        )
    for char, name in _SEPARATORS.items():
        if char in value:
            return Phrase("it contains {name}; give one address only", name=name)
    for char in _BRACKETS:
        if char in value:
            return Phrase(
                "it contains {char!r}; give the bare address, without a name or brackets", char=char
            )
    for char in _QUOTES:
        if char in value:
            return Phrase("it contains the quote {char!r}", char=char)
    ats = value.count("@")
    if ats == 0:
        return Phrase("it has no @")
    if ats > 1:
        return Phrase("it has more than one @")
    local, _, domain = value.partition("@")
    return _local_problem(local) or _domain_problem(domain)


def is_email(value: str) -> bool:
    """Whether Banso can send mail to ``value`` (``email_problem`` finds nothing)."""
    return email_problem(value) is None


def _local_problem(local: str) -> str | None:
    if not local:
        return Phrase("there is nothing before the @")
    if len(local) > MAX_LOCAL_PART:
        return Phrase(
            "the part before the @ is {length} characters long; the most is {max_local_part}",
            length=len(local),
            max_local_part=MAX_LOCAL_PART,
        )
    if local.startswith("."):
        return Phrase("the part before the @ starts with a dot")
    if local.endswith("."):
        return Phrase("the part before the @ ends with a dot")
    if ".." in local:
        return Phrase("the part before the @ has two dots in a row")
    for atom in local.split("."):
        if _ATOM.fullmatch(atom) is None:
            odd = next(char for char in atom if _ATOM.fullmatch(char) is None)
            return Phrase("the part before the @ contains {odd!r}", odd=odd)
    return None


def _domain_problem(domain: str) -> str | None:
    if not domain:
        return Phrase("there is nothing after the @")
    labels = domain.split(".")
    if "" in labels:
        if domain.startswith(".") or domain.endswith("."):
            return Phrase("the domain {domain!r} starts or ends with a dot", domain=domain)
        return Phrase("the domain {domain!r} has two dots in a row", domain=domain)
    if len(labels) < 2:
        return Phrase(
            "the domain {domain!r} has only one label; expected one like city.example.jp",
            domain=domain,
        )
    for label in labels:
        if len(label) > _MAX_LABEL:
            return Phrase(
                "the domain label {label!r}… is longer than {max_label} characters",
                label=label[:20],
                max_label=_MAX_LABEL,
            )
        if label.startswith("-") or label.endswith("-"):
            return Phrase("the domain label {label!r} starts or ends with a hyphen", label=label)
        if _LABEL.fullmatch(label) is None:
            odd = next(char for char in label if not (char.isalnum() or char == "-"))
            return Phrase("the domain contains {odd!r}", odd=odd)
    if _TOP_LEVEL.fullmatch(labels[-1]) is None:
        return Phrase(
            "the top-level domain {tld!r} is not two or more letters", tld=labels[-1]
        )
    return None

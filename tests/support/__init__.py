"""Helpers shared by the test suites (never a test module itself).

``programme``: run `banso` (in a subprocess or in-process), set a programme up,
seed and dump rows. ``toy``: a toy workflow and its tables, for the engine
without the programme. ``smtp``: a real SMTP server on loopback (aiosmtpd) and
readers for what it receives.
"""

"""The `banso` command and the composition root. Rule: the only package that picks concrete
adapters; nothing imports it.
"""

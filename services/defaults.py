"""Defaults of the programme's settings, apart from the services so that reading the
settings (every ``banso`` command, ``--help`` too) does not load the use cases."""

# The default of the `programme_title` setting (banso.toml), which mail and documents show.
DEFAULT_TITLE = "令和8年度 県・市町村DX推進伴走支援事業"
# Whom the deliverables are addressed to, and the contractor's outgoing document numbers.
DEFAULT_ADDRESSEE = "岡山県 総務部 デジタル推進課"
DEFAULT_DOCUMENT_NUMBER = "伴走第{n}号"

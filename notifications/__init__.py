"""Mail: Jinja2 templates, iCalendar, SMTP and file transports. Rule: imports `services` ports,
`workflows` and `engine`; never `storage` or `documents`.
"""

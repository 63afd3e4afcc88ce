"""SQLAlchemy tables, repositories, read models, the unit of work and migrations. Rule: imports
`services` ports, `workflows` and `engine`; never `notifications` or `documents`.
"""

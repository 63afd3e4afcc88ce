"""The use cases. Rule: imports `workflows` and `engine` only, and reaches storage, mail and
files through the Protocols in `ports`.
"""

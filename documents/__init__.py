"""Files in and out: pure renderers and readers (data in, bytes out). Rule: imports `services`
ports, `workflows` and `engine`; never `storage` or `notifications`.
"""

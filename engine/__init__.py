"""The generic workflow engine. Rule: imports none of Banso's packages and knows nothing of DX
or the command line.
"""

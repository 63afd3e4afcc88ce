"""The shipped document templates (Word .docx built by build.py, HTML for the PDFs); a
`templates_dir` holding files of the same names overrides them."""

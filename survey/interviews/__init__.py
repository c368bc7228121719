"""Interview analysis: the framework matrix, quotes per code, code frequencies, pseudonymisation, REFI-QDA.  PURE.

Everything here takes plain dataclasses (`model.Corpus`: a grid's themes, codebook and interviews with their texts
and coded segments) and returns tables or files' contents; the store fills a `Corpus`, the web pages and the export
zip show what these modules build. Nothing here reads a database or writes a file.
"""

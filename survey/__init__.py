"""Questionnaires and interview grids for evaluating citizen participation.

The pipeline: schema → form → validated response → store → dataset → export / PDF.
"""

__version__ = "0.1.0"

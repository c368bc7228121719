"""Questionnaires and interview grids for evaluating citizen participation.

The pipeline: schema → form → validated response → store → dataset → export / PDF.
"""

import os

# polars allocates with jemalloc and, by default, never hands freed pages back to the system
# (`muzzy_decay_ms:-1`): after coding a large table, the process kept 400–600 MB it no longer used. Pages freed
# are handed back after 100 ms instead (`dirty_decay_ms:100`): handing them back at once (0) made every batch
# coded and every count of the disclosure search fault its memory in again — a million responses' export took
# 32–36 s against 27–28 s, for 40–50 MB less at the peak (README "Performance"). polars appends this variable to its
# own settings when it is imported, so it must be set before; a value set by the operator wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:100,muzzy_decay_ms:0")

__version__ = "0.1.0"

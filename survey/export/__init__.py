"""Dataset writers: the anonymised table as files (CSV, Excel, Parquet, SPSS, Stata, JSON) and its codebook."""

from survey.export.codebook import codebook_csv
from survey.export.csv_writer import dataset_csv, write_csv

__all__ = ["codebook_csv", "dataset_csv", "write_csv"]

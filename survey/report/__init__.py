"""The PDF summary: charts and report HTML from a `survey.aggregate.Summary`, then WeasyPrint."""

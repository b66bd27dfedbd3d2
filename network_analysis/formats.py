"""The download formats of a run, kept apart from the heavy modules that write them, so
the GraphQL schema can name them without loading matplotlib, reportlab or stix2."""

REPORT_FORMATS = ("html", "pdf", "csv", "json")
EXPORT_FORMATS = ("gexf", "graphml", "json", "stix")

"""workbook: turn a job seeker's YAML profile into an informational-interviewing workbook."""

__version__ = "0.1.0"

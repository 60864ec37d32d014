"""Session history (SQLite), progression decisions, exports (CSV, JSON, FHIR) and PDF reports."""

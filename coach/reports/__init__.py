"""Documents for people: the clinician PDF report and the patient handout (the only Qt outside ui/)."""

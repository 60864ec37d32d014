"""Exercise definitions, programs and therapist routine files: models, loading, validation."""

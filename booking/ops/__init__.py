"""Running the service: readiness, configuration checks, backups (for operators, not users)."""

"""Pages of the service as a whole: home, language switch, errors."""

"""Management pages for managers and administrators."""

"""Personal data under the GDPR (RGPD): export, account deletion, retention; the legal pages."""

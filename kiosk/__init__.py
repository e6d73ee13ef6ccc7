"""The headless core of the dossier kiosk. Never imports Qt."""

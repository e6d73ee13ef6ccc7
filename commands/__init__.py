"""``kiosk``: the technician's command line and the services' entry points (one module per command)."""

"""The device side of every protocol the kiosk speaks, for technicians and tests."""

"""Device drivers: per device kind, a transport opened by URL, a pure codec and a device class."""

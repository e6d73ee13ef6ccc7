"""Serial (USB-CDC or RS232) barcode/QR scanners, and the camera scanner."""

"""ESC/POS receipt printers: python-escpos for the verbs, our URL transport for the bytes."""

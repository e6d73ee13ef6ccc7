"""The PyQt6 touchscreen (issue 6): the only package that may import Qt."""

"""Benchmarks (``make bench``): reports, never timed assertions."""

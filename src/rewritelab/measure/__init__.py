"""Measure a rewrite: timing statistics and the benchmark of compiled models."""

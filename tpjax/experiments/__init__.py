"""Experiments of the reproduction study: sweeps, length generalisation, reports."""

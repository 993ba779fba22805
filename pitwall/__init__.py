"""Pitwall: the composition root (CLI and settings); the only package that imports all others."""
__version__ = "0.1.0"

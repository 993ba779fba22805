"""Fake provider servers (real HTTP on 127.0.0.1) for the tests and the bench."""

"""Benchmarks: each prints its figures and the machine it ran on; none is a pass/fail test."""

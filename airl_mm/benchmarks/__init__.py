"""Benchmarks: the speed harness (:mod:`.speed`)."""

"""Downstream benchmarks: launching one on a pre-training checkpoint
(:mod:`.launcher`) and sweeping a run's intermediate checkpoints
(:mod:`.sweep`)."""

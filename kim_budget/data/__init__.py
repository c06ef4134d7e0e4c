"""Shipped data files: the TVöD pay tables and employer rates (tvoed.toml)."""

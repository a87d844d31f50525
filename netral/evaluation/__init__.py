"""Evaluation: pre/post tests, item analysis and learning gain."""

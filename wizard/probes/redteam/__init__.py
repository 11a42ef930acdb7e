"""The AI red-team set (attacks as data), its deterministic detectors and its runner."""

"""Check families: the probes-to-verdicts of each area, composed into stages by stages/sN_*.py."""

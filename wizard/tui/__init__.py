"""The Textual face of launch-ready: the only package that imports Textual (DESIGN.md 2)."""

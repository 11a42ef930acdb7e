"""Deliverable views: the data each Markdown template renders, built from findings and answers."""

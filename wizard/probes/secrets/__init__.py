"""The secret scanner: rules from each provider's token format, a fast keyword-filtered engine,
and the places it looks (working tree, git history). Never returns or logs a secret's value."""

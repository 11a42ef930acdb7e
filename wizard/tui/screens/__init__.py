"""One module per screen; each screen reads and edits the app's open Session."""

"""Pure async functions that look at the world through the net context and return evidence."""

"""Provider rules, one module per kind of service, each rule written from the provider's
documented token format with the line that says how to rotate the key. Order matters where two
providers share a prefix: the rule listed first claims the characters (see rules.RULES)."""

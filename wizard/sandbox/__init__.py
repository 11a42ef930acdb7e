"""A local stand-in for the internet (DESIGN.md section 4): DNS, the Cloudflare API, the edge,
the origin and a CA, in one process on loopback. Imported only by the CLI's demo and the tests."""

"""Cloudflare through its official SDK: read the zone state the edge checks judge (and, in later
issues, plan, snapshot, apply and roll back changes)."""

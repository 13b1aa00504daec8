"""Layer 4: the HTTP edges: access, request parsing, the endpoint table, pages, health."""

"""Layer 1: the boards' domain, pure functions over a pycrdt document."""

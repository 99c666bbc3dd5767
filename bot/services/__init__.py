"""Use cases between handlers and storage: each runs in one transaction."""

"""Migration progress and DR replication exporters (file- and catalogue-driven)."""

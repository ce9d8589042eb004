"""IPv6 readiness exporter: device dual-stack status vs the plan, and government website checks."""

"""govops' SNMP exporter: transport (pysnmp), mapping (MIB → metrics), serving (HTTP)."""

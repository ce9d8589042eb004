"""The source of truth: load and validate an inventory directory into a typed model."""

from .loader import inventory_root, load_inventory, read_vault_password, vault_password_file
from .model import Device, Host, Inventory, Link, Site, System
from .problems import InventoryError, Problem

__all__ = ["Device", "Host", "Inventory", "InventoryError", "Link", "Problem", "Site", "System",
           "inventory_root", "load_inventory", "read_vault_password", "vault_password_file"]

from xenlab.inventory.loader import InventoryError, load_inventory
from xenlab.inventory.schema import Inventory
from xenlab.inventory.secrets import Secret, redact

__all__ = ["Inventory", "InventoryError", "Secret", "load_inventory", "redact"]

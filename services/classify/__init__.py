"""Herald classify service."""

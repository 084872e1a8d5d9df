"""Herald notify service."""

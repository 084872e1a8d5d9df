"""The ``herald`` command and the local launcher."""

"""Errors raised by the classifier library.

::

    ClassifyError
     ├── TaxonomyError       the taxonomy file is missing, malformed or invalid
     │    └── PatternError    one pattern in it does not compile
     ├── GazetteerError      the gazetteer or actors file is malformed
     └── InputError          a line given to ``herald classify`` is not a valid record
"""

from __future__ import annotations

from pathlib import Path


class ClassifyError(Exception):
    """Root of every error raised by ``services.classify``."""


class TaxonomyError(ClassifyError):
    """The taxonomy file is missing, malformed or invalid; names the file, line and field."""

    def __init__(
        self, message: str, *, path: Path | str | None = None, line: int | None = None, field: str = ""
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.reason = message
        where = self.path or "<taxonomy>"
        if line is not None:
            where = f"{where}:{line}"
        prefix = f"{where}: {field}: " if field else f"{where}: "
        super().__init__(prefix + message)


class PatternError(TaxonomyError):
    """One pattern in the taxonomy does not compile."""


class GazetteerError(ClassifyError):
    """The gazetteer or actors file is malformed; names the file, line and field."""


class InputError(ClassifyError):
    """A record given to the classifier CLI is not valid JSON or lacks the text fields."""

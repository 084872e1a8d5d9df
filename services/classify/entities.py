"""Places (from the shipped gazetteer, with coordinates) and actors mentioned in a text.

Both lists are CSV files users can extend. Names and aliases are matched as whole
words, case-sensitively (so ``Nice`` the city is not ``nice`` the adjective and the
acronym ``UN`` is not the prefix ``un``), in one pass over the words of the text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from itertools import compress
from pathlib import Path

from schemas.models import Entity
from services.classify.exceptions import GazetteerError
from services.classify.matching import SPLIT_TABLE

_PLACE_COLUMNS = ("id", "name", "kind", "country", "lat", "lon", "aliases")
_ACTOR_COLUMNS = ("id", "name", "type", "aliases")


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry."""

    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Actor:
    """An organisation, armed group or institution."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...]


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GazetteerError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        raise GazetteerError(f"{path}: empty file")
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    header = next(reader)
    if tuple(h.strip() for h in header) != columns:
        raise GazetteerError(f"{path}:{lines[0][0]}: header must be {','.join(columns)}")
    out: list[tuple[int, dict[str, str]]] = []
    for (lineno, _), row in zip(lines[1:], reader, strict=False):
        if len(row) != len(columns):
            raise GazetteerError(f"{path}:{lineno}: expected {len(columns)} fields, got {len(row)}")
        rec = {c: v.strip() for c, v in zip(columns, row, strict=True)}
        if not rec["id"] or not rec["name"]:
            raise GazetteerError(f"{path}:{lineno}: id and name are required")
        out.append((lineno, rec))
    return out


def load_places(path: Path) -> list[Place]:
    """Read a gazetteer CSV: id,name,kind,country,lat,lon,aliases (aliases separated by |)."""
    places: list[Place] = []
    for lineno, rec in _rows(path, _PLACE_COLUMNS):
        try:
            lat, lon = float(rec["lat"]), float(rec["lon"])
        except ValueError as exc:
            raise GazetteerError(f"{path}:{lineno}: lat/lon: not a number") from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GazetteerError(f"{path}:{lineno}: lat/lon: out of range")
        aliases = tuple(a.strip() for a in rec["aliases"].split("|") if a.strip())
        places.append(Place(rec["id"], rec["name"], rec["kind"], rec["country"], lat, lon, aliases))
    return places


def load_actors(path: Path) -> list[Actor]:
    """Read an actors CSV: id,name,type,aliases (aliases separated by |)."""
    actors: list[Actor] = []
    for _, rec in _rows(path, _ACTOR_COLUMNS):
        aliases = tuple(a.strip() for a in rec["aliases"].split("|") if a.strip())
        actors.append(Actor(rec["id"], rec["name"], rec["type"], aliases))
    return actors


class EntityExtractor:
    """Finds gazetteer places and known actors in text."""

    def __init__(self, places: list[Place], actors: list[Actor]) -> None:
        self._entities: dict[str, Entity] = {}
        # first word of a name -> [(all words of the name, entity key)], longest names first,
        # so "South Sudan" wins over "Sudan" and "Gaza City" over "Gaza".
        self._first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for p in places:
            key = f"place:{p.id}"
            self._entities[key] = Entity(kind="place", id=p.id, name=p.name, lat=p.lat, lon=p.lon)
            self._add_names(key, (p.name, *p.aliases))
        for a in actors:
            key = f"actor:{a.id}"
            self._entities[key] = Entity(kind="actor", id=a.id, name=a.name)
            self._add_names(key, (a.name, *a.aliases))
        for cands in self._first.values():
            cands.sort(key=lambda c: -len(c[0]))

    def _add_names(self, key: str, names: tuple[str, ...]) -> None:
        for name in names:
            words = tuple(name.translate(SPLIT_TABLE).split())
            if not words:
                continue
            bucket = self._first.setdefault(words[0], [])
            if all(w != words for w, _ in bucket):
                bucket.append((words, key))

    @classmethod
    def from_files(cls, gazetteer: Path, actors: Path | None = None) -> EntityExtractor:
        """Load from a gazetteer CSV and an optional actors CSV."""
        return cls(load_places(gazetteer), load_actors(actors) if actors is not None else [])

    def extract(self, text: str) -> tuple[Entity, ...]:
        """Entities in order of first mention, each once."""
        words = text.translate(SPLIT_TABLE).split()
        first = self._first
        starts = first.keys() & words
        if not starts:
            return ()
        seen: dict[str, Entity] = {}
        # Only the positions of words that can start a name, found without a Python loop
        # over every word; a matched name's own words are not looked at again.
        after = 0
        for i in compress(range(len(words)), map(starts.__contains__, words)):
            if i < after:
                continue
            for name, key in first[words[i]]:
                if tuple(words[i : i + len(name)]) == name:
                    if key not in seen:
                        seen[key] = self._entities[key]
                    after = i + len(name)
                    break
        return tuple(seen.values())

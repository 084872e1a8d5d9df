"""MinHash sketches and LSH band keys for near-duplicate articles (pure: no I/O).

The same wire story republished by several outlets shares most of its word 3-grams, even
with a new headline, a dateline or a trimmed last paragraph. The fraction of equal
positions in two MinHash signatures estimates the Jaccard similarity J of their 3-gram
sets. Signatures use one-permutation hashing (each shingle hashed once, its hash picks one
of PERMUTATIONS bins, each bin keeps its minimum; empty bins borrow from the next filled
bin, "densification"): the same estimate as 64 separate hash functions at 1/64 of the cost.

A trimmed copy has a low J but is mostly *contained* in the original, so the score used
is the estimated containment ``|A∩B| / min(|A|,|B|) = J(|A|+|B|) / ((1+J) min(|A|,|B|))``,
computed from J and the shingle counts kept in the sketch.

LSH bands (groups of rows hashed together) find candidates without comparing against
every stored article: two articles with Jaccard similarity J share at least one band with
probability ``1 - (1 - J**ROWS)**BANDS``; with 32 bands of 2 rows that is ≈0.95 at J=0.3,
≈0.9998 at J=0.5 and ≈0.3% for unrelated texts (J≈0.01).
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

PERMUTATIONS = 64
BANDS = 32
ROWS = PERMUTATIONS // BANDS
SHINGLE_WORDS = 3
# Enough text to recognise a story; keeps the cost bounded for very long bodies.
MAX_TOKENS = 1_000
# Below this many tokens a text is too short to call anything its near-duplicate.
MIN_TOKENS = 12

_BIN_BITS = 6
assert 1 << _BIN_BITS == PERMUTATIONS
_EMPTY = 1 << 32
# Offset added per bin of distance when an empty bin borrows a neighbour's minimum, so a
# borrowed value never equals a real one by accident.
_BORROW = 0x9E3779B1
_MASK = (1 << 32) - 1
_TOKENS = re.compile(r"[^\W_]+", re.UNICODE)
_PACK = struct.Struct(f">I{PERMUTATIONS}I")


@dataclass(frozen=True)
class Sketch:
    """MinHash signature of a text plus its number of distinct shingles."""

    signature: tuple[int, ...]
    size: int


def tokens(text: str) -> list[str]:
    """Case-folded words and numbers of the text, at most MAX_TOKENS."""
    return _TOKENS.findall(text.casefold())[:MAX_TOKENS]


def shingle_hashes(words: Sequence[str]) -> set[int]:
    """64-bit hashes of every run of SHINGLE_WORDS consecutive words."""
    grams = (" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1)))
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams}


def sketch(text: str) -> Sketch | None:
    """MinHash sketch of the text, or None when it is too short to compare."""
    words = tokens(text)
    if len(words) < MIN_TOKENS:
        return None
    hashes = shingle_hashes(words)
    bins = [_EMPTY] * PERMUTATIONS
    for h in hashes:
        index = h & (PERMUTATIONS - 1)
        value = (h >> _BIN_BITS) & _MASK
        if value < bins[index]:
            bins[index] = value
    return Sketch(_densify(bins), len(hashes))


def _densify(bins: list[int]) -> tuple[int, ...]:
    """Fill each empty bin from the next filled one to its right (circularly)."""
    out = list(bins)
    for index, value in enumerate(bins):
        if value != _EMPTY:
            continue
        for distance in range(1, PERMUTATIONS):
            source = bins[(index + distance) % PERMUTATIONS]
            if source != _EMPTY:
                out[index] = (source + distance * _BORROW) & _MASK
                break
    return tuple(out)


def jaccard(left: Sketch, right: Sketch) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (share of equal positions)."""
    return sum(x == y for x, y in zip(left.signature, right.signature, strict=True)) / PERMUTATIONS


def containment(left: Sketch, right: Sketch) -> float:
    """Estimated share of the smaller text's shingles found in the other (0..1)."""
    j = jaccard(left, right)
    return min(1.0, j * (left.size + right.size) / ((1 + j) * min(left.size, right.size)))


def band_keys(item: Sketch) -> list[str]:
    """One short key per band; equal keys make two articles candidates."""
    keys = []
    for band in range(BANDS):
        rows = item.signature[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f">{ROWS}I", *rows), digest_size=8).hexdigest()
        keys.append(f"{band}:{digest}")
    return keys


def pack(item: Sketch) -> bytes:
    """Compact bytes of a sketch, for storage."""
    return _PACK.pack(item.size, *item.signature)


def unpack(data: bytes) -> Sketch:
    """The sketch stored by ``pack``."""
    size, *signature = _PACK.unpack(data)
    return Sketch(tuple(signature), size)

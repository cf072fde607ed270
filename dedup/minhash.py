"""MinHash signatures and LSH band keys over syllable shingles.

Text is reduced to the tone-mark-placement-independent key of cleaning.normalize ("Thuỵ" and
"Thụy" both become "thuy5"; NFD and NFC alike), then to overlapping SHINGLE-syllable shingles.
Vietnamese needs no word segmentation for this: syllables are space-separated.

NUM_PERM = 128 permutations in BANDS bands of ROWS rows: a pair becomes a candidate when all
rows of any one band agree, with probability 1 - (1 - J^ROWS)^BANDS for shingle Jaccard J —
about 0.5 at J = 0.3 and above 0.99 from J = 0.5. Candidates are cheap to over-produce (each is
verified exactly, dedup/verify.py), misses are not recoverable: the bands lean to recall.
"""
from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from cleaning.normalize import tone_key

SHINGLE = 5
NUM_PERM = 128
BANDS, ROWS = 32, 4
_SEED = 1  # fixed: signatures are stored and compared across runs and machines


def _hashed(value: int) -> int:
    return value  # shingles arrive hashed (see `fingerprint`)


# "affine32", datasketch 2's default, named: stored signatures must keep one scheme for good
_SCHEME = "affine32"
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=_hashed, scheme=_SCHEME)  # permutations built once


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """An article's shingles as sorted unique 32-bit hashes, and their MinHash signature."""

    hashes: np.ndarray     # uint32, sorted, unique: the exact overlap check uses these
    signature: np.ndarray  # NUM_PERM minima

    def signature_bytes(self) -> bytes:
        return self.signature.astype("<u4").tobytes()

    def hashes_bytes(self) -> bytes:
        return self.hashes.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, signature: bytes, hashes: bytes) -> Fingerprint:
        return cls(np.frombuffer(hashes, dtype="<u4"), np.frombuffer(signature, dtype="<u4"))


def shingles(text: str) -> list[str]:
    words = tone_key(text).split()
    if len(words) < SHINGLE:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


def fingerprint(text: str) -> Fingerprint:
    # Each shingle is hashed once (CRC-32: stable across processes, unlike hash(); 32 bits as
    # MinHash expects); the same values feed the signature and the exact overlap check.
    hashes = np.unique(np.fromiter((zlib.crc32(s.encode()) for s in shingles(text)), dtype=np.uint32))
    sketch = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=_hashed, permutations=_TEMPLATE.permutations,
                     scheme=_SCHEME)
    if len(hashes):
        sketch.update_batch(hashes.tolist())
    return Fingerprint(hashes, sketch.hashvalues.astype(np.uint32))


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (the band's index is part of the key)."""
    rows = signature.astype("<u4")
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(bytes([band]) + rows[band * ROWS:(band + 1) * ROWS].tobytes(),
                                 digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys

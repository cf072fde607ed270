"""Near-duplicate detection: syndicated copies of one story become one cluster.

Pure (no database): `signature` and `band_keys` (MinHash over syllable shingles of the
placement-independent tone key, datasketch), and `compare`, the verification every candidate
pair passes before it may merge (shingle overlap, then the guard rails on dates and figures).
storage/clusters.py persists the bands and clusters.
"""
from dedup.minhash import BANDS, NUM_PERM, ROWS, SHINGLE, Fingerprint, band_keys, fingerprint
from dedup.verify import Verdict, compare, facts

__all__ = ["BANDS", "NUM_PERM", "ROWS", "SHINGLE", "Fingerprint", "Verdict", "band_keys", "compare", "facts",
           "fingerprint"]

"""Near-duplicate detection on the replica's ground-truth syndication groups: MinHash-LSH vs SimHash.

    python bench/dedup_quality.py [--articles 2000] [--seed 0]

Every copy of every story is rendered and extracted (the text the archive stores), then
clustered twice: candidates from MinHash-LSH bands (dedup/minhash.py) and from SimHash (64-bit,
over the same shingles, Hamming distance <= k), each followed by the same verification
(dedup/verify.py). Prints pairwise precision and recall against the truth (copies of one story
belong together), near-miss pairs merged (a story and its sibling: the same meeting a year
later), candidates verified and seconds. This is the measurement behind the choice in dedup/.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dedup.verify  # noqa: E402
from cleaning import extract_article  # noqa: E402
from dedup import band_keys, compare, fingerprint  # noqa: E402
from portalsim import build_replica  # noqa: E402


def copies(articles: int, seed: int):
    replica = build_replica(seed=seed, articles=articles)
    out = []
    for story in replica.truth:
        for copy in story.copies:
            url = copy.urls[0]
            parts = urlsplit(url)
            _, _, page = replica.render(parts.netloc, parts.path + (f"?{parts.query}" if parts.query else ""))
            text = extract_article(page, url, SimpleNamespace(family=copy.family, date_order=None)).text
            out.append((story.story_id, text))
    near = [tuple(p.split("+")) for p in replica.hard_cases()["near_misses"]]
    return out, near


class Clusters:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


_BIT = np.arange(64, dtype=np.uint64)


def simhash(shingle_hashes) -> int:
    """Charikar's SimHash: per bit, the sign of the sum over shingles of +1/-1."""
    acc = np.zeros(64, dtype=np.int64)
    for gram in shingle_hashes:
        value = np.uint64(int.from_bytes(hashlib.blake2b(int(gram).to_bytes(4, "little"), digest_size=8).digest(),
                                         "little"))
        acc += np.where((value >> _BIT) & np.uint64(1), 1, -1)
    return int(sum(1 << i for i in range(64) if acc[i] > 0))


def score(items, prints, pairs, near) -> dict:
    n = len(items)
    clusters = Clusters(n)
    merged_pairs = 0
    for i, j in pairs:
        if compare(items[i][1], prints[i], items[j][1], prints[j]).same:
            clusters.union(i, j)
            merged_pairs += 1
    by_cluster = defaultdict(list)
    for i in range(n):
        by_cluster[clusters.find(i)].append(i)
    predicted = {frozenset(p) for members in by_cluster.values() for p in itertools.combinations(members, 2)}
    by_story = defaultdict(list)
    for i, (story, _) in enumerate(items):
        by_story[story].append(i)
    truth = {frozenset(p) for members in by_story.values() for p in itertools.combinations(members, 2)}
    tp = len(predicted & truth)
    cluster_of_story = {story: {clusters.find(i) for i in members} for story, members in by_story.items()}
    near_merged = sum(bool(cluster_of_story[a] & cluster_of_story[b]) for a, b in near)
    return {"precision": tp / len(predicted) if predicted else 1.0, "recall": tp / len(truth) if truth else 1.0,
            "true_pairs": len(truth), "predicted_pairs": len(predicted), "candidates": len(pairs),
            "near_misses": len(near), "near_misses_merged": near_merged}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    items, near = copies(args.articles, args.seed)
    started = time.perf_counter()
    prints = [fingerprint(text) for _, text in items]
    fingerprint_s = time.perf_counter() - started
    per_copy = 1000 * fingerprint_s / len(items)
    print(f"{len(items)} copies of {args.articles} stories; fingerprints {per_copy:.2f} ms each")

    started = time.perf_counter()
    buckets = defaultdict(list)
    for i, fp in enumerate(prints):
        for key in band_keys(fp.signature):
            buckets[key].append(i)
    lsh_pairs = {(a, b) for members in buckets.values() for a, b in itertools.combinations(sorted(set(members)), 2)}
    result = score(items, prints, sorted(lsh_pairs), near)
    print("minhash-lsh", result, f"{time.perf_counter() - started:.1f}s")
    unguarded = dedup.verify.facts
    dedup.verify.facts = lambda text: frozenset()  # what the date/figure guard rail prevents
    print("minhash-lsh without the date/figure guard", score(items, prints, sorted(lsh_pairs), near))
    dedup.verify.facts = unguarded

    hashes = np.array([simhash(fp.hashes) for fp in prints], dtype=np.uint64)
    for k in (3, 6, 10, 16):
        started = time.perf_counter()
        pairs = []
        for i in range(len(hashes)):
            x = hashes[i] ^ hashes[i + 1:]
            dist = np.array([bin(int(v)).count("1") for v in x])
            pairs.extend((i, i + 1 + j) for j in np.nonzero(dist <= k)[0])
        result = score(items, prints, pairs, near)
        print(f"simhash k={k}", result, f"{time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

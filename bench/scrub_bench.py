"""How long the free-text scrubber takes on a million comments, with and without mission name lists.

Run: .venv/bin/python bench/scrub_bench.py [ROWS]. Prints seconds and detections by type; the baseline beside
it is a single literal search over the same column (the floor of any pass over the text).
"""

from __future__ import annotations

import random
import sys
import time

import polars as pl

from survey.disclosure.scrub import MissionLists, scrub_series

COMMENTS = [
    "Très bon projet, merci à l'équipe de la mairie pour son écoute et sa disponibilité.",
    "Je n'ai pas pu venir à la réunion, dommage. Appelez-moi au 06 12 34 56 78.",
    "Il faudrait plus de bancs dans le parc et un meilleur éclairage le soir.",
    "Contact : marie.durand@example.fr, j'habite 3 rue des Lilas 44000 Nantes",
    "Mme Dupont de l'association Les Amis du Parc a très bien animé l'atelier à Saint-Aubin.",
]


def main(rows: int) -> None:
    """Scrub `rows` comments drawn from a few typical ones, structured patterns alone, then with lists."""
    rng = random.Random(1)
    texts = pl.Series("avis", [rng.choice(COMMENTS) for _ in range(rows)])
    lists = MissionLists(tuple(f"Prénom{i} Nom{i}" for i in range(200)) + ("Hélène Dupont",),
                         tuple(f"Lieu{i}" for i in range(100)) + ("Saint-Aubin",),
                         tuple(f"Organisme {i}" for i in range(50)) + ("Les Amis du Parc",))
    start = time.perf_counter()
    texts.str.count_matches("@", literal=True).sum()
    print(f"baseline, one literal search: {time.perf_counter() - start:.2f} s")
    for name, names in (("structured patterns", MissionLists()), ("with 351 listed names", lists)):
        start = time.perf_counter()
        _, counts = scrub_series(texts, names)
        print(f"{name}: {time.perf_counter() - start:.2f} s for {rows:,} rows — {counts}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

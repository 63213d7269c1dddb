"""Made-up candidate pools and quotas: the example files offered for download, the tests and the bench.

The people are fictitious (generated names, `@exemple.org` addresses). Files are written the way French
Excel writes "CSV (séparateur : point-virgule)": `;` between cells.
"""

import csv
import io
import random

FEATURES = {
    "genre": ["femme", "homme"],
    "age": ["18-29", "30-44", "45-59", "60+"],
    "quartier": ["Centre", "Nord", "Sud", "Est", "Ouest"],
}
FIRST_NAMES = [
    "Camille",
    "Dominique",
    "Claude",
    "Sacha",
    "Alix",
    "Maxime",
    "Morgane",
    "Yanis",
    "Inès",
    "Louis",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
]


def pool(size: int, *, seed: int = 1, with_email: bool = True) -> list[dict]:
    """`size` fictitious candidates with the features above, reproducible from `seed`."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, not a draw
    people = []
    for number in range(1, size + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        person = {
            "id": f"C{number:04d}",
            "nom": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}.{number}@exemple.org".replace("è", "e")
            if with_email
            else "",
            "telephone": f"06 {rng.randrange(10, 100)} {rng.randrange(10, 100)} {rng.randrange(10, 100)} "
            f"{rng.randrange(10, 100)}",
        }
        for feature, values in FEATURES.items():
            person[feature] = rng.choice(values)
        people.append(person)
    return people


def quotas_for(people: list[dict], panel_size: int, *, slack: float = 0.15) -> list[dict]:
    """Quotas proportional to the pool, `slack` of the panel either side (at least one person)."""
    rows = []
    for feature, values in FEATURES.items():
        for value in values:
            share = sum(1 for p in people if p[feature] == value) / max(len(people), 1)
            target = share * panel_size
            margin = max(1, round(panel_size * slack / len(values)))
            rows.append(
                {
                    "critere": feature,
                    "valeur": value,
                    "min": max(0, int(target) - margin),
                    "max": min(panel_size, int(target + 0.999) + margin),
                }
            )
    return rows


def to_csv(rows: list[dict], *, delimiter: str = ";") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def example_files() -> tuple[str, str]:
    """(candidates CSV, quotas CSV) offered for download: 40 candidates, quotas for a panel of 12."""
    people = pool(40, seed=2026)
    return to_csv(people), to_csv(quotas_for(people, 12, slack=0.25))

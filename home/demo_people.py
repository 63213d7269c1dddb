"""Made-up people for the demo's councils: French first and last names drawn with a fixed seed.

Nobody here exists. Their addresses are on `example.org` (reserved for examples: no mail ever reaches
anyone) and their accounts have no usable password: only the accounts printed by `manage.py
demo_accounts` sign in.
"""

import random
import unicodedata
from dataclasses import dataclass

EMAIL_DOMAIN = "example.org"

FIRST_NAMES = (
    "Adèle", "Adrien", "Aïcha", "Alain", "Albane", "Alexandre", "Amélie", "Anaïs", "André", "Annie",
    "Antoine", "Arthur", "Aurélie", "Benoît", "Bernadette", "Brigitte", "Capucine", "Céline", "Charles",
    "Chloé", "Christian", "Claire", "Clément", "Colette", "Corinne", "Damien", "Denis", "Dominique",
    "Éric", "Estelle", "Étienne", "Fatima", "Florence", "Francis", "Françoise", "Gabriel", "Gérard",
    "Ghislaine", "Guillaume", "Hélène", "Henri", "Isabelle", "Jacqueline", "Jean", "Jeanne", "Jérôme",
    "Joëlle", "Josiane", "Karim", "Léa", "Léon", "Lucie", "Malik", "Marc", "Margaux", "Marie", "Martine",
    "Mathilde", "Mehdi", "Michel", "Mireille", "Nadia", "Nathalie", "Noémie", "Olivier", "Patrick",
    "Paulette", "Philippe", "Quentin", "Raphaël", "Régis", "Robert", "Sabrina", "Sandrine", "Serge",
    "Simone", "Solène", "Sophie", "Stéphane", "Sylvie", "Théo", "Thierry", "Valérie", "Victor",
    "Virginie", "Xavier", "Yasmine", "Yves", "Zoé",
)  # fmt: skip
LAST_NAMES = (
    "Aubert", "Barbier", "Baron", "Bertrand", "Blanc", "Bonnet", "Bouvier", "Brun", "Carré", "Chabert",
    "Charvet", "Collet", "Cordier", "Costa", "Crozet", "Dubois", "Dufour", "Dumas", "Durand", "Fabre",
    "Faure", "Fontaine", "Fournier", "Gaillard", "Garnier", "Gauthier", "Gérard", "Gilbert", "Giraud",
    "Guérin", "Haddad", "Henry", "Jacob", "Joly", "Lacroix", "Laurent", "Leclerc", "Lefèvre", "Lemaire",
    "Lopez", "Marchand", "Martin", "Masson", "Mathieu", "Mercier", "Meunier", "Michaud", "Moreau",
    "Morel", "Muller", "Nguyen", "Noël", "Perret", "Petit", "Picard", "Pons", "Poulain", "Renaud",
    "Rey", "Richard", "Rivière", "Robin", "Roche", "Rolland", "Roussel", "Roux", "Sanchez", "Schmitt",
    "Simon", "Tessier", "Thomas", "Vasseur", "Vidal", "Vincent",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str

    @property
    def email(self):
        return f"{self.username}@{EMAIL_DOMAIN}"


def _ascii(text):
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode().replace(" ", "-")


def people(count, *, seed, taken=()):
    """`count` different people, the same ones for the same seed: [Person], usernames `prenom.nom`
    (unique among themselves and against `taken`, full names never repeated)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    if count > len(FIRST_NAMES) * len(LAST_NAMES) // 2:
        raise ValueError("Not enough names for that many people.")
    seen_names, usernames = set(), set(taken)
    found = []
    while len(found) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) in seen_names:
            continue
        seen_names.add((first, last))
        base = f"{_ascii(first)}.{_ascii(last)}"
        username, number = base, 2
        while username in usernames:
            username, number = f"{base}{number}", number + 1
        usernames.add(username)
        found.append(Person(username=username, first_name=first, last_name=last))
    return found

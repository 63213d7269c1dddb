"""Parvis's search backend: Wagtail's database backend, in French on PostgreSQL.

On PostgreSQL, pages and documents are indexed and queried with `SEARCH_CONFIG` (`french_unaccent`: French
stemming over unaccented words, created by search/migrations/0001) and autocomplete with
`AUTOCOMPLETE_CONFIG` (`simple_unaccent`; Wagtail's own backend always uses `simple`, which keeps accents).
On any other database (the SQLite demo) the options are dropped and Wagtail's backend for that database
is used as it is (SQLite's FTS5 already ignores case and accents; it does not stem plurals).
"""

from django.db import connection

from modelsearch.backends.database import SearchBackend as database_search_backend
from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend

POSTGRES_ONLY_OPTIONS = ("SEARCH_CONFIG", "AUTOCOMPLETE_CONFIG")


class FrenchPostgresSearchBackend(PostgresSearchBackend):
    def __init__(self, params):
        super().__init__(params)
        self.autocomplete_config = params.get("AUTOCOMPLETE_CONFIG") or "simple"


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    if connection.vendor == "postgresql":
        return FrenchPostgresSearchBackend(params)
    return database_search_backend({k: v for k, v in params.items() if k not in POSTGRES_ONLY_OPTIONS})


def search_config():
    """The text search configuration the index was built with (None: not PostgreSQL)."""
    from wagtail.search.backends import get_search_backend

    return getattr(get_search_backend(), "config", None) if connection.vendor == "postgresql" else None

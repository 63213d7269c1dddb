"""French full-text search that forgives accents (PostgreSQL only; nothing to do on SQLite).

- `french_unaccent`: French stemming over unaccented words ("Réunions", "reunion" and "REUNION" share the
  lexeme "reunion"), used to index and to query (`SEARCH_CONFIG`, search.backend).
- `simple_unaccent`: no stemming, unaccented, for autocomplete (prefixes of titles).
- `pg_trgm` and `f_unaccent()`: the "did you mean" fallback on titles when nothing matches (a one-letter
  typo), the immutable wrapper modelsearch's fuzzy search expects.

Existing databases: run `manage.py update_index` once after this migration (the vectors already stored
were built with another configuration). Both extensions are "trusted" since PostgreSQL 13: the database
owner may create them.
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
    $func$ SELECT public.unaccent('public.unaccent', $1) $func$;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION french_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'simple_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION simple_unaccent (COPY = simple);
        ALTER TEXT SEARCH CONFIGURATION simple_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    END IF;
END
$$;
"""

BACKWARD = """
DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent;
DROP TEXT SEARCH CONFIGURATION IF EXISTS simple_unaccent;
DROP FUNCTION IF EXISTS f_unaccent(text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(forward, backward, elidable=False)]

"""The database cache's table, so rate limits are shared by every web process from the first `migrate`.

The cache (`CACHE_URL`, default `db://`) holds the sign-in limits, the verify throttle and
used authentication codes. Django makes this table only with `manage.py createcachetable`,
a step a fresh installation would forget; here `migrate` makes it, on every database
(including each test database). The name is fixed here, as migrations are: it is
`settings.CACHE_TABLE`. Made even when `CACHE_URL` points at Redis or Memcached, so
switching back to the database later needs no extra step.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "credo_cache"


def create_cache_table(apps, schema_editor):
    # createcachetable with a table name makes that table (and skips it if it exists), whatever CACHES says.
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    initial = True

    dependencies = [("core", "0001_jobs")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]

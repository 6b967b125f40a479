"""Settings for the bench: the installation's own settings, plus a bare view to compare against.

Everything else (database, DEBUG, secret key, hosts) still comes from the environment,
which the harness sets, so the bench runs the same configuration a deployment would.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

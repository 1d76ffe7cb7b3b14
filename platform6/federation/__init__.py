"""Federation: a credit network here as a Credit Commons node, linked to neighbours on other installations."""

from . import models  # noqa: F401 - the tables, for migrations and create_all before any room imports them

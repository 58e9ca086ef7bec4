"""The hub's PostgreSQL schema as numbered SQL files, applied in order by central/pg_migrate.py."""

"""Alembic's scripts (env.py, versions/), shipped in the package so a wheel can migrate."""

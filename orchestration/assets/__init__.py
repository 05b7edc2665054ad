"""Thin Dagster assets, one module per stage. The work is in plain functions."""

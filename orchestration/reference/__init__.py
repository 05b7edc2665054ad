"""Reference data from maintained packages (no Dagster imports: plain Python)."""

"""pandera models, one per series, and the split into accepted and quarantined rows."""

"""The data stage: reading files, samples, derived tables, the target's checks and the validation report."""

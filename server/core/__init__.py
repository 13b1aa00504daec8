"""Layer 0: settings, errors and close codes, clock, schemas, logs, metrics, memory."""

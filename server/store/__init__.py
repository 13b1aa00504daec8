"""Layer 2: storage, the only SQLAlchemy: tables, migrations, the log and its writer."""

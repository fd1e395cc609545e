"""Local SQLite storage: schema, migrations, repository, audit trail and backups. No Qt."""

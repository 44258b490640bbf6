"""The reporting database: table definitions and transactional loaders (SQLAlchemy Core)."""

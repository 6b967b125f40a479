"""Users (email login), organisations and memberships (roles)."""

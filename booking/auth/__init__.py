"""Users, associations, memberships and the roles they give."""

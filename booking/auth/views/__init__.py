"""Account pages: log in and out, sign up, passwords, profile, associations and invitations.

One module per part, all on the blueprint `bp` from `common`, so endpoint names stay
`auth.<name>`. Importing this package registers every page on `bp`.
"""

from booking.auth.views import (  # noqa: F401  (importing a module registers its pages)
    associations,
    invitations,
    login,
    passwords,
    profile,
    signup,
)
from booking.auth.views.common import bp

__all__ = ["bp"]

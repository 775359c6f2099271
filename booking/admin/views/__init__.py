"""Administration pages: administrators manage everything, managers their own resources.

One module per object (sites, resources, equipment, hours, closures, trainings,
associations, users), all on the blueprint `bp` from `common`, so endpoint names stay
`admin.<function>`. Importing this package registers every page on `bp`.
"""

from booking.admin.views import (  # noqa: F401  (importing a module registers its pages)
    associations,
    closures,
    equipment,
    home,
    hours,
    resources,
    sites,
    trainings,
    users,
)
from booking.admin.views.common import bp

__all__ = ["bp"]

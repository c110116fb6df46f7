"""PathField: a CharField compared byte-wise on every database, for subtree ranges."""

from django.db import models


class PathField(models.CharField):
    """A materialised region path. On PostgreSQL the column uses collation "C", so that
    ``path >= p AND path < q`` compares bytes and can use the plain b-tree index (a
    language collation would order "/" among letters and break the range). SQLite's
    default BINARY collation already compares bytes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params

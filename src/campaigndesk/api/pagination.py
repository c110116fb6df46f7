"""How the API's lists are paged."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Far beyond any list (200 a page); a page past the last is empty. Unbounded, a page
# number's offset would overflow the database's integers (a 500, not an answer).
MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    """Page by page, 50 a page unless ``page_size`` (at most 200) says otherwise."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=200, **kwargs)

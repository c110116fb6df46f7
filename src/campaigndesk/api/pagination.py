"""How the API's lists are paged."""

from ninja.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """Page by page, 50 a page unless ``page_size`` (at most 200) says otherwise."""

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=200, **kwargs)

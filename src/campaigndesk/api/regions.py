"""The region tree: a public directory that every signed-in user may read."""

from django.http import HttpRequest
from ninja import Router

from campaigndesk.regions import selectors

from .schemas import ErrorOut, RegionDetailOut, RegionOut

router = Router(tags=["regions"])


@router.get(
    "/regions/{code}",
    response={200: RegionDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="A region with its ancestors",
)
def region_detail(request: HttpRequest, code: str):
    return selectors.region_by_code(code=code)


@router.get(
    "/regions/{code}/children",
    response={200: list[RegionOut], 401: ErrorOut, 404: ErrorOut},
    summary="The regions directly under a region",
)
def region_children(request: HttpRequest, code: str):
    region = selectors.region_by_code(code=code)
    return region.children.order_by("path")

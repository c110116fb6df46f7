"""The signed-in user."""

from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from .schemas import ErrorOut, MeOut

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The signed-in user")
def me(request: HttpRequest):
    user = request.auth
    return {
        "username": user.username,
        "full_name": user.full_name,
        "unit": user.unit,
        "roles": sorted(user.role_set),
        "language": user.language or settings.LANGUAGE_CODE,
    }

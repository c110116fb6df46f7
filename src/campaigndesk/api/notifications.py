"""The signed-in user's notifications: list, unread count, mark read. Thin over
notifications.services and notifications.selectors (a user sees only their own)."""

import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from campaigndesk.notifications import selectors, services

from .pagination import Pages
from .schemas import ErrorOut

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    message: str
    link: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get(
    "/notifications",
    response={200: list[NotificationOut], 401: ErrorOut, 422: ErrorOut},
    summary="The user's notifications, newest first (unread_only: only the unread ones)",
)
@paginate(Pages)
def notification_list(request: HttpRequest, unread_only: bool = False):
    return selectors.notification_list(actor=request.auth, unread_only=unread_only)


@router.get(
    "/notifications/unread-count",
    response={200: UnreadOut, 401: ErrorOut},
    summary="How many of the user's notifications are unread (the bell)",
)
def notification_unread_count(request: HttpRequest):
    return {"unread": selectors.unread_count(actor=request.auth)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, 401: ErrorOut, 404: ErrorOut},
    summary="Mark one of the user's notifications read",
)
def notification_mark_read(request: HttpRequest, notification_id: int):
    notification = selectors.access_notification(actor=request.auth, id=notification_id)
    return services.notification_mark_read(actor=request.auth, notification=notification)


@router.post(
    "/notifications/read-all",
    response={200: MarkedOut, 401: ErrorOut},
    summary="Mark every unread notification of the user read",
)
def notification_mark_all_read(request: HttpRequest):
    return {"marked": services.notification_mark_all_read(actor=request.auth)}

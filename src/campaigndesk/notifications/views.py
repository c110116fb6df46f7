"""Notification pages (thin): the user's list, opening one (marks it read), all read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from campaigndesk.common.errors import NotFound

from . import selectors, services

PAGE_SIZE = 50


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notification_list(actor=request.user, unread_only=unread_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": selectors.unread_count(actor=request.user),
    }
    return render(request, "notifications/notification_list.html", context)


@login_required
@require_POST
def notification_open(request: HttpRequest, id: int) -> HttpResponse:
    """Mark the notification read and go where it points (the list when nowhere)."""
    try:
        notification = selectors.access_notification(actor=request.user, id=id)
    except NotFound:
        raise Http404() from None
    services.notification_mark_read(actor=request.user, notification=notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(actor=request.user)
    return redirect("notifications:list")

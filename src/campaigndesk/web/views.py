"""Pages (thin: parse the request, call a selector or a service, render)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigndesk.campaigns import selectors as campaign_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    campaigns = campaign_selectors.campaign_list(actor=request.user)
    return render(request, "web/home.html", {"campaigns": campaigns})

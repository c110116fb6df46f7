"""Collection pages (thin): the office's task list, task form, round status with the
reminder; the reporter's forms and the fill-in form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.ledger.display import number_display
from campaigndesk.regions.models import Unit

from . import selectors, services
from .forms import FillForm, TaskEditForm, TaskForm

TASK_FIELDS = [
    "title",
    "instructions",
    "indicators",
    "units",
    "recurrence",
    "first_period_start",
    "due_weekday",
    "due_day",
    "due_time",
    "due_at",
]


def _found(getter, **kwargs):
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404() from None


def _add_service_error(form, error: DomainError, field_map=None) -> None:
    field = getattr(error, "field", None)
    if field_map is not None and field is not None:
        field = field_map(field)
    form.add_error(field if field in form.fields else None, str(error))


# --- office -------------------------------------------------------------------------------


@login_required
def task_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _found(access_campaign, actor=request.user, id=campaign_id)
    tasks = selectors.task_list(actor=request.user, campaign=campaign)
    context = {
        "campaign": campaign,
        # A reporter sees the tasks asking its unit, and answers them under "My forms".
        "tasks": [(task, selectors.can_view_status(request.user, task)) for task in tasks],
        "can_create": services.can_create_task(request.user, campaign),
    }
    return render(request, "collection/task_list.html", context)


@login_required
def task_create(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _found(access_campaign, actor=request.user, id=campaign_id)
    try:
        region = services.task_region_for(request.user, campaign)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    form = TaskForm(request.POST or None, region=region)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data.get(name) for name in TASK_FIELDS}
        try:
            task = services.task_create(actor=request.user, campaign=campaign, **data)
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request, _("The task has been sent to %(n)s units.") % {"n": task.units.count()}
            )
            services.rounds_ensure(task=task)
            past = selectors.rounds_past_due(task=task)
            if past:
                # (a first period typed a year early makes every unit owe a pile of forms)
                messages.warning(
                    request,
                    ngettext(
                        "%(n)s round of this task was due before today: its units owe it "
                        "as a late form. If that was not meant, close the task and send it "
                        "again from a later first period.",
                        "%(n)s rounds of this task were due before today: their units owe "
                        "them as late forms. If that was not meant, close the task and send "
                        "it again from a later first period.",
                        past,
                    )
                    % {"n": past},
                )
            return redirect("collection:task", id=task.pk)
    return render(
        request, "collection/task_form.html", {"campaign": campaign, "form": form, "task": None}
    )


@login_required
def task(request: HttpRequest, id: int) -> HttpResponse:
    obj = _found(selectors.access_task, actor=request.user, id=id)
    if not selectors.can_view_status(request.user, obj):
        raise PermissionDenied(_("Only the office sees every unit's answers."))
    services.rounds_ensure(task=obj)
    context = {
        "task": obj,
        "rounds": selectors.round_list(task=obj),
        "units": obj.units.order_by("region_path", "name"),
        "indicators": obj.indicators.all(),
        "can_manage": services.can_manage_task(request.user, obj),
        "answered": selectors.task_answered(task=obj),
    }
    return render(request, "collection/task.html", context)


@login_required
def task_edit(request: HttpRequest, id: int) -> HttpResponse:
    obj = _found(selectors.access_task, actor=request.user, id=id)
    if not services.can_manage_task(request.user, obj):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))
    initial = {
        "title": obj.title,
        "instructions": obj.instructions,
        "indicators": list(obj.indicators.all()),
        "units": list(obj.units.all()),
    }
    form = TaskEditForm(request.POST or None, initial=initial, region=obj.region, task=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(actor=request.user, task=obj, **form.cleaned_data)
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The task has been changed."))
            return redirect("collection:task", id=obj.pk)
    return render(
        request, "collection/task_form.html", {"campaign": obj.campaign, "form": form, "task": obj}
    )


@login_required
@require_POST
def task_active(request: HttpRequest, id: int) -> HttpResponse:
    obj = _found(selectors.access_task, actor=request.user, id=id)
    active = request.POST.get("active") == "1"
    try:
        services.task_update(actor=request.user, task=obj, is_active=active)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    messages.success(
        request,
        _("The task collects answers again.") if active else _("The task is closed."),
    )
    return redirect("collection:task", id=obj.pk)


@login_required
@require_POST
def task_delete(request: HttpRequest, id: int) -> HttpResponse:
    obj = _found(selectors.access_task, actor=request.user, id=id)
    campaign_id = obj.campaign_id
    try:
        services.task_delete(actor=request.user, task=obj)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("collection:task", id=obj.pk)
    messages.success(request, _("The task has been deleted."))
    return redirect("collection:tasks", campaign_id=campaign_id)


@login_required
def round_status(request: HttpRequest, id: int) -> HttpResponse:
    round_ = _found(selectors.access_round, actor=request.user, id=id)
    task = round_.task
    if not selectors.can_view_status(request.user, task):
        raise PermissionDenied(_("Only the office sees every unit's answers."))
    status = selectors.round_status(round=round_)
    context = {
        "round": round_,
        "task": task,
        "status": status,
        "indicators": list(task.indicators.all()),
        "period": selectors.period_text(round_),
        "deadline": selectors.deadline_text(round_.due_at),
        "reminder": selectors.reminder_text(round=round_, status=status),
        "can_fill": services.can_manage_task(request.user, task),
    }
    return render(request, "collection/round.html", context)


# --- units --------------------------------------------------------------------------------


@login_required
def my_forms(request: HttpRequest) -> HttpResponse:
    unit = request.user.unit
    if unit is not None and services.can_submit(request.user, unit):
        for active in unit.collection_tasks.filter(is_active=True).select_related("campaign"):
            services.rounds_ensure(task=active)
    context = {
        "unit": unit,
        "due": selectors.tasks_due_for(actor=request.user),
        "submitted": (
            selectors.unit_submissions(actor=request.user, unit=unit) if unit is not None else []
        ),
    }
    return render(request, "collection/my_forms.html", context)


@login_required
def fill(request: HttpRequest, id: int, unit_id: int) -> HttpResponse:
    round_ = _found(selectors.access_round, actor=request.user, id=id)
    task = round_.task
    unit = task.units.select_related("region").filter(pk=unit_id).first()
    if unit is None:
        # A unit the user may not answer for is refused as such, named or not (as in the
        # API): the page tells nothing of which units the task asks.
        other = Unit.objects.filter(pk=unit_id).first()
        if other is not None and not services.can_submit(request.user, other):
            raise PermissionDenied(_("You may not fill in forms for this unit."))
        raise Http404()
    try:
        if request.method == "POST":
            services.submission_check(actor=request.user, round=round_, unit=unit)  # audited
        elif not services.can_submit(request.user, unit):
            raise Forbidden()
    except Forbidden:
        raise PermissionDenied(_("You may not fill in forms for this unit.")) from None
    indicators = list(task.indicators.all())
    submission = selectors.submission_for(round=round_, unit=unit)
    initial = {}
    if submission is not None:
        for code, value in submission.values_by_code.items():
            initial[f"value_{code}"] = number_display(value.value)
            initial[f"approx_{code}"] = value.approx
        initial["note"] = submission.note
    form = FillForm(
        request.POST or None, request.FILES or None, initial=initial, indicators=indicators
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_submit(
                actor=request.user,
                round=round_,
                unit=unit,
                values=form.values(),
                evidence=form.uploads(),
                note=form.cleaned_data.get("note", ""),
            )
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except FieldError as error:
            _add_service_error(form, error, field_map=_fill_field)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Thank you: the form for %(unit)s has been received.") % {"unit": unit.name},
            )
            if selectors.can_view_status(request.user, task):
                return redirect("collection:round", id=round_.pk)
            return redirect("collection:my_forms")
    if request.method == "POST" and request.FILES and "evidence" not in form.errors:
        # A browser does not send the files again: say so rather than lose them silently.
        form.add_error("evidence", _("The files were not saved: choose them again."))
    context = {
        "lock": selectors.round_lock(round_),
        "round": round_,
        "task": task,
        "unit": unit,
        "form": form,
        "submission": submission,
        "period": selectors.period_text(round_),
        "deadline": selectors.deadline_text(round_.due_at),
    }
    return render(request, "collection/fill.html", context)


def _fill_field(field: str) -> str:
    return field if field in {"unit", "evidence", "note"} else FillForm.field_for(field)

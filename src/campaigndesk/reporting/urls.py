from django.urls import path, register_converter

from . import views


class StepConverter:
    """A move of the review workflow."""

    regex = "submit|edit|review|sign_off|return|withdraw"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(StepConverter, "itemstep")

app_name = "reporting"

urlpatterns = [
    path("", views.home, name="home"),
    path("commissions/", views.commissions, name="commissions"),
    # a campaign's reporting
    path("campaigns/<int:id>/items/", views.item_list, name="items"),
    path("campaigns/<int:id>/items/new/", views.item_new, name="item_new"),
    path("campaigns/<int:id>/queue/", views.queue, name="queue"),
    path("campaigns/<int:id>/commissions/", views.commission_list, name="campaign_commissions"),
    path("campaigns/<int:id>/commissions/new/", views.commission_new, name="commission_new"),
    path("campaigns/<int:id>/quota/", views.quota, name="quota"),
    path("campaigns/<int:id>/rules/", views.rules_list, name="rules"),
    path("campaigns/<int:id>/rules/new/", views.rules_new, name="rules_new"),
    path("campaigns/<int:id>/briefings/", views.briefing_list, name="briefings"),
    path("campaigns/<int:id>/briefings/new/", views.briefing_new, name="briefing_new"),
    path("campaigns/<int:id>/bulletins/", views.bulletin_list, name="bulletins"),
    path("campaigns/<int:id>/bulletins/new/", views.bulletin_new, name="bulletin_new"),
    path("campaigns/<int:id>/annual/", views.annual, name="annual"),
    path("campaigns/<int:id>/annual.xlsx", views.annual_xlsx, name="annual_xlsx"),
    # items
    path("items/<int:id>/", views.item_detail, name="item"),
    path("items/<int:id>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:id>/step/<itemstep:step>/", views.item_step, name="item_step"),
    path("items/<int:id>/attachments/", views.attachment_add, name="attachment_add"),
    path("items/<int:id>/adoptions/", views.adoption_add, name="adoption_add"),
    path("items/<int:id>/leader-comments/", views.leader_comment_add, name="leader_comment_add"),
    path("items/<int:id>/false-report/", views.false_report, name="false_report"),
    path("attachments/<int:id>/", views.attachment_file, name="attachment"),
    path("attachments/<int:id>/delete/", views.attachment_delete, name="attachment_delete"),
    path("adoptions/<int:id>/proof/", views.adoption_proof, name="adoption_proof"),
    path("adoptions/<int:id>/delete/", views.adoption_delete, name="adoption_delete"),
    path("commissions/<int:id>/", views.commission_detail, name="commission_detail"),
    # briefings and bulletins
    path("briefings/<int:id>/", views.briefing_detail, name="briefing_detail"),
    path("briefings/<int:id>/edit/", views.briefing_edit, name="briefing_edit"),
    path("briefings/<int:id>/issue/", views.briefing_issue, name="briefing_issue"),
    path("briefings/<int:id>/correct/", views.briefing_correct, name="briefing_correct"),
    path("briefings/<int:id>/briefing.docx", views.briefing_docx, name="briefing_docx"),
    path("bulletins/<int:id>/", views.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:id>/edit/", views.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:id>/issue/", views.bulletin_issue, name="bulletin_issue"),
    path("bulletins/<int:id>/correct/", views.bulletin_correct, name="bulletin_correct"),
    path("bulletins/<int:id>/bulletin.docx", views.bulletin_docx, name="bulletin_docx"),
    path("bulletins/<int:id>/bulletin.xlsx", views.bulletin_xlsx, name="bulletin_xlsx"),
]

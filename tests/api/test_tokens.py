"""Token auth for machine clients: "Authorization: Bearer <token>", no CSRF, the user's
scope; revoked, expired and wrong tokens get 401. The services and the command."""

import datetime
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from campaigndesk.accounts.models import ApiToken, AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.accounts.tokens import api_token_create, api_token_revoke, api_token_user
from campaigndesk.common.errors import DomainError, Forbidden
from campaigndesk.ledger.models import MaterialRecord

API = "/api/v1"


def bearer(secret: str) -> Client:
    # enforce_csrf_checks: a machine client never has the CSRF cookie.
    return Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en"
    )


def token_for(user, **extra) -> str:
    return api_token_create(actor=SYSTEM, user=user, name="台账同步", **extra).secret


def material(world) -> dict:
    return {
        "unit_id": world.township_unit.pk,
        "kind": "banner",
        "quantity": 10,
        "date": "2024-02-01",
    }


def test_a_valid_token_reads_with_its_users_scope(world):
    client = bearer(token_for(world.reporter))
    me = client.get(f"{API}/me")
    assert me.status_code == 200
    assert me.json()["username"] == "reporter"
    campaigns = client.get(f"{API}/campaigns").json()
    assert [c["id"] for c in campaigns["items"]] == [world.campaign.pk]
    other = bearer(token_for(world.other_office)).get(f"{API}/campaigns/{world.campaign.pk}")
    assert other.status_code == 404


def test_token_writes_need_no_csrf(world):
    response = bearer(token_for(world.reporter)).post(
        f"{API}/campaigns/{world.campaign.pk}/materials",
        material(world),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    record = MaterialRecord.objects.get(pk=response.json()["id"])
    assert record.created_by == world.reporter
    entry = AuditEntry.objects.get(action="ledger.material.created")
    assert entry.actor == world.reporter


def test_token_writes_keep_the_users_permissions(world):
    response = bearer(token_for(world.observer)).post(
        f"{API}/campaigns/{world.campaign.pk}/materials",
        material(world),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not MaterialRecord.objects.exists()


def test_session_writes_still_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.reporter)
    url = f"{API}/campaigns/{world.campaign.pk}/materials"
    refused = client.post(url, material(world), content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not MaterialRecord.objects.exists()
    client.get(f"{API}/docs")  # hands out the CSRF cookie, as a browser session gets it
    accepted = client.post(
        url,
        material(world),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert accepted.status_code == 201, accepted.content


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cd_not-a-token",
        "Bearer ",
        "Bearer wrong-prefix",
        "bearer cd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_a_wrong_token_is_401(world, header):
    client = Client(HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert "token" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(world):
    new = api_token_create(actor=SYSTEM, user=world.office, name="旧脚本")
    client = bearer(new.secret)
    assert client.get(f"{API}/me").status_code == 200
    api_token_revoke(actor=world.office, token=new.token)
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert AuditEntry.objects.filter(
        action="accounts.api_token.revoked", actor=world.office
    ).exists()


def test_an_expired_token_is_401(world):
    new = api_token_create(
        actor=SYSTEM,
        user=world.office,
        name="临时",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    client = bearer(new.secret)
    assert client.get(f"{API}/me").status_code == 200
    ApiToken.objects.filter(pk=new.token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(f"{API}/me").status_code == 401


def test_an_inactive_users_token_is_401(world):
    secret = token_for(world.office)
    world.office.is_active = False
    world.office.save()
    assert bearer(secret).get(f"{API}/me").status_code == 401


def test_a_bad_token_is_not_rescued_by_a_session(world):
    client = Client(HTTP_AUTHORIZATION="Bearer cd_nope", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.office)
    assert client.get(f"{API}/me").status_code == 401
    assert client.get("/api/openapi.json").status_code == 401
    client.defaults.pop("HTTP_AUTHORIZATION")
    assert client.get("/api/openapi.json").status_code == 200  # the session alone opens it


def test_only_the_hash_is_stored_and_use_is_noted(world):
    new = api_token_create(actor=world.office, user=world.office, name="报表机器人")
    token = ApiToken.objects.get(pk=new.token.pk)
    assert new.secret.startswith("cd_") and len(new.secret) > 40
    assert token.token_hash == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.secret not in str(
        [getattr(token, f.attname) for f in ApiToken._meta.concrete_fields]
    )
    assert new.secret.startswith(token.prefix)
    assert token.last_used_at is None
    assert api_token_user(secret=new.secret) == world.office
    token.refresh_from_db()
    assert token.last_used_at is not None
    entry = AuditEntry.objects.get(action="accounts.api_token.created")
    assert new.secret not in str(entry.after)
    assert entry.actor == world.office


def test_who_may_manage_tokens(world):
    # An office over the user's unit, the user, an administrator: yes; others: no.
    api_token_create(actor=world.office, user=world.reporter, name="镇上报")
    api_token_create(actor=world.reporter, user=world.reporter, name="自己的")
    with pytest.raises(Forbidden):
        api_token_create(actor=world.other_office, user=world.reporter, name="越权")
    with pytest.raises(Forbidden):
        api_token_create(actor=world.reporter, user=world.office, name="越权")
    assert (
        AuditEntry.objects.filter(action="accounts.api_token.create", outcome="denied").count() == 2
    )
    new = api_token_create(actor=world.admin, user=world.reporter, name="管理员给的")
    with pytest.raises(Forbidden):
        api_token_revoke(actor=world.observer, token=new.token)
    api_token_revoke(actor=world.office, token=new.token)
    with pytest.raises(DomainError, match="already revoked"):
        api_token_revoke(actor=world.office, token=new.token)


def test_token_create_checks(world):
    with pytest.raises(DomainError, match="name"):
        api_token_create(actor=SYSTEM, user=world.office, name="  ")
    with pytest.raises(DomainError, match="passed"):
        api_token_create(
            actor=SYSTEM,
            user=world.office,
            name="过期",
            expires_at=timezone.now() - datetime.timedelta(minutes=1),
        )
    assert not ApiToken.objects.exists()


def test_command_prints_the_token_once(world):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "token", "create", "reporter", "--name", "同步脚本", "--days", "30", stdout=out, stderr=err
    )
    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.user == world.reporter and token.name == "同步脚本"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_at > timezone.now() + datetime.timedelta(days=29)
    assert "cannot be shown again" in err.getvalue()
    assert bearer(secret).get(f"{API}/me").json()["username"] == "reporter"

    listing = io.StringIO()
    call_command("token", "list", "reporter", stdout=listing)
    assert token.prefix in listing.getvalue() and secret not in listing.getvalue()
    call_command("token", "revoke", str(token.pk), stdout=io.StringIO())
    assert bearer(secret).get(f"{API}/me").status_code == 401
    assert AuditEntry.objects.filter(
        action="accounts.api_token.revoked", actor_label="system"
    ).exists()


def test_command_errors(world):
    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "create", "nobody", "--name", "x", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--days"):
        call_command(
            "token", "create", "office", "--name", "x", "--days", "0", stdout=io.StringIO()
        )
    with pytest.raises(CommandError, match="999"):
        call_command("token", "revoke", "999", stdout=io.StringIO())
    assert not ApiToken.objects.exists()

"""The OpenAPI schema at /api/openapi.json (the address the issue names), the same document
as /api/v1/openapi.json, for a signed-in session or a bearer token."""

from django.test import Client

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.accounts.tokens import api_token_create


def test_schema_at_api_openapi_json_is_the_v1_schema(login, world):
    client = login("observer")
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema == client.get("/api/v1/openapi.json").json()
    assert "/api/v1/campaigns/{campaign_id}/rollup" in schema["paths"]
    assert "/api/v1/outputs/{record_id}" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()


def test_schema_and_docs_need_a_login_or_a_token(client, world):
    anonymous = client.get("/api/openapi.json")
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    secret = api_token_create(actor=SYSTEM, user=world.reporter, name="客户端生成").secret
    machine = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert machine.get("/api/openapi.json").status_code == 200
    assert machine.get("/api/v1/openapi.json").status_code == 200
    assert machine.get("/api/v1/docs").status_code == 200
    wrong = Client(HTTP_AUTHORIZATION="Bearer cd_wrong")
    assert wrong.get("/api/openapi.json").status_code == 401
    assert wrong.get("/api/v1/docs").status_code == 401


def test_every_operation_documents_its_error_answers():
    from campaigndesk.api.api import api

    schema = api.get_openapi_schema(path_prefix="")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert 401 in operation["responses"], f"{method} {path}"

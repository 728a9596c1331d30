from cairn.access.models import ApiToken, AuditEvent
from cairn.access.tokens import issue_api_token, revoke_api_token, user_for_api_token


def test_an_issued_token_acts_as_its_user_and_is_stored_hashed(first_responder):
    token, raw = issue_api_token(actor="test", user=first_responder, name="Fire CAD feed")
    assert user_for_api_token(raw) == first_responder
    assert raw not in ApiToken.objects.values_list("token_hash", flat=True)
    assert AuditEvent.objects.filter(action="api_token.issue", target_id=str(token.pk)).exists()


def test_a_revoked_or_unknown_token_authenticates_nobody(first_responder):
    token, raw = issue_api_token(actor="test", user=first_responder, name="Old feed")
    revoke_api_token(actor="test", token=token)
    assert user_for_api_token(raw) is None
    assert user_for_api_token("cairn_not-a-real-token") is None
    assert user_for_api_token("") is None


def test_the_api_accepts_a_bearer_token(client, first_responder):
    _, raw = issue_api_token(actor="test", user=first_responder, name="Fire CAD feed")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == "first.responder"
    refused = client.get("/api/v1/me", headers={"Authorization": "Bearer cairn_wrong"})
    assert refused.status_code == 401

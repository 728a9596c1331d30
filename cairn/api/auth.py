"""How API callers prove who they are: a signed-in session, or a bearer token."""

from ninja.security import HttpBearer, django_auth

from cairn.access.tokens import user_for_api_token


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


# Session first (pages calling the API), then `Authorization: Bearer cairn_...`.
api_auth = [django_auth, ApiTokenAuth()]

"""Sign in and sign out through Django's views, each leaving an audit event.

Failed sign-ins are limited per account and address, and per address
(`cairn.access.signin`): past a limit the password is not checked at all.
"""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView, LogoutView
from django.db import transaction
from django.http import HttpResponseRedirect

from cairn.access import signin
from cairn.access.audit import record_audit_event


def _tried(username: str, request) -> dict:
    """What a sign-in's audit event keeps of the attempt: the name as typed and as
    counted, and the address (never the password)."""
    return {
        "username": username,
        "account": signin.normalized(username),
        "address": signin.client_address(request),
    }


class SignInView(LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = str(request.POST.get("username", ""))[:150]
        address = signin.client_address(request)
        refusal = signin.sign_in_refusal(username, address)
        if refusal is None:
            return super().post(request, *args, **kwargs)
        with transaction.atomic():
            record_audit_event(
                actor=None,
                action=signin.REFUSED,
                target_type="auth.user",
                summary=f"Sign-in as {username!r} refused: too many failures ({refusal.reason})",
                details={**_tried(username, request), "limit": refusal.reason},
            )
        # The form again, empty but for the username: the password was not checked.
        form = self.get_form_class()(request=request, initial={"username": username})
        return self.render_to_response(
            self.get_context_data(form=form, refusal=signin.refusal_message(refusal)),
            status=429,
        )

    def form_valid(self, form):
        user = form.get_user()
        with transaction.atomic():
            auth_login(self.request, user)
            record_audit_event(
                actor=user,
                action=signin.SIGNED_IN,
                target=user,
                summary=f"{user.get_username()} signed in",
                details=_tried(str(form.data.get("username", ""))[:150], self.request),
            )
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        # The username tried, never the password: enough to notice guessing.
        username = str(form.data.get("username", ""))[:150]
        with transaction.atomic():
            record_audit_event(
                actor=None,
                action=signin.FAILED,
                target_type="auth.user",
                summary=f"Failed sign-in as {username!r}",
                details=_tried(username, self.request),
            )
        return super().form_invalid(form)


class SignOutView(LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link cannot sign anyone out."""

    def post(self, request, *args, **kwargs):
        user = request.user
        with transaction.atomic():
            if user.is_authenticated:
                record_audit_event(
                    actor=user,
                    action="auth.logout",
                    target=user,
                    summary=f"{user.get_username()} signed out",
                )
            response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response

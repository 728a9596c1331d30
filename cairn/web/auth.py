"""Sign in and sign out through Django's views, each leaving an audit event."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView, LogoutView
from django.db import transaction
from django.http import HttpResponseRedirect

from cairn.access.audit import record_audit_event


class SignInView(LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        with transaction.atomic():
            auth_login(self.request, user)
            record_audit_event(
                actor=user,
                action="auth.login",
                target=user,
                summary=f"{user.get_username()} signed in",
            )
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        # The username tried, never the password: enough to notice guessing.
        username = str(form.data.get("username", ""))[:150]
        with transaction.atomic():
            record_audit_event(
                actor=None,
                action="auth.login_failed",
                target_type="auth.user",
                summary=f"Failed sign-in as {username!r}",
                details={"username": username},
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

"""Login and the password change (thin: the change itself is a service)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import services


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def form_valid(self, form):
        services.user_change_password(
            actor=self.request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect("web:home")

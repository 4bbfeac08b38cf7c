from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import throttle


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password."),
        "throttled": _("Too many failed attempts. Wait 15 minutes and try again, or ask your administrator."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        ip = throttle.client_ip(self.request) if self.request else None
        if throttle.is_throttled(username, ip):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        if username and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                throttle.record_failure(username, ip)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            throttle.clear_failures(username)
        return self.cleaned_data

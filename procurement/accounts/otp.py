"""Pages to turn on the TOTP second factor (city roles) and to give the code after the password."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement.accounts.models import Membership
from procurement.accounts.services import api_tokens_revoke
from procurement.core.audit import audit_record
from procurement.core.models import AuditEntry


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


@login_required
def otp_setup(request):
    """City users may protect their account with a TOTP code (optional)."""
    if not Membership.objects.filter(user=request.user, city__isnull=False).exists():
        raise Http404
    device = TOTPDevice.objects.filter(user=request.user).order_by("-pk").first()
    if device is None or (
        request.method == "GET" and not device.confirmed and request.GET.get("new")
    ):
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.GRANT,
                target=request.user,
                name="second_factor_on",
            )
            # Tokens got with the password alone would still bypass the new factor.
            api_tokens_revoke(
                actor=request.user, user=request.user, reason="second factor turned on"
            )
            messages.success(
                request,
                _("The second factor is on: you will be asked for a code after your password."),
            )
            return redirect("home")
        form.add_error(
            "code", _("That code is not valid. Check your device's clock and try again.")
        )
    return render(request, "registration/otp_setup.html", {"device": device, "form": form})


@login_required
def otp_verify(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if device is None:
        return redirect(target)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(target)
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.LOGIN_FAILED,
            target=request.user,
            name="second_factor_failed",
        )
        form.add_error("code", _("That code is not valid."))
    return render(request, "registration/otp_verify.html", {"form": form, "next": target})

"""Web pages of the parties: home, an organisation's private workspace."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from procurement.accounts.selectors import (
    api_tokens_of_user,
    city_get_for_user,
    organisation_members,
    public_cities,
    supplier_get_for_user,
)
from procurement.accounts.services import api_token_revoke, api_tokens_revoke
from procurement.core.exceptions import NotFound


def home(request):
    return render(request, "accounts/home.html", {"cities": public_cities()})


@login_required
def city_workspace(request, pk: int):
    try:
        city = city_get_for_user(user=request.user, city_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    return render(
        request,
        "accounts/city_workspace.html",
        {"city": city, "members": organisation_members(organisation=city)},
    )


@login_required
def supplier_workspace(request, pk: int):
    try:
        supplier = supplier_get_for_user(user=request.user, supplier_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    return render(
        request,
        "accounts/supplier_workspace.html",
        {"supplier": supplier, "members": organisation_members(organisation=supplier)},
    )


@login_required
def api_tokens(request):
    """The user's API tokens, each with a button that ends it, and one that ends them all."""
    if request.method == "POST":
        if request.POST.get("revoke_all"):
            api_tokens_revoke(actor=request.user, user=request.user, reason="revoked by the user")
            messages.success(request, _("All your API tokens are revoked."))
        else:
            try:
                api_token_revoke(
                    actor=request.user,
                    user=request.user,
                    token_id=request.POST.get("revoke", ""),
                )
            except NotFound as error:
                raise Http404(error.message) from error
            messages.success(request, _("The token is revoked."))
        return redirect("account-tokens")
    from knox.settings import knox_settings

    return render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": api_tokens_of_user(user=request.user),
            "idle_days": knox_settings.TOKEN_TTL.days,
        },
    )

"""Web pages of the parties: home, an organisation's private workspace."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from procurement.accounts.selectors import (
    city_get_for_user,
    organisation_members,
    public_cities,
    supplier_get_for_user,
)
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

"""Web pages of the parties: home, an organisation's private workspace, a supplier's
registration, the user's API tokens."""

from axes.helpers import get_client_ip_address
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.accounts.models import Supplier
from procurement.accounts.selectors import (
    api_tokens_of_user,
    city_get_for_user,
    city_search,
    organisation_members,
    public_cities,
    registration_requests_pending,
    supplier_get_for_user,
)
from procurement.accounts.services import (
    api_token_revoke,
    api_tokens_revoke,
    supplier_registration_confirm,
    supplier_registration_request,
)
from procurement.core.exceptions import ApplicationError, NotFound, TooManyAttempts
from procurement.core.inapp import inapp_messages_for_user
from procurement.core.work import WORK_ITEMS, WorkItem, WorkSection, work_for_user


def home(request):
    """Visitors: what OpenCPI is and its member cities. A signed-in user: the user's work, what
    is the user's to do now first (``procurement.core.work``: each app brings its part), then
    the unread messages."""
    if not request.user.is_authenticated:
        return render(request, "accounts/home.html", {"cities": public_cities()})
    sections = work_for_user(user=request.user)
    unread = inapp_messages_for_user(user=request.user).filter(read_at__isnull=True)
    rows = list(unread[: WORK_ITEMS + 1])
    if rows:
        sections.append(
            WorkSection(
                key="messages",
                heading=gettext_lazy("Unread messages"),
                items=[
                    WorkItem(subject=m.subject, url=m.link or reverse("inbox"), detail=m.body[:200])
                    for m in rows[:WORK_ITEMS]
                ],
                count=len(rows) if len(rows) <= WORK_ITEMS else unread.count(),
                more_url=reverse("inbox"),
                to_do=False,
            )
        )
    return render(
        request,
        "accounts/work.html",
        {
            "sections": sections,
            "to_do": sum(section.count for section in sections if section.to_do),
        },
    )


@login_required
def city_search_json(request):
    """``?q=`` part of a city's name → ``{"results": [{"id", "name"}]}``, for the pickers that
    choose cities (a template's sharing): member cities are public, the look-up signed in."""
    return JsonResponse({"results": city_search(request.GET.get("q", ""))})


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


class SupplierRegistrationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Organisation name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Supplier.Kind.choices)
    country = forms.CharField(label=gettext_lazy("Country (ISO code)"), max_length=2, initial="ES")
    tax_id = forms.CharField(label=gettext_lazy("Tax id (NIF/CIF)"), max_length=40)
    is_sme = forms.BooleanField(label=gettext_lazy("We are an SME"), required=False)
    website = forms.URLField(label=gettext_lazy("Website"), required=False, assume_scheme="https")
    first_name = forms.CharField(label=gettext_lazy("Your first name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Your last name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Your e-mail"))
    username = forms.RegexField(
        label=gettext_lazy("Username"), max_length=150, regex=r"^[\w.@+-]+$"
    )
    password = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput, max_length=200
    )


def supplier_registration(request):
    """A supplier asks to register; the page then says to follow the e-mailed link, the same
    whatever is already registered."""
    form = SupplierRegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            supplier_registration_request(
                address=get_client_ip_address(request) or "", **form.cleaned_data
            )
        except TooManyAttempts as refused:
            form.add_error(None, refused.message)
            status = 429
        except ApplicationError as refused:
            field = refused.extra.get("field")
            form.add_error(field if field in form.fields else None, refused.message)
        else:
            return render(
                request,
                "accounts/register_sent.html",
                {"email": form.cleaned_data["email"]},
            )
    return render(request, "accounts/register.html", {"form": form}, status=status)


def supplier_registration_link(request, token: str):
    """The link of the registration e-mail: a button that creates the organisation and its
    representative, then signs them in. Opening the link changes nothing (mail scanners and
    link previews open links)."""
    if not registration_requests_pending(token=token).exists():
        return render(request, "accounts/register_confirm.html", {"expired": True}, status=404)
    if request.method == "POST":
        try:
            _supplier, user = supplier_registration_confirm(token=token)
        except NotFound:
            return render(request, "accounts/register_confirm.html", {"expired": True}, status=404)
        except ApplicationError as refused:
            return render(request, "accounts/register_confirm.html", {"error": refused.message})
        login(request, user, backend="procurement.accounts.backends.ModelBackend")
        messages.success(request, _("Your organisation is registered."))
        return redirect("supplier-subscriptions")
    return render(request, "accounts/register_confirm.html", {})

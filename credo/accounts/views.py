from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from credo.accounts import services
from credo.accounts.access import access_organisation
from credo.accounts.forms import AddMemberForm, ProfileForm
from credo.accounts.invitations import has_claimed, invite_member
from credo.accounts.models import Membership, Organisation, Role


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_organisation(request.user, slug, roles=[Role.PROGRAMME_ADMIN])
    form = AddMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = invite_member(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _added_message(membership))
            return redirect("accounts:members", slug=organisation.slug)
    query, role = request.GET.get("q", "").strip(), request.GET.get("role", "")
    context = {
        "organisation": organisation,
        "page": Paginator(_members_matching(organisation, query, role), 50).get_page(request.GET.get("page")),
        "q": query,
        "role": role,
        "roles": Role.choices,
        "form": form,
    }
    return render(request, "accounts/members.html", context, status=422 if form.errors else 200)


def _members_matching(organisation: Organisation, query: str, role: str) -> QuerySet[Membership]:
    """The organisation's memberships, by person then role, narrowed to a name or address and a role if given."""
    found = Membership.objects.filter(organisation=organisation).select_related("user")
    if query:
        found = found.filter(Q(user__email__icontains=query) | Q(user__full_name__icontains=query))
    if role in Role.values:
        found = found.filter(role=role)
    return found.order_by("user__email", "role")


def _added_message(membership: Membership) -> str:
    user, role = membership.user, membership.get_role_display().lower()
    a_role = f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"
    if has_claimed(user):
        return f"{user.email} is now {a_role} at {membership.organisation}; we have emailed them to say so."
    return (
        f"We have emailed {user.email} an invitation. They are {a_role} at {membership.organisation} "
        "and can sign in as soon as they choose a password with the link in it."
    )


def add_errors(form: Form, error: ValidationError) -> None:
    """A service's refusal on the form: messages about a field go next to it (and in the summary, linked)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


@login_required
@require_POST
def remove_member(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    organisation = access_organisation(request.user, slug, roles=[Role.PROGRAMME_ADMIN])
    membership = get_object_or_404(Membership, pk=membership_id, organisation=organisation)
    try:
        services.remove_membership(actor=request.user, membership=membership)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{membership.user.email} is no longer a {membership.get_role_display().lower()}.")
    return redirect("accounts:members", slug=organisation.slug)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"full_name": getattr(user, "full_name", ""), "time_zone": getattr(user, "time_zone", "")}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form}, status=422 if form.errors else 200)

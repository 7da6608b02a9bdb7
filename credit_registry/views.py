from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from credit_registry.access import Role, role_of, school_of


@login_required
def home(request):
    """Send each role to its place: bureau staff to the admin site, others to their portal."""
    role = role_of(request.user)
    if role in (Role.BUREAU_ADMIN, Role.INSPECTOR):
        return redirect("admin:index")
    return redirect("portal")


@login_required
def portal(request):
    role = role_of(request.user)
    context = {"role": role.value}
    if role == Role.PRINCIPAL:
        context["school"] = school_of(request.user)
    elif role == Role.TEACHER:
        return redirect("teachers:my_file")
    elif role in (Role.BUREAU_ADMIN, Role.INSPECTOR):
        return redirect("admin:index")
    return render(request, "portal.html", context, status=200 if role != Role.NONE else 403)

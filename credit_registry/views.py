from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from credit_registry.access import Role, role_of


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
    if role == Role.PRINCIPAL:
        return redirect("schools:dashboard")
    if role == Role.TEACHER:
        return redirect("teachers:my_file")
    if role in (Role.BUREAU_ADMIN, Role.INSPECTOR):
        return redirect("admin:index")
    return render(request, "portal.html", {"role": role.value}, status=403)

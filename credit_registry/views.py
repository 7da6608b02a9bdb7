from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from credit_registry.access import Role, role_of
from credit_registry.common.client import client_address
from credit_registry.common.ratelimit import RateLimit


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


# Failed logins from one address, over any accounts, in a fixed hour (the per-account lockout
# is django-axes'). Past the limit every login from that address is refused until the hour
# ends or bureau staff unlock it (登录锁定 in the workbench).
LOGIN_FAILURES = RateLimit("login-failure", settings.REGISTRY_LOGIN_FAILURES_PER_ADDRESS)


def login_guard(login_view):
    """Both login doors (the portal's and the admin's) count failed logins per address and
    refuse an address past the limit; the per-account lockout stays django-axes'."""

    @wraps(login_view)
    def guarded(request, *args, **kwargs):
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        address = client_address(request)
        if LOGIN_FAILURES.exceeded(address):
            return locked_out(request)
        response = login_view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            LOGIN_FAILURES.count(address)
        return response

    return guarded


def locked_out(request, *args):
    """The page of a refused login (also django-axes' ``AXES_LOCKOUT_CALLABLE``)."""
    return render(request, "credit_registry/locked.html", status=429)

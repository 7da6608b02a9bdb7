"""Who is asking: the client's address as django-axes resolves it (the same address the login
lockout counts), for rate limits."""

from axes.helpers import get_client_ip_address


def client_address(request) -> str:
    return get_client_ip_address(request) or "unknown"

"""Authentication backends of the portal."""
from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class AxesRequestBackend(AxesStandaloneBackend):
    """django-axes' throttling backend, except that authenticate() without a
    request (a shell, a test client's login()) has no client address to
    throttle and passes on to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

"""HTML pages of the dossiers app: staff pages (namespace `staff`) and
citizen pages (namespace `citizen`), each in its own module."""
from __future__ import annotations

urlpatterns: list = [
]

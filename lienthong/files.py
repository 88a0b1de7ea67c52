"""Where stored files go: under a random name nobody can guess, with the
extension of the type detected from the content (never the uploader's name
or extension). Files are never served by URL: every download goes through a
view that checks access (staff, citizen and report downloads)."""
from __future__ import annotations

import secrets

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx"}


def random_name(folder: str, content_type: str) -> str:
    """`folder/<128 random bits>.<ext of content_type>` (no extension for an
    unknown type)."""
    return f"{folder.rstrip('/')}/{secrets.token_urlsafe(16)}{EXTENSIONS.get(content_type, '')}"


def random_name_keeping_extension(folder: str, filename: str) -> str:
    """For files the portal itself wrote (PDF, XLSX): the extension it chose."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"{folder.rstrip('/')}/{secrets.token_urlsafe(16)}{'.' + extension if extension.isalnum() else ''}"

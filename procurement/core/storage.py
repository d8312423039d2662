"""Private files: stored outside the web root and never given a public URL.

They are served only by views that check object permissions, as attachments with ``nosniff``.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_MEDIA_ROOT``, read at call time (tests move it)."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property  # type: ignore[override]
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property  # type: ignore[override]
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no public URL")


private_storage = PrivateStorage()

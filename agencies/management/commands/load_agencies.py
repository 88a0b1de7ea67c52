from __future__ import annotations

from django.core.management.base import BaseCommand

from agencies.services import agencies_ensure


class Command(BaseCommand):
    help = "Tạo các cơ quan (một cửa, tư pháp, công an, BHXH, lao động, y tế) cho mọi xã và tỉnh hiện hành."

    def handle(self, *args, **options) -> None:
        self.stdout.write(self.style.SUCCESS(f"{agencies_ensure()} cơ quan."))

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from agencies.mapdata import admin_units_load
from agencies.models import AdminUnit


class Command(BaseCommand):
    help = "Nạp bản đồ hành chính hiện hành (34 tỉnh) và cũ (63 tỉnh) từ gói vietnamadminunits."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        admin_units_load()
        current = AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT).count()
        legacy = AdminUnit.objects.filter(map=AdminUnit.Map.LEGACY).count()
        self.stdout.write(self.style.SUCCESS(
            f"Đã nạp {current} đơn vị hiện hành và {legacy} đơn vị cũ trong {time.monotonic() - started:.1f} giây."))

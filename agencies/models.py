"""Reference data: the administrative map, agencies, contact points, people and
the working-day calendar exceptions."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from lienthong import formatting
from lienthong.text import search_key


class AdminUnit(models.Model):
    """One unit of either administrative map.

    The current map (from 1/7/2025) has two levels: 34 provinces and 3,321
    communes/wards. The legacy map has three: 63 provinces, 696 districts and
    about 10,035 communes. Codes are official and repeat across the maps (a
    current ward usually keeps the code of one predecessor), so a unit is
    identified by (map, level, code); `selectors.resolve_unit` picks the map.
    """

    class Map(models.TextChoices):
        CURRENT = "current", _("Bản đồ hiện hành (từ 01/7/2025)")
        LEGACY = "legacy", _("Bản đồ cũ (trước 01/7/2025)")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/thành phố")
        DISTRICT = "district", _("Quận/huyện")
        COMMUNE = "commune", _("Xã/phường/đặc khu")

    map = models.CharField(_("bản đồ"), max_length=8, choices=Map.choices)
    level = models.CharField(_("cấp"), max_length=8, choices=Level.choices)
    code = models.CharField(_("mã"), max_length=8)
    name = models.CharField(_("tên"), max_length=120)
    short_name = models.CharField(_("tên ngắn"), max_length=100)
    unit_type = models.CharField(_("loại"), max_length=40, blank=True)
    # Lower-case, without diacritics and spaces: "tan hong" → "tanhong".
    search_name = models.CharField(max_length=120, db_index=True, editable=False)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children", verbose_name=_("đơn vị cấp trên"))
    province = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("tỉnh/thành phố"))
    # Legacy units only: the current unit that took over (the default one
    # when a legacy commune was divided).
    successor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="predecessors", verbose_name=_("đơn vị kế thừa"))

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        constraints = [models.UniqueConstraint(fields=["map", "level", "code"], name="unit_map_level_code")]
        indexes = [models.Index(fields=["code"]), models.Index(fields=["province", "level"])]
        ordering = ["map", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        self.search_name = search_key(self.name)
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.map == self.Map.CURRENT


class AgencyKind(models.TextChoices):
    ONE_STOP = "one_stop", _("Bộ phận một cửa")
    JUSTICE = "justice", _("Tư pháp - Hộ tịch")
    POLICE = "police", _("Công an")
    SOCIAL_INSURANCE = "social_insurance", _("Bảo hiểm xã hội")
    LABOUR = "labour", _("Lao động - Thương binh và Xã hội")
    HEALTH = "health", _("Y tế")


# Agencies a leg can be routed to (officers belong to one of these).
OFFICER_AGENCIES = [k for k in AgencyKind.values if k != AgencyKind.ONE_STOP]


class Agency(models.Model):
    """An office of one kind serving one unit (a commune or a province)."""

    kind = models.CharField(_("loại cơ quan"), max_length=20, choices=AgencyKind.choices)
    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="agencies",
                             verbose_name=_("đơn vị hành chính"))
    name = models.CharField(_("tên cơ quan"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="agency_unit_kind")]
        ordering = ["unit__code", "kind"]

    def __str__(self) -> str:
        return self.name


class ContactPoint(models.Model):
    """Đầu mối phối hợp: the named officer to call about linked dossiers."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="contact_points",
                               verbose_name=_("cơ quan"))
    full_name = models.CharField(_("họ và tên"), max_length=120)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20)
    email = models.EmailField(_("thư điện tử"), blank=True)

    class Meta:
        verbose_name = _("đầu mối phối hợp")
        verbose_name_plural = _("đầu mối phối hợp")
        ordering = ["agency_id", "full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} – {self.agency}"


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ONE_STOP_CLERK = "one_stop_clerk", _("Cán bộ một cửa")
    OFFICER = "officer", _("Cán bộ chuyên môn")
    PROVINCIAL_VIEWER = "provincial_viewer", _("Cán bộ theo dõi cấp tỉnh")
    ADMIN = "admin", _("Quản trị hệ thống")


class User(AbstractUser):
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    unit = models.ForeignKey(AdminUnit, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="users", verbose_name=_("đơn vị"))
    agency = models.CharField(_("cơ quan"), max_length=20, blank=True,
                              choices=[(k, AgencyKind(k).label) for k in OFFICER_AGENCIES])
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=120, blank=True)
    # A citizen's own sign-up not yet confirmed by its one-time code. Inactive
    # without it means an administrator disabled the account: sign-up and
    # password reset never re-activate that one.
    signup_pending = models.BooleanField(_("chờ xác nhận đăng ký"), default=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username


class CalendarDay(models.Model):
    """An exception to the Monday–Friday + public-holiday rule, announced by
    the government each year (extra days off, make-up working Saturdays)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ bổ sung")
        WORKING_DAY = "working_day", _("Ngày làm việc bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("lý do"), max_length=200, blank=True)
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ngày ngoại lệ của lịch làm việc")
        verbose_name_plural = _("lịch làm việc: ngày nghỉ bổ sung và ngày làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{formatting.day(self.date)} – {self.get_kind_display()}"

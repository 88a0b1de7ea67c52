"""factory_boy factories shared by the suite."""
from __future__ import annotations

import factory

from agencies.models import AdminUnit, Role, User
from tests.helpers import DEMO_PASSWORD


def unit(code: str, map_: str = AdminUnit.Map.CURRENT) -> AdminUnit:
    return AdminUnit.objects.select_related("province").get(map=map_, code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    role = Role.CITIZEN

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs) -> None:
        self.set_password(extracted or DEMO_PASSWORD)
        if create:
            self.save(update_fields=["password"])

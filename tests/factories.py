"""factory_boy factories. Use services (tests/helpers) where a rule is involved."""

import datetime

import factory
from django.contrib.auth.models import Group, User

from audits import roles
from audits.models import AgeBand, AuditActivity, CaseType, Strand, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))


def auditor(**kwargs):
    return UserFactory(roles=[roles.AUDITOR], **kwargs)


def moderator(**kwargs):
    return UserFactory(roles=[roles.MODERATOR], **kwargs)


def qa_lead(**kwargs):
    return UserFactory(roles=[roles.QA_LEAD], **kwargs)


def administrator(**kwargs):
    return UserFactory(roles=[roles.ADMINISTRATOR], **kwargs)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Assessment team {n}")
    slug = factory.Sequence(lambda n: f"assessment-team-{n}")


class AuditActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditActivity
        django_get_or_create = ("name", "month")

    name = factory.Sequence(lambda n: f"Thematic audit {n}")
    month = datetime.date(2026, 10, 1)


def strand(slug="social_care"):
    return Strand.objects.get(slug=slug)


def case_type(slug="child_in_need"):
    return CaseType.objects.get(slug=slug)


def age_band(slug="5-9"):
    return AgeBand.objects.get(slug=slug)

import datetime as dt

import factory

from cairn.surveillance.models import Event, EventIdentity, Source


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    source = Source.EMERGENCY_DEPARTMENT
    occurred_at = factory.Sequence(
        lambda n: dt.datetime(2022, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n)
    )
    age_band = "30-34"
    sex = "M"
    chief_complaint = "suspected opioid OD, found unresponsive"
    diagnosis_codes = factory.LazyFunction(lambda: ["T40.4"])
    dedup_key = factory.Sequence(lambda n: f"test:event:{n}")


class EventIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventIdentity

    event = factory.SubFactory(EventFactory)
    given_name = "Testy"
    family_name = factory.Sequence(lambda n: f"Synthetic-{n:05d}")

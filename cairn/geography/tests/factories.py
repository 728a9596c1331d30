import factory

from cairn.geography.models import Jurisdiction, Level, Population, Sex


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction

    name = factory.Sequence(lambda n: f"Testplace {n}")
    code = factory.Sequence(lambda n: f"test-{n}")
    level = Level.COMMUNITY
    parent = None
    path = factory.LazyAttribute(lambda o: f"{o.parent.path}/{o.code}" if o.parent else o.code)


class PopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Population

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    year = 2022
    sex = Sex.ALL
    population = 10_000

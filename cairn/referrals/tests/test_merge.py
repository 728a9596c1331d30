"""When two client records are merged, closed-loop referrals follow the person, and an
undo of the merge sends them back."""

import pytest

from cairn.cases import actions as case_actions
from cairn.cases.tests.conftest import make_client
from cairn.referrals.models import Referral
from cairn.referrals.tests.conftest import send

pytestmark = pytest.mark.django_db


def test_a_referral_follows_its_person_through_a_merge_and_back(
    er_nurse, service_intake, clinic_service, person, plan_referral
):
    referral = send(er_nurse, clinic_service, plan_referral_id=plan_referral.pk, allows=["name"])
    assert referral.client_id == person.pk
    survivor = make_client(er_nurse, given_name="Robin", family_name="Tallgrass-Ward")

    merge = case_actions.merge_clients(
        actor=er_nurse, survivor=survivor, merged=person, reason="Same person, new surname"
    )

    assert Referral.objects.get(pk=referral.pk).client_id == survivor.pk
    assert merge.moved["closed_loop_referrals"] == [referral.pk]

    case_actions.undo_merge(actor=er_nurse, merge=merge, reason="Two different people")

    assert Referral.objects.get(pk=referral.pk).client_id == person.pk

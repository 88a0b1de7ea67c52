"""One vocabulary (dossiers.vocabulary): each code has one label wherever it
is shown, and every front door offers only codes the engine accepts."""
from __future__ import annotations

import pytest
from django.utils import timezone

from citizens import forms as citizen_forms
from dossiers import documents
from dossiers.models import Document
from dossiers.validation import RELATIONSHIPS
from dossiers.vocabulary import PREREQUISITE, SERVICES, Bundle, Relationship
from staff import forms as staff_forms
from tests.factories import dossier_registered


@pytest.mark.django_db
def test_an_authorised_applicant_is_printed_as_such_on_the_death_extract():
    dossier = dossier_registered(Bundle.DEATH)
    dossier.applicant = {**dossier.applicant, "relationship": Relationship.OTHER}
    dossier.save(update_fields=["applicant"])
    summary = documents.summary_build(dossier, Document.Kind.DEATH_EXTRACT, issued_at=timezone.now())
    fields = dict(f for section in summary["sections"] for f in section["fields"])
    assert fields["Quan hệ với người đã chết"] == "Người được ủy quyền"


def test_the_counter_form_and_the_document_use_the_same_relationship_labels():
    assert dict(staff_forms.RELATIONSHIP_CHOICES)[Relationship.OTHER] == "Người được ủy quyền"
    assert dict(staff_forms.RELATIONSHIP_CHOICES)[Relationship.RELATIVE] == "Người thân khác"


@pytest.mark.parametrize("choices", [citizen_forms.RELATIONSHIPS_BIRTH, citizen_forms.RELATIONSHIPS_DEATH,
                                     staff_forms.RELATIONSHIP_CHOICES])
def test_every_relationship_a_form_offers_is_one_the_engine_accepts(choices):
    assert {code for code, _label in choices} <= set(RELATIONSHIPS)


def test_each_bundle_starts_with_a_service_that_waits_for_nothing():
    for bundle, first in PREREQUISITE.items():
        assert SERVICES[first].bundle == bundle and SERVICES[first].prerequisite is None
    for service, facts in SERVICES.items():
        assert facts.prerequisite in (None, PREREQUISITE[facts.bundle]), service

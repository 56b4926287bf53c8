"""Ownership, use case by use case, on a real store (SQLite and PostgreSQL): Ann's work is hers until she shares it,
shared work is seen but not changed by the team, and with sign-in off everything is everyone's."""

import pytest

from pipeline_core.data.samples import make_churn
from pipeline_core.spec import default_spec
from services import datasets, drafts, monitoring, pipelines, runs
from storage.db import Storage
from storage.errors import NotFoundError, NotYoursError

ROWS = make_churn(n_rows=300)
SPEC = default_spec(target="churn", task="classification", roles={"customer_id": "id"}).replace(
    models=[{"kind": "logistic_regression"}]
)


@pytest.fixture
def storage(database_url, data_dir):
    opened = Storage.open(database_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def ann(storage):
    return storage.acting_as("ann")


@pytest.fixture
def bob(storage):
    return storage.acting_as("bob")


def _train(storage: Storage, fingerprint: str = "churn-300"):
    """A stored dataset and a finished run of it, the acting person's."""
    dataset = datasets.store_derived(storage, ROWS, fingerprint=fingerprint, name="churn.csv", lineage={})
    run = runs.create(storage, dataset, ROWS, SPEC)
    runs.execute(storage, run, ROWS)
    return dataset, runs.get(storage, run.id)


@pytest.fixture
def anns_work(ann):
    """Ann's dataset, run, saved pipeline and checked batch."""
    dataset, run = _train(ann)
    pipeline = pipelines.save(ann, name="Churn", spec=SPEC, run_id=run.id)
    batch = monitoring.check(ann, run, make_churn(n_rows=120, seed=5), "march.csv")
    return dataset, run, pipeline, batch


def test_what_one_person_makes_the_others_do_not_see_until_it_is_shared(ann, bob, anns_work):
    dataset, run, pipeline, batch = anns_work
    assert [p.name for p in pipelines.listed(ann)] == ["Churn"]
    assert pipelines.listed(bob) == [] and datasets.list_datasets(bob) == [] and runs.recent(bob) == []
    assert monitoring.history(bob, [run.id]) == []
    for unseen in (
        lambda: runs.get(bob, run.id),
        lambda: runs.results(bob, run.id),
        lambda: datasets.get(bob, dataset_id=dataset.id),
        lambda: pipelines.versions(bob, pipeline.pipeline_id),
        lambda: monitoring.get(bob, batch.id),
    ):
        with pytest.raises(NotFoundError):
            unseen()
    with pytest.raises(NotFoundError):  # nor train on Ann's data
        runs.create(bob, dataset, ROWS, SPEC)

    pipelines.share(ann, pipeline.pipeline_id)
    (shared,) = pipelines.listed(bob)
    assert (shared.name, shared.owner, shared.shared, shared.runs) == ("Churn", "ann", True, 1)
    assert [r.id for r in runs.recent(bob)] == [run.id] and runs.results(bob, run.id)
    assert datasets.get(bob, dataset_id=dataset.id).owner == "ann"  # the data it trained on comes with it
    assert [b.id for b in monitoring.history(bob, [run.id])] == [batch.id]  # batches are seen with their run

    pipelines.share(ann, pipeline.pipeline_id, shared=False)
    assert pipelines.listed(bob) == [] and runs.recent(bob) == [] and datasets.list_datasets(bob) == []


def test_nobody_changes_what_is_not_theirs_even_once_it_is_shared(ann, bob, anns_work):
    dataset, run, pipeline, batch = anns_work
    pipelines.share(ann, pipeline.pipeline_id)
    bobs_batch = monitoring.check(bob, run, make_churn(n_rows=120, seed=6), "april.csv")  # checking is reading
    assert bobs_batch.owner == "bob"
    assert [b.id for b in monitoring.history(bob, [run.id])] == [batch.id, bobs_batch.id]
    assert [b.id for b in monitoring.history(ann, [run.id])] == [batch.id]  # his rows are his
    for refused in (
        lambda: pipelines.rename(bob, pipeline.pipeline_id, "Mine now"),
        lambda: pipelines.archive(bob, pipeline.pipeline_id),
        lambda: pipelines.share(bob, pipeline.pipeline_id, shared=False),
        lambda: pipelines.save(bob, name="Churn", spec=SPEC.replace(evaluation={"seed": 7})),
        lambda: pipelines.save(bob, name="Bob's churn", spec=SPEC, run_id=run.id),
        lambda: runs.cancel(bob, run.id),
        lambda: runs.share(bob, run.id, shared=False),
        lambda: datasets.share(bob, dataset.id, shared=False),
        lambda: monitoring.retrain(bob, batch),
        lambda: monitoring.challenge(bob, batch),
        lambda: monitoring.promote(bob, batch, name="Churn"),
    ):
        with pytest.raises(NotYoursError, match="ann's: only they can change it"):
            refused()
    assert [(v.version, v.pipeline_name) for v in pipelines.versions(ann, pipeline.pipeline_id)] == [(1, "Churn")]

    clone = pipelines.clone(bob, pipeline.pipeline_id, "Bob's churn")  # what he may do: a copy of his own
    pipelines.rename(bob, clone.pipeline_id, "Bob's churn, renamed")
    assert {p.name: p.owner for p in pipelines.listed(bob)} == {"Churn": "ann", "Bob's churn, renamed": "bob"}
    assert [p.name for p in pipelines.listed(ann)] == ["Churn"]


def test_a_private_name_is_only_taken_and_a_team_pipeline_shares_no_ones_private_runs(storage, ann, bob, anns_work):
    with pytest.raises(ValueError, match=r"^The name 'Churn' is taken: choose another\.$"):  # not whose
        pipelines.save(bob, name="Churn", spec=SPEC)
    team = pipelines.save(storage, name="Team churn", spec=SPEC)  # made with sign-in off: everyone's
    _, bobs_run = _train(bob, fingerprint="bobs")
    pipelines.save(bob, name="Team churn", spec=SPEC, run_id=bobs_run.id)  # anyone may file a run under it
    pipelines.share(ann, team.pipeline_id)
    assert runs.recent(ann) == [runs.get(ann, anns_work[1].id)]  # Bob's run stays his


def test_a_run_shared_alone_brings_its_data_and_the_same_bytes_are_each_uploaders_own(ann, bob):
    dataset, run = _train(ann)
    runs.share(ann, run.id)
    assert [r.id for r in runs.recent(bob)] == [run.id]
    assert datasets.get(bob, dataset_id=dataset.id).owner == "ann"
    bobs = datasets.store_derived(bob, ROWS, fingerprint="churn-300", name="my churn.csv", lineage={})
    assert bobs.id != dataset.id and bobs.owner == "bob"
    assert datasets.get(bob, fingerprint="churn-300").id == bobs.id  # his own copy first
    assert datasets.store_derived(ann, ROWS, fingerprint="churn-300", name="again.csv", lineage={}).id == dataset.id


def test_a_draft_is_its_owners_alone(ann, bob, anns_work):
    dataset = anns_work[0]
    drafts.save(ann, key="anns-tab", dataset_id=dataset.id, spec=SPEC)
    assert [d.key for d in drafts.others(ann, key="another-tab")] == ["anns-tab"]
    assert drafts.others(bob, key="bobs-tab") == []
    assert drafts.load(bob, key="anns-tab") is None  # Ann's address, opened by Bob, opens nothing
    assert not drafts.is_free(bob, key="anns-tab") and drafts.is_free(bob, key="bobs-tab")
    with pytest.raises(NotYoursError):
        drafts.save(bob, key="anns-tab", dataset_id=dataset.id, spec=SPEC)
    assert drafts.load(ann, key="anns-tab")[0].owner == "ann"


def test_with_sign_in_off_everything_is_the_teams_and_the_teams_records_stay_so_once_it_is_on(storage, bob):
    dataset, run = _train(storage)  # sign-in off: no one acts
    assert (dataset.owner, run.owner) == ("", "")
    pipeline = pipelines.save(storage, name="Churn", spec=SPEC, run_id=run.id)
    assert [r.id for r in runs.recent(bob)] == [run.id] and pipelines.listed(bob)[0].owner == ""
    pipelines.rename(bob, pipeline.pipeline_id, "Team churn")  # the team's: anyone of it may change it

    anns_dataset, anns_run = _train(storage.acting_as("ann"), fingerprint="anns")
    assert {r.id for r in runs.recent(storage)} == {run.id, anns_run.id}  # no one signed in sees everything
    runs.cancel(storage, anns_run.id)
    datasets.share(storage, anns_dataset.id)

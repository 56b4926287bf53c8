"""The Pipelines page: versions with notes, what changed between two, and their results side by side."""

import time

from tests.ui.conftest import load_sample, open_page, train_here


def _train_and_save(app, seed: int, note: str):
    open_page(app, "3_Train")
    app.multiselect(key="models.classification").set_value(["logistic_regression"]).run()
    app.number_input(key="seed").set_value(seed).run()
    train_here(app)
    open_page(app, "4_Compare")
    next(box for box in app.text_input if box.label == "Pipeline name").set_value("Iris")
    app.text_input[1].set_value(note)
    next(b for b in app.form_submit_button if b.label == "Save pipeline and run").click().run()
    assert "Saved as **Iris**" in app.success[-1].value


def test_two_versions_show_what_changed_and_how_their_results_compare(app):
    load_sample(app, "iris")
    _train_and_save(app, seed=1, note="first try")
    _train_and_save(app, seed=2, note="another seed")
    open_page(app, "5_Pipelines")
    assert app.selectbox(key="version").value.note == "another seed"
    changes = [m.value for m in app.markdown if "Validation: seed" in m.value]
    assert changes and "Validation: seed 1 → 2" in changes[0]
    side_by_side = app.dataframe[-1].value
    assert side_by_side["Version"].tolist() == ["v1", "v2"]
    assert set(side_by_side["Best model"]) <= {"Logistic regression", "Baseline (dummy)"}
    assert not app.exception


def test_a_run_is_reproduced_with_one_click_and_every_score_matches(app):
    load_sample(app, "iris")
    _train_and_save(app, seed=3, note="")
    open_page(app, "5_Pipelines")
    app.button(key="reproduce").click().run()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not app.success:
        time.sleep(0.5)
        app.run()
    assert "Reproduced exactly: every metric of every model is identical." in app.success[0].value
    lineage = {row[""]: row["Value"] for row in app.dataframe[-2].value.to_dict("records")}
    assert lineage["Seed"] == "3" and lineage["Data"].startswith("iris.csv · 150 rows") and "scikit-learn" in lineage
    app.button(key="open_run").click().run()
    assert app.session_state["draft_spec"].evaluation.seed == 3


def test_a_spec_file_is_imported_as_a_pipeline_and_a_bad_one_changes_nothing(app):
    from pipeline_core.spec import default_spec

    open_page(app, "5_Pipelines")
    spec = default_spec(target="species", task="classification")
    app.file_uploader(key="spec_upload").upload("bad.yaml", b"models: [unclosed").run()
    app.text_input(key="spec_import_name").set_value("Iris from file").run()
    app.button(key="spec_import").click().run()
    assert "'bad.yaml' is not valid YAML" in app.error[0].value
    assert "No saved pipelines yet" in app.info[0].value  # nothing stored

    app.file_uploader(key="spec_upload").upload("unknown.json", b'{"data": {"target": "y", "task": "magic"}}').run()
    app.button(key="spec_import").click().run()
    assert "data.task" in app.error[0].value

    app.file_uploader(key="spec_upload").upload("iris.yaml", spec.to_yaml().encode()).run()
    app.button(key="spec_import").click().run()
    assert "Imported as **Iris from file** v1." in app.success[0].value
    app.run()
    assert app.selectbox(key="version").value.note == "imported from iris.yaml"


def test_a_pipeline_is_renamed_cloned_archived_and_the_archive_undone(app):
    from pipeline_core.spec import default_spec
    from storage import repo
    from storage.db import session_scope
    from ui import resources

    with session_scope(resources.engine()) as session:
        repo.save_pipeline(session, name="Iris", spec=default_spec(target="species", task="classification"))
    open_page(app, "5_Pipelines")
    app.text_input(key="rename_to.Iris").set_value("Iris flowers")
    app.button(key="rename").click().run()
    assert app.success[0].value == "Renamed to Iris flowers."
    app.button(key="clone").click().run()
    assert app.dataframe[0].value["Pipeline"].tolist() == ["Iris flowers (copy)", "Iris flowers"]
    app.selectbox(key="pipeline").select_index(1).run()
    app.button(key="archive").click().run()
    assert app.dataframe[0].value["Pipeline"].tolist() == ["Iris flowers (copy)"]
    app.button(key="undo_archive").click().run()
    assert sorted(app.dataframe[0].value["Pipeline"]) == ["Iris flowers", "Iris flowers (copy)"]

"""The Prepare page: steps added, removed, reordered, switched off and duplicated through catalog forms."""

import numpy as np
import pandas as pd

from tests.ui.conftest import load_sample, open_page, train_here


def _kinds(app, branch: str = "numeric") -> list[str]:
    return [step.kind for step in getattr(app.session_state["draft_spec"].preprocessing, branch)]


def _captions(app) -> str:
    return " ".join(caption.value for caption in app.caption)


def _churn(app):
    load_sample(app, "customer_churn")
    return open_page(app, "2_Prepare")


def test_without_data_the_page_says_what_to_do_first(app):
    open_page(app, "2_Prepare")
    assert "No dataset yet" in app.info[0].value


def test_defaults_are_shown_with_their_settings_and_the_preview(app):
    _churn(app)
    assert _kinds(app) == ["numeric_imputer", "standard_scaler"]
    assert _kinds(app, "categorical") == ["categorical_imputer", "levels_encoder"]
    assert app.selectbox(key="numeric.0.numeric_imputer.strategy").value == "median"
    assert "8 columns in, **16 features** out" in _captions(app)  # one-hot: one column per category
    shapes = app.dataframe[0].value
    assert shapes["Output"].tolist()[-1] == "12 columns"


def test_settings_change_the_spec(app):
    _churn(app)
    app.selectbox(key="numeric.0.numeric_imputer.strategy").select("mean").run()
    app.checkbox(key="numeric.0.numeric_imputer.add_indicator").check().run()
    step = app.session_state["draft_spec"].preprocessing.numeric[0]
    assert step.params == {"strategy": "mean", "add_indicator": True}
    assert "8 columns in, **18 features** out" in _captions(app)  # a "was missing" column for the 2 with gaps


def test_steps_are_added_removed_and_reordered(app):
    _churn(app)
    app.button(key="numeric.1.standard_scaler.remove").click().run()
    assert _kinds(app) == ["numeric_imputer"]
    app.selectbox(key="numeric.add.kind").select("robust_scaler").run()
    app.button(key="numeric.add").click().run()
    app.selectbox(key="numeric.add.kind").select("clip_outliers").run()
    app.button(key="numeric.add").click().run()
    assert _kinds(app) == ["numeric_imputer", "robust_scaler", "clip_outliers"]
    app.button(key="numeric.2.clip_outliers.up").click().run()
    assert _kinds(app) == ["numeric_imputer", "clip_outliers", "robust_scaler"]
    app.button(key="numeric.0.numeric_imputer.down").click().run()
    assert _kinds(app) == ["clip_outliers", "numeric_imputer", "robust_scaler"]


def test_a_step_is_duplicated_and_switched_off(app):
    _churn(app)
    app.button(key="categorical.1.levels_encoder.copy").click().run()
    assert _kinds(app, "categorical") == ["categorical_imputer", "levels_encoder", "levels_encoder"]
    app.button(key="categorical.2.levels_encoder.remove").click().run()
    app.toggle(key="numeric.1.standard_scaler.on").set_value(False).run()
    spec = app.session_state["draft_spec"]
    assert [s.enabled for s in spec.preprocessing.numeric] == [True, False]
    assert [s.kind for s in spec.preprocessing.for_type("numeric")] == ["numeric_imputer"]


def test_encoders_change_the_feature_count_and_warnings_come_before_training(app):
    _churn(app)
    app.button(key="categorical.1.levels_encoder.remove").click().run()
    app.selectbox(key="categorical.add.kind").select("frequency_encoder").run()
    app.button(key="categorical.add").click().run()
    assert "8 columns in, **8 features** out" in _captions(app)
    app.selectbox(key="numeric.add.kind").select("power_transform").run()
    app.button(key="numeric.add").click().run()
    app.selectbox(key="numeric.2.power_transform.method").select("box-cox").run()
    assert any("Box-Cox needs positive values; `support_calls`" in w.value for w in app.warning)
    assert not app.exception


def test_a_step_runs_on_the_columns_picked_by_name(app):
    _churn(app)
    app.selectbox(key="categorical.add.kind").select("target_encoder").run()
    app.button(key="categorical.add").click().run()
    app.multiselect(key="categorical.2.target_encoder.columns").select("payment_method").run()
    assert app.error and "has already turned it into new columns" in app.error[0].value  # after one-hot: refused
    app.button(key="categorical.2.target_encoder.up").click().run()
    app.multiselect(key="categorical.2.levels_encoder.columns").select("contract").select("internet_service").run()
    assert "(senior_citizen) need a step that turns them into numbers" in app.error[0].value  # left unencoded
    app.multiselect(key="categorical.2.levels_encoder.columns").select("senior_citizen").run()
    steps = app.session_state["draft_spec"].preprocessing.categorical
    assert [(s.kind, s.columns) for s in steps[1:]] == [
        ("target_encoder", ["payment_method"]),
        ("levels_encoder", ["contract", "internet_service", "senior_citizen"]),
    ]
    assert not app.error
    prepared = app.dataframe[1].value
    assert "payment_method" in prepared.columns and "contract_month-to-month" in prepared.columns


def test_dates_and_free_text_get_their_own_steps_and_train(app):
    rng = np.random.default_rng(2)
    n = 120
    frame = pd.DataFrame(
        {
            "opened": pd.date_range("2015-01-01", periods=n, freq="9D").strftime("%d/%m/%Y"),
            "review": [
                " ".join(rng.choice(["kind", "rude", "slow", "clean", "busy", "staff", "shop"], 7)) for _ in range(n)
            ],
            "staff": rng.integers(2, 30, n),
            "profitable": rng.choice(["oui", "non"], n),
        }
    )
    open_page(app, "1_Data")
    app.file_uploader(key="upload").upload("shops.csv", frame.to_csv(index=False).encode()).run()
    open_page(app, "2_Prepare")
    headers = [h.value for h in app.subheader]
    assert "Date columns (1)" in headers and "Text columns (1)" in headers
    assert _kinds(app, "datetime") == ["date_parts", "standard_scaler"] and _kinds(app, "text") == ["tfidf"]
    assert not app.error
    train_here(app)


def test_steps_on_all_features_select_or_extract_after_the_groups_join(app):
    _churn(app)
    app.selectbox(key="combined.add.kind").select("select_k_best").run()
    app.button(key="combined.add").click().run()
    app.number_input(key="combined.0.select_k_best.k").set_value(5).run()
    assert "8 columns in, **5 features** out" in _captions(app)
    app.button(key="combined.0.select_k_best.remove").click().run()
    app.selectbox(key="combined.add.kind").select("pca").run()
    app.button(key="combined.add").click().run()
    assert _kinds(app, "combined") == ["pca"]
    assert not app.error and not app.exception


def test_a_tsne_map_of_the_prepared_sample_is_drawn_on_request(app):
    load_sample(app, "iris")
    open_page(app, "2_Prepare")
    app.button(key="tsne").click().run()
    assert not app.exception
    chart = app.get("plotly_chart")[0]
    assert "t-SNE map of 150 prepared rows" in chart.proto.spec

"""The Export page scores new rows with the chosen model, after checking them against the training columns."""

from pipeline_core.data.samples import SAMPLES
from tests.ui.conftest import open_page, train_sample


def test_new_rows_are_scored_and_a_file_with_wrong_columns_is_refused(app):
    train_sample(app, "iris", ["logistic_regression"])
    open_page(app, "6_Export")
    script = next(code.value for code in app.code if "def preparation():" in code.value)
    assert "LogisticRegression(max_iter=1000, random_state=42)" in script and "from pipeline_core" not in script
    card = app.get("download_button")
    assert {"card_md", "card_html", "script", "data_parquet", "bundle", "joblib"} <= {button.key for button in card}
    rows = SAMPLES["iris"].make().drop(columns=["species"]).head(12)

    app.file_uploader(key="score_upload").upload("new.csv", rows.to_csv(index=False).encode()).run()
    scored = app.dataframe[-1].value
    assert len(scored) == 12 and list(scored.columns[:2]) == ["prediction", "probability setosa"]  # first
    assert not app.error

    broken = rows.rename(columns={"petal width (cm)": "Petal Width (cm)"})
    app.file_uploader(key="score_upload").upload("broken.csv", broken.to_csv(index=False).encode()).run()
    assert (
        "missing a column the model needs: 'petal width (cm)' (perhaps this file's 'Petal Width (cm)', renamed)"
        in app.error[0].value
    )
    assert "Columns the model does not use: 'Petal Width (cm)'" in app.error[0].value
    assert not app.exception

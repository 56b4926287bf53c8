"""The model card says what the model is, what made it, how well it does and its limits."""

from types import SimpleNamespace

from pipeline_core.export import card
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.curves import Importance
from pipeline_core.train.supervised import train


def test_the_card_names_the_model_its_data_steps_scores_significance_and_lineage(churn):
    spec = default_spec(
        target="churn",
        task="classification",
        roles={"customer_id": "id"},
        dataset_name="churn.csv",
        column_types={"tenure_months": "numeric", "contract": "categorical", "customer_id": "categorical"},
    )
    spec = PipelineSpec.from_dict(
        spec.model_dump() | {"models": [{"kind": "logistic_regression", "params": {"C": 0.5}}]}
    )
    result = train(spec, churn)
    run = SimpleNamespace(
        id=7,
        n_train=result.n_train,
        spec_hash=spec.content_hash(),
        seed=42,
        started_at=None,
        finished_at=None,
        library_versions={"scikit-learn": "1.9.1"},
    )
    dataset = SimpleNamespace(name="churn.csv", n_rows=len(churn), fingerprint="abc123")
    sections = card.card_sections(
        spec, result.models, "logistic_regression", card.lineage(run, dataset, ["tenure_months"])
    )
    text = card.markdown("Churn", sections)
    assert "What drives its predictions\n\nNot worked out" in text
    drivers = Importance(metric="roc_auc", features=["contract", "tenure_months"], mean=[0.02, 0.1], std=[0, 0])
    ranked = card.markdown("Churn", card.card_sections(spec, result.models, "logistic_regression", {}, drivers))
    assert ranked.index("- `tenure_months`: ROC AUC drops by 0.100") < ranked.index("- `contract`: ROC AUC")
    assert "**Logistic regression** (Inverse regularisation (C) = 0.5" in text
    assert "5-fold stratified cross-validation" in text and "| Model |" in text
    assert "is better than Baseline (dummy)" in text
    assert "- **Spec sha256:** " + spec.content_hash() in text and "- **scikit-learn:** 1.9.1" in text
    page = card.html_page("Churn <&>", sections, result.models, "balanced_accuracy", "classification")
    assert "Churn &lt;&amp;&gt;" in page and page.count("plotly.js") >= 1 and "ROC curves" in page
    assert "<strong>Logistic regression</strong>" in page and "<table>" in page and "**Logistic" not in page  # rendered
    assert "**Numeric:**" in text and "**Dates:**" not in text and "**Text:**" not in text  # the groups it has

"""The Data page: loading, reading options, types and roles, and the validation report with its fixes."""

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline_core.data.samples import make_churn
from tests.ui.conftest import load_sample, open_page


def _upload(app, name: str, data: bytes):
    open_page(app, "1_Data")
    app.file_uploader(key="upload").upload(name, data).run()
    assert not app.exception, app.exception
    return app


def _findings(app) -> str:
    return " ".join(box.value for box in [*app.error, *app.warning, *app.info])


def test_a_sample_loads_with_target_task_and_column_types(app):
    load_sample(app, "diabetes")
    assert [m.value for m in app.metric] == ["442", "11", "0", "0"]
    assert app.session_state["draft_spec"].data.target == "progression"
    assert app.radio[0].value == "regression"
    assert "Ready: predict `progression`" in app.success[0].value
    columns = app.dataframe[2].value.set_index("Column")
    assert columns.loc["sex", "Type"] == "numeric" and columns.loc["progression", "Role"] == "target"
    assert len(app.get("plotly_chart")) >= 1


def test_an_upload_with_an_id_column_keeps_it_out_and_the_task_can_be_overridden(app):
    _upload(app, "churn.csv", make_churn(200).to_csv(index=False).encode())
    assert "`customer_id` is different in every row" in _findings(app)
    spec = app.session_state["draft_spec"]
    assert spec.data.target == "churn" and spec.data.column_types["customer_id"] == "id"
    app.radio[0].set_value("regression").run()
    assert "Regression needs a numeric target" in app.error[0].value


def test_bad_files_get_a_message_and_nothing_is_stored(app, data_dir):
    open_page(app, "1_Data")
    for name, data, message in [
        ("empty.csv", b"", "is empty (0 bytes)"),
        ("header.csv", b"a,b\n", "has a header but no data rows"),
        ("junk.csv", b"\x00\x01\x02\x03binary", "looks like a binary file"),
        ("ragged.csv", b"a,b\n1,2\n3,4,5\n", "has 3 fields where the header has 2"),
    ]:
        app.file_uploader(key="upload").upload(name, data).run()
        assert not app.exception
        assert message in app.error[0].value
        app.file_uploader(key="upload").clear().run()
    assert not list((data_dir / "artifacts").glob("*/*"))  # no file stored


def test_renamed_and_markup_headers_are_noted_and_shown_as_text(app):
    frame = pd.DataFrame(np.arange(90).reshape(30, 3), columns=["x", "x", "<b>bold</b>"])
    frame["y"] = ["a", "b"] * 15
    _upload(app, "dup.csv", frame.to_csv(index=False).encode())
    assert "More than one column was named 'x': column 2 is now 'x_2'." in _findings(app)
    assert "<b>bold</b>" in app.dataframe[1].value.columns
    assert not app.get("html")


def test_numbers_as_text_are_offered_as_a_conversion_that_changes_the_spec(app):
    frame = pd.DataFrame(
        {
            "revenue": [f"${v:,.2f}" for v in np.linspace(1000, 90000, 60)],
            "margin": [f"{v:.1f}%" for v in np.linspace(-5, 30, 60)],
            "profitable": ["yes", "no", "no"] * 20,
        }
    )
    _upload(app, "shops.csv", frame.to_csv(index=False).encode())
    assert "`revenue` holds numbers written as text" in _findings(app)
    app.button(key="fix.numbers_as_text.revenue").click().run()
    spec = app.session_state["draft_spec"]
    assert spec.data.column_types["revenue"] == "numeric"
    assert "`revenue` holds numbers" not in _findings(app)
    assert app.dataframe[2].value.set_index("Column").loc["revenue", "Summary"].startswith("1000")


def test_duplicates_missing_target_and_leak_are_found_and_fixed_in_one_click(app):
    frame = make_churn(300)
    frame.insert(0, "refund_issued", (frame["churn"] == "yes").map({True: "Y", False: "N"}))  # known only after
    frame.loc[:4, "churn"] = None
    frame = pd.concat([frame, frame.iloc[10:20]])
    _upload(app, "leaky.csv", frame.to_csv(index=False).encode())
    text = _findings(app)
    assert "10 rows (3.2%) repeat an earlier row exactly" in text
    assert "The target `churn` is missing in 5 rows" in text
    assert "`refund_issued` alone predicts `churn` almost perfectly" in text
    for key in ["fix.duplicate_rows.None", "fix.missing_target.churn", "fix.leakage.refund_issued"]:
        app.button(key=key).click().run()
        assert not app.exception
    data = app.session_state["draft_spec"].data
    assert data.row_steps == ["drop_duplicates", "drop_missing_target"]
    assert data.roles == {"refund_issued": "ignore"}
    assert "Ready: predict `churn`" in app.success[0].value


def test_a_type_and_role_can_be_set_for_any_column(app):
    load_sample(app, "customer_churn")
    app.selectbox(key="edit.column").select("tenure_months").run()
    app.selectbox(key="edit.type.tenure_months.numeric").select("categorical").run()
    app.selectbox(key="edit.role.tenure_months.feature").select("ignore").run()
    data = app.session_state["draft_spec"].data
    assert data.column_types["tenure_months"] == "categorical" and data.roles["tenure_months"] == "ignore"


def test_read_options_can_be_changed_and_the_file_read_again(app):
    _upload(app, "semi.csv", b"a;b;y\n" + b"".join(f"{i},5;{i};{i % 2}\n".encode() for i in range(40)))
    dataset = app.session_state["dataset"]
    assert dataset.read_options["delimiter"] == ";" and dataset.read_options["decimal"] == ","
    app.selectbox(key="read.decimal").select(".").run()
    app.button(key="read.again").click().run()
    assert not app.exception
    reread = app.session_state["dataset"]
    assert reread.fingerprint != dataset.fingerprint and reread.read_options["decimal"] == "."


def test_an_excel_upload_reads_its_first_sheet(app):
    buffer = io.BytesIO()
    make_churn(100).to_excel(buffer, index=False, sheet_name="customers")
    _upload(app, "book.xlsx", buffer.getvalue())
    assert app.session_state["dataset"].read_options["sheet"] == "customers"
    assert [m.value for m in app.metric][:2] == ["100", "10"]


def test_stored_datasets_are_listed_and_reopened(app):
    load_sample(app, "iris")
    load_sample(app, "diabetes")
    stored = app.dataframe[0].value
    assert set(stored["Name"]) == {"iris.csv", "diabetes.csv"}
    app.selectbox(key="stored_dataset").select_index(1).run()
    app.button(key="open_stored").click().run()
    assert app.session_state["dataset"].name == "iris.csv"


def test_a_huge_cell_and_an_empty_column_are_shown_and_reported(app):
    frame = make_churn(60).assign(notes="", comment="short")
    frame.loc[0, "comment"] = "x" * 10_000
    frame["notes"] = None
    _upload(app, "odd.csv", frame.to_csv(index=False).encode())
    assert "`notes` is empty in every row." in _findings(app)
    assert app.dataframe[1].value["comment"].str.len().max() == 10_000


def test_the_upload_limit_comes_from_the_config_and_is_stated(app):
    open_page(app, "1_Data")
    config = (Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text()
    limit = int(re.search(r"maxUploadSize\s*=\s*(\d+)", config).group(1))
    assert f"up to {limit} MB" in app.file_uploader(key="upload").label


def test_reading_again_keeps_the_target_and_roles_and_refuses_a_decimal_equal_to_the_delimiter(app):
    frame = pd.DataFrame({"staff": ["2,000", "7,000"] * 15, "city": ["a", "b", "c"] * 10, "y": [0.5, 1.5] * 15})
    _upload(app, "s.csv", frame.to_csv(index=False).encode())
    app.selectbox(key="edit.column").select("city").run()
    app.selectbox(key="edit.role.city.feature").select("ignore").run()
    app.selectbox(key="read.decimal").select(",").run()
    app.button(key="read.again").click().run()
    assert "The decimal mark cannot also be the delimiter" in app.error[0].value
    app.selectbox(key="read.decimal").select(".").run()
    app.selectbox(key="read.encoding").select("latin-1").run()
    app.button(key="read.again").click().run()
    data = app.session_state["draft_spec"].data
    assert app.session_state["dataset"].read_options["encoding"] == "latin-1"
    assert (data.target, data.task, data.roles) == ("y", "regression", {"city": "ignore"})


def test_a_target_read_as_numbers_switches_the_task_to_regression(app):
    frame = pd.DataFrame({"x": np.arange(60.0), "margin": [f"{v:.1f}%" for v in np.linspace(-5, 30, 60)]})
    _upload(app, "m.csv", frame.to_csv(index=False).encode())
    assert "looks like an identifier or a measurement" in app.error[0].value
    app.button(key="fix.numbers_as_text.margin").click().run()
    assert app.session_state["draft_spec"].data.task == "regression"
    assert app.radio[0].value == "regression"
    assert "Ready: predict `margin` (regression" in app.success[0].value


def test_rows_are_filtered_from_pickers_before_the_split(app):
    load_sample(app, "customer_churn")
    app.selectbox(key="filter.column").select("tenure_months").run()
    app.selectbox(key="filter.operator").select("ge").run()
    app.text_input(key="filter.value").input("12").run()
    app.button(key="filter.add").click().run()
    [row_filter] = app.session_state["draft_spec"].data.filters
    assert (row_filter.column, row_filter.operator, row_filter.value) == ("tenure_months", "ge", "12")
    app.selectbox(key="filter.column").select("contract").run()
    app.selectbox(key="filter.operator").select("lt").run()
    app.text_input(key="filter.value").input("b").run()
    app.button(key="filter.add").click().run()
    assert "orders a column of text" in app.error[0].value
    app.button(key="filter.0.remove").click().run()
    assert app.session_state["draft_spec"].data.filters == []


def test_a_transactions_table_becomes_one_row_per_customer_with_a_churn_label(app):
    rng = np.random.default_rng(4)
    orders = pd.DataFrame(
        {
            "customer": [f"C{i % 40:03d}" for i in range(400)],
            "order_date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, 400), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "amount": rng.uniform(5, 200, 400).round(2),
        }
    )
    _upload(app, "orders.csv", orders.to_csv(index=False).encode())
    source = app.session_state["dataset"]
    assert any("looks like a table of purchases" in box.value for box in app.info)  # pointed to the tab
    key = source.fingerprint[:12]
    picked = [app.selectbox(key=f"rfm.{name}.{key}").value for name in ("customer", "date", "amount")]
    assert picked == ["customer", "order_date", "amount"]  # guessed by type and name
    assert (
        str(app.date_input(key=f"rfm.cutoff.{key}.order_date.90.churned").value) == "2024-10-01"
    )  # 90 days before the last
    assert any("from 2024-10-02 to 2024-12-30" in caption.value for caption in app.caption)
    app.button(key="rfm.build").click().run()
    assert not app.exception
    derived = app.session_state["dataset"]
    assert derived.lineage["source_fingerprint"] == source.fingerprint
    assert derived.n_columns == 7 and derived.n_rows == 40
    assert app.session_state["draft_spec"].data.target == "churned"

    # Again from the table built, framed the other way and with another cutoff: nothing picked again
    app.selectbox(key=f"rfm.label.{key}").select("buys_again").run()
    app.date_input(key=f"rfm.cutoff.{key}.order_date.90.buys_again").set_value(pd.Timestamp("2024-09-01").date()).run()
    app.button(key="rfm.build").click().run()
    again = app.session_state["dataset"]
    assert again.lineage["source_fingerprint"] == source.fingerprint and again.id != derived.id
    assert app.session_state["draft_spec"].data.target == "buys_again"
    app.date_input(key=f"rfm.cutoff.{key}.order_date.90.buys_again").set_value(pd.Timestamp("2024-12-01").date()).run()
    app.button(key="rfm.build").click().run()
    assert "the last transaction is on 2024-12-30" in app.error[0].value  # the label's days run past the data


def test_the_target_is_guessed_by_name_wherever_it_stands_and_the_details_follow_a_new_target(app):
    frame = make_churn(200)
    frame = frame[["churn", *[c for c in frame.columns if c != "churn"]]]  # first, not last
    _upload(app, "churn_first.csv", frame.to_csv(index=False).encode())
    assert app.session_state["draft_spec"].data.target == "churn"
    assert any("Guessed: its name, `churn`" in caption.value for caption in app.caption)
    details = next(box for box in app.selectbox if box.key.startswith("detail.column"))
    assert details.value == "churn"
    next(box for box in app.selectbox if box.key.startswith("target.")).select("monthly_charges").run()
    assert next(box for box in app.selectbox if box.key.startswith("detail.column")).value == "monthly_charges"
    assert not any(caption.value.startswith("Guessed:") for caption in app.caption)  # the analyst chose this one

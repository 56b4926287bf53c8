"""Data: load a table, see how it was read, choose what to predict, and read the validation report."""

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from pipeline_core.columns import COLUMN_TYPES, ROLES, parse_dates, read_as
from pipeline_core.compare.charts import column_distribution, correlation_heatmap, predictive_power
from pipeline_core.data import aggregate
from pipeline_core.data.ingest import DELIMITERS, ENCODINGS, SUFFIXES, ReadOptions, infer_task
from pipeline_core.data.report import apply_fix
from pipeline_core.data.samples import SAMPLES
from pipeline_core.errors import DataError, PipelineCoreError
from pipeline_core.prepare.build import unused_columns
from pipeline_core.prepare.rows import keep_rows, prepare_rows
from pipeline_core.spec import OPERATORS, ROW_STEPS, PipelineSpec, RowFilter
from services import datasets as datasets_service
from storage.errors import StorageError
from storage.models import DatasetRead
from ui import datasets, resources, signin, state
from ui.messages import as_markdown
from ui.page import setup

setup("Data")
SEVERITY_BOXES = {"high": st.error, "medium": st.warning, "low": st.info}


def update_data(spec: PipelineSpec, **changes) -> None:
    """Change the data part of the draft."""
    state.set_spec(spec.with_data(**changes))


def sources() -> None:
    upload_tab, sample_tab, stored_tab, rfm_tab = st.tabs(
        ["Upload a file", "Sample datasets", "Stored datasets", "Customer aggregation (RFM)"]
    )
    with upload_tab:
        limit = st.get_option("server.maxUploadSize")
        upload = st.file_uploader(
            f"A table: CSV, TSV, TXT, Excel, Parquet, JSON or JSON Lines, up to {limit} MB",
            type=[suffix.lstrip(".") for suffix in SUFFIXES],
            key="upload",
        )
        if upload is not None and st.session_state.get("loaded_upload") != upload.file_id:
            st.session_state["loaded_upload"] = upload.file_id
            datasets.load(upload.getvalue(), upload.name)
    with sample_tab:
        choice = st.selectbox("Sample", list(SAMPLES), format_func=lambda key: SAMPLES[key].label, key="sample")
        st.caption(SAMPLES[choice].description)
        if st.button("Load sample", key="load_sample", type="primary"):
            sample = SAMPLES[choice]
            datasets.load(sample.csv_bytes(), sample.filename, target=sample.target)
    with stored_tab:
        stored_datasets()
    with rfm_tab:
        customer_aggregation()


def _size(n_bytes: int) -> str:
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    return f"{n_bytes / 1024:,.1f} KB" if n_bytes < 1024**2 else f"{n_bytes / 1024**2:,.1f} MB"


def _reading(options: dict) -> str:
    if options.get("format") == "text":
        return f"{DELIMITERS.get(options['delimiter'], options['delimiter'])}-separated, decimal '{options['decimal']}'"
    return f"sheet '{options['sheet']}'" if options.get("sheet") else options.get("format", "")


def stored_datasets() -> None:
    current = state.dataset()
    stored = datasets_service.list_datasets(resources.storage())
    if not stored:
        st.caption("Every file you load is stored here once, by its content.")
        return
    st.dataframe(
        [
            {
                "Name": d.name,
                "Rows": d.n_rows,
                "Columns": d.n_columns,
                "Size": _size(d.size_bytes),
                "Read as": f"derived: {d.name}" if d.lineage else _reading(d.read_options),
                "Open now": "✓" if current and d.id == current.id else "",
                "Added": f"{d.created_at:%Y-%m-%d %H:%M}",
            }
            | signin.ownership(d)
            for d in stored
        ],
        hide_index=True,
    )
    chosen = st.selectbox(
        "Dataset", stored, format_func=lambda d: f"{d.name} · {d.n_rows:,} × {d.n_columns}", key="stored_dataset"
    )
    open_it, share_it = st.columns([1, 4], vertical_alignment="center")
    if open_it.button("Open", key="open_stored"):
        datasets.open_dataset(chosen, resources.dataset_frame(chosen))
    signin.share_switch(chosen, datasets_service.share, what="it and can train on it", where=share_it)


def customer_aggregation() -> None:
    """One row per customer from a transactions table, as a new dataset that records its source. Opened on a
    table built here, it builds again from the same transactions, with the settings used as the start."""
    source, settings = _transactions()
    if source is None:
        st.caption("Open a transactions table first (one row per order: customer, date, amount).")
        return
    frame = resources.dataset_frame(source)
    types = datasets.inferred_types(source.fingerprint, frame) if settings else state.spec().data.column_types
    guess = datasets.purchases_guess(source.fingerprint, frame, types)
    start = settings or (guess.model_dump() if guess else {})
    columns = list(frame.columns)
    built_from = "Built from" if settings else "From"
    st.caption(f"{built_from} **{as_markdown(source.name)}**: recency, frequency and monetary value per customer.")
    key = source.fingerprint[:12]  # another table starts from its own guesses

    def pick(column, label: str, options: list[str], name: str) -> str:
        index = options.index(start[name]) if start.get(name) in options else 0
        return column.selectbox(label, options, index=index, key=f"rfm.{name}.{key}")

    who, when, how_much = st.columns(3)
    customer = pick(who, "Customer column", columns, "customer")
    date = pick(when, "Date column", [c for c in columns if types.get(c) == "datetime"] or columns, "date")
    amount = pick(how_much, "Amount column", [c for c in columns if types.get(c) == "numeric"] or columns, "amount")
    label_col, days_col, cutoff_col = st.columns(3)
    labels = ["churned", "buys_again", None]
    label = label_col.selectbox(
        "Label",
        labels,
        index=labels.index(start.get("label", "churned") if start.get("churn_days", 90) else None),
        format_func=lambda name: "No label" if name is None else f"{name}: 'yes' when {aggregate.LABELS[name]} follows",
        key=f"rfm.label.{key}",
    )
    days = days_col.number_input(
        "Days after the cutoff the label looks at", 1, 3650, start.get("churn_days") or 90, key=f"rfm.days.{key}"
    )
    last = parse_dates(frame[date]).max()
    proposed = last - pd.Timedelta(days=days if label else 0) if pd.notna(last) else None
    cutoff = cutoff_col.date_input(
        "Cutoff date",
        value=pd.Timestamp(start["cutoff"]).date() if "cutoff" in start else proposed and proposed.date(),
        key=f"rfm.cutoff.{key}.{date}.{days}.{label}",  # other days or label: the cutoff proposed afresh
        help="Proposed: the last transaction's date less the label's days, so the label sees whole windows.",
    )
    if cutoff is None:
        st.caption("Pick a cutoff date: the date column holds no date to propose one from.")
        return
    spec = aggregate.RFMSpec(
        customer=customer,
        date=date,
        amount=amount,
        cutoff=str(cutoff),
        churn_days=days if label else None,
        label=label or "churned",
    )
    st.caption(as_markdown(aggregate.windows(spec)))
    if st.button("Build the customer table", key="rfm.build", type="primary"):
        try:
            table = aggregate.rfm(frame, spec)
            derived = datasets_service.store_derived(
                resources.storage(),
                table,
                fingerprint=spec.fingerprint(source.fingerprint),
                name=aggregate.describe(spec),
                lineage=aggregate.lineage(spec, source.fingerprint),
            )
        except (DataError, StorageError) as error:
            st.error(as_markdown(str(error)))
            return
        datasets.open_dataset(derived, table, target=spec.label if label else None)
        st.rerun()


def _transactions() -> tuple[DatasetRead | None, dict | None]:
    """The transactions table to aggregate, and the settings it was last aggregated with when the open
    dataset is such an aggregate (else None: the open dataset is the transactions)."""
    dataset = state.dataset()
    lineage = (dataset.lineage or {}) if dataset else {}
    if lineage.get("aggregation") != "rfm":
        return dataset, None
    try:
        source = datasets_service.get(resources.storage(), fingerprint=lineage["source_fingerprint"])
    except StorageError:  # its source is gone: what is open is all there is
        return dataset, None
    return source, lineage["settings"]


def read_options(dataset) -> None:
    options = ReadOptions(**dataset.read_options) if dataset.read_options else None
    if options is None or options.format not in ("text", "excel"):
        return
    with st.expander("How the file was read"):
        if options.format == "excel":
            sheets = datasets.excel_sheets(dataset)
            changed = {"sheet": st.selectbox("Sheet", sheets, index=sheets.index(options.sheet), key="read.sheet")}
        else:
            columns = st.columns(4)
            delimiters = list(DELIMITERS)
            changed = {
                "encoding": columns[0].selectbox(
                    "Encoding",
                    ENCODINGS,
                    index=ENCODINGS.index(options.encoding) if options.encoding in ENCODINGS else 0,
                    key="read.encoding",
                ),
                "delimiter": columns[1].selectbox(
                    "Delimiter",
                    delimiters,
                    format_func=DELIMITERS.get,
                    index=delimiters.index(options.delimiter),
                    key="read.delimiter",
                ),
                "decimal": columns[2].selectbox(
                    "Decimal mark", [".", ","], index=[".", ","].index(options.decimal), key="read.decimal"
                ),
                "quotechar": columns[3].selectbox(
                    "Quote character", ['"', "'"], index=['"', "'"].index(options.quotechar), key="read.quote"
                ),
            }
        if st.button("Read again with these settings", key="read.again"):
            try:
                new_options = ReadOptions(**options.model_dump() | changed)
            except ValidationError as error:
                st.error(as_markdown(error.errors()[0]["msg"].removeprefix("Value error, ")))
                return
            source = datasets_service.source(resources.storage(), dataset)
            if datasets.load(source, dataset.name, options=new_options, keep=state.spec()):
                st.rerun()


def _inferred_task(spec: PipelineSpec, frame: pd.DataFrame, target: str) -> str:
    return infer_task(read_as(frame[target], spec.data.column_types.get(target)))


def target_section(spec: PipelineSpec, frame: pd.DataFrame) -> None:
    st.subheader("What to predict")
    key = spec.data.dataset_fingerprint[:12]
    left, right = st.columns(2)
    columns = list(frame.columns)
    # Keys carry the current value, so a change made elsewhere (a fix, a reload) starts a fresh widget.
    target = left.selectbox(
        "Target column", columns, index=columns.index(spec.data.target), key=f"target.{key}.{spec.data.target}"
    )
    guess = datasets.target_guess(spec.data.dataset_fingerprint, frame, spec.data.column_types)
    if target == guess.column:
        left.caption(as_markdown(f"Guessed: {guess.reason}. Pick another if this is not what to predict."))
    if target != spec.data.target:
        update_data(
            spec,
            target=target,
            task=_inferred_task(spec, frame, target),
            roles={c: r for c, r in spec.data.roles.items() if c != target},
        )
        st.rerun()
    inferred = _inferred_task(spec, frame, target)
    tasks = ["classification", "regression", "clustering"]
    task = right.radio(
        "Task",
        tasks,
        index=tasks.index(spec.data.task),
        horizontal=True,
        key=f"task.{key}.{target}.{spec.data.task}",
        help=f"Inferred from the target: {inferred}. Clustering finds groups of similar rows instead: the target "
        "column is then left out of the grouping and only describes the groups afterwards.",
    )
    if task != spec.data.task:
        try:
            update_data(spec, task=task)
        except PipelineCoreError as error:  # e.g. target encoding has no target to learn from in clustering
            st.error(as_markdown(str(error)))
        else:
            st.rerun()
    for step in spec.data.row_steps:
        text, undo = st.columns([5, 1])
        text.info(f"Before the split: **{ROW_STEPS[step]}**", icon=":material/cleaning_services:")
        if undo.button("Undo", key=f"undo.{step}"):
            update_data(spec, row_steps=[s for s in spec.data.row_steps if s != step])
            st.rerun()
    try:
        values = prepare_rows(spec, frame)[target]
    except DataError as error:
        st.error(as_markdown(str(error)))
    else:
        if task == "clustering":
            ready = f"Ready: group similar rows; `{target}` is left out and describes the groups afterwards."
        else:
            summary = (
                f"{values.nunique()} classes"
                if task == "classification"
                else f"values from {values.min():g} to {values.max():g}"
            )
            ready = f"Ready: predict `{target}` ({task}, {summary})."
        st.success(as_markdown(f"{ready} Next, review the preparation steps."))
        st.page_link("pages/2_Prepare.py", label="Go to Prepare", icon=":material/tune:")


def filters_section(spec: PipelineSpec, frame: pd.DataFrame) -> None:
    """Row filters built from pickers, applied before the split."""
    with st.expander(f"Keep only some rows ({len(spec.data.filters)} filter(s))", expanded=bool(spec.data.filters)):
        for index, row_filter in enumerate(spec.data.filters):
            text, undo = st.columns([5, 1], vertical_alignment="center")
            text.markdown(
                as_markdown(
                    f"Keep rows where `{row_filter.column}` {OPERATORS[row_filter.operator]}"
                    + ("" if row_filter.value is None else f" `{row_filter.value}`")
                )
            )
            if undo.button("Remove", key=f"filter.{index}.remove"):
                update_data(spec, filters=[f.model_dump() for i, f in enumerate(spec.data.filters) if i != index])
                st.rerun()
        column, operator, value, add = st.columns([3, 2, 3, 1], vertical_alignment="bottom")
        name = column.selectbox("Column", list(frame.columns), key="filter.column")
        op = operator.selectbox("Condition", list(OPERATORS), format_func=OPERATORS.get, key="filter.operator")
        typed = value.text_input("Value", key="filter.value", disabled=op in ("missing", "present"))
        if add.button("Add", key="filter.add"):
            try:
                new = RowFilter(column=name, operator=op, value=typed or None)
                kept = int(keep_rows(frame, new).sum())
            except (ValidationError, DataError) as error:
                message = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
                st.error(as_markdown(message.removeprefix("Value error, ")))
                return
            update_data(spec, filters=[*[f.model_dump() for f in spec.data.filters], new.model_dump()])
            st.toast(f"{kept:,} of {len(frame):,} rows match.")
            st.rerun()


def columns_section(spec: PipelineSpec, frame: pd.DataFrame, report) -> None:
    st.subheader("Columns")
    unused = unused_columns(spec, frame)  # the role column says why a column is not a feature
    unused[spec.data.target] = "target"
    table = pd.DataFrame(
        [
            {
                "Column": name,
                "Type": summary.type,
                "Role": unused.get(name, "feature"),
                "Missing": f"{summary.missing:,} ({summary.missing / report.n_rows:.0%})" if summary.missing else "",
                "Distinct": summary.distinct,
                "Summary": _describe(summary),
            }
            for name, summary in report.columns.items()
        ]
    )
    st.dataframe(table, hide_index=True, height="content" if len(table) <= 15 else 420)
    st.caption("Change how a column is read or used:")
    pick, kind, role = st.columns(3)
    names = [c for c in report.columns if c != spec.data.target]
    if not names:
        st.caption("The target is the only column: there is nothing to learn from.")
        return
    column = pick.selectbox("Column", names, key="edit.column")
    current_type = report.columns[column].type
    new_type = kind.selectbox(
        "Type", COLUMN_TYPES, index=COLUMN_TYPES.index(current_type), key=f"edit.type.{column}.{current_type}"
    )
    current_role = spec.data.roles.get(column, "feature")
    roles = list(ROLES)
    new_role = role.selectbox(
        "Role", roles, index=roles.index(current_role), format_func=ROLES.get, key=f"edit.role.{column}.{current_role}"
    )
    if new_type != current_type or new_role != current_role:
        new_roles = {c: r for c, r in spec.data.roles.items() if c != column}
        if new_role != "feature":
            new_roles[column] = new_role
        update_data(spec, column_types=spec.data.column_types | {column: new_type}, roles=new_roles)
        st.rerun()


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


def _describe(summary) -> str:
    if summary.stats:
        s = summary.stats
        return f"{_number(s['min'])} … {_number(s['max'])}, median {_number(s['median'])}"
    if summary.date_format:
        return f"dates, format {summary.date_format}"
    return ", ".join(f"{value} ({count})" for value, count in summary.top[:3])


def findings_section(spec: PipelineSpec, frame: pd.DataFrame, report) -> None:
    st.subheader("Validation report")
    counts = {level: sum(f.severity == level for f in report.findings) for level in SEVERITY_BOXES}
    st.caption(
        f"{counts['high']} serious, {counts['medium']} to review, {counts['low']} for information. Counts use all "
        f"{report.n_rows:,} rows; predictive checks and correlations use {min(report.sample_rows, report.n_rows):,}."
    )
    if not report.findings:
        st.success("Nothing found that would spoil a model.")
    for finding in report.findings:
        message, action = st.columns([5, 1], vertical_alignment="center")
        with message:
            SEVERITY_BOXES[finding.severity](as_markdown(finding.message))
        if finding.fix and action.button(finding.fix.label, key=f"fix.{finding.kind}.{finding.column}"):
            fixed = apply_fix(spec, finding.fix)
            state.set_spec(fixed)
            if spec.data.target in finding.fix.column_types:  # a target read as numbers may be a regression now
                update_data(fixed, task=_inferred_task(fixed, frame, spec.data.target))
            st.rerun()


def details_section(spec: PipelineSpec, frame: pd.DataFrame, report) -> None:
    column_tab, correlation_tab, power_tab = st.tabs(["Column details", "Correlations", "Predictive power"])
    with column_tab:
        column = st.selectbox(
            "Column",
            list(frame.columns),
            key=f"detail.column.{spec.data.target}",  # a new target starts the details on it
            index=list(frame.columns).index(spec.data.target),
        )
        summary = report.columns[column]
        numeric = bool(summary.stats)
        values = read_as(frame[column], summary.type)
        left, right = st.columns([2, 1])
        left.plotly_chart(
            column_distribution(
                values.sample(min(len(values), 50_000), random_state=0),
                numeric=numeric,
                title=f"{column} ({summary.type})",
            ),
            key="detail.chart",
        )
        right.dataframe(pd.Series(summary.stats or dict(summary.top), name="value"), height="content")
    with correlation_tab:
        if report.correlations is None:
            st.caption("Fewer than two numeric columns.")
        else:
            st.plotly_chart(correlation_heatmap(report.correlations), key="correlations")
    with power_tab:
        if report.predictive_power:
            st.plotly_chart(
                predictive_power(report.predictive_power, classification=spec.data.task == "classification"),
                key="power",
            )
            st.caption("A small decision tree on each column alone, scored by 3-fold cross-validation.")
        else:
            st.caption("Not available until the target can be learned (see above).")


sources()
dataset, spec = state.dataset(), state.spec()
if dataset is None or spec is None:
    st.info("Upload a file, or load a sample, to begin.")
    st.stop()

frame = resources.dataset_frame(dataset)
report = datasets.dataset_profile(frame, spec)
st.header(as_markdown(dataset.name), divider="gray")
for note in st.session_state.get(datasets.NOTES, []):
    st.warning(as_markdown(note))
metrics = st.columns(4)
metrics[0].metric("Rows", f"{report.n_rows:,}")
metrics[1].metric("Columns", len(report.columns))
metrics[2].metric("Missing cells", f"{int(frame.isna().sum().sum()):,}")
metrics[3].metric("Duplicate rows", f"{report.duplicates:,}")
read_options(dataset)
purchases = None if dataset.lineage else datasets.purchases_guess(dataset.fingerprint, frame, spec.data.column_types)
transactions = purchases if purchases and aggregate.named_as_customers(purchases.customer) else None
if transactions:
    st.info(
        as_markdown(
            f"This looks like a table of purchases (several rows per `{transactions.customer}`, with dates and "
            "amounts). To predict what customers do next, the **Customer aggregation (RFM)** tab above turns it "
            "into one row per customer with a label."
        ),
        icon=":material/shopping_cart:",
    )
st.dataframe(frame.head(100))
st.caption("The first rows as read. Type changes apply when the pipeline runs; the file itself is never changed.")
target_section(spec, frame)
filters_section(spec, frame)
columns_section(spec, frame, report)
findings_section(spec, frame, report)
details_section(spec, frame, report)

import io
import json
import re
import zipfile

import pandas as pd
import pytest

from pipeline_core.columns import infer_column_types
from pipeline_core.data.ingest import MAX_COLUMNS, ReadOptions, fingerprint, infer_task, read_table, sniff
from pipeline_core.data.samples import SAMPLES
from pipeline_core.errors import DataError


@pytest.mark.parametrize("sample", SAMPLES.values(), ids=SAMPLES)
def test_every_sample_reads_back_with_its_target_and_inferred_task(sample):
    frame = read_table(sample.csv_bytes(), sample.filename).frame
    assert frame.shape == sample.make().shape
    expected = "regression" if sample.key == "diabetes" else "classification"
    assert infer_task(frame[sample.target]) == expected


def test_semicolons_and_decimal_commas_are_sniffed_and_read_as_numbers():
    data = b"age;bmi;target\n0,038;0,0617;151,0\n-0,0019;-0,051;75,0\n0,085;0,044;141,0\n"
    table = read_table(data, "d.csv")
    assert (table.options.delimiter, table.options.decimal) == (";", ",")
    assert table.frame["bmi"].tolist() == [0.0617, -0.051, 0.044]


def test_digits_with_leading_zeros_stay_text_and_are_not_offered_as_numbers():
    rows = "\n".join(["customer_id,zip,amount"] + [f"{i:06d},{i % 7:05d},{i * 1.5}" for i in range(40)])
    frame = read_table(rows.encode(), "customers.csv").frame
    assert frame["customer_id"].iloc[:2].tolist() == ["000000", "000001"] and frame["zip"].iloc[1] == "00001"
    assert frame["amount"].dtype.kind == "f"
    assert infer_column_types(frame) == {"customer_id": "id", "zip": "categorical", "amount": "numeric"}
    rows = "\n".join(["hour,age"] + [f"{i % 24:02d},{'007' if i == 3 else 30 + i}" for i in range(40)])
    numbers = read_table(rows.encode(), "visits.csv").frame
    assert numbers["hour"].dtype.kind == "i" and numbers["age"].dtype.kind == "i"  # '07' and a typo are numbers


def test_a_byte_order_mark_is_not_part_of_the_first_column_name():
    table = read_table("\ufeffshop_id,city\n1,Zürich\n".encode(), "s.csv")
    assert list(table.frame.columns) == ["shop_id", "city"] and table.options.encoding == "utf-8-sig"


def test_latin1_bytes_keep_their_accents():
    table = read_table("city,n\nSão Paulo,1\nZürich,2\nBesançon,3\n".encode("latin-1"), "t.csv")
    assert table.frame["city"].tolist() == ["São Paulo", "Zürich", "Besançon"]
    assert table.options.encoding == "cp1252"


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "t.tsv"), ("|", "t.txt"), (";", "t.csv")])
def test_other_delimiters_are_sniffed(delimiter, name):
    data = delimiter.join(["a", "b", "c"]) + "\n" + "\n".join(delimiter.join(["1", "x y", "2.5"]) for _ in range(5))
    table = read_table(data.encode(), name)
    assert table.options.delimiter == delimiter and table.frame.shape == (5, 3)


def test_quoted_fields_may_hold_delimiters_and_newlines():
    frame = read_table(b'id,comment\n1,"hello, world"\n2,"two\nlines"\n', "q.csv").frame
    assert frame["comment"].tolist() == ["hello, world", "two\nlines"]


def test_options_can_be_overridden():
    data = b"a;b\n1;2\n"
    assert read_table(data, "t.csv").frame.shape == (1, 2)
    forced = read_table(data, "t.csv", ReadOptions(format="text", delimiter=","))
    assert list(forced.frame.columns) == ["a;b"]
    assert fingerprint(data, sniff(data, "t.csv")) != fingerprint(data, forced.options)
    assert fingerprint(data, sniff(data, "t.csv")) == fingerprint(data, sniff(data, "t.csv"))


def test_excel_sheets_are_listed_and_chosen():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"a": [1, 2]}).to_excel(writer, sheet_name="first", index=False)
        pd.DataFrame({"b": ["x", "y", "z"]}).to_excel(writer, sheet_name="second", index=False)
    first = read_table(buffer.getvalue(), "book.xlsx")
    assert first.sheets == ["first", "second"] and first.options.sheet == "first" and first.frame.shape == (2, 1)
    second = read_table(buffer.getvalue(), "book.xlsx", ReadOptions(format="excel", sheet="second"))
    assert second.frame["b"].tolist() == ["x", "y", "z"]


def test_parquet_is_read():
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_parquet(buffer)
    assert read_table(buffer.getvalue(), "t.parquet").frame.shape == (2, 2)


@pytest.mark.parametrize(
    ("text", "name", "shape"),
    [
        (json.dumps([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]), "r.json", (2, 2)),
        (json.dumps({"a": [1, 2, 3], "b": ["x", "y", "z"]}), "c.json", (3, 2)),
        ('{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n', "l.jsonl", (2, 2)),
        (json.dumps([{"a": 1, "who": {"name": "x", "age": 3}}]), "n.json", (1, 3)),
    ],
)
def test_json_records_columns_lines_and_nested_objects_are_read(text, name, shape):
    assert read_table(text.encode(), name).frame.shape == shape


def test_duplicate_and_blank_column_names_are_renamed_with_a_note_and_markup_stays_text():
    table = read_table(b"x,x,<b>bold</b>,\n1,2,3,4\n", "d.csv")
    assert list(table.frame.columns) == ["x", "x_2", "<b>bold</b>", "column_4"]
    assert any("'x': column 2 is now 'x_2'" in note for note in table.notes)
    assert any("Column 4 had no name" in note for note in table.notes)


def test_a_very_long_cell_and_an_all_empty_column_are_read_intact():
    long_text = "word " * 2000
    frame = read_table(f'a,long,empty\n1,"{long_text}",\n2,short,\n'.encode(), "l.csv").frame
    assert frame["long"].iloc[0] == long_text and frame["empty"].isna().all()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "is empty (0 bytes)"),
        (b"a,b,c\n", "header.csv", "has a header but no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.csv", "looks like a binary file"),
        (b"a,b\n1,2\n3,4,5\n", "ragged.csv", "Line 3 of 'ragged.csv' has 3 fields where the header has 2"),
        (b"not parquet", "t.parquet", "could not be read as Parquet"),
        (b"not a workbook", "t.xlsx", "could not be read as an Excel workbook"),
        (b"{broken", "t.json", "is not valid JSON"),
        (b'{"a": 1}', "t.json", "holds JSON but not a table"),
        (b"a,b\n1,2\n", "t.docx", "not a supported file type"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, name, message):
    with pytest.raises(DataError, match=re.escape(message)):
        read_table(data, name)


def test_task_inference():
    assert infer_task(pd.Series([0, 1, 1, 0])) == "classification"
    assert infer_task(pd.Series(["a", "b"])) == "classification"
    assert infer_task(pd.Series([0.5, 1.25, 3.0, 2.2])) == "regression"
    assert infer_task(pd.Series(range(100))) == "regression"


def test_a_trailing_delimiter_does_not_shift_the_columns():
    frame = read_table(b"a,b,y\n1,2,3,\n4,5,6,\n", "t.csv").frame
    assert frame.to_dict("list") == {"a": [1, 4], "b": [2, 5], "y": [3, 6]}


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (json.dumps([{"a": 1, "tags": [1, 2]}, {"a": "x", "tags": {"k": 3}}]).encode(), "mixed.json"),
        (b"a,b\n" + b"".join(f"{i},{i}\n".encode() for i in range(200_000)) + b"abc,1\n", "late_text.csv"),
    ],
)
def test_columns_mixing_types_become_text_that_parquet_can_store(data, name):
    frame = read_table(data, name).frame
    frame.to_parquet(io.BytesIO())  # would raise ArrowInvalid on a column of ints and strs
    assert pd.api.types.is_string_dtype(frame["a"])


def test_an_empty_first_sheet_is_skipped_for_the_first_sheet_with_a_table():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame().to_excel(writer, sheet_name="cover", index=False)
        pd.DataFrame({"a": [1, 2]}).to_excel(writer, sheet_name="data", index=False)
    table = read_table(buffer.getvalue(), "book.xlsx")
    assert table.options.sheet == "data" and table.frame.shape == (2, 1)


def test_a_decimal_mark_equal_to_the_delimiter_is_refused():
    with pytest.raises(ValueError, match="The decimal mark cannot also be the delimiter"):
        ReadOptions(format="text", delimiter=",", decimal=",")


def test_a_header_longer_than_the_sniffed_sample_is_read_whole():
    names = [f"measurement_{i:04d}_" + "x" * 140 for i in range(MAX_COLUMNS - 1)] + ["target"]
    header = ",".join(names)
    assert len(header) > 256 * 1024
    frame = read_table((header + "\n" + ",".join(["1"] * MAX_COLUMNS) + "\n").encode(), "wide.csv").frame
    assert list(frame.columns) == names  # every column, the last name whole


def test_a_table_wider_than_the_limit_is_refused_in_plain_words():
    header = ",".join(f"c{i}" for i in range(100_001))
    with pytest.raises(DataError, match="has 100,001 columns; Pipewright reads tables of up to 2,000"):
        read_table((header + "\n" + ",".join(["1"] * 100_001) + "\n").encode(), "wide.csv")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"a" * (129 * 1024) + b",b\n1,2\n", "long.csv", "cannot be read as column names"),
        (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "deep.json", "nests its values too deeply"),
        (b'[{"a": ' + b"9" * 5000 + b"}]", "huge.json", "is not valid JSON"),
        (b'{"a": [1, 2], "b": [1]}', "ragged.json", "holds JSON but not a table"),
    ],
    ids=["header field over 128 KB", "JSON 100,000 deep", "a 5,000-digit number", "columns of unequal length"],
)
def test_hostile_files_are_refused_in_a_few_words(data, name, message):
    with pytest.raises(DataError, match=re.escape(message)) as refused:
        read_table(data, name)
    assert len(str(refused.value)) < 500


def test_an_xml_entity_bomb_in_a_workbook_is_refused(tmp_path):
    book = io.BytesIO()
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_excel(book, index=False)
    bomb = b'<!DOCTYPE b [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;">]>'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb"^<\?xml[^>]*>", b"", content)
                content = bomb + content.replace(b"<v>1</v>", b"<v>&l2;</v>")
            target.writestr(item, content)
    with pytest.raises(DataError, match="could not be read as an Excel workbook"):
        read_table(out.getvalue(), "bomb.xlsx")


def test_parquet_columns_of_lists_records_or_bytes_are_kept_as_text_or_left_out_with_a_note():
    buffer = io.BytesIO()
    pd.DataFrame(
        {"tags": [[1, 2], [3]], "meta": [{"k": 1}, {"k": 2}], "blob": [b"\x00\xff", b"\x01"], "y": [1, 2]}
    ).to_parquet(buffer)
    table = read_table(buffer.getvalue(), "t.parquet")
    assert table.frame.to_dict("list") == {"tags": ["[1, 2]", "[3]"], "meta": ['{"k": 1}', '{"k": 2}'], "y": [1, 2]}
    assert "Column 'tags' holds lists or records; each is kept as its JSON text." in table.notes
    assert "Column 'blob' holds binary data (not numbers, text or dates), so it was left out." in table.notes


def test_rows_with_more_fields_than_the_header_are_read_with_a_note():
    table = read_table(b"a,b\n1,2,3\n4,5,6\n", "t.csv")
    assert table.frame.to_dict("list") == {"a": [1, 4], "b": [2, 5]}
    assert "Some rows have more fields than the header has names; their extra fields were left out." in table.notes

from ui.messages import as_markdown


def test_uploaded_text_cannot_become_a_link_an_image_math_or_html():
    text = "The class '![x](https://evil.example/p.png)' costs $1 or $2 <b>bold</b>"
    escaped = as_markdown(text)
    assert "![x](" not in escaped and "\\[x\\]" in escaped
    assert "\\$1" in escaped and "\\<b\\>" in escaped


def test_code_spans_are_left_as_typed():
    assert as_markdown("column `a[b]$` is empty") == "column `a[b]$` is empty"

"""HTML from incoming mail: what the sanitiser keeps and drops, and the text made from it."""

from __future__ import annotations

import pytest

from cic.mail.sanitize import html_to_text, sanitize_html


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<a href="data:text/html,<script>">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<a href="/admin/usun?id=1">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<a href="mailto:jan@m.example" target="_blank">x</a>',
         '<a href="mailto:jan@m.example" rel="noopener noreferrer nofollow">x</a>'),
        ('<img src="cid:skan@m" onerror="x()">', '<img src="cid:skan@m">'),
        ('<img src="https://t.example/p.gif" alt="piksel">', ""),
        ('<img src="//t.example/p.gif">', ""),
        ('<img src="/console/api/delete">', ""),
        ("<svg><script>alert(1)</script></svg>ok", "ok"),
        ('<p style="position:fixed" class="x" id="y">ok</p>', "<p>ok</p>"),
        ("<object data=x>o</object><embed src=y><iframe src=z></iframe>ok", "ok"),
        ("<!-- komentarz --><b>ok</b>", "<b>ok</b>"),
    ],
)  # fmt: skip
def test_sanitize_html(markup: str, expected: str) -> None:
    assert sanitize_html(markup) == expected


def test_text_from_html_keeps_line_structure_and_decodes_entities() -> None:
    markup = (
        "<div>Pierwszy&nbsp;wiersz\n   ciąg dalszy</div><div>Drugi &amp; &lt;trzeci&gt;</div>"
        "<pre>a\n  b</pre><table><tr><td>x</td><td>y</td></tr></table>"
    )

    assert html_to_text(markup) == ("Pierwszy wiersz ciąg dalszy\nDrugi & <trzeci>\n\na\nb\n\nx y")


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<div>a</div><div>b</div>", "a\nb"),  # Gmail: one <div> per line
        ("<div>a</div><div><br></div><div>b</div>", "a\n\nb"),  # and an empty line
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("a<br>b<br><br>c", "a\nb\n\nc"),
        ("<ul><li>x</li><li>y</li></ul>", "- x\n- y"),
    ],
)
def test_text_line_breaks(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected

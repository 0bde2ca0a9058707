from articles.markup import render_markdown


def test_javascript_link_is_not_rendered_as_link(db):
    html = render_markdown("[x](javascript:alert(1))").html
    assert "href" not in html

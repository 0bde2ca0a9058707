"""Texts that stress the Markdown pipeline, shared by its tests and ``bench_markup``.

The pathological ones come from ../shared/HOSTILE-INPUTS.md and from what was found on
these machines; the typical one is a 1,500-word article with sections, lists, a table and
a footnote, the shape editors write.
"""

PATHOLOGICAL = {
    "quotes": "> " * 5000,
    "lists": "* " * 5000 + "x",
    "brackets": "[" * 50_000 + "]" * 50_000,
    "nested-html": "<div>" * 20_000,
    "headings": "## Dose\n\n" * 12_000,
    "table": "|a|b|\n|-|-|\n" + "|x|y|\n" * 10_000,
    "emphasis": "*a _b " * 20_000,
    "footnote-bomb": "[^1]" * 25_000 + "\n\n[^1]: A note.\n",
    "image-bomb": "![" * 45_000,
}


def typical_article(words: int = 1500) -> str:
    paragraph = (
        "Baclofen is a *muscle relaxant* that acts on **GABA-B receptors** in the spinal "
        "cord; see [the label](https://example.com/label) and the table below for doses. "
    )
    sections = []
    n = 0
    while n < words:
        sections.append(f"## Section {len(sections) + 1}\n\n" + paragraph * 3 + "\n")
        sections.append("- one point\n- another point[^1]\n\n| Dose | When |\n|---|---|\n")
        sections.append("| 5 mg | morning |\n| 10 mg | night |\n\n")
        n += len(paragraph.split()) * 3 + 10
    return "".join(sections) + "\n[^1]: A footnote.\n"

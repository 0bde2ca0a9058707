"""FDA label text to draft Markdown an editor can start from, and label capitals to names.

Label sections arrive as one long line each: a section number and heading ("1 INDICATIONS
AND USAGE", often doubled: "Uses Uses"), subsection numbers ("2.1 ..."), ``■``/``•``
bullets, cross-references such as "(5.1)", whole sentences in capitals, and tables both
as HTML (``*_table`` fields) and flattened into the running text. The rules here are
deliberately conservative: the result is a draft for an editor, so nothing is guessed
that could change a dose or a warning's meaning.
"""

import re
from html.parser import HTMLParser

# Kept in capitals where they stand as words (brand suffixes and medical abbreviations).
ABBREVIATIONS = {
    "PM", "AM", "XR", "ER", "SR", "CR", "XL", "LA", "DR", "IR", "ODT", "DS", "HP", "CD",
    "HCL", "HBR", "USP", "FDA", "HIV", "AIDS", "CNS", "MS", "MAOI", "MAOIS", "NSAID", "NSAIDS",
    "ACE", "ALT", "AST", "ECG", "EKG", "COPD", "GI", "IV", "IM", "SC", "US", "UV", "II", "III",
    "ADHD", "REMS", "SSRI", "SSRIS", "SNRI", "SNRIS", "QT", "INR", "DNA", "RNA",
}  # fmt: skip
READABLE = {"HCL": "HCl", "HBR": "HBr", "MAOIS": "MAOIs", "NSAIDS": "NSAIDs", "SSRIS": "SSRIs",
            "SNRIS": "SNRIs"}  # fmt: skip
_NUMBERED_HEADING = re.compile(r"^\s*\d+(?:\.\d+)*\s+")
_SUBSECTION = re.compile(r"(?<=\s)\d{1,2}\.\d{1,2}\s+(?=[A-Z])")
_CROSS_REFERENCE = re.compile(r"\s*\(\s*\d{1,2}(?:\.\d+)*(?:\s*,\s*\d{1,2}(?:\.\d+)*)*\s*\)")
_BULLET = re.compile(r"\s*[■•●▪◆]\s*")
_SUB_BULLET = re.compile(r"(?<=\s)-(?=[a-z])")
_DOUBLED = re.compile(r"\b([A-Z][A-Za-z]+(?: [A-Za-z]+){0,3})\s+(\1)\b(:?)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE = re.compile(r"[^.!?:\n]+[.!?:]?")


def readable_name(text: str) -> str:
    """ "ACETAMINOPHEN" -> "Acetaminophen", "BACLOFEN AND X" -> "Baclofen and x": sentence case."""
    words = text.split()
    if not words:
        return ""
    lowered = [_word_case(word, title=False) for word in words]
    first = lowered[0]
    return " ".join([first[:1].upper() + first[1:], *lowered[1:]])


def brand_name(text: str) -> str:
    """ "CHILDRENS TYLENOL" -> "Childrens Tylenol"; "ADVIL PM ®" -> "Advil PM®".

    Each word in title case, except the abbreviations above, which stay in capitals;
    a word already in mixed case is the label's own spelling and is kept. No apostrophe
    is invented: the label's brand_name field is the name as registered.
    """
    text = " ".join(text.split())
    mark = ""
    if text[-1:] in ("®", "™"):
        text, mark = text[:-1].rstrip(), text[-1]
    return " ".join(_word_case(word, title=True) for word in text.split()) + mark


def _word_case(word: str, *, title: bool) -> str:
    if not word.isupper():
        return word  # mixed case or no letters: as the label wrote it
    core = word.strip("(),.;:")
    if core in ABBREVIATIONS or any(ch.isdigit() for ch in core):
        return word.replace(core, READABLE.get(core, core))
    lowered = word.lower()
    if not title:
        return lowered
    return "-".join(part[:1].upper() + part[1:] for part in lowered.split("-"))


def clean_section(text: str, headings: tuple[str, ...] = (), tables: list[str] = ()) -> str:
    """One label section as draft Markdown."""
    text = " ".join(text.split())
    text = strip_heading(text, headings)
    text = _CROSS_REFERENCE.sub("", text)
    placed = []
    for index, table in enumerate(tables):
        rows = table_rows(table)
        if not rows:
            continue
        flat = " ".join(cell for row in rows for cell in row)
        marker = f"\x00TABLE{index}\x00"
        if flat and flat in text:
            text = text.replace(flat, marker, 1)  # the flattened copy in the running text
        else:
            text += " " + marker
        placed.append((marker, markdown_table(rows)))
    text = _SUBSECTION.sub("\n\n", text)
    text = _BULLET.sub("\n- ", text)
    text = _SUB_BULLET.sub("\n  - ", text)
    text = _DOUBLED.sub(lambda m: m.group(1) + m.group(3), text)
    lines = [line.rstrip() for line in text.split("\n")]
    lines = [calm_shouting(line if line.startswith("  - ") else line.strip()) for line in lines]
    text = "\n".join(lines)
    text = re.sub(r"\n(?!-|  -)", "\n\n", text)  # paragraphs; list items stay together
    text = re.sub(r"(?<=\n\n)(- )", r"\1", text)
    for marker, table in placed:
        text = text.replace(marker, f"\n\n{table}\n\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"(?m)^(?!- |  - )(.*)\n(- )", r"\1\n\n\2", text)  # a blank line before lists
    return text.strip() + "\n" if text.strip() else ""


def strip_heading(text: str, headings: tuple[str, ...]) -> str:
    """Drop a leading section number and the section's own heading, once or doubled."""
    text = _NUMBERED_HEADING.sub("", text)
    for _ in range(2):
        for heading in headings:
            pattern = re.compile(rf"^{re.escape(heading)}\b[\s:]*", re.IGNORECASE)
            if pattern.match(text):
                text = _NUMBERED_HEADING.sub("", pattern.sub("", text, count=1))
                break
    return text


def calm_shouting(line: str) -> str:
    """A sentence in capitals becomes sentence case; words with digits and abbreviations
    stay as they are. Mixed-case text is left alone."""

    def sentence(match: re.Match) -> str:
        part = match.group()
        words = _WORD.findall(part)
        letters = "".join(words)
        if len(words) < 3 or sum(ch.isupper() for ch in letters) < 0.8 * len(letters):
            return part
        result = _WORD.sub(lambda w: _word_case(w.group(), title=False), part)
        stripped = result.lstrip()
        return result[: len(result) - len(stripped)] + stripped[:1].upper() + stripped[1:]

    return _SENTENCE.sub(sentence, line)


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.hidden = 0  # inside <script> or <style>: not text

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in ("br", "paragraph", "p") and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in ("td", "th") and self.cell is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None and not self.hidden:
            self.cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    """The cells' text of an HTML table, row by row; markup inside cells is dropped."""
    parser = _TableParser()
    parser.feed(html)
    parser.close()
    return [row for row in parser.rows if any(row)]


def markdown_table(rows: list[list[str]]) -> str:
    """A pipe table, first row as header; markup_pipeline sanitises what it renders."""
    width = max(len(row) for row in rows)

    def line(cells: list[str]) -> str:
        cells = [c.replace("|", "\\|") for c in cells] + [""] * (width - len(cells))
        return "| " + " | ".join(cells) + " |"

    return "\n".join([line(rows[0]), line(["---"] * width), *(line(row) for row in rows[1:])])

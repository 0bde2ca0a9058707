"""A page of a long list without counting the list: the query asks for one row more than
it shows, and that row says whether there is a next page.

Condition pages use it for their drugs and articles: a count of 3,000 articles would read
them all to show fifty. Templates take it like a Django ``Page`` (includes/pagination.html).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    object_list: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def requested_page(request, parameter: str = "page") -> int:
    """The page number asked for; anything that is not a small positive number is page 1."""
    value = request.GET.get(parameter, "")
    if not (value.isascii() and value.isdigit() and len(value) <= 6):
        return 1
    return max(int(value), 1)


def window(rows, number: int, size: int) -> Window:
    """Page ``number`` of ``size`` rows of an ordered queryset: one query (LIMIT size + 1)."""
    start = (number - 1) * size
    fetched = list(rows[start : start + size + 1])
    return Window(fetched[:size], number, has_next=len(fetched) > size)

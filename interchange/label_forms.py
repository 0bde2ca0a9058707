"""Formulations from a label: dosage forms, their strengths and routes.

The "Dosage Forms and Strengths" section names each form and its strengths in prose
("Tablets: 5 mg, 10 mg ... Injection: 50 mcg/mL"); OTC labels have no such section,
so their principal display panel ("160 mg per 5 mL Oral Suspension") is read instead.
A form's route comes from ``openfda.route``: injections take the label's parenteral
route, skin forms the topical one, everything else the oral one when the label has it.
"""

import re
from dataclasses import dataclass, field

_FORM = re.compile(
    r"\b((?:extended-release |delayed-release |orally disintegrating |chewable |film-coated "
    r"|intrathecal |intravenous |subcutaneous |intramuscular )?"
    r"(?:tablets?|capsules?|oral solution|oral suspension|suspension|syrup|elixir|solution"
    r"|injection|cream|ointment|gel|lotion|patch(?:es)?|nasal spray|spray|powder|drops"
    r"|suppositor(?:y|ies)|inhaler|inhalation aerosol))\b",
    re.IGNORECASE,
)
_STRENGTH = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|μg|g|%|units?|IU|mEq)"
    r"(?:\s*(?:/|per)\s*(?:\d+(?:\.\d+)?\s*)?(?:mL|L|g|actuation|spray|hour|hr|h)\b)?",
)
_PARENTERAL = ("intrathecal", "intravenous", "intramuscular", "subcutaneous", "epidural")
_SKIN = ("cream", "ointment", "gel", "lotion", "patch")
MAX_STRENGTHS = 20


@dataclass
class Form:
    name: str
    route: str
    strengths: list[str] = field(default_factory=list)


def forms_of(text: str, routes: list[str], *, panel: bool = False) -> list[Form]:
    """panel: the text is a package's display panel, which names its own form first
    ("... Oral Suspension ... High Fructose Corn Syrup"): only that one is a form."""
    matches = list(_FORM.finditer(text))[:1] if panel else list(_FORM.finditer(text))
    forms: dict[str, Form] = {}
    whole_text = len(matches) == 1  # one form: every strength on the panel is its own
    for index, match in enumerate(matches):
        name = _singular(match.group(1).lower())
        name = name[:1].upper() + name[1:]
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        segment = text if whole_text else text[match.end() : end]
        form = forms.setdefault(name.lower(), Form(name, route_for(name, routes)))
        for strength in _STRENGTH.findall(segment):
            strength = re.sub(r"\s*(?:/|per)\s*", "/", " ".join(strength.split()))[:60]
            if strength not in form.strengths and len(form.strengths) < MAX_STRENGTHS:
                form.strengths.append(strength)
    return list(forms.values())


def route_for(form: str, routes: list[str]) -> str:
    form = form.lower()
    if "injection" in form:
        wanted = _PARENTERAL
    elif any(word in form for word in _SKIN):
        wanted = ("topical", "transdermal")
    elif "nasal" in form:
        wanted = ("nasal",)
    else:
        wanted = ("oral",)
    return next((r for r in routes if r in wanted), routes[0] if routes else "")[:60]


def _singular(name: str) -> str:
    for plural, single in (("tablets", "tablet"), ("capsules", "capsule"), ("patches", "patch"),
                           ("suppositories", "suppository")):  # fmt: skip
        if name.endswith(plural):
            return name[: -len(plural)] + single
    return name

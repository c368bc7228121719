"""Every spelling of an XLSForm `type` cell that pyxform accepts, kept as data, and how each one is carried over.

pyxform has gathered aliases over the years (`select one`, `select all that apply`, `q int`, `add photo prompt`,
`begin loop over`…); forms in the wild use all of them. A spelling is matched with its words lower-cased and
`_` read as a space, so `select_one`, `Select One` and `select one` are one type. Each type is treated one way:

- `ask`: one of our question types;
- `choice`: a list question (`select_one L` and its aliases), the list on the `choices` sheet;
- `external`: `select_one_external L`, the list on the `external_choices` sheet;
- `from_file`: `select_one_from_file f.csv`, the list in a file the workbook does not hold: asked as text;
- `as_text`: something a person can still type (a place instead of a GPS point, a code instead of a scan);
- `as_note`: something only a device captures (photo, recording, file): kept as a marked note;
- `meta`: what the device records by itself (`start`, `deviceid`, `audit`, `hidden`…): left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TREATMENTS = ("ask", "choice", "external", "from_file", "as_text", "as_note", "meta")


def _spellings(treatment: str, ours: str, what: str, quoi: str, *spellings: str) -> dict[str, tuple[str, ...]]:
    return dict.fromkeys(spellings, (treatment, ours, what, quoi))


# spelling (lower-case, `_` read as a space) → (treatment, our type, what it is in English, and in French)
XLSFORM_TYPES: dict[str, tuple[str, ...]] = {
    **_spellings("ask", "integer", "a whole number", "un nombre entier", "integer", "int", "q int",
                 "add integer prompt", "percentage", "number of days in last month",
                 "number of days in last six months", "number of days in last year"),
    **_spellings("ask", "decimal", "a number", "un nombre", "decimal", "q decimal", "add decimal prompt"),
    **_spellings("ask", "short_text", "a text", "un texte", "text", "string", "q string", "add text prompt",
                 "phone number"),
    **_spellings("ask", "date", "a date", "une date", "date", "q date", "add date prompt"),
    **_spellings("ask", "date", "a date and time", "une date et une heure", "datetime", "date time", "q date time",
                 "q datetime", "add date time prompt", "add datetime prompt"),
    **_spellings("ask", "time", "a time", "une heure", "time"),
    **_spellings("ask", "note", "a note", "une note", "note", "q note", "add note prompt"),
    **_spellings("ask", "calculate", "a calculation", "un calcul", "calculate", "q calculate",
                 "add calculate prompt"),
    **_spellings("ask", "consent", "an acknowledgement", "une case à cocher", "acknowledge", "q acknowledge",
                 "add acknowledge prompt", "trigger"),
    **_spellings("ask", "range", "a range", "une échelle", "range"),
    **_spellings("choice", "single_choice", "one choice", "un choix", "select one", "select1", "select one from",
                 "select one using", "add select one prompt using", "q select1"),
    **_spellings("choice", "multiple_choice", "several choices", "plusieurs choix", "select multiple",
                 "select all that apply", "select all that apply from", "select multiple from",
                 "select multiple using", "add select multiple prompt using", "q select"),
    **_spellings("choice", "ranking", "a ranking", "un classement", "rank"),
    **_spellings("external", "single_choice", "a list on the external_choices sheet",
                 "une liste de la feuille external_choices", "select one external"),
    **_spellings("from_file", "short_text", "a choice from a list in an external file",
                 "un choix dans une liste d'un fichier externe", "select one from file"),
    **_spellings("from_file", "short_text", "choices from a list in an external file",
                 "des choix dans une liste d'un fichier externe", "select multiple from file"),
    **_spellings("as_text", "short_text", "a GPS location", "une position GPS", "geopoint", "gps", "location",
                 "q geopoint", "q location", "add location prompt"),
    **_spellings("as_text", "short_text", "a GPS trace", "un tracé GPS", "geotrace", "q geotrace"),
    **_spellings("as_text", "short_text", "a GPS shape", "une surface GPS", "geoshape", "q geoshape"),
    **_spellings("as_text", "short_text", "a barcode scan", "un code-barres scanné", "barcode", "q barcode",
                 "add barcode prompt"),
    **_spellings("as_note", "note", "a photo", "une photo", "image", "photo", "q image", "q picture",
                 "add image prompt", "add photo prompt"),
    **_spellings("as_note", "note", "an audio recording", "un enregistrement audio", "audio", "q audio",
                 "add audio prompt"),
    **_spellings("as_note", "note", "a video", "une vidéo", "video", "q video", "add video prompt"),
    **_spellings("as_note", "note", "a file upload", "un fichier joint", "file", "add file prompt"),
    **_spellings("as_note", "note", "an OpenStreetMap feature", "un objet OpenStreetMap", "osm"),
    **_spellings("meta", "", "device metadata", "", "start", "end", "today", "start time", "end time",
                 "get start time", "get end time", "get today", "deviceid", "device id", "get device id", "imei",
                 "subscriberid", "subscriber id", "get subscriber id", "simserial", "sim id", "get sim id",
                 "phonenumber", "get phone number", "username", "email", "uri:deviceid", "uri:email",
                 "uri:phonenumber", "uri:simserial", "uri:subscriberid", "uri:username"),
    **_spellings("meta", "", "an audit log", "", "audit"),
    **_spellings("meta", "", "a hidden value", "", "hidden"),
    **_spellings("meta", "", "a background GPS location", "", "start-geopoint", "background-geopoint"),
    **_spellings("meta", "", "a background recording", "", "background-audio"),
    **_spellings("meta", "", "an external instance", "", "xml-external", "csv-external"),
}
CONTAINERS = {"group": "group", "repeat": "repeat", "lgroup": "repeat", "looped group": "repeat", "loop": "loop"}
OTHER_SUFFIXES = ("or_other", "or other", "or specify other")
_CONTROL = re.compile(r"^(begin|end)[\s_]+(group|repeat|loop|lgroup|looped[\s_]+group)(?:\s+(?:over\s+)?(\S+))?$",
                      re.IGNORECASE)


@dataclass(frozen=True)
class RowType:
    """What a `type` cell says: a container's begin or end, or a question and how it is carried over."""

    spelling: str  # the command as written, e.g. `select_one`
    treatment: str = ""  # one of TREATMENTS; empty for begin/end rows and unknown types
    ours: str = ""
    what: str = ""
    quoi: str = ""
    control: str = ""  # begin, end
    container: str = ""  # group, repeat, loop
    list_name: str = ""
    other: bool = False
    rest: tuple[str, ...] = ()  # words after the list name that are not `or_other`

    @property
    def known(self) -> bool:
        return bool(self.treatment or self.control)


def _key(words: list[str]) -> str:
    return re.sub(r"[\s_]+", " ", " ".join(words)).strip().lower()


def read_type(text: str) -> RowType:
    """The meaning of a `type` cell: the longest known spelling at its start, then a list name and `or_other`."""
    text = text.strip()
    control = _CONTROL.match(text)
    if control:
        container = CONTAINERS[re.sub(r"[\s_]+", " ", control.group(2).lower())]
        return RowType(text, control=control.group(1).lower(), container=container, list_name=control.group(3) or "")
    words = text.split()
    for size in range(min(len(words), 6), 0, -1):
        meaning = XLSFORM_TYPES.get(_key(words[:size]))
        if meaning is None:
            continue
        treatment, ours, what, quoi = meaning
        rest = words[size:]
        if treatment in ("choice", "external", "from_file"):
            list_name, rest = (rest[0], rest[1:]) if rest else ("", [])
            tail = _key(rest)
            other = tail in OTHER_SUFFIXES
            return RowType(" ".join(words[:size]), treatment, ours, what, quoi, list_name=list_name, other=other,
                           rest=() if other else tuple(rest))
        return RowType(" ".join(words[:size]), treatment, ours, what, quoi, rest=tuple(rest))
    return RowType(words[0] if words else "")


def known_spellings() -> list[str]:
    """A few spellings to suggest in a message about an unknown type."""
    return ["text", "integer", "decimal", "select_one LIST", "select_multiple LIST", "date", "note", "calculate"]

"""A REFI-QDA project (`.qdpx`): the exchange format NVivo, ATLAS.ti, MAXQDA and QualCoder read.  PURE.

The project is a zip holding `project.qde` — XML in the namespace `urn:QDA-XML:project:1.0`, valid against the
REFI-QDA Project schema (Project-mrt2019.xsd, version 1.0) — and one UTF-8 text per interview under `Sources/`.
It carries the codebook as a tree of codes, one case per interviewee (pseudonym, with category, site,
organisation and role as variables), one text source per interview (`document.interview_document`) and each
coded passage as a `PlainTextSelection` whose start and end positions count characters (Unicode code points)
from the start of the source, with a `Coding` per code. A verbatim quote without a code is a selection named
« Verbatim » with no coding.

Identifiers are UUID 5 derived from the grid and the objects' ids, so the same data always gives the same
file. This module builds the files' contents; writing the zip is the export's job.
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET

from survey.interviews.document import interview_document
from survey.interviews.model import Corpus, pseudonym
from survey.interviews.quotes import ordered

NAMESPACE = "urn:QDA-XML:project:1.0"
_ROOT = uuid.UUID("5d1c2a3e-7b7c-4b8e-9a31-6c0e8f7a2b10")  # this service's namespace for UUID 5
VARIABLES = (("category", "Catégorie"), ("site", "Site"), ("organisation", "Organisation"), ("role", "Rôle"))


def _guid(grid_id: str, *parts: object) -> str:
    """A stable identifier for one object of one grid's project."""
    return str(uuid.uuid5(_ROOT, "/".join([grid_id, *(str(p) for p in parts)]))).upper()


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)


def qdpx_files(corpus: Corpus, created: dt.datetime, description: str = "") -> dict[str, bytes]:
    """The project's files by path in the zip: `project.qde` and `Sources/<guid>.txt` for each interview."""
    ET.register_namespace("", NAMESPACE)
    grid = corpus.grid_id
    when = created.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    user = _guid(grid, "user")
    project = ET.Element(f"{{{NAMESPACE}}}Project", {"name": corpus.title or grid, "origin": "survey",
                                                     "creatingUserGUID": user, "creationDateTime": when})
    _sub(_sub(project, "Users"), "User", guid=user, name="survey")
    codes = {c.code: _guid(grid, "code", c.code) for c in corpus.codes}
    if corpus.codes:
        _codebook(_sub(_sub(project, "CodeBook"), "Codes"), corpus, codes)
    variables = {key: _guid(grid, "variable", key) for key, _ in VARIABLES}
    interviews = ordered(corpus)
    if interviews:
        holder = _sub(project, "Variables")
        for key, label in VARIABLES:
            _sub(holder, "Variable", guid=variables[key], name=label, typeOfVariable="Text")
    files: dict[str, bytes] = {}
    sources = {i.id: _guid(grid, "source", i.id) for i in interviews}
    if interviews:
        cases = _sub(project, "Cases")
        for interview in interviews:
            case = _sub(cases, "Case", guid=_guid(grid, "case", interview.id), name=pseudonym(corpus, interview))
            profile = {"category": corpus.category_label(interview.category), "site": interview.site,
                       "organisation": interview.organisation, "role": interview.role}
            for key, _ in VARIABLES:
                value = _sub(case, "VariableValue")
                _sub(value, "VariableRef", targetGUID=variables[key])
                _sub(value, "TextValue").text = profile[key]
            _sub(case, "SourceRef", targetGUID=sources[interview.id])
        holder = _sub(project, "Sources")
        for interview in interviews:
            document = interview_document(corpus, interview)
            guid = sources[interview.id]
            source = _sub(holder, "TextSource", guid=guid, name=document.name, plainTextPath=f"internal://{guid}.txt",
                          creatingUser=user, creationDateTime=when)
            files[f"Sources/{guid}.txt"] = document.text.encode("utf-8")
            for segment in sorted(interview.segments, key=lambda s: (document.position(s.slot, s.start or 0) or 0,
                                                                     s.id)):
                start = document.position(segment.slot, segment.start) if segment.start is not None else None
                if start is None or segment.end is None or not (segment.codes or segment.is_quote):
                    continue
                end = start + segment.end - segment.start
                selection = _sub(source, "PlainTextSelection", guid=_guid(grid, "segment", segment.id),
                                 name=_excerpt(segment.text) if segment.codes else "Verbatim",
                                 startPosition=str(start), endPosition=str(end), creatingUser=user,
                                 creationDateTime=when)
                if segment.is_quote:
                    _sub(selection, "Description").text = "Verbatim"
                for code in segment.codes:
                    if code in codes:
                        coding = _sub(selection, "Coding", guid=_guid(grid, "coding", segment.id, code),
                                      creatingUser=user, creationDateTime=when)
                        _sub(coding, "CodeRef", targetGUID=codes[code])
    if description:
        _sub(project, "Description").text = description
    ET.indent(project)
    files["project.qde"] = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    return files


def _codebook(holder: ET.Element, corpus: Corpus, guids: dict[str, str]) -> None:
    """The codes as nested `Code` elements, each with its definition and example as description."""
    elements: dict[str, ET.Element] = {}
    for info in corpus.code_tree():
        parent = elements.get(info.parent) if info.parent else None
        element = _sub(parent if parent is not None else holder, "Code", guid=guids[info.code],
                       name=info.label or info.code, isCodable="true")
        described = "\n".join(t for t in (info.definition, f"Exemple : {info.example}" if info.example else "") if t)
        if described:
            # The schema wants a code's description before its child codes: children are added after it.
            _sub(element, "Description").text = described
        elements[info.code] = element


def _excerpt(text: str, length: int = 60) -> str:
    """A selection's name: the start of its text on one line."""
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1] + "…"

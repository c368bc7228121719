"""Reading an interview transcript from a .txt, .docx or .odt file into plain text.

One module for the command line (`survey import-interview`) and the upload of the interviewer pages. A transcript
is untrusted input: the file's size, the size each zipped part unpacks to and the text's length are capped before
anything big is held in memory, the XML is parsed by defusedxml (no DTD, no entity, so no XXE nor "billion
laughs"), and a broken file is one clear sentence (`TranscriptUnreadable`), never a traceback.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_FILE_BYTES = 20_000_000  # a transcript file; Word files with pictures stay well under it
MAX_XML_BYTES = 50_000_000  # the document's XML once unzipped
MAX_CHARACTERS = 1_000_000  # the text kept (the store's limit for one slot)
SUFFIXES = (".txt", ".docx", ".odt")

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TranscriptUnreadable(ValueError):
    """The file cannot be read as a transcript; the message says why and what to do."""


def read_transcript_file(path: Path) -> str:
    """The text of a transcript file on disk."""
    try:
        with path.open("rb") as stream:
            content = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise TranscriptUnreadable(f"cannot read {path.name}: {exc.strerror or exc}") from None
    return read_transcript(path.name, content)


def read_transcript(name: str, content: bytes) -> str:
    """The text of a transcript given as its file name (for the kind) and bytes (an upload, a file read)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptUnreadable(f"{name}: a transcript is a .txt, .docx or .odt file — save it as one of them")
    if len(content) > MAX_FILE_BYTES:
        raise TranscriptUnreadable(f"{name} is larger than {MAX_FILE_BYTES // 1_000_000} MB — save the text alone "
                                   "(.txt), without pictures")
    if suffix == ".txt":
        text = _decode(name, content)
    else:
        member = "word/document.xml" if suffix == ".docx" else "content.xml"
        root = _xml(name, content, member)
        try:
            text = _docx_text(root) if suffix == ".docx" else _odt_text(root)
        except RecursionError:
            raise TranscriptUnreadable(f"{name}: its text is nested too deeply — save it again as .txt") from None
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise TranscriptUnreadable(f"{name} holds no text")
    if len(text) > MAX_CHARACTERS:
        raise TranscriptUnreadable(f"{name} holds {len(text):,} characters, more than the {MAX_CHARACTERS:,} an "
                                   "interview's transcript may have — split it")
    return text


def _decode(name: str, content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, as Word saves "plain text" on French Windows."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise TranscriptUnreadable(f"{name} is not text in UTF-8 — save it as « Texte brut (UTF-8) »") from None


def _xml(name: str, content: bytes, member: str) -> Element:
    """The root of one XML part of a zipped document, size-checked and parsed without DTD or entities."""
    kind = "a Word (.docx)" if member.startswith("word/") else "an OpenDocument (.odt)"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo(member)
            if info.file_size > MAX_XML_BYTES:
                raise TranscriptUnreadable(f"{name}: its text unpacks to more than {MAX_XML_BYTES // 1_000_000} MB")
            with archive.open(info) as part:
                xml = part.read(MAX_XML_BYTES + 1)  # the header's size may lie: never read past the cap
    except KeyError:
        raise TranscriptUnreadable(f"{name} is not {kind} document (no {member}) — open it and save it again"
                                   ) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        raise TranscriptUnreadable(f"{name} is damaged or not {kind} file — open it and save it again") from None
    if len(xml) > MAX_XML_BYTES:
        raise TranscriptUnreadable(f"{name}: its text unpacks to more than {MAX_XML_BYTES // 1_000_000} MB")
    try:
        return fromstring(xml)
    except DefusedXmlException:
        raise TranscriptUnreadable(f"{name} declares XML entities or a DTD, which are refused — save it again "
                                   "from a word processor") from None
    except ParseError:
        raise TranscriptUnreadable(f"{name}: its text part is not valid XML — open it and save it again") from None


def _docx_text(root: Element) -> str:
    """Paragraphs of a Word document, one per line; tabs and line breaks kept."""
    paragraphs = []
    for paragraph in root.iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _odt_text(root: Element) -> str:
    """Paragraphs and headings of an OpenDocument text, one per line; `text:s` spaces, tabs and breaks kept."""
    def inline(node: Element) -> str:
        parts = [node.text or ""]
        for child in node:
            if child.tag == f"{_TEXT}s":
                count = child.get(f"{_TEXT}c", "1")
                parts.append(" " * min(int(count) if count.isdigit() else 1, 100))  # a forged count stays small
            elif child.tag == f"{_TEXT}tab":
                parts.append("\t")
            elif child.tag == f"{_TEXT}line-break":
                parts.append("\n")
            elif child.tag not in (f"{_TEXT}note", f"{_TEXT}annotation"):
                parts.append(inline(child))
            parts.append(child.tail or "")
        return "".join(parts)

    blocks = [inline(node) for node in root.iter() if node.tag in (f"{_TEXT}p", f"{_TEXT}h")]
    return "\n".join(blocks)

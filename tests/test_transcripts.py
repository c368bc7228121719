"""Transcripts read from .txt, .docx and .odt files: the text as written, and a clear sentence for every file that
cannot be read — damaged, hostile (XML entities, a part unpacking too large) or of another kind."""

from __future__ import annotations

import io
import zipfile

import pytest

from survey import transcripts
from survey.transcripts import TranscriptUnreadable, read_transcript

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
ODT = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def zipped(member: str, xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, xml)
    return buffer.getvalue()


def test_a_text_file_is_read_in_utf8_or_as_word_saves_it_on_french_windows() -> None:
    assert read_transcript("a.txt", "\ufeffÉlue : « Oui. »\r\nEnquêteur : Merci.".encode()) == (
        "Élue : « Oui. »\nEnquêteur : Merci.")
    assert read_transcript("b.TXT", "Élue : c'était prévu.".encode("cp1252")) == "Élue : c'était prévu."


def test_a_word_document_gives_its_paragraphs_one_per_line_with_tabs_and_breaks() -> None:
    xml = (f'<w:document {W}><w:body><w:p><w:r><w:t>Q :</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">'
           'Pourquoi ?</w:t></w:r></w:p><w:p><w:r><w:t>R : ligne un</w:t><w:br/><w:t>ligne deux</w:t></w:r></w:p>'
           '</w:body></w:document>')
    assert read_transcript("t.docx", zipped("word/document.xml", xml)) == "Q :\tPourquoi ?\nR : ligne un\nligne deux"


def test_an_opendocument_text_keeps_spaces_spans_and_headings_but_not_notes() -> None:
    xml = (f'<office:document-content {ODT}><office:body><office:text><text:h>Entretien 3</text:h>'
           '<text:p>Élu<text:s text:c="3"/>: <text:span>renouer</text:span> le lien<text:note><text:p>'
           'note</text:p></text:note>.</text:p></office:text></office:body></office:document-content>')
    assert read_transcript("t.odt", zipped("content.xml", xml)).split("\n")[:2] == [
        "Entretien 3", "Élu   : renouer le lien."]


@pytest.mark.parametrize("name, content, message", [
    ("t.pdf", b"%PDF", "t.pdf: a transcript is a .txt, .docx or .odt file"),
    ("t.docx", b"not a zip", "t.docx is damaged or not a Word (.docx) file"),
    ("t.odt", zipped("word/document.xml", "<x/>"), "t.odt is not an OpenDocument (.odt) document (no content.xml)"),
    ("t.docx", zipped("word/document.xml", "<w:document"), "t.docx: its text part is not valid XML"),
    ("t.docx", zipped("word/document.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                      f'<w:document {W}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'),
     "t.docx declares XML entities or a DTD, which are refused"),
    ("t.docx", zipped("word/document.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>'),
     "t.docx declares XML entities or a DTD"),
    ("t.txt", b"   \n ", "t.txt holds no text"),
    ("t.txt", b"\xff\xfe\x00\x81\x8d\x8f\x90\x9d", "t.txt is not text in UTF-8"),
])
def test_a_file_that_cannot_be_read_is_one_clear_sentence(name: str, content: bytes, message: str) -> None:
    with pytest.raises(TranscriptUnreadable) as caught:
        read_transcript(name, content)
    assert str(caught.value).startswith(message)


def test_sizes_are_capped_before_the_text_is_held(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = zipped("word/document.xml", f"<w:document {W}>" + " " * 5000 + "</w:document>")
    monkeypatch.setattr(transcripts, "MAX_XML_BYTES", 1000)
    with pytest.raises(TranscriptUnreadable, match="unpacks to more than"):
        read_transcript("t.docx", bomb)
    monkeypatch.setattr(transcripts, "MAX_FILE_BYTES", 10)
    with pytest.raises(TranscriptUnreadable, match="is larger than"):
        read_transcript("t.txt", b"x" * 11)
    monkeypatch.setattr(transcripts, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(transcripts, "MAX_CHARACTERS", 5)
    with pytest.raises(TranscriptUnreadable, match="holds 6 characters"):
        read_transcript("t.txt", b"abcdef")

"""The text of a document's file, by format — run in a child process (`documents.text_extraction`).

This module imports no Django: `python -m documents.extractors` reads a request (JSON: the format and
the limits) on its first line of stdin and the file's bytes after it, and writes a JSON result
`{"text": …, "error": …, "pages": …}` on stdout after a marker. The parent bounds it in time (it is
killed after a timeout) and memory (an address-space limit set before it starts), so a malicious file
— a PDF whose content stream loops, a zip bomb in an ODT or DOCX — costs a few seconds of one child,
never the worker.

Formats: PDF (pypdf: each page's text, at most `max_pages` pages), ODT (odfpy: headings and paragraphs,
those in tables and lists included, in document order), DOCX (python-docx: paragraphs and tables, in
document order), TXT and CSV (UTF-8, else Windows-1252). Text is cut at `max_chars` characters and
normalised: no NUL or other control character (PostgreSQL refuses NUL in text), no lone surrogate, runs
of spaces collapsed, at most one blank line in a row.
"""

import io
import json
import re
import sys
import unicodedata
import zipfile

RESULT_MARKER = b"\n@@PARVIS-TEXT@@\n"
#: Formats whose text is read; any other extension is left alone (no text, no error).
FORMATS = ("pdf", "odt", "docx", "txt", "csv")
#: A DOCX or ODT is a zip: one whose parts would inflate beyond this (a zip bomb) is refused unopened.
MAX_INFLATED_BYTES = 200 * 1024 * 1024


class Skipped(Exception):
    """The file is skipped, for the reason given (encrypted, unreadable, too large once inflated)."""


# -- Normalisation ---------------------------------------------------------------------------------------

_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _clean_char(char):
    if char in "\n\t":
        return char
    category = unicodedata.category(char)
    if category == "Cc":
        return " "  # a form feed or vertical tab separates words
    if category in ("Cs", "Cn", "Co"):
        return ""  # lone surrogates (PostgreSQL refuses them), unassigned and private-use code points
    return char


def normalise(text, max_chars=None):
    """Text PostgreSQL stores and people read: control characters (NUL above all) and lone surrogates
    removed, non-breaking and other spaces made plain, trailing spaces dropped, blank lines collapsed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(_clean_char(char) for char in text.replace("\x00", ""))
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars].rsplit(None, 1)[0] if " " in text[:max_chars] else text[:max_chars]
    return text


class TextBudget:
    """Collects pieces of text until `max_chars` is reached (the rest of the file is not read)."""

    def __init__(self, max_chars):
        self.max_chars = max_chars
        self.pieces = []
        self.size = 0

    @property
    def full(self):
        return self.size >= self.max_chars

    def add(self, piece):
        if piece and not self.full:
            self.pieces.append(piece)
            self.size += len(piece) + 1

    def text(self):
        return normalise("\n".join(self.pieces), self.max_chars)


# -- Formats -------------------------------------------------------------------------------------------


def pdf_text(data, *, max_pages, max_chars, **_limits):
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # A PDF encrypted with an owner password only opens with an empty user password: anyone can
            # read it, so its text is searched. One that needs a password is skipped.
            try:
                opened = reader.decrypt("")
            except (FileNotDecryptedError, NotImplementedError) as error:
                raise Skipped(f"encrypted PDF ({error})") from error
            if not opened:
                raise Skipped("encrypted PDF: it needs a password")
        pages = reader.pages
        count = len(pages)
    except Skipped:
        raise
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        raise Skipped(f"unreadable PDF ({type(error).__name__}: {error})") from error
    budget = TextBudget(max_chars)
    read, failure = 0, None
    for number in range(min(count, max_pages)):
        if budget.full:
            break
        try:
            budget.add(pages[number].extract_text())
        except Exception as error:  # noqa: BLE001 - one broken page must not lose the others' text
            failure = failure or error
            continue
        read += 1
    if read == 0 and failure is not None:
        raise Skipped(f"unreadable PDF ({type(failure).__name__}: {failure})") from failure
    return budget.text(), read


def _zip_checked(data, label, max_inflated):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise Skipped(f"unreadable {label}: not a valid zip archive ({error})") from error
    if inflated > max_inflated:
        raise Skipped(f"{label} too large once uncompressed: {inflated} bytes, over {max_inflated}")
    return archive


def docx_text(data, *, max_chars, max_inflated=MAX_INFLATED_BYTES, **_limits):
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _zip_checked(data, "DOCX", max_inflated)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - python-docx raises many kinds (KeyError, lxml, zip)
        raise Skipped(f"unreadable DOCX ({type(error).__name__}: {error})") from error
    budget = TextBudget(max_chars)

    def walk(container):
        for block in container.iter_inner_content():
            if budget.full:
                return
            if isinstance(block, Paragraph):
                budget.add(block.text)
            elif isinstance(block, Table):
                # A merged cell is repeated in each row and column it spans: read it once. The elements are
                # kept (not only their ids) so that no id is reused by another cell meanwhile.
                seen = {}
                for row in block.rows:
                    for cell in row.cells:
                        if id(cell._tc) not in seen:
                            seen[id(cell._tc)] = cell._tc
                            walk(cell)

    try:
        walk(document)
    except Exception as error:  # noqa: BLE001
        raise Skipped(f"unreadable DOCX ({type(error).__name__}: {error})") from error
    return budget.text(), None


def odt_text(data, *, max_chars, max_inflated=MAX_INFLATED_BYTES, **_limits):
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    _zip_checked(data, "ODT", max_inflated)
    try:
        document = load(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - odfpy raises zip, XML and key errors
        raise Skipped(f"unreadable ODT ({type(error).__name__}: {error})") from error
    budget = TextBudget(max_chars)
    blocks = {(TEXTNS, "p"), (TEXTNS, "h")}
    # Depth-first, in document order: headings and paragraphs, those inside tables, lists and frames too.
    stack = [document.text]
    while stack and not budget.full:
        node = stack.pop()
        if getattr(node, "qname", None) in blocks:
            budget.add(teletype.extractText(node))
            continue
        stack.extend(reversed(getattr(node, "childNodes", [])))
    return budget.text(), None


def plain_text(data, *, max_chars, **_limits):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return normalise(text, max_chars), None


EXTRACTORS = {"pdf": pdf_text, "odt": odt_text, "docx": docx_text, "txt": plain_text, "csv": plain_text}


def extract(data, *, extension, max_pages, max_chars, max_inflated=MAX_INFLATED_BYTES):
    """{"text", "error", "pages"} for a file's bytes; never raises for a bad file."""
    extractor = EXTRACTORS.get(extension)
    if extractor is None:
        return {"text": "", "error": "", "pages": None}
    try:
        text, pages = extractor(data, max_pages=max_pages, max_chars=max_chars, max_inflated=max_inflated)
    except Skipped as skipped:
        return {"text": "", "error": str(skipped)[:400], "pages": None}
    except RecursionError:
        return {"text": "", "error": f"unreadable {extension.upper()}: nested too deeply", "pages": None}
    except MemoryError:
        return {"text": "", "error": f"{extension.upper()} needs too much memory to read", "pages": None}
    return {"text": text, "error": "", "pages": pages}


def main():
    """`python -m documents.extractors`: a JSON request line, then the file's bytes, on stdin."""
    stdin = sys.stdin.buffer
    request = json.loads(stdin.readline())
    data = stdin.read()
    result = extract(
        data,
        extension=request["extension"],
        max_pages=request["max_pages"],
        max_chars=request["max_chars"],
        max_inflated=request.get("max_inflated", MAX_INFLATED_BYTES),
    )
    out = sys.stdout.buffer
    out.write(RESULT_MARKER + json.dumps(result, ensure_ascii=False).encode("utf-8"))
    out.flush()


if __name__ == "__main__":
    main()

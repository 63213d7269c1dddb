"""Real files built in the tests: a PDF written by hand (one text stream per page, Helvetica in
WinAnsiEncoding so that French accents survive), an ODT built with odfpy, a DOCX with python-docx."""

import io

import docx
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, P
from pypdf import PdfReader, PdfWriter


def _pdf_string(text):
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252") + b")"


def pdf_bytes(pages):
    """A valid PDF: `pages` is a list of pages, each a list of lines (or one string)."""
    pages = [[page] if isinstance(page, str) else page for page in pages]
    objects = []  # bodies, numbered from 1
    font_number = 3 + 2 * len(pages)
    kids = []
    for index, lines in enumerate(pages):
        page_number, content_number = 3 + 2 * index, 4 + 2 * index
        kids.append(f"{page_number} 0 R".encode())
        stream = b"BT /F1 12 Tf 14 TL 72 770 Td " + b" ".join(_pdf_string(line) + b" Tj T*" for line in lines)
        stream += b" ET"
        objects.append(
            (
                page_number,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 "
                + f"{font_number} 0 R".encode()
                + b" >> >> /Contents "
                + f"{content_number} 0 R".encode()
                + b" >>",
            )
        )
        objects.append(
            (
                content_number,
                b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
            )
        )
    objects.append((1, b"<< /Type /Catalog /Pages 2 0 R >>"))
    objects.append(
        (2, b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count " + str(len(pages)).encode() + b" >>")
    )
    objects.append(
        (font_number, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    )
    objects.sort()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in objects:
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    size = len(objects) + 1
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for number in range(1, size):
        out.write(f"{offsets[number]:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def encrypted_pdf_bytes(pages, *, user_password="secret", owner_password="proprietaire"):  # noqa: S107
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(pages))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def odt_bytes(*, heading, paragraphs=(), table=()):
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=heading))
    for paragraph in paragraphs:
        document.text.addElement(P(text=paragraph))
    if table:
        odt_table = Table(name="Tableau1")
        odt_table.addElement(TableColumn(numbercolumnsrepeated=len(table[0])))
        for row in table:
            table_row = TableRow()
            for cell in row:
                table_cell = TableCell()
                table_cell.addElement(P(text=cell))
                table_row.addElement(table_cell)
            odt_table.addElement(table_row)
        document.text.addElement(odt_table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def docx_bytes(*, heading, paragraphs=(), table=()):
    document = docx.Document()
    document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        docx_table = document.add_table(rows=len(table), cols=len(table[0]))
        for row_index, row in enumerate(table):
            for column, cell in enumerate(row):
                docx_table.cell(row_index, column).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

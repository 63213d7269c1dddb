"""Documents searched by their content: the text of a document's file, extracted in the background.

`document_text_extract(document=…)` (run by the task `documents.tasks.document_text_extract`, enqueued
after the commit that stores a new or replaced file — `documents.signals` — and by the backfill command
`documents_extract_text`) reads the file, hands it to a child process (`documents.extractors`), stores
the text, and re-indexes the document in Wagtail's search index, where `extracted_text` is searched with
the title.

Never raised, always logged (logger `documents.text`) and kept in `text_extraction_error`: a file over the
size limit, a missing file, an encrypted, corrupt or truncated one, one whose reading takes longer than
the timeout or more memory than allowed. Bounds, each a setting:

- `PARVIS_DOCUMENT_TEXT_MAX_BYTES` (20 MB, the upload limit): larger files are not read at all;
- `PARVIS_DOCUMENT_TEXT_TIMEOUT` (60 s): the child is killed after it — pypdf is pure Python and a
  crafted PDF (a content stream that never ends, deeply nested objects) can keep it busy for hours; a
  page limit alone does not bound one page, and a thread cannot be stopped, so the robust bound is a
  process;
- `PARVIS_DOCUMENT_TEXT_MEMORY` (1 GiB): the child's address space, and
  `PARVIS_DOCUMENT_TEXT_MAX_INFLATED` (200 MB): a DOCX or ODT (zip files) that would inflate beyond it is
  not opened (a zip bomb);
- `PARVIS_DOCUMENT_TEXT_MAX_PAGES` (300) and `PARVIS_DOCUMENT_TEXT_MAX_CHARS` (500,000): what is kept.

The child gets the file's bytes on stdin (any storage, local or remote) and none of the site's secrets
(only a few environment variables); it imports no Django.
"""

import json
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F

from wagtail.documents import get_document_model
from wagtail.search import index

from .extractors import FORMATS, MAX_INFLATED_BYTES, RESULT_MARKER

logger = logging.getLogger("documents.text")

DEFAULTS = {
    "PARVIS_DOCUMENT_TEXT_MAX_BYTES": 20 * 1024 * 1024,
    "PARVIS_DOCUMENT_TEXT_TIMEOUT": 60,
    "PARVIS_DOCUMENT_TEXT_MEMORY": 1024 * 1024 * 1024,
    "PARVIS_DOCUMENT_TEXT_MAX_PAGES": 300,
    "PARVIS_DOCUMENT_TEXT_MAX_CHARS": 500_000,
    "PARVIS_DOCUMENT_TEXT_MAX_INFLATED": MAX_INFLATED_BYTES,
}
#: What the child process inherits: enough to run Python, nothing of the site's configuration.
ENV_PASSED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH")
PROJECT_DIR = Path(__file__).resolve().parent.parent
ERROR_MAX_LENGTH = 500


def setting(name):
    value = getattr(settings, name, None)
    return DEFAULTS[name] if value is None else value


def _child_limits(*, memory, cpu_seconds):
    """Run in the child before Python starts: cap its address space (and its CPU time, as a backstop)."""

    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return apply


def file_text_extract(*, data, extension, timeout=None, max_pages=None, max_chars=None, memory=None):
    """{"text", "error", "pages"} for a file's bytes, read by a child process; never raises."""
    extension = (extension or "").lower()
    if extension not in FORMATS:
        return {"text": "", "error": "", "pages": None}
    timeout = setting("PARVIS_DOCUMENT_TEXT_TIMEOUT") if timeout is None else timeout
    request = {
        "extension": extension,
        "max_pages": max_pages or setting("PARVIS_DOCUMENT_TEXT_MAX_PAGES"),
        "max_chars": max_chars or setting("PARVIS_DOCUMENT_TEXT_MAX_CHARS"),
        "max_inflated": setting("PARVIS_DOCUMENT_TEXT_MAX_INFLATED"),
    }
    env = {key: os.environ[key] for key in ENV_PASSED if key in os.environ}
    env["PYTHONIOENCODING"] = "utf-8"
    try:
        completed = subprocess.run(  # our own module, with our own interpreter
            [sys.executable, "-m", "documents.extractors"],
            input=json.dumps(request).encode() + b"\n" + data,
            capture_output=True,
            timeout=timeout,
            env=env,
            cwd=PROJECT_DIR,
            preexec_fn=_child_limits(
                memory=memory or setting("PARVIS_DOCUMENT_TEXT_MEMORY"), cpu_seconds=int(timeout) + 5
            ),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"text": "", "error": f"timed out: reading took more than {timeout} s", "pages": None}
    except OSError as error:
        return {"text": "", "error": f"could not start the reader ({error})", "pages": None}
    if completed.returncode != 0 or RESULT_MARKER not in completed.stdout:
        tail = completed.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        if "MemoryError" in tail[0] or completed.returncode in (-9, -24):  # SIGKILL / SIGXCPU
            reason = f"the reader ran out of memory or time (exit {completed.returncode})"
        else:
            reason = f"the reader failed (exit {completed.returncode}): {tail[0]}"
        return {"text": "", "error": reason[:ERROR_MAX_LENGTH], "pages": None}
    return json.loads(completed.stdout.rsplit(RESULT_MARKER, 1)[1].decode("utf-8"))


def _read_file(document, max_bytes):
    """The file's bytes, or (None, reason) when it is too large or cannot be read."""
    size = document.file_size
    try:
        if size is None:
            size = document.file.size
        if size > max_bytes:
            return None, f"too large: {size} bytes, over the {max_bytes} bytes limit"
        with document.file.open("rb") as file:
            data = file.read(max_bytes + 1)
    except (OSError, ValueError) as error:
        return None, f"file could not be read ({type(error).__name__}: {error})"
    if len(data) > max_bytes:
        return None, f"too large: over the {max_bytes} bytes limit"
    return data, ""


def document_text_extract(*, document, force=False):
    """Extract the text of the document's current file, store it and re-index the document.

    Returns "unchanged" (already extracted from this file, unless `force`), "extracted", "skipped" (a
    reason is stored and logged), "none" (a format whose text is not read), or "stale" (the file was
    replaced or the document deleted meanwhile: the newer file's own task takes over)."""
    file_name = document.file.name if document.file else ""
    if not file_name:
        return "none"
    if not force and document.text_extracted_from == file_name:
        return "unchanged"
    extension = (document.file_extension or "").lower()
    started = time.monotonic()
    result = {"text": "", "error": "", "pages": None}
    if extension in FORMATS:
        data, reason = _read_file(document, setting("PARVIS_DOCUMENT_TEXT_MAX_BYTES"))
        result = file_text_extract(data=data, extension=extension) if data is not None else {"error": reason}
    text = result.get("text") or ""
    error = (result.get("error") or "")[:ERROR_MAX_LENGTH]
    elapsed = time.monotonic() - started

    stored = (
        get_document_model()
        .objects.filter(pk=document.pk, file=file_name)
        .update(extracted_text=text, text_extracted_from=file_name, text_extraction_error=error)
    )
    if not stored:
        logger.info("Document %s: file replaced or document deleted while its text was read", document.pk)
        return "stale"
    document.extracted_text, document.text_extracted_from, document.text_extraction_error = (
        text,
        file_name,
        error,
    )
    document_reindex(document=document)
    if error:
        logger.warning("Document %s (%s): text skipped: %s", document.pk, file_name, error)
        return "skipped"
    if extension not in FORMATS:
        return "none"
    logger.info(
        "Document %s (%s): %s characters of text from %s page(s) in %.2f s",
        document.pk,
        file_name,
        len(text),
        result.get("pages") if result.get("pages") is not None else "-",
        elapsed,
    )
    return "extracted"


def document_reindex(*, document):
    """Put the document's new text in Wagtail's search index now (the `.update()` above sends no signal,
    so the index is updated once, here). An indexing failure is logged, never raised."""
    try:
        with transaction.atomic():
            index.insert_or_update_object(document)
    except DatabaseError:
        logger.exception("Document %s: the search index could not be updated", document.pk)


def document_text_extract_by_id(*, document_id, force=False):
    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        return "missing"
    return document_text_extract(document=document, force=force)


def documents_needing_text():
    """Documents whose current file has not been read yet (new, replaced, or older than this feature)."""
    return get_document_model().objects.exclude(file="").exclude(text_extracted_from=F("file"))

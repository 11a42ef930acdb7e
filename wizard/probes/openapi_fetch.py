"""Reading the product's OpenAPI document, from a file or over HTTP, never past the cap: `api
discover` and the checks that compare responses with the document both come through here."""

from __future__ import annotations

from pathlib import Path

import httpx

from wizard.probes.openapi_doc import DOCUMENT_CAP

ACCEPT = {"Accept": "application/json, application/yaml;q=0.9, */*;q=0.1"}


class DocumentUnavailable(ValueError):
    """One line: which URL, and why it gave no document."""


def read_document_file(path: Path, where: str) -> bytes:
    """The file's bytes, refused over the cap before it is read; `where` names it in errors."""
    try:
        size = path.stat().st_size
        if size > DOCUMENT_CAP:
            raise DocumentUnavailable(f"{where}: {size / 2**20:.1f} MiB, over the "
                                      f"{DOCUMENT_CAP // 2**20} MiB cap for an OpenAPI document")
        return path.read_bytes()
    except OSError as exc:
        raise DocumentUnavailable(f"{where}: cannot read the document ({exc.strerror or exc})") from None


async def fetch_document(http: httpx.AsyncClient, url: str) -> bytes:
    """The document's bytes; a non-200 answer, a body over the cap or a transport error is a
    DocumentUnavailable (the client's scope rules raise their own OutOfScope)."""
    try:
        async with http.stream("GET", url, headers=ACCEPT) as response:
            if response.status_code != 200:
                raise DocumentUnavailable(f"{url}: answered {response.status_code}, not the document")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > DOCUMENT_CAP:
                    raise DocumentUnavailable(f"{url}: over the {DOCUMENT_CAP // 2**20} MiB cap for "
                                              "an OpenAPI document; nothing was read further")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise DocumentUnavailable(f"{url}: could not fetch the document ({type(exc).__name__}: "
                                  f"{exc})") from None

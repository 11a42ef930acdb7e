"""Fetching the product's OpenAPI document over HTTP, read at most up to the cap: `api discover`
and the checks that compare responses with the document both come through here."""

from __future__ import annotations

import httpx

from wizard.probes.openapi_doc import DOCUMENT_CAP

ACCEPT = {"Accept": "application/json, application/yaml;q=0.9, */*;q=0.1"}


class DocumentUnavailable(ValueError):
    """One line: which URL, and why it gave no document."""


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

"""The product's OpenAPI document (api.openapi) as the checks read it: fetched or read once per
run, through the run's network context (scope, budget, timeout, the size cap). A document that
cannot be used is not an error of the check: the parts that need it are skipped with the reason."""

from __future__ import annotations

from pathlib import Path

from stages.checks.per_run import once
from wizard.engine import RunContext
from wizard.net import OutOfScope
from wizard.probes.api_client import ApiSession
from wizard.probes.openapi_doc import Document, NotOpenApi, parse
from wizard.probes.openapi_fetch import DocumentUnavailable, read_document_file


async def api_document(ctx: RunContext, s: ApiSession) -> tuple[Document | None, str]:
    """(the document, "") or (None, why not). The first probe to ask fetches it, counted in its
    requests."""
    where = ctx.config.api.openapi
    if not where:
        return None, "api.openapi is unset (run `launch-ready api discover` to set it)"
    return await once(ctx.net, "api-openapi", lambda: _load(ctx, s, where))


async def _load(ctx: RunContext, s: ApiSession, where: str) -> tuple[Document | None, str]:
    try:
        if where.startswith("file:"):
            path = Path(where.removeprefix("file:")).expanduser()
            if not path.is_absolute():
                path = (ctx.net.base_dir or Path.cwd()) / path
            data = read_document_file(path, where)
        else:
            data = await s.document(where)
        return parse(data, where), ""
    except (DocumentUnavailable, NotOpenApi, OutOfScope) as exc:
        return None, str(exc)

"""Downloads of a run: the post-operation report and the graph exports.

Opened with the browser session or a bearer token (API clients). A run is only ever
shown to the analyst who started it, while they may still analyse all its operations
(selectors.runs_for_user); for anybody else it does not exist.

The HTML and PDF reports are documents to read: they open in the browser (``inline``, with a
file name for "Save as"). The HTML one is sandboxed by its Content-Security-Policy (no script,
no request, an origin of its own; its pictures are ``data:`` URIs), so even a label that
escaped escaping could not act with the analyst's session. CSV and JSON reports and the graph exports are data for other tools: they
are downloaded (``attachment``).
"""

import json

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from network_analysis import selectors, services
from network_analysis.error_codes import AnalysisErrorCode as Code
from network_analysis.exports import EXPORT_FORMATS, export_graph
from network_analysis.models import AnalysisResult, AnalysisRun
from network_analysis.reports import REPORT_FORMATS, render_report


def _refusal(status: int, code: Code, message: str) -> HttpResponse:
    body = json.dumps({"errors": [{"code": code, "message": message}]})
    return HttpResponse(body, status=status, content_type="application/json")


def _result(request, pk) -> AnalysisResult | HttpResponse:
    if not request.user.is_authenticated:
        return _refusal(401, Code.PERMISSION_DENIED, "Log in or send a bearer token.")
    run = selectors.runs_for_user(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404("No such analysis run.")
    edition = request.GET.get("edition", AnalysisResult.Edition.FULL)
    if edition not in AnalysisResult.Edition.values:
        return _refusal(400, Code.INVALID_FORMAT, "edition is full or redacted.")
    if run.state != AnalysisRun.State.SUCCEEDED:
        return _refusal(409, Code.RUN_NOT_FINISHED, f"The run is {run.state}.")
    return run.results.get(edition=edition)


# Reports a browser shows itself; the others are downloaded.
INLINE_REPORT_FORMATS = frozenset({"html", "pdf"})
# The HTML report needs nothing but its own inline style sheet and pictures (data: URIs).
HTML_REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def _download(
    content: bytes, content_type: str, filename: str, *, inline: bool = False
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _filename(result: AnalysisResult, what: str, extension: str) -> str:
    codes = "-".join(o["code"] for o in result.results["scope"]["operations"])
    return f"{codes}-{what}-{result.edition}.{extension}"


@require_GET
def report(request, pk, fmt: str):
    if fmt not in REPORT_FORMATS:
        raise Http404("No such format.")
    result = _result(request, pk)
    if isinstance(result, HttpResponse):
        return result
    content, content_type = render_report(result.results, fmt)
    filename = _filename(result, "report", fmt)
    response = _download(content, content_type, filename, inline=fmt in INLINE_REPORT_FORMATS)
    if fmt == "html":
        response["Content-Security-Policy"] = HTML_REPORT_POLICY
    return response


@require_GET
def export(request, pk, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    result = _result(request, pk)
    if isinstance(result, HttpResponse):
        return result
    content, content_type, extension = export_graph(services.unpacked(result.graph), fmt)
    return _download(content, content_type, _filename(result, "graph", extension))

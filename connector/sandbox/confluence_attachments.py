"""Attachments over HTTP: the v1 upload and listing calls, the v2 listing, and the download link.

Uploads are ``multipart/form-data`` with a ``file`` part, as ``ConfluenceServer.attach_content``
sends them; like Confluence, the sandbox refuses them without ``X-Atlassian-Token: no-check``
(its XSRF guard) and refuses a second attachment with the same name on a page (new data for an
existing attachment goes to ``.../child/attachment/{id}/data``).
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import quote, unquote

from .confluence_files import Attachment
from .confluence_model import ConfluenceState, ContentError
from .jira_render import account_id
from .server import (
    CONFLUENCE_PREFIX,
    BadRequest,
    Request,
    Response,
    Route,
    confluence_error,
    confluence_v2_error,
    route,
)

V1 = CONFLUENCE_PREFIX + r"/rest/api/content/(?P<id>[0-9]+)/child/attachment"
V2 = CONFLUENCE_PREFIX + r"/api/v2/pages/(?P<id>[0-9]+)/attachments"
DOWNLOAD = CONFLUENCE_PREFIX + r"/download/attachments/(?P<id>[0-9]+)/(?P<name>[^/]+)"


class Upload:
    def __init__(self, name: str, data: bytes, media_type: str, comment: str) -> None:
        self.name = name
        self.data = data
        self.media_type = media_type
        self.comment = comment


def _when(attachment: Attachment) -> str:
    moment = attachment.current.when
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class AttachmentApi:
    def __init__(self, state: ConfluenceState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [
            route("GET", V1, self.list_v1),
            route("POST", V1, self.create),
            route("POST", V1 + r"/(?P<att>att[0-9]+)/data", self.update),
            route("GET", V2, self.list_v2),
            route("GET", DOWNLOAD, self.download),
        ]

    # -- shapes ----------------------------------------------------------------------------------
    def _download_link(self, a: Attachment) -> str:
        return (
            f"/download/attachments/{a.page_id}/{quote(a.title)}?version={a.current.number}&api=v2"
        )

    def v1(self, a: Attachment, base: str) -> dict[str, Any]:
        current = a.current
        return {
            "id": a.id,
            "type": "attachment",
            "status": "current",
            "title": a.title,
            "version": {
                "by": {"type": "known", "displayName": current.by},
                "number": current.number,
                "minorEdit": True,
                "message": current.comment,
            },
            "metadata": {"mediaType": current.media_type, "comment": current.comment},
            "extensions": {
                "mediaType": current.media_type,
                "fileSize": len(current.data),
                "comment": current.comment,
                "fileId": a.file_id,
            },
            "_links": {
                "webui": f"/pages/viewpageattachments.action?pageId={a.page_id}",
                "download": self._download_link(a),
                "self": f"{base}{CONFLUENCE_PREFIX}/rest/api/content/{a.id}",
            },
        }

    def v2(self, a: Attachment) -> dict[str, Any]:
        current = a.current
        return {
            "id": a.id,
            "status": "current",
            "title": a.title,
            "createdAt": _when(a),
            "pageId": a.page_id,
            "mediaType": current.media_type,
            "mediaTypeDescription": current.media_type,
            "comment": current.comment,
            "fileId": a.file_id,
            "fileSize": len(current.data),
            "webuiLink": f"/pages/viewpageattachments.action?pageId={a.page_id}",
            "downloadLink": self._download_link(a),
            "version": {
                "createdAt": _when(a),
                "message": current.comment,
                "number": current.number,
                "minorEdit": True,
                "authorId": account_id(current.by),
            },
            "_links": {
                "webui": f"/pages/viewpageattachments.action?pageId={a.page_id}",
                "download": self._download_link(a),
            },
        }

    def _listing(self, req: Request) -> list[Attachment]:
        found = self.state.files.of_page(req.params["id"])
        name = req.arg("filename")
        return [a for a in found if name is None or a.title == name]

    # -- routes ----------------------------------------------------------------------------------
    def list_v1(self, req: Request) -> Response:
        if self.state.get(req.params["id"]) is None:
            return confluence_error(404, f"No content found with id: {req.params['id']}")
        results = [self.v1(a, req.base_url) for a in self._listing(req)]
        return Response(200, _page_of(results, req))

    def list_v2(self, req: Request) -> Response:
        if self.state.get(req.params["id"]) is None:
            return confluence_v2_error(404, f"No page with id {req.params['id']}")
        results = [self.v2(a) for a in self._listing(req)]
        return Response(200, {"results": results, "_links": {"base": req.base_url + "/wiki"}})

    def create(self, req: Request) -> Response:
        refused = _xsrf(req)
        if refused is not None:
            return refused
        upload = _upload(req)
        try:
            attachment = self.state.add_attachment(
                req.params["id"],
                upload.name,
                upload.data,
                upload.media_type,
                upload.comment,
                _who(req),
            )
        except ContentError as exc:
            return confluence_error(exc.status, exc.message)
        return Response(200, _page_of([self.v1(attachment, req.base_url)], req))

    def update(self, req: Request) -> Response:
        refused = _xsrf(req)
        if refused is not None:
            return refused
        upload = _upload(req)
        try:
            attachment = self.state.update_attachment(
                req.params["id"],
                req.params["att"],
                upload.data,
                upload.media_type,
                upload.comment,
                _who(req),
            )
        except ContentError as exc:
            return confluence_error(exc.status, exc.message)
        return Response(200, self.v1(attachment, req.base_url))

    def download(self, req: Request) -> Response:
        found = self.state.files.named(req.params["id"], unquote(req.params["name"]))
        if found is None:
            return confluence_error(404, "No such attachment")
        return Response(200, found.current.data, {"Content-Type": found.current.media_type})


def _page_of(results: list[dict[str, Any]], req: Request) -> dict[str, Any]:
    return {
        "results": results,
        "start": 0,
        "limit": 50,
        "size": len(results),
        "_links": {"base": req.base_url + CONFLUENCE_PREFIX, "context": CONFLUENCE_PREFIX},
    }


def _xsrf(req: Request) -> Response | None:
    token = (req.headers.get("X-Atlassian-Token") or "").lower()
    if token not in ("no-check", "nocheck"):
        return confluence_error(403, "XSRF check failed")
    return None


def _who(req: Request) -> str:
    assert req.user is not None
    return req.user.name


def _upload(req: Request) -> Upload:
    """The ``file`` part and the ``comment`` field of a multipart/form-data body."""
    content_type = req.headers.get("Content-Type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        raise BadRequest("An attachment must be uploaded as multipart/form-data.")
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + req.body)
    file_part = None
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "file":
            file_part = (part.get_filename() or "", data, part.get_content_type())
        elif isinstance(name, str):
            fields[name] = data.decode("utf-8", "replace")
    if file_part is None:
        raise BadRequest("The upload has no 'file' part.")
    filename, data, media_type = file_part
    return Upload(
        filename, data, fields.get("contentType") or media_type, fields.get("comment", "")
    )

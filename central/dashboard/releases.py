"""Release files served by the hub (`[releases] dir` in hub.toml) at /releases/<file>: the
directory `pvz-central fleet rollout --serve-dir` writes, over the hub's HTTP(S) server, so a
rollout needs no other web server. One plain file name per request, which must resolve to a file right
in the directory (no separator, no leading dot, no link out of it); nothing lists the directory. aiohttp's FileResponse gives HEAD,
Range (a device resuming a download) and Last-Modified."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

ROUTE = "/releases/{name}"


class ReleaseFiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()

    def routes(self) -> list[web.RouteDef]:
        return [web.get(ROUTE, self.serve)]

    async def serve(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = self.directory / name
        if name.startswith(".") or "/" in name or "\\" in name or path.resolve().parent != self.directory:
            raise web.HTTPNotFound()
        if not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "no-cache"})

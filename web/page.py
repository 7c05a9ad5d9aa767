"""The caller's page, served by the bot's own server at `/` (web/server.py).

The runner's own `/client/` page loads a bundle from a CDN, so it cannot connect
offline. This page is `static/` (built from `src/` by `npm run build`, the
bundle committed) and loads nothing from outside the bot; its Content Security
Policy makes the browser refuse anything that tries.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob: mediastream:",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def mount_page(app: FastAPI) -> None:
    """Serve the page at `/` and its files under `/assets/`.

    FastAPI matches routes in the order they were added; call this before any
    other route that could match `/` (Pipecat's runner adds a redirect there).
    """

    @app.get("/", include_in_schema=False)
    async def caller_page() -> FileResponse:
        return FileResponse(
            STATIC / "index.html",
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Cache-Control": "no-cache",
            },
        )

    app.mount("/assets", StaticFiles(directory=STATIC), name="assets")

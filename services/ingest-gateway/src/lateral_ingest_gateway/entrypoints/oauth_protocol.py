"""The token endpoint's request form and its RFC 6749 error responses.

Error descriptions are the gateway's own, fixed text: they say what to do and never repeat what
the client sent (no client ID, no secret, no grant type).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749 import InvalidRequestError, OAuth2Error
from fastapi import Request, status
from fastapi.responses import JSONResponse

MAX_FORM_BYTES = 4096  # a token request is a few hundred bytes
FORM_TYPE = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# RFC 6749 §3.2: request parameters must not be repeated.
SINGLE_PARAMETERS = ("grant_type", "client_id", "client_secret", "scope")

DESCRIPTIONS = {
    "invalid_client": "Client authentication failed: send your client ID and secret by HTTP "
    "Basic or as the client_id and client_secret form fields. If your secret was rotated, use "
    "the new one; if it is lost or your client is disabled, ask the Lateral administrators.",
    "unsupported_grant_type": "Use grant_type=client_credentials, the only grant this token "
    "endpoint supports.",
    "unauthorized_client": "This client may not use the client_credentials grant.",
}


class FormProblem(Exception):
    """A token request whose body cannot be read as a form."""

    def __init__(self, description: str, status_code: int = status.HTTP_400_BAD_REQUEST) -> None:
        super().__init__(description)
        self.description = description
        self.status_code = status_code

    def response(self) -> JSONResponse:
        body = {"error": "invalid_request", "error_description": self.description}
        return JSONResponse(body, self.status_code, headers=NO_STORE)


def invalid_request(description: str) -> OAuth2Error:
    return InvalidRequestError(description)


def error_response(error: OAuth2Error) -> JSONResponse:
    """The RFC 6749 §5.2 body for `error`; invalid_client is always 401 with a Basic challenge."""
    code = str(error.error)
    description = DESCRIPTIONS.get(code) or str(error.description or "")
    body = {"error": code, "error_description": description}
    headers = dict(NO_STORE)
    status_code = int(error.status_code)
    if code == "invalid_client":
        status_code = status.HTTP_401_UNAUTHORIZED
        headers["WWW-Authenticate"] = 'Basic realm="lateral-partner-api"'
    return JSONResponse(body, status_code, headers=headers)


async def read_form(request: Request, *, limit: int) -> dict[str, str]:
    """The request's URL-encoded form, read up to `limit` bytes, each parameter at most once."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().casefold()
    if media_type != FORM_TYPE:
        raise FormProblem(f"Send the token request as {FORM_TYPE} form fields.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise FormProblem(
                f"The token request is larger than {limit} bytes; send only the OAuth2 fields.",
                status.HTTP_413_CONTENT_TOO_LARGE,
            )
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise FormProblem("The token request form is not valid UTF-8 form encoding.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form and name in SINGLE_PARAMETERS:
            raise FormProblem(f"The form field {name} is repeated; send it once.")
        form[name] = value
    return form

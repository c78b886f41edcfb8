"""The OpenAPI 3.1 document, built from the endpoint table and the pydantic schemas.

Our own small generator rather than a library: see docs/architecture.md, "OpenAPI: our
generator or a library".
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import TypeAdapter

from skranke.web.endpoints import Endpoint
from skranke.web.inputs import MAX_ID
from skranke.web.schemas import ErrorOut

REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "Malformed JSON",
    401: "No or unknown token",
    403: "Token not allowed here, another branch, or a session call without its CSRF header",
    404: "Unknown branch, service, counter or ticket",
    409: "Illegal transition or lost race",
    413: "Body too large",
    422: "Invalid input",
    429: "Too many requests; try later",
}


def _schema(kind: Any, components: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(kind).json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    if "title" in schema and schema.get("type") == "object" and "properties" in schema:
        name = schema["title"]
        components[name] = schema
        return {"$ref": REF.format(model=name)}
    return schema


def _parameters(path: str) -> list[dict[str, Any]]:
    params = []
    for name, convertor in re.findall(r"{(\w+)(?::(\w+))?}", path):
        schema: dict[str, Any] = {"type": "string"}
        if convertor == "id":
            # The `id` convertor matches only what an id column holds; past it, a 404.
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _error_codes(e: Endpoint) -> list[int]:
    # Whatever a guard or the body parser may answer, whether or not the row lists it.
    codes = set(e.errors) | set(e.error_bodies)
    if e.auth:
        codes |= {401, 403}
    if e.body is not None:
        codes |= {400, 413, 422}
    return sorted(codes)


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(e: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": e.summary, "parameters": _parameters(e.path)}
    if e.auth:
        op["security"] = [{"bearer": []}, {"session": []}]
        op["description"] = f"Caller: {' or '.join(sorted(e.auth))}"
    if e.body is not None:
        op["requestBody"] = {"required": True, **_json("", _schema(e.body, components))}
        del op["requestBody"]["description"]
    responses = {str(e.status): _json("OK", _schema(e.returns, components))}
    if e.empty is not None:
        responses[str(e.empty[0])] = {"description": e.empty[1]}
    for code in _error_codes(e):
        body = _schema(e.error_bodies.get(code, ErrorOut), components)
        responses[str(code)] = _json(ERROR_TEXT[code], body)
    op["responses"] = responses
    return op


def document(endpoints: list[Endpoint]) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        paths.setdefault(re.sub(r":\w+}", "}", e.path), {})[e.method.lower()] = _operation(
            e, components
        )
    return {
        "openapi": "3.1.0",
        "info": {"title": "skranke", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "skranke_session"},
            },
        },
    }

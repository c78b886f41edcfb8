"""The OpenAPI 3.1 document, built from the endpoint table and the pydantic schemas."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from skranke.web.schemas import ErrorOut

if TYPE_CHECKING:
    from skranke.web.api import Endpoint

REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "Malformed JSON",
    401: "No or unknown token",
    403: "Token not allowed here",
    404: "Unknown branch, service, counter or ticket",
    409: "Illegal transition or lost race",
    422: "Invalid input",
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
        kind = "integer" if convertor == "int" else "string"
        params.append({"name": name, "in": "path", "required": True, "schema": {"type": kind}})
    return params


def document(endpoints: list[Endpoint]) -> dict[str, Any]:
    components: dict[str, Any] = {}
    error_ref = _schema(ErrorOut, components)
    paths: dict[str, dict[str, Any]] = {}
    for e in endpoints:
        op: dict[str, Any] = {"summary": e.summary, "parameters": _parameters(e.path)}
        if e.auth != "public":
            op["security"] = [{"bearer": []}]
            op["description"] = f"Token: {e.auth.replace(' ', ' or ')}"
        if e.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema(e.body, components)}},
            }
        responses: dict[str, Any] = {
            str(e.status): {
                "description": "OK",
                "content": {"application/json": {"schema": _schema(e.returns, components)}},
            }
        }
        if e.path.endswith("/call-next"):
            responses["204"] = {"description": "Nobody waits"}
        for code in e.errors:
            responses[str(code)] = {
                "description": ERROR_TEXT[code],
                "content": {"application/json": {"schema": error_ref}},
            }
        op["responses"] = responses
        paths.setdefault(re.sub(r":\w+}", "}", e.path), {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "skranke", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }

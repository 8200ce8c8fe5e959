"""The published data schema over HTTP: which agency kinds there are, and each kind's JSON Schema.

Public, without a token: partner IT reads it before it has credentials, and it holds no data.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at run time.
import json

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field

from lateral_shared.contracts.records import AgencyKind
from lateral_shared.contracts.schema import CSV_COLUMNS, json_schema, schema_id
from lateral_shared.contracts.vocabulary import SCHEMA_VERSION

SCHEMA_MEDIA_TYPE = "application/schema+json"


class KindSchema(BaseModel):
    agency_kind: AgencyKind
    schema_id: str = Field(description="The `$id` of the kind's JSON Schema.")
    url: str = Field(description="Where to fetch it.")


class SchemaIndex(BaseModel):
    version: str = Field(description="The data schema version: 1.x versions are compatible.")
    kinds: list[KindSchema]
    csv_columns: list[str] = Field(description="The CSV header, the same for every kind.")
    documentation: str = "docs/data-schema.md"


def schema_router() -> APIRouter:
    """`GET /v1/schema` and `GET /v1/schema/{agency_kind}`."""
    router = APIRouter(prefix="/v1", tags=["data schema"])
    # Generated once: the schema changes only with the code.
    bodies = {kind.value: json.dumps(json_schema(kind), indent=2).encode() for kind in AgencyKind}
    known = ", ".join(kind.value for kind in AgencyKind)

    @router.get("/schema", response_model=SchemaIndex)
    async def list_schemas() -> SchemaIndex:
        """The agency kinds, the schema version and the CSV columns."""
        kinds = [
            KindSchema(agency_kind=kind, schema_id=schema_id(kind), url=f"/v1/schema/{kind.value}")
            for kind in AgencyKind
        ]
        return SchemaIndex(version=SCHEMA_VERSION, kinds=kinds, csv_columns=list(CSV_COLUMNS))

    @router.get(
        "/schema/{agency_kind}",
        response_class=Response,
        responses={200: {"content": {SCHEMA_MEDIA_TYPE: {}}}, 404: {}},
    )
    async def get_schema(agency_kind: str) -> Response:
        """The JSON Schema (draft 2020-12) of one record of a feed of this agency kind."""
        body = bodies.get(agency_kind)
        if body is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"There is no agency kind with this name; the kinds are: {known}.",
            )
        return Response(body, media_type=SCHEMA_MEDIA_TYPE,
                        headers={"Cache-Control": "public, max-age=3600"})  # fmt: skip

    return router

"""The JSON Schema of a bundle file, generated from the domain types so that it cannot drift from them."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from servanda.domain.records import RECORD_TYPES, TYPE_ORDER


def bundle_schema() -> dict[str, Any]:
    models = [RECORD_TYPES[name] for name in TYPE_ORDER]
    _, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/$defs/{model}"
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://servanda.invalid/schema/bundle.json",
        "title": "servanda bundle file",
        "description": (
            "A bundle file maps sections to lists of records. Ids are slugs unique across the record; "
            "dates are EDTF-style text (YYYY, YYYY-MM, YYYY-MM-DD, or A/B with '..' for an open end)."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {
            model.SECTION: {"type": "array", "items": {"$ref": f"#/$defs/{model.__name__}"}}
            for model in models
        },
        "$defs": definitions["$defs"],
    }

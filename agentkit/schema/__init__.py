"""Python types → JSON Schema → the two dialects Gemini accepts for function parameters."""

from agentkit.schema.json_schema import clean_json_schema
from agentkit.schema.openapi_subset import to_openapi_subset

__all__ = ["clean_json_schema", "to_openapi_subset"]

"""Pydantic models of Gemini's REST wire format (v1beta).

Parse with ``Type.model_validate(json_dict)``; get the exact JSON-able dict back with
``obj.to_wire()``. Unknown fields and enum values survive the round trip.
"""

from typing import TYPE_CHECKING, Any

from agentkit.lazy_names import lazy_name
from agentkit.types._wire import OpenEnum, WireModel
from agentkit.types.catalog import CountTokensResponse, ListModelsResponse, ModelInfo
from agentkit.types.config import (
    GenerationConfig,
    HarmBlockThreshold,
    HarmCategory,
    SafetySetting,
    ThinkingConfig,
    ThinkingLevel,
)
from agentkit.types.content import (
    Blob,
    CodeExecutionResult,
    Content,
    ExecutableCode,
    FileData,
    FunctionCall,
    FunctionResponse,
    FunctionResponsePart,
    Part,
)
from agentkit.types.request import CountTokensRequest, GenerateContentRequest
from agentkit.types.response import (
    BlockReason,
    Candidate,
    FinishReason,
    GenerateContentResponse,
    ModalityTokenCount,
    PromptFeedback,
    SafetyRating,
    UsageMetadata,
)
from agentkit.types.status import ErrorBody, ErrorStatus
from agentkit.types.tools import (
    FunctionCallingConfig,
    FunctionCallingMode,
    FunctionDeclaration,
    Schema,
    SchemaType,
    Tool,
    ToolConfig,
)

if TYPE_CHECKING:
    from agentkit.types.batches import (
        BatchGenerateContentRequest,
        BatchInput,
        BatchOperation,
        BatchOutput,
        BatchRequestLine,
        BatchResponseLine,
        BatchState,
        BatchStats,
        GenerateContentBatch,
        InlinedRequest,
        InlinedRequests,
        InlinedResponse,
        InlinedResponses,
        ListBatchesResponse,
    )
    from agentkit.types.caches import CachedContent, CacheUsage, ListCachedContentsResponse
    from agentkit.types.files import File, ListFilesResponse

# The Batch, Files and cache resources' types load when first named: a run that uses none
# of them does not pay for building them.
_LAZY = {
    "BatchGenerateContentRequest": "agentkit.types.batches",
    "BatchInput": "agentkit.types.batches",
    "BatchOperation": "agentkit.types.batches",
    "BatchOutput": "agentkit.types.batches",
    "BatchRequestLine": "agentkit.types.batches",
    "BatchResponseLine": "agentkit.types.batches",
    "BatchState": "agentkit.types.batches",
    "BatchStats": "agentkit.types.batches",
    "GenerateContentBatch": "agentkit.types.batches",
    "InlinedRequest": "agentkit.types.batches",
    "InlinedRequests": "agentkit.types.batches",
    "InlinedResponse": "agentkit.types.batches",
    "InlinedResponses": "agentkit.types.batches",
    "ListBatchesResponse": "agentkit.types.batches",
    "CachedContent": "agentkit.types.caches",
    "CacheUsage": "agentkit.types.caches",
    "ListCachedContentsResponse": "agentkit.types.caches",
    "File": "agentkit.types.files",
    "ListFilesResponse": "agentkit.types.files",
}


def __getattr__(name: str) -> Any:
    return lazy_name(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "BatchGenerateContentRequest",
    "BatchInput",
    "BatchOperation",
    "BatchOutput",
    "BatchRequestLine",
    "BatchResponseLine",
    "BatchState",
    "BatchStats",
    "GenerateContentBatch",
    "InlinedRequest",
    "InlinedRequests",
    "InlinedResponse",
    "InlinedResponses",
    "ListBatchesResponse",
    "File",
    "ListFilesResponse",
    "CacheUsage",
    "CachedContent",
    "ListCachedContentsResponse",
    "Blob",
    "BlockReason",
    "Candidate",
    "CodeExecutionResult",
    "Content",
    "CountTokensRequest",
    "CountTokensResponse",
    "ErrorBody",
    "ErrorStatus",
    "ExecutableCode",
    "FileData",
    "FinishReason",
    "FunctionCall",
    "FunctionCallingConfig",
    "FunctionCallingMode",
    "FunctionDeclaration",
    "FunctionResponse",
    "FunctionResponsePart",
    "GenerateContentRequest",
    "GenerateContentResponse",
    "GenerationConfig",
    "HarmBlockThreshold",
    "HarmCategory",
    "ListModelsResponse",
    "ModalityTokenCount",
    "ModelInfo",
    "OpenEnum",
    "Part",
    "PromptFeedback",
    "SafetyRating",
    "SafetySetting",
    "Schema",
    "SchemaType",
    "ThinkingConfig",
    "ThinkingLevel",
    "Tool",
    "ToolConfig",
    "UsageMetadata",
    "WireModel",
]

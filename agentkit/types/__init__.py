"""Pydantic models of Gemini's REST wire format (v1beta).

Parse with ``Type.model_validate(json_dict)``; get the exact JSON-able dict back with
``obj.to_wire()``. Unknown fields and enum values survive the round trip.
"""

from agentkit.types._wire import OpenEnum, WireModel
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
from agentkit.types.files import File, ListFilesResponse
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

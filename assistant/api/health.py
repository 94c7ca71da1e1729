"""GET /api/health: liveness plus what is loaded (never file paths)."""
from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import AssistantDep
from assistant.api.models import ERROR_RESPONSES, Health

router = APIRouter(prefix="/api", tags=["health"], responses=ERROR_RESPONSES)


@router.get("/health", response_model=Health)
def health(assistant: AssistantDep) -> Health:
    served = [assistant.documents[i] for i in assistant.served]
    return Health(documents=len(served), measures=sum(len(d.measures) for d in served), model=assistant.embedder.model_id)

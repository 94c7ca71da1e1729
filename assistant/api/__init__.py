"""The HTTP API and the web chat: `create_app()` wires the routers; each route module owns one resource."""
from assistant.api.app import create_app

__all__ = ["create_app"]

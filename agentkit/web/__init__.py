"""``agentkit web``: a local page to chat with an agent, approve its calls and watch each step.

The page is driven by the same typed events the CLI prints, sent over server-sent events
from the one task that runs a turn; confirmations are the agent's waiting callback,
answered by the page's buttons. Served by uvicorn on 127.0.0.1 only, behind a random
token (``agentkit.web.guard``). Needs the ``web`` extra (starlette, uvicorn).
"""

from agentkit.web.app import WebSetup, WebView
from agentkit.web.confirmations import ConfirmationDesk
from agentkit.web.home_panel import HomePanel
from agentkit.web.server import WebServer

__all__ = ["ConfirmationDesk", "HomePanel", "WebServer", "WebSetup", "WebView"]

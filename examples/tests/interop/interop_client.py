"""An interop client built on the Python SDK (`mcp` on PyPI): it drives the
everything-server over stdio or Streamable HTTP at one protocol revision and
prints a JSON summary of what it saw on stdout, for examples/tests/interop.rs.

    python interop_client.py stdio <revision> <server executable>
    python interop_client.py http <revision> <url>

<revision> is a session-era revision (the `initialize` handshake offers it)
or 2026-07-28 (`server/discover`, then `_meta` on every request; input the
server asks for in an `InputRequiredResult` is answered by the same callbacks
and the request retried).
"""

import json
import sys
from importlib.metadata import version as package_version

import anyio
import mcp_types as types
from mcp import ClientSession, StdioServerParameters
from mcp.client.context import ClientRequestContext
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

# Arguments of the tools that need some; any other tool gets arguments made
# from its inputSchema's required properties.
ARGUMENTS = {
    "test_sampling": {"prompt": "What is 2+2?"},
    "test_elicitation": {"message": "Who are you?"},
    "json_schema_2020_12_tool": {"name": "Ada", "contactMethod": "email", "email": "ada@example.com"},
    "test_custom_header": {"region": "eu-west-1"},
}

# What the elicitation callback answers for fields without a default.
ANSWERS = {"username": "py-user", "email": "py@example.com", "name": "Alice", "color": "blue", "context": "py-context"}

PROMPT_ARGUMENTS = {
    "test_prompt_with_arguments": {"arg1": "one", "arg2": "two"},
    "test_prompt_with_embedded_resource": {"resourceUri": "test://example"},
}

logs: list[str] = []


def schema_arguments(schema: dict) -> dict:
    made = {}
    for name in schema.get("required", []):
        kind = schema.get("properties", {}).get(name, {}).get("type", "string")
        made[name] = {"integer": 1, "number": 1, "boolean": True, "object": {}, "array": []}.get(kind, "x")
    return made


def answer_field(name: str, schema: dict):
    if "default" in schema:
        return schema["default"]
    if schema.get("type") == "array":
        items = schema.get("items", {})
        options = items.get("enum") or [o["const"] for o in items.get("anyOf", [])]
        return options[:1]
    if "enum" in schema:
        return schema["enum"][0]
    if "oneOf" in schema:
        return schema["oneOf"][0]["const"]
    if schema.get("type") == "boolean":
        return True
    if schema.get("type") in ("integer", "number"):
        return 7
    return ANSWERS.get(name, "py-answer")


async def sampling(_ctx: ClientRequestContext, params: types.CreateMessageRequestParams):
    content = params.messages[-1].content
    asked = content.text if isinstance(content, types.TextContent) else "?"
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text=f"python sampled [{asked}]"),
        model="python-test-model",
    )


async def elicitation(_ctx: ClientRequestContext, params: types.ElicitRequestParams):
    schema = params.requested_schema if isinstance(params, types.ElicitRequestFormParams) else {}
    props = schema.get("properties", {})
    return types.ElicitResult(action="accept", content={k: answer_field(k, s) for k, s in props.items()})


async def roots(_ctx: ClientRequestContext):
    return types.ListRootsResult(roots=[types.Root(uri="file:///tmp/py-root", name="py-root")])


async def logging(params: types.LoggingMessageNotificationParams) -> None:
    logs.append(params.data if isinstance(params.data, str) else json.dumps(params.data))


async def drive(session: ClientSession, send):
    """Sends a request; while the server answers input_required (2026-07-28),
    answers its input requests through the session's callbacks and retries."""
    result = await send(None, None)
    rounds = 0
    while isinstance(result, types.InputRequiredResult):
        rounds += 1
        if rounds > 10:
            raise RuntimeError("more than 10 input_required rounds")
        responses = {}
        for key, request in (result.input_requests or {}).items():
            ctx = ClientRequestContext(session=session, request_id=key)
            answer = await session.dispatch_input_request(ctx, request)
            if isinstance(answer, types.ErrorData):
                raise MCPError.from_error_data(answer)
            responses[key] = answer
        result = await send(responses, result.request_state)
    return result, rounds


def error_of(e: Exception) -> dict:
    if isinstance(e, MCPError):
        return {"code": e.code, "message": e.message}
    return {"code": None, "message": f"{type(e).__name__}: {e}"}


def content_summary(blocks) -> list:
    out = []
    for block in blocks:
        item = {"type": block.type}
        if block.type == "text":
            item["text"] = block.text
        elif block.type in ("image", "audio"):
            item["mimeType"] = block.mime_type
            item["dataLength"] = len(block.data)
        elif block.type == "resource":
            item["uri"] = str(block.resource.uri)
            item["text"] = getattr(block.resource, "text", None)
        out.append(item)
    return out


async def handshake(session: ClientSession, revision: str) -> str:
    if revision in MODERN_PROTOCOL_VERSIONS:
        await session.discover()
    else:
        # ClientSession.initialize() always offers the newest handshake
        # revision; to offer an older one, send the request it would send.
        result = await session.send_request(
            types.InitializeRequest(
                params=types.InitializeRequestParams(
                    protocol_version=revision,
                    capabilities=session._build_capabilities(revision),
                    client_info=types.Implementation(name="python-interop", version="0"),
                )
            ),
            types.InitializeResult,
        )
        session.adopt(result)
        await session.send_notification(types.InitializedNotification())
        await session.set_logging_level("debug")
    return session.protocol_version


async def exercise(session: ClientSession, revision: str) -> dict:
    summary = {"sdk": "python", "sdkVersion": package_version("mcp"), "requested": revision}
    summary["protocolVersion"] = await handshake(session, revision)
    tools = (await session.list_tools()).tools
    summary["tools"] = [t.name for t in tools]
    calls = {}
    for tool in tools:
        args = ARGUMENTS.get(tool.name) or schema_arguments(tool.input_schema)
        progress = []

        async def on_progress(value, total, message, progress=progress):
            progress.append(value)

        async def send(responses, state, tool=tool, args=args, on_progress=on_progress):
            return await session.call_tool(
                tool.name,
                args,
                read_timeout_seconds=30,
                progress_callback=on_progress,
                input_responses=responses,
                request_state=state,
                allow_input_required=True,
            )

        before = len(logs)
        try:
            result, rounds = await drive(session, send)
            calls[tool.name] = {
                "isError": bool(result.is_error),
                "content": content_summary(result.content),
                "rounds": rounds,
            }
        except Exception as e:  # noqa: BLE001 - the summary reports every outcome
            calls[tool.name] = {"error": error_of(e)}
        await anyio.sleep(0.05)
        calls[tool.name]["progress"] = progress
        calls[tool.name]["logs"] = logs[before:]
    summary["calls"] = calls

    resources = (await session.list_resources()).resources
    templates = (await session.list_resource_templates()).resource_templates
    summary["resources"] = [str(r.uri) for r in resources]
    summary["templates"] = [t.uri_template for t in templates]
    reads = {}
    for uri in summary["resources"] + ["test://template/42/data"]:
        try:
            contents = (await session.read_resource(uri)).contents
            reads[uri] = [
                {"mimeType": c.mime_type, "text": getattr(c, "text", None), "blobLength": len(getattr(c, "blob", "") or "")}
                for c in contents
            ]
        except Exception as e:  # noqa: BLE001
            reads[uri] = {"error": error_of(e)}
    summary["reads"] = reads

    prompts = (await session.list_prompts()).prompts
    summary["prompts"] = [p.name for p in prompts]
    got = {}
    for prompt in prompts:

        async def send(responses, state, prompt=prompt):
            return await session.get_prompt(
                prompt.name,
                PROMPT_ARGUMENTS.get(prompt.name),
                input_responses=responses,
                request_state=state,
                allow_input_required=True,
            )

        try:
            result, _ = await drive(session, send)
            got[prompt.name] = [{"role": m.role, **content_summary([m.content])[0]} for m in result.messages]
        except Exception as e:  # noqa: BLE001
            got[prompt.name] = {"error": error_of(e)}
    summary["got"] = got

    completion = await session.complete(
        types.PromptReference(type="ref/prompt", name="test_prompt_with_arguments"), {"name": "arg1", "value": "te"}
    )
    summary["completion"] = completion.completion.values
    return summary


async def main() -> None:
    transport, revision, target = sys.argv[1:4]
    kwargs = dict(
        sampling_callback=sampling,
        elicitation_callback=elicitation,
        list_roots_callback=roots,
        logging_callback=logging,
        log_level="debug",
        client_info=types.Implementation(name="python-interop", version="0"),
        read_timeout_seconds=30,
    )
    if transport == "stdio":
        streams = stdio_client(StdioServerParameters(command=target, args=["--stdio"]))
    else:
        streams = streamable_http_client(target)
    with anyio.fail_after(120):
        async with streams as (read, write), ClientSession(read, write, **kwargs) as session:
            summary = await exercise(session, revision)
    print(json.dumps(summary))


if __name__ == "__main__":
    anyio.run(main)

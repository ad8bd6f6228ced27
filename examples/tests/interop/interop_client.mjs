// An interop client built on the TypeScript SDK: it drives the
// everything-server over stdio or Streamable HTTP at one protocol revision and
// prints a JSON summary of what it saw on stdout, for examples/tests/interop.rs.
//
//   node interop_client.mjs <sdk> stdio <revision> <server executable>
//   node interop_client.mjs <sdk> http <revision> <url>
//
// <sdk> is `v1` (`@modelcontextprotocol/sdk`, which always offers its newest
// revision, 2025-11-25) or `v2` (`@modelcontextprotocol/client`, which offers
// the session-era revision it is given, or pins 2026-07-28 and answers the
// server's `input_required` results through the same request handlers).
// The script runs from the npm prefix the packages are installed in.

import { readFileSync } from 'node:fs';

const [flavour, transportKind, revision, target] = process.argv.slice(2);
const modern = revision >= '2026-07-28';

// Arguments of the tools that need some; any other tool gets arguments made
// from its inputSchema's required properties.
const ARGUMENTS = {
    test_sampling: { prompt: 'What is 2+2?' },
    test_elicitation: { message: 'Who are you?' },
    json_schema_2020_12_tool: { name: 'Ada', contactMethod: 'email', email: 'ada@example.com' },
    test_custom_header: { region: 'eu-west-1' }
};
const ANSWERS = { username: 'ts-user', email: 'ts@example.com', name: 'Alice', color: 'blue', context: 'ts-context' };
const PROMPT_ARGUMENTS = {
    test_prompt_with_arguments: { arg1: 'one', arg2: 'two' },
    test_prompt_with_embedded_resource: { resourceUri: 'test://example' }
};

async function load() {
    if (flavour === 'v1') {
        const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
        const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
        const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
        const types = await import('@modelcontextprotocol/sdk/types.js');
        const pkg = 'node_modules/@modelcontextprotocol/sdk/package.json';
        return {
            Client,
            StdioClientTransport,
            StreamableHTTPClientTransport,
            version: JSON.parse(readFileSync(pkg, 'utf8')).version,
            options: {},
            // v1 registers handlers by the request's zod schema.
            keys: {
                sampling: types.CreateMessageRequestSchema,
                elicitation: types.ElicitRequestSchema,
                roots: types.ListRootsRequestSchema,
                log: types.LoggingMessageNotificationSchema
            },
            callTool: (client, params, options) => client.callTool(params, undefined, options)
        };
    }
    const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
    const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
    const pkg = 'node_modules/@modelcontextprotocol/client/package.json';
    return {
        Client,
        StdioClientTransport,
        StreamableHTTPClientTransport,
        version: JSON.parse(readFileSync(pkg, 'utf8')).version,
        options: modern
            ? { versionNegotiation: { mode: { pin: revision } } }
            : { supportedProtocolVersions: [revision] },
        // v2 registers handlers by method name.
        keys: {
            sampling: 'sampling/createMessage',
            elicitation: 'elicitation/create',
            roots: 'roots/list',
            log: 'notifications/message'
        },
        callTool: (client, params, options) => client.callTool(params, options)
    };
}

function schemaArguments(schema) {
    const made = {};
    for (const name of schema?.required ?? []) {
        const kind = schema.properties?.[name]?.type ?? 'string';
        made[name] = { integer: 1, number: 1, boolean: true, object: {}, array: [] }[kind] ?? 'x';
    }
    return made;
}

function answerField(name, schema) {
    if ('default' in schema) return schema.default;
    if (schema.type === 'array') {
        const items = schema.items ?? {};
        return (items.enum ?? (items.anyOf ?? []).map(o => o.const)).slice(0, 1);
    }
    if (schema.enum) return schema.enum[0];
    if (schema.oneOf) return schema.oneOf[0].const;
    if (schema.type === 'boolean') return true;
    if (schema.type === 'integer' || schema.type === 'number') return 7;
    return ANSWERS[name] ?? 'ts-answer';
}

function contentSummary(block) {
    const item = { type: block.type };
    if (block.type === 'text') item.text = block.text;
    if (block.type === 'image' || block.type === 'audio') {
        item.mimeType = block.mimeType;
        item.dataLength = block.data.length;
    }
    if (block.type === 'resource') {
        item.uri = block.resource.uri;
        item.text = block.resource.text ?? null;
    }
    return item;
}

function errorOf(e) {
    return { code: typeof e?.code === 'number' ? e.code : null, message: String(e?.message ?? e) };
}

async function exercise(sdk, client, logs, announced) {
    const summary = { sdk: `typescript-${flavour}`, sdkVersion: sdk.version, requested: revision };
    // v1 has no getter: the version it hands the transport is the negotiated one.
    summary.protocolVersion = client.getNegotiatedProtocolVersion?.() ?? announced.version ?? null;
    if (!modern) await client.setLoggingLevel('debug');
    const meta = modern ? { _meta: { 'io.modelcontextprotocol/logLevel': 'debug' } } : {};
    const tools = (await client.listTools()).tools;
    summary.tools = tools.map(t => t.name);
    summary.calls = {};
    for (const tool of tools) {
        const progress = [];
        const before = logs.length;
        const args = ARGUMENTS[tool.name] ?? schemaArguments(tool.inputSchema);
        let outcome;
        try {
            const result = await sdk.callTool(
                client,
                { name: tool.name, arguments: args, ...meta },
                { timeout: 30000, onprogress: p => progress.push(p.progress) }
            );
            outcome = { isError: Boolean(result.isError), content: result.content.map(contentSummary) };
        } catch (e) {
            outcome = { error: errorOf(e) };
        }
        await new Promise(resolve => setTimeout(resolve, 50));
        summary.calls[tool.name] = { ...outcome, progress, logs: logs.slice(before) };
    }

    summary.resources = (await client.listResources()).resources.map(r => r.uri);
    summary.templates = (await client.listResourceTemplates()).resourceTemplates.map(t => t.uriTemplate);
    summary.reads = {};
    for (const uri of [...summary.resources, 'test://template/42/data']) {
        try {
            const { contents } = await client.readResource({ uri });
            summary.reads[uri] = contents.map(c => ({
                mimeType: c.mimeType ?? null,
                text: c.text ?? null,
                blobLength: (c.blob ?? '').length
            }));
        } catch (e) {
            summary.reads[uri] = { error: errorOf(e) };
        }
    }

    summary.prompts = (await client.listPrompts()).prompts.map(p => p.name);
    summary.got = {};
    for (const name of summary.prompts) {
        try {
            const result = await client.getPrompt({ name, arguments: PROMPT_ARGUMENTS[name] });
            summary.got[name] = result.messages.map(m => ({ role: m.role, ...contentSummary(m.content) }));
        } catch (e) {
            summary.got[name] = { error: errorOf(e) };
        }
    }

    const completion = await client.complete({
        ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
        argument: { name: 'arg1', value: 'te' }
    });
    summary.completion = completion.completion.values;
    return summary;
}

async function main() {
    const sdk = await load();
    const logs = [];
    const client = new sdk.Client(
        { name: `typescript-${flavour}-interop`, version: '0' },
        { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } }, ...sdk.options }
    );
    client.setRequestHandler(sdk.keys.sampling, async request => {
        const content = request.params.messages.at(-1).content;
        return {
            role: 'assistant',
            content: { type: 'text', text: `typescript sampled [${content.text ?? '?'}]` },
            model: 'typescript-test-model'
        };
    });
    client.setRequestHandler(sdk.keys.elicitation, async request => {
        const properties = request.params.requestedSchema?.properties ?? {};
        const content = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, answerField(k, s)]));
        return { action: 'accept', content };
    });
    client.setRequestHandler(sdk.keys.roots, async () => ({ roots: [{ uri: 'file:///tmp/ts-root', name: 'ts-root' }] }));
    client.setNotificationHandler(sdk.keys.log, notification => {
        const data = notification.params.data;
        logs.push(typeof data === 'string' ? data : JSON.stringify(data));
    });
    const transport =
        transportKind === 'stdio'
            ? new sdk.StdioClientTransport({ command: target, args: ['--stdio'], stderr: 'inherit' })
            : new sdk.StreamableHTTPClientTransport(new URL(target));
    const announced = {};
    const setProtocolVersion = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = version => {
        announced.version = version;
        setProtocolVersion?.(version);
    };
    const deadline = setTimeout(() => {
        console.error('interop client: timed out after 120 s');
        process.exit(3);
    }, 120000);
    await client.connect(transport);
    const summary = await exercise(sdk, client, logs, announced);
    await client.close();
    clearTimeout(deadline);
    console.log(JSON.stringify(summary));
}

main().catch(e => {
    console.error('interop client failed:', e);
    process.exit(1);
});

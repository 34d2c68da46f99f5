"""End-to-end tests of `clusterspec lsp`, driving the real server over stdio with pygls' language
client (a real LSP client library, pinned in requirements-test.txt) and, for frames no client
would send, a raw JSON-RPC writer.

The server is the shipped binary, $CLUSTERSPEC_BIN (scripts/test builds it), else the debug build.
"""
import asyncio
import json
import os
import pathlib
import subprocess
import time

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("CLUSTERSPEC_BIN") or str(ROOT / ".build" / "debug" / "clusterspec")

# An unknown key after 'é' and an emoji on its line (columns in scalars vs UTF-16 units differ by
# one there), and an even etcd member count.
SPEC = """clusterspec: v1
name: demo
namespaces:
  apps: {}
configMaps:
  greeting: {data: {text: "é🙂"}, namespaec: apps}
stores:
  etcd: {engine: etcd, namespace: apps, members: 4}
services:
  api:
    image: ghcr.io/acme/api:1.0.0
    uses: [etcd]
"""


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position_of(text: str, needle: str) -> types.Position:
    for number, line in enumerate(text.split("\n")):
        if needle in line:
            return types.Position(line=number, character=utf16(line[: line.index(needle)]))
    raise AssertionError(f"{needle!r} not in text")


def apply(text: str, edit: types.TextEdit) -> str:
    lines = text.split("\n")
    line = lines[edit.range.start.line]
    encoded = line.encode("utf-16-le")
    start, end = edit.range.start.character * 2, edit.range.end.character * 2
    lines[edit.range.start.line] = (encoded[:start] + edit.new_text.encode("utf-16-le") + encoded[end:]).decode("utf-16-le")
    return "\n".join(lines)


class Session:
    """A started server with a client that records every publishDiagnostics."""

    def __init__(self, workdir: pathlib.Path):
        self.client = LanguageClient("clusterspec-tests", "1")
        self.published: list[types.PublishDiagnosticsParams] = []
        self.workdir = workdir

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams):
            self.published.append(params)

    async def start(self):
        await self.client.start_io(BINARY, "lsp")
        result = await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=self.workdir.as_uri(), process_id=os.getpid()))
        self.client.initialized(types.InitializedParams())
        return result

    async def wait_for(self, uri: str, version: int, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for params in reversed(self.published):
                if params.uri == uri and params.version == version:
                    return params
            await asyncio.sleep(0.02)
        raise AssertionError(f"no diagnostics for {uri} version {version}: got {[(p.uri, p.version) for p in self.published]}")

    def change(self, uri: str, version: int, text: str):
        """Sends the whole new text of a document (the server syncs full texts)."""
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    async def stop(self):
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await asyncio.sleep(0.2)
        await self.client.stop()


def by_code(params: types.PublishDiagnosticsParams, code: str) -> list[types.Diagnostic]:
    return [d for d in params.diagnostics if d.code == code]


def test_diagnostics_code_actions_hover_completion_and_shutdown(tmp_path):
    spec_path = tmp_path / "specs" / "demo.cluster.yaml"
    spec_path.parent.mkdir()
    spec_path.write_text(SPEC, encoding="utf-8")
    uri = spec_path.as_uri()

    async def scenario():
        session = Session(tmp_path)
        initialized = await session.start()
        assert initialized.capabilities.hover_provider
        assert initialized.capabilities.text_document_sync.change == types.TextDocumentSyncKind.Full
        client = session.client
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=SPEC)))
        first = await session.wait_for(uri, 1)

        unknown = by_code(first, "unknown-key")
        assert len(unknown) == 1, first.diagnostics
        start = position_of(SPEC, "namespaec")
        assert unknown[0].range.start == start
        assert unknown[0].range.end == types.Position(line=start.line, character=start.character + len("namespaec"))
        # The scalar column would be one less than the UTF-16 one after the emoji.
        assert start.character == len('  greeting: {data: {text: "é🙂"}, ') + 1
        assert unknown[0].severity == types.DiagnosticSeverity.Error and unknown[0].source == "clusterspec"
        assert "did you mean 'namespace'" in unknown[0].message

        even = by_code(first, "quorum-size-odd")
        assert len(even) == 1, first.diagnostics
        four = position_of(SPEC, "4}")
        assert even[0].range.start == four and even[0].range.end.character == four.character + 1
        assert even[0].severity == types.DiagnosticSeverity.Error

        # Each fix modelled as an edit is a code action; applying it removes its diagnostic.
        text, version = SPEC, 1
        for diagnostic, expected in [(unknown[0], "namespace"), (even[0], "5")]:
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic])))
            assert actions and len(actions) == 1, actions
            edits = actions[0].edit.changes[uri]
            assert [edit.new_text for edit in edits] == [expected]
            for edit in edits:
                text = apply(text, edit)
            version += 1
            session.change(uri, version, text)
            updated = await session.wait_for(uri, version)
            assert not by_code(updated, diagnostic.code), updated.diagnostics
        assert "namespace: apps}" in text and "members: 5}" in text
        assert not by_code(updated, "unknown-key") and not by_code(updated, "quorum-size-odd")

        # Hover on a finding: the rule's explanation.
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(SPEC, "4}")))
        assert hover is None or "quorum-size-odd" not in hover.contents.value  # fixed by now: no finding there

        # Hover: a key's description from the key tables.
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, "members")))
        assert hover and "**members**" in hover.contents.value and "Raft members" in hover.contents.value, hover
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, "image")))
        assert "container image" in hover.contents.value

        # Completion: keys of the mapping, enumerated values, uses targets.
        completed = text.replace("    uses: [etcd]\n", "    uses: [etcd]\n    \n")
        version += 1
        session.change(uri, version, completed)
        blank = types.Position(line=completed.split("\n").index("    "), character=4)
        items = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=blank))
        labels = {item.label for item in items.items}
        assert {"replicas", "autoscale", "health"} <= labels and "image" not in labels and "uses" not in labels, labels
        engine = position_of(completed, "engine: etcd")
        items = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=engine.line, character=engine.character + len("engine: "))))
        assert {"etcd", "postgres", "kafka"} <= {item.label for item in items.items}
        uses = position_of(completed, "[etcd]")
        items = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=uses.line, character=uses.character + 1)))
        assert {"etcd", "api"} <= {item.label for item in items.items}

        await session.stop()
        return session

    asyncio.run(scenario())


def test_a_burst_of_changes_is_published_once_for_the_latest_version(tmp_path):
    spec_path = tmp_path / "demo.cluster.yaml"
    spec_path.write_text(SPEC, encoding="utf-8")
    uri = spec_path.as_uri()

    async def scenario():
        session = Session(tmp_path)
        await session.start()
        client = session.client
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=SPEC)))
        await session.wait_for(uri, 1)
        before = len(session.published)
        started = time.monotonic()
        for version in range(2, 52):
            members = 3 if version == 51 else 4
            session.change(uri, version, SPEC.replace("members: 4", f"members: {members}"))
            await asyncio.sleep(0.015)
        assert time.monotonic() - started < 1.0, "the burst took longer than a second"
        last = await session.wait_for(uri, 51)
        await asyncio.sleep(1.0)
        burst = [p for p in session.published[before:] if p.uri == uri]
        assert [p.version for p in burst] == [51], [p.version for p in burst]
        assert not by_code(last, "quorum-size-odd")
        await session.stop()

    asyncio.run(scenario())


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_frame(stream) -> dict:
    length = None
    while True:
        line = stream.readline()
        assert line, "the server closed its output"
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


def test_malformed_json_rpc_gets_an_error_and_the_server_stays_up():
    server = subprocess.Popen([BINARY, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        def send(message: dict):
            server.stdin.write(frame(json.dumps(message).encode()))
            server.stdin.flush()

        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
        assert read_frame(server.stdout)["id"] == 1
        server.stdin.write(frame(b"{this is not json"))
        server.stdin.flush()
        reply = read_frame(server.stdout)
        assert reply["id"] is None and reply["error"]["code"] == -32700, reply
        server.stdin.write(b"Content-Type: nothing\r\n\r\n")
        server.stdin.flush()
        reply = read_frame(server.stdout)
        assert reply["error"]["code"] == -32700, reply
        send({"jsonrpc": "2.0", "id": 2, "params": {}})
        assert read_frame(server.stdout)["error"]["code"] == -32600
        send({"jsonrpc": "2.0", "id": 3, "method": "no/such/method"})
        assert read_frame(server.stdout)["error"]["code"] == -32601
        send({"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover", "params": {}})
        assert read_frame(server.stdout)["error"]["code"] == -32602
        send({"jsonrpc": "2.0", "id": 5, "method": "shutdown"})
        assert read_frame(server.stdout) == {"jsonrpc": "2.0", "id": 5, "result": None}
        send({"jsonrpc": "2.0", "method": "exit"})
        assert server.wait(timeout=10) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_exit_without_shutdown_is_exit_code_one():
    server = subprocess.run([BINARY, "lsp"], input=frame(b'{"jsonrpc": "2.0", "method": "exit"}'), capture_output=True, timeout=30)
    assert server.returncode == 1


OVERLAY = """clusterspec: v1
overlay: {spec: demo, environment: prod}
stores:
  etcd: {members: 4}
"""


def test_overlays_are_compiled_with_their_spec_and_findings_land_on_the_overlay_line(tmp_path):
    """A spec with an overlay that makes etcd even: the finding is published for the overlay
    file, at its line; a duplicate key in the spec carries the first occurrence as related
    information; hovering the finding shows the rule's explanation."""
    spec_text = SPEC.replace("members: 4", "members: 3").replace("namespaec", "namespace") + "  api:\n    image: other\n"
    (tmp_path / "specs").mkdir()
    (tmp_path / "overlays" / "demo").mkdir(parents=True)
    spec_path = tmp_path / "specs" / "demo.cluster.yaml"
    overlay_path = tmp_path / "overlays" / "demo" / "prod.yaml"
    spec_path.write_text(spec_text, encoding="utf-8")
    overlay_path.write_text(OVERLAY, encoding="utf-8")
    spec_uri, overlay_uri = spec_path.as_uri(), overlay_path.as_uri()

    async def scenario():
        session = Session(tmp_path)
        await session.start()
        client = session.client
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=spec_uri, language_id="yaml", version=1, text=spec_text)))
        published = await session.wait_for(spec_uri, 1)
        duplicate = by_code(published, "duplicate-key")
        assert len(duplicate) == 1, published.diagnostics
        assert duplicate[0].range.start == types.Position(line=spec_text.split("\n").index("  api:", 10), character=2)
        related = duplicate[0].related_information
        assert related and related[0].location.uri == spec_uri
        assert related[0].location.range.start == types.Position(line=spec_text.split("\n").index("  api:"), character=2)
        # Without the duplicate (an error that stops the model), the rules run on the overlay too.
        session.change(spec_uri, 2, spec_text.replace("  api:\n    image: other\n", ""))
        assert not by_code(await session.wait_for(spec_uri, 2), "duplicate-key")

        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=overlay_uri, language_id="yaml", version=1, text=OVERLAY)))
        on_overlay = await session.wait_for(overlay_uri, 1)
        even = by_code(on_overlay, "quorum-size-odd")
        assert len(even) == 1, on_overlay.diagnostics
        assert even[0].range.start == position_of(OVERLAY, "4}")
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=overlay_uri), position=position_of(OVERLAY, "4}")))
        assert hover and "**quorum-size-odd**" in hover.contents.value and "clusterspec explain quorum-size-odd" in hover.contents.value

        # Editing the overlay (unsaved) to an odd count clears the finding.
        fixed = OVERLAY.replace("members: 4", "members: 5")
        session.change(overlay_uri, 2, fixed)
        cleared = await session.wait_for(overlay_uri, 2)
        assert not by_code(cleared, "quorum-size-odd"), cleared.diagnostics
        await session.stop()

    asyncio.run(scenario())

"""The terminal channel's own parts: printing final texts once, videos, the transcript, input lines."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from adapters.console import ConsoleReply, LineReader, to_incoming
from bot.channel.events import Button, MessageRef, VideoFile
from bot.ids import ChatRef, UserKey


def _reply(tmp_path: Path, transcript: io.StringIO | None = None) -> tuple[ConsoleReply, io.StringIO]:
    out = io.StringIO()
    return ConsoleReply(out_dir=tmp_path / "out", edit_interval=0.01, stdout=out, transcript=transcript), out


async def test_each_message_is_printed_once_with_its_final_text(tmp_path: Path) -> None:
    reply, out = _reply(tmp_path)
    ref = await reply.send_text("Hel")
    await reply.edit_text(ref, "Hello")
    await reply.edit_text(ref, "Hello there")
    gone = await reply.send_text("temporary")
    await reply.delete(gone)
    assert out.getvalue() == ""  # nothing until the turn is over
    reply.flush()
    assert out.getvalue() == "bot: Hello there\n"
    reply.flush()
    assert out.getvalue() == "bot: Hello there\n"  # never twice


async def test_multi_line_text_stays_one_bot_message(tmp_path: Path) -> None:
    reply, out = _reply(tmp_path)
    await reply.send_text("line one\nline two")
    reply.flush()
    assert out.getvalue() == "bot: line one\n     line two\n"


async def test_video_is_copied_under_out_and_its_path_printed(tmp_path: Path) -> None:
    reply, out = _reply(tmp_path)
    src = tmp_path / "render_1.mp4"
    src.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"x" * 100)
    video = VideoFile(path=src, width=320, height=240, duration=1.0, size=src.stat().st_size)
    await reply.send_video(video, "🎬 Your video")
    reply.flush()
    saved = tmp_path / "out" / "render_1.mp4"
    assert saved.read_bytes() == src.read_bytes()
    assert out.getvalue() == f"bot: 🎬 Your video\nvideo: {saved.resolve()}\n"


async def test_transcript_has_one_json_line_per_operation(tmp_path: Path) -> None:
    log = io.StringIO()
    reply, _ = _reply(tmp_path, log)
    ref = await reply.send_text("⏳ Rendering...", buttons=[Button(label="🎬 Export", action="/export")])
    await reply.edit_text(ref, "⏳ 50%")
    await reply.show_activity("upload_video")
    await reply.delete(MessageRef(id=ref.id))
    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    assert [e["op"] for e in lines] == ["send", "buttons", "edit", "typing", "delete"]
    assert all(set(e) >= {"t", "op", "id", "text", "path"} for e in lines)
    assert lines[0]["text"] == "⏳ Rendering..." and lines[2]["text"] == "⏳ 50%"
    assert lines[1]["actions"] == ["/export"]
    assert lines[0]["t"] <= lines[-1]["t"]


def test_attach_line_is_one_message_with_resolved_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a photo.jpg").write_bytes(b"\xff\xd8\xff")
    monkeypatch.chdir(tmp_path)
    msg = to_incoming('/attach "a photo.jpg" missing.png', user="bob", locale="zh-CN")
    assert msg.text == ""
    assert [a.path for a in msg.attachments] == [tmp_path / "a photo.jpg", tmp_path / "missing.png"]
    assert msg.attachments[0].size == 3 and msg.attachments[1].size is None
    assert msg.user == UserKey("console", "bob") and msg.chat == ChatRef("console", "bob")
    assert msg.locale == "zh-CN"
    assert to_incoming("  /credits ", user="bob", locale=None).text == "/credits"


async def test_lines_are_read_one_at_a_time_from_a_pipe() -> None:
    read_fd, write_fd = os.pipe()
    reader = LineReader(read_fd)
    os.write(write_fd, "first\nsecond line\r\n第三".encode())
    assert await reader.readline() == "first"
    assert await reader.readline() == "second line"
    os.close(write_fd)
    assert await reader.readline() == "第三"
    assert await reader.readline() is None
    os.close(read_fd)


async def test_on_a_terminal_the_stream_and_render_progress_are_drawn_live(tmp_path: Path) -> None:
    from rich.console import Console

    screen = io.StringIO()
    out = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=60)
    reply = ConsoleReply(out_dir=tmp_path, edit_interval=0.01, stdout=out, live=console)
    ref = await reply.send_text("⏳ Rendering...")
    await reply.edit_text(ref, "⏳ 50%")
    reply.flush()
    drawn = screen.getvalue()
    assert "⏳ 50%" in drawn and "━" in drawn  # the text and a progress bar were on screen
    assert out.getvalue() == "bot: ⏳ 50%\n"  # the final line printed once

"""Voice notes in: a spoken message is transcribed and handled as if the user had typed it.

A Telegram voice note, a Discord voice message or audio attachment, or a terminal `/attach
note.ogg` reaches the engine as an audio attachment. Before the turn is routed, `hear(turn)`
looks at each audio attachment:

- speech (`common.voice.listen`: duration, the acoustic cues, Whisper's no-speech probability) →
  the bot echoes what it heard ("🎙 “make it vertical for TikTok”"), the attachment is dropped and
  the words join the message's text;
- music (or noise, or too long for a note) → it stays an attachment: an audio track, as before;
- an Ogg recording (how every platform sends a voice message) when voice is not installed on this
  server → a friendly line saying so, and the note is not added as music.

Transcription runs in a worker thread (`listen`), off the event loop; on 2 cores it takes well under
the note's duration (docs/voice.md, bench/voice).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from bot.channel.events import Attachment, Incoming
from bot.channel.media import is_voice_note
from bot.engine.flows.context import Turn
from common.filetype import sniff_path
from common.voice import listen, voice_available
from common.voice.audio import DecodeError

log = logging.getLogger(__name__)

ECHO_MAX = 300  # characters of the transcript echoed back
PAUSES = 0.1  # share of pause frames above which an unheard recording is taken for mumbled speech


def _audio(att: Attachment) -> tuple[bool, bool]:
    """(is it audio we may listen to, is it a recorded voice message)."""
    if att.path is None or not Path(att.path).is_file():
        return False, False
    path = Path(att.path)
    if is_voice_note(path):
        return True, True
    kind = sniff_path(path)
    return (kind is not None and kind.kind == "audio") or att.kind == "audio", False


async def hear(turn: Turn, incoming: Incoming) -> Incoming:
    """The message with its spoken notes turned into text (echoed); music stays attached."""
    candidates = [(att, *_audio(att)) for att in incoming.attachments]
    if not any(audio for _, audio, _ in candidates):
        return incoming
    kept: list[Attachment] = []
    heard: list[str] = []
    asr_ok = voice_available(asr=True)[0]
    told = False
    for att, audio, note in candidates:
        if not audio:
            kept.append(att)
            continue
        if not asr_ok:
            if note:  # a recorded voice message is not music: say why it is not understood
                if not told:
                    await turn.say("voice.unavailable")
                    told = True
                continue
            kept.append(att)
            continue
        assert att.path is not None
        began = time.monotonic()
        try:
            verdict = await listen(Path(att.path), voice_note=note)
        except DecodeError as exc:
            log.info("audio attachment not decodable for listening: %s", exc)
            kept.append(att)
            continue
        log.info("voice note %.1fs: %s (%.1fs)", verdict.duration, verdict.reason, time.monotonic() - began)
        words = verdict.transcript.text.strip() if verdict.transcript is not None else ""
        if verdict.is_speech and words:
            heard.append(words)
            shown = words if len(words) <= ECHO_MAX else words[: ECHO_MAX - 1] + "…"
            await turn.say("voice.heard", text=shown)
        elif note and verdict.duration <= 60 and verdict.features.get("pause_ratio", 0.0) >= PAUSES:
            await turn.say("voice.unclear")  # a short recording that pauses like speech: not a song
        else:
            kept.append(att)
    if not heard and len(kept) == len(incoming.attachments):
        return incoming
    text = " ".join([incoming.text.strip(), *heard]).strip()
    return incoming.model_copy(update={"text": text, "attachments": kept})

"""The spoken voice-over in the render: synthesis (cached), the video long enough, captions on the words.

A draft's voice segment with a `tts://…` source (`studio.director.ops.SetVoiceover`) is narrated
here, in the render worker's process (never on an event loop), through `common.voice`:

- `narrate(draft)`: the narration of the voice segment's script in its language at its speed, from
  the on-disk synthesis cache (`$VIDEOBOT_VOICE_CACHE/speech`, keyed by engine, voice, language,
  speed and text), so a re-render costs nothing. No voice installed: a `RenderError` that says so.
- `planned_narration(draft)`: the narration's timing without synthesising (the storyboard, in the
  API process, never loads the ~500 MB engine): the cached synthesis's when this script was spoken
  before, else an estimate from its length (`WORDS_PER_S`, `CJK_CHARS_PER_S`, at its speed).
- `with_narration(draft, narration)`: a copy of the draft that fits it — every segment stretched
  when the narration (plus `TAIL_S`) outlasts the video, and the captions replaced by the
  narration's phrases, each shown from the moment it is spoken (phrase timings from synthesis).

The renderer then mixes the narration as the plan's voice (`Plan.voice`): the music ducks under it
(`studio.render.audio.master_mix`).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from common.voice import SpeechCache, Timing, VoiceUnavailable, cached_narrator, voice_settings
from common.voice.protocols import normalize_language
from studio.draft import Draft, TextMeta, TextSegment
from studio.render.captions import split_phrases
from studio.render.text import has_cjk

log = logging.getLogger(__name__)

BED_UNDER_VOICE_DB = 12.0  # the music sits this far under the voice's level, before it ducks under the words
TAIL_S = 1.0  # the video goes on this long after the last word
_TRAILING = ".。,，、;；:：—–"  # a caption line ends without the phrase's comma or full stop
HOLD_S = 0.35  # a phrase's caption stays up this long after it is said, unless the next one starts


class VoiceRenderError(RuntimeError):
    """The narration could not be made (the message is for the user)."""


WORDS_PER_S = 2.6  # an English narration's pace at speed 1 (Kokoro measured ~2.5-2.8)
CJK_CHARS_PER_S = 4.2  # a Chinese one's
PAUSE_S = 0.25  # between two phrases


@dataclass(frozen=True)
class Narration:
    path: Path | None  # None for a planned (estimated) narration: timing only, no audio
    duration: float
    language: str
    phrases: list[Timing] = field(default_factory=list)
    cached: bool = False


def wants_narration(draft: Draft) -> bool:
    voice = draft.voice
    return voice is not None and voice.m.src.startswith("tts://") and bool(voice.m.text.strip())


def narrate(draft: Draft) -> Narration | None:
    """The narration of the draft's synthetic voice-over (None when it has none)."""
    voice = draft.voice
    if voice is None or not wants_narration(draft):
        return None
    m = voice.m
    try:
        narrator = cached_narrator(m.language, voice=m.voice)
        before = narrator.cache.hits
        speech = narrator.synthesize(m.text, m.language, speed=m.speed)
    except VoiceUnavailable as exc:
        log.warning("voice-over asked but voice is unavailable: %s", exc)
        raise VoiceRenderError("voice is not installed on this server: no voice-over") from None
    except ValueError as exc:
        raise VoiceRenderError(f"the voice-over could not be made ({exc})") from None
    assert speech.path is not None  # the cache always answers with a WAV on disk
    hit = narrator.cache.hits > before
    return Narration(speech.path, speech.duration, m.language, list(speech.phrases), hit)


def planned_narration(draft: Draft) -> Narration | None:
    """The narration's timing as `narrate` would give it, without synthesising: from the synthesis
    cache when the script was spoken before (`cached` True), else estimated (`path` None)."""
    voice = draft.voice
    if voice is None or not wants_narration(draft):
        return None
    m = voice.m
    settings = voice_settings()
    lang = normalize_language(m.language) or m.language
    folder = settings.cache_dir.expanduser() / "speech"
    if folder.is_dir():
        hit = SpeechCache(folder).get("kokoro", m.voice or settings.voice, lang, m.speed, m.text)
        if hit is not None and hit.path is not None:
            return Narration(hit.path, hit.duration, m.language, list(hit.phrases), True)
    return estimated_narration(m.text, m.language, m.speed)


def estimated_narration(text: str, language: str, speed: float = 1.0) -> Narration:
    """Phrase timings of `text` read at an average pace (no audio)."""
    t = 0.0
    phrases: list[Timing] = []
    sentences = [x for x in re.split(r"(?<=[.!?。！？])\s*", text) if x.strip()]  # as the engine says them
    for phrase in (p for sentence in sentences for p in split_phrases(sentence)):
        if has_cjk(phrase):
            length = sum(1 for c in phrase if c.isalnum()) / CJK_CHARS_PER_S
        else:
            length = len(phrase.split()) / WORDS_PER_S
        length = max(0.4, length / max(speed, 0.25))
        phrases.append((phrase, round(t, 3), round(t + length, 3)))
        t += length + PAUSE_S
    return Narration(None, max(0.0, t - PAUSE_S), language, phrases)


def with_narration(draft: Draft, narration: Narration) -> Draft:
    """A copy of the draft that lasts the narration, its captions the narration's phrases."""
    out = draft.model_copy(deep=True)
    need_ms = round((narration.duration + TAIL_S) * 1000)
    if need_ms > out.d > 0:
        _stretch(out, need_ms / out.d)
    text = out.text_track(create=bool(narration.phrases))
    if text is None or not narration.phrases:
        return out
    captions = [s for s in text.sg if s.m.role == "caption"]
    look = captions[0].m if captions else TextMeta(text="", role="caption")
    kept = [s for s in text.sg if s.m.role != "caption"]
    shown = {_plain(s.m.text) for s in kept}  # a phrase that is already on screen is not shown twice
    phrases = sorted(narration.phrases, key=lambda p: p[1])
    new: list[TextSegment] = []
    for k, (words, start, end) in enumerate(phrases):
        nxt = phrases[k + 1][1] if k + 1 < len(phrases) else end + HOLD_S
        st = max(0, round(start * 1000))
        until = min(out.d, round(max(end + HOLD_S if k + 1 == len(phrases) else nxt, start + 0.3) * 1000))
        if until - st < 300 or _plain(words) in shown:
            continue
        meta = look.model_copy(update={"text": words.strip().rstrip(_TRAILING) or words.strip()})
        new.append(TextSegment(id=f"vo{k + 1}", st=st, d=until - st, m=meta))
    text.sg = sorted([*kept, *new], key=lambda s: s.st)
    return out


def _active_db(x: np.ndarray, rate: int, *, floor_db: float = 30.0) -> float:
    """RMS level (dB) of the 20 ms frames within `floor_db` of the loudest: a voice's level, pauses aside."""
    mono = np.abs(x).mean(axis=1) if x.ndim == 2 else np.abs(x)
    hop = max(1, rate // 50)
    frames = len(mono) // hop
    if frames == 0:
        return -120.0
    power = (mono[: frames * hop].astype(np.float64) ** 2).reshape(frames, hop).mean(axis=1) + 1e-12
    db = 10 * np.log10(power)
    keep = power[db > db.max() - floor_db]
    return float(10 * np.log10(keep.mean()))


def bed_gain(voice: list[np.ndarray], music: list[np.ndarray], rate: int, *, volume: float = 1.0) -> float:
    """The music's gain under a voice-over: its level `BED_UNDER_VOICE_DB` under the voice's, then the
    creator's "louder" / "quieter" (`volume`, relative to the default; never above the voice's
    level minus 6 dB), never louder than it came."""
    if not voice or not music:
        return 1.0
    v = _active_db(np.concatenate([np.asarray(x, np.float32) for x in voice]), rate)
    m = _active_db(np.concatenate([np.asarray(x, np.float32) for x in music]), rate)
    asked = 20 * math.log10(max(volume, 0.05))
    gain_db = min(0.0, v - BED_UNDER_VOICE_DB - m + min(asked, BED_UNDER_VOICE_DB - 6.0))
    return float(10 ** (gain_db / 20))


def _plain(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _stretch(draft: Draft, factor: float) -> None:
    """Every segment's start and length times `factor` (the shots keep their shares of the video)."""
    for track in draft.t:
        for seg in track.sg:
            seg.st = round(seg.st * factor)
            seg.d = round(seg.d * factor)
    draft.d = round(draft.d * factor)
    log.info("video lengthened x%.2f to %.1f s for the voice-over", factor, draft.d / 1000)

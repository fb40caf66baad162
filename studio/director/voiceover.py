"""The voice-over as the director sees it: the script (given, or written from the brief), its length.

- `take_script(message)`: a script the creator wrote out — after "配音：" / "voice-over:" / "narrate:",
  or in quotes next to a voice word ('add a voice-over "Fresh bread every morning"') — is cut out of
  the message before it is read, so its words are never read as commands or as text on screen.
- `write_script(draft, source)`: the script from the brief when none is given: the words on screen
  (title, subtitle, captions, offer, price, call to action) as sentences, or the description the video
  was made from ("read the description"); at most `MAX_WORDS` English words or `MAX_CHARS` Chinese
  characters, cut at a sentence end, so it fits the video.
- `spoken_ms(script, language, speed)`: a generous estimate of the narration's length (measured on
  Kokoro: ~2.4 English words/s and ~3.3 Chinese characters/s at speed 1), so the director can keep
  the video long enough; the renderer stretches the shots if the real narration is longer.
"""

from __future__ import annotations

import re

from studio.director.copywriter import is_instruction, mostly_cjk
from studio.draft import Draft

MAX_WORDS = 60
MAX_CHARS = 120
WORDS_PER_S = 2.2  # English, speed 1 (measured ~2.4: the estimate errs long)
CHARS_PER_S = 3.0  # Chinese, speed 1 (measured ~3.3)
TAIL_MS = 1200  # the video keeps going a little after the last word

_VOICE = r"(?:voice[- ]?overs?|narration|narrate|narrator|配音|旁白|解说|口播)"
_COLON = re.compile(rf"{_VOICE}\s*(?:词|稿|文案|script)?\s*(?:[:：]|saying|说|念|读)\s*(?P<script>.+)$",
                    re.IGNORECASE | re.DOTALL)
_QUOTE = re.compile(r"[\"“「『‘'](?P<script>[^\"”」』’']{2,})[\"”」』’']")
_VOICE_WORD = re.compile(rf"{_VOICE}|voice|读出来|念出来|朗读", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def language_of(text: str) -> str:
    return "zh" if mostly_cjk(text) else "en"


def take_script(message: str) -> tuple[str, str] | None:
    """(the message without the script, the script) when the creator wrote the words out; else None."""
    found = _COLON.search(message)
    if found is not None:
        script = found.group("script").strip().strip("\"“”「」『』'‘’ ")
        if script:
            start = found.start()
            head = message[:start] + found.group(0)[: found.start("script") - start]
            return _rest(head), script
    if _VOICE_WORD.search(message):
        quoted = _QUOTE.search(message)
        if quoted is not None:
            rest = message[: quoted.start()] + " " + message[quoted.end() :]
            return _rest(rest), quoted.group("script").strip()
    return None


def _rest(text: str) -> str:
    """What stays of the message once the script is out ("add a voice-over saying" → "add a voice-over")."""
    text = re.sub(r"[:：]\s*$", "", text.strip())
    text = re.sub(r"\s*(?:saying|that says|说|念|读)\s*$", "", text, flags=re.IGNORECASE)
    return text.strip()


def words_of(text: str, language: str) -> int:
    if language == "zh":
        return sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    return len(re.findall(r"[A-Za-z0-9']+", text))


def too_long(text: str, language: str) -> bool:
    limit = MAX_CHARS if language == "zh" else MAX_WORDS
    return words_of(text, language) > limit


def fit_script(text: str, language: str) -> str:
    """At most MAX_WORDS / MAX_CHARS: whole sentences while they fit, else the first one cut at a word."""
    limit = MAX_CHARS if language == "zh" else MAX_WORDS
    out: list[str] = []
    for sentence in (s for s in _SENTENCE_END.split(text.strip()) if s.strip()):
        if words_of("".join(out) + sentence, language) > limit:
            break
        out.append(sentence if language == "zh" else sentence + " ")
    if out:
        return "".join(out).strip()
    if language == "zh":
        kept, n = [], 0
        for c in text:
            n += "\u3400" <= c <= "\u9fff"
            if n > limit:
                break
            kept.append(c)
        return "".join(kept).rstrip("，、,") + "。"
    return " ".join(text.split()[:limit]).rstrip(",;:") + "."


def _sentence(text: str, language: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if text[-1] in ".!?。！？…":
        return text
    return text + ("。" if language == "zh" else ".")


def write_script(draft: Draft, source: str = "brief", language: str | None = None) -> str:
    """The script when the creator gave none: the description, or the words on screen, in order."""
    described = description(draft.m.prompt)
    if source == "description" and described:
        lang = language or language_of(described)
        return fit_script(_sentence(described, lang), lang)
    parts: list[str] = []
    for role in ("title", "subtitle", "caption", "offer", "price", "cta"):
        parts += [s.m.text for s in draft.texts(role) if s.m.text.strip()]
    parts = _unrepeated(parts)
    if not parts and described:
        parts = [described]
    if not parts:
        return ""
    lang = language or language_of(" ".join(parts))
    joiner = "" if lang == "zh" else " "
    return fit_script(joiner.join(_sentence(p, lang) for p in parts), lang)


def description(prompt: str) -> str:
    """The describing part of the brief: "make a promo for my shop: handmade soy candles, …" → "handmade
    soy candles, …"; sentences that only ask for something are left out."""
    text = prompt.strip()
    head, colon, tail = text.partition("：") if "：" in text else text.partition(":")
    if colon and tail.strip() and is_instruction(head):
        text = tail.strip()
    kept = [s for s in _SENTENCE_END.split(text) if s.strip() and not is_instruction(s)]
    out = ("" if language_of(text) == "zh" else " ").join(kept).strip() or text
    return out[:1].upper() + out[1:] if out else ""


def _words(text: str) -> set[str]:
    if language_of(text) == "zh":
        return {c for c in text if "\u3400" <= c <= "\u9fff"}
    return {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z0-9']+", text)}


def _unrepeated(parts: list[str]) -> list[str]:
    """Leave out a line whose words the other lines already say (a title that opens the first caption)."""
    kept = list(parts)
    for part in parts:
        others: set[str] = set()
        for other in kept:
            if other is not part:
                others |= _words(other)
        mine = _words(part)
        if mine and len(mine & others) >= 0.6 * len(mine) and len(kept) > 1:
            kept.remove(part)
    return kept


def spoken_ms(text: str, language: str, speed: float) -> int:
    """A generous estimate of how long the narration lasts, in ms (pauses included)."""
    n = words_of(text, language)
    per_s = CHARS_PER_S if language == "zh" else WORDS_PER_S
    sentences = max(1, len(re.findall(r"[.!?。！？]", text)))
    seconds = n / (per_s * speed) + 0.4 * sentences / speed
    return round(seconds * 1000) + TAIL_MS

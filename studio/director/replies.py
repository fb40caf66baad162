"""What the user reads after a director turn, in English or Chinese (texts: `i18n/en.toml`, `zh.toml`).

Replies are honest: every applied change is named, every refusal says why, every part of the
message that was not understood is quoted back, every known-but-unsupported request says so by
name ("I can't add a voice-over yet"), and values are shown in the reply's language (moods, colours,
positions, styles: "背景音乐换成了欢快", not "Upbeat").
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from studio.director.lexicon import raw
from studio.director.models import Change

I18N_DIR = Path(__file__).with_name("i18n")
MOOD_OF = {"synth://upbeat": "upbeat", "synth://calm": "calm", "synth://lofi": "lofi"}


@cache
def _texts(lang: str) -> dict[str, dict[str, str]]:
    with (I18N_DIR / f"{lang}.toml").open("rb") as fh:
        return tomllib.load(fh)


def lang_of(zh: bool) -> str:
    return "zh" if zh else "en"


def t(zh: bool, section: str, key: str, **values: Any) -> str:
    table = _texts(lang_of(zh)).get(section, {})
    text = table.get(key)
    if text is None:
        text = _texts("en").get(section, {}).get(key, key)
    return text.format(**values) if values else text


def word(value: Any, zh: bool) -> Any:
    if not isinstance(value, str):
        return value
    return _texts(lang_of(zh))["words"].get(value, value)


@cache
def _color_names(lang: str) -> dict[str, str]:
    return {hex_: names[0] for hex_, names in (raw(lang).get("color") or {}).items()}


def color_name(hex_: str, zh: bool) -> str:
    return _color_names(lang_of(zh)).get(hex_, hex_)


def music_name(name: str | None, src: str | None, zh: bool) -> str:
    mood = MOOD_OF.get(src or "")
    return str(word(mood, zh)) if mood else (name or "")


def _join(parts: list[str], zh: bool) -> str:
    parts = [p for p in parts if p]
    if zh:
        return "，".join(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _secs(ms: int | float) -> str:
    seconds = ms / 1000
    return str(int(seconds)) if seconds == int(seconds) else f"{seconds:.1f}"


def _look(values: dict[str, Any], zh: bool) -> str:
    """ "now white, big and bold" / "改成白色，变大了"."""
    parts: list[str] = []
    for key in ("color", "size", "font", "bold", "italic", "upper", "anim", "pos"):
        if key not in values:
            continue
        value = values[key]
        if key == "color":
            parts.append(("改成" + color_name(value, zh) + "了") if zh else color_name(value, zh))
        elif key == "size":
            parts.append(word(f"size_{value}", zh))
        elif key == "font":
            parts.append(word(f"font_{value}", zh))
        elif key in ("bold", "italic", "upper"):
            parts.append(word(f"{key}_{'on' if value else 'off'}", zh))
        elif key == "anim":
            parts.append(word(f"anim_{value}", zh))
        else:
            parts.append(("放到" + word(value, zh) + "了") if zh else word(value, zh))
    if zh:
        return "，".join(parts)
    return "now " + _join(parts, False)


def phrase(change: Change, zh: bool) -> str:
    """One change (or refusal) as a phrase."""
    p = change.params
    values: dict[str, Any] = {k: word(v, zh) for k, v in p.items()}
    if "ms" in p:
        values["s"] = _secs(int(p["ms"]))
    key = change.key
    section = "refused" if change.refused else "done"
    if key == "music_volume":
        values["dir"] = word("up" if p.get("up") else "down", zh)
    elif key in ("music", "same_music"):
        values["name"] = music_name(p.get("name"), p.get("src"), zh)
    elif key in ("captions", "shot_removed") and p.get("count") == 1:
        key = f"{key}_one"  # "the captions now have 1 line", "1 shot left"
    elif key == "pace":
        key = {"slow": "pace_slow", "normal": "pace_normal"}.get(p.get("pace", ""), "pace")
    elif key == "end_card" and not p.get("enabled"):
        key = "end_card_off"
    elif key == "voiceover" and p.get("lengthened"):
        key = "voiceover_longer"
    elif key in ("voice_speed", "voice_speed_limit"):
        values["dir"] = word("slower" if p.get("slower") else "faster", zh)
    elif key == "logo_resized":
        values["dir"] = word("bigger" if p.get("bigger") else "smaller", zh)
    elif key == "shot_weight":
        values["longer"] = word("longer" if p.get("longer") else "shorter", zh)
        values["secs"] = _secs(int(p.get("ms", 0)))
    elif key == "shot_trimmed":
        span = []
        span.append(
            t(zh, "words", "from", start=_secs(p.get("start") or 0))
            if p.get("start")
            else t(zh, "words", "whole")
        )
        if p.get("end"):
            span.append(t(zh, "words", "until", end=_secs(p["end"])))
        values["span"] = ("，" if zh else " ").join(span)
    elif key in ("text_style", "same_text_style", "no_such_text"):
        values["target"] = word(p.get("target"), zh)
        values["look"] = _look(p, zh)
        if key == "text_style" and not zh:
            target = str(values["target"])
            verb = "are" if p.get("target") == "caption" else "is"
            return f"{target} {verb} {values['look']}"
    elif key == "text":
        values["pos"] = word(p.get("pos") or "top", zh)
    elif key == "brand":
        what = []
        if p.get("colors"):
            names = ("、" if zh else " and ").join(color_name(c, zh) for c in p["colors"])
            what.append(t(zh, "words", "colors", colors=names))
        for field in ("name", "handle", "url"):
            if p.get(field):
                what.append(t(zh, "words", field, **{field: p[field]}))
        values["what"] = ("，" if zh else ", ").join(what)
    text = (
        t(zh, section, key, **values)
        if key in _texts(lang_of(zh)).get(section, {})
        else (t(zh, "refused" if section == "done" else "done", key, **values))
    )
    if key == "duration" and p.get("asked") != p.get("ms"):
        text += t(zh, "text", "limits")
    if key == "captions" and p.get("dropped"):
        text += t(zh, "text", "dropped", count=p["dropped"])
    return text


def unsupported(key: str, zh: bool) -> str:
    return t(zh, "unsupported", key)


def not_understood(part: str, zh: bool) -> str:
    return t(zh, "text", "not_understood", part=part)


def edited(
    applied: list[Change],
    refused: list[Change],
    zh: bool,
    *,
    missed: list[str] | None = None,
    cannot: list[str] | None = None,
) -> str:
    """The edit reply: what changed, what could not be done (and why), what was not understood."""
    done = [phrase(c, zh) for c in applied]
    problems = [phrase(c, zh) for c in refused] + [unsupported(k, zh) for k in cannot or []]
    problems += [not_understood(p, zh) for p in missed or []]
    if zh:
        text = (t(zh, "text", "done") + _join(done, True) + "。") if done else ""
        if problems:
            text += (t(zh, "text", "but") if done else "") + "；".join(problems) + "。"
        return text + (t(zh, "text", "outro") if done else "")
    text = (t(zh, "text", "done") + _cap(_join(done, False)) + ".") if done else ""
    if problems:
        reasons = "; ".join(problems)
        text += (t(zh, "text", "but") + reasons if done else _cap(reasons)) + "."
    return text + (t(zh, "text", "outro") if done else "")


def _article(word_: str) -> str:
    """ "an" before a vowel sound ("an 8-second", "an “Order today” ending"), else "a"."""
    whole = word_.split(".")[0]
    if whole.isdigit():
        return "an" if whole.startswith("8") or whole in ("11", "18") else "a"
    return "an" if word_[:1].lower() in "aeio" else "a"


def _count(zh: bool, section: str, key: str, n: int) -> str:
    return t(zh, section, key if n == 1 else f"{key}_many", n=n)


def created(
    info: dict[str, Any],
    zh: bool,
    also: list[Change] | None = None,
    refused: list[Change] | None = None,
    *,
    cannot: list[str] | None = None,
    missed: list[str] | None = None,
) -> str:
    """The create reply: what was made, any extra edits of the same message, then the outro."""
    more = [phrase(c, zh) for c in also or []]
    problems = [phrase(c, zh) for c in refused or []] + [unsupported(k, zh) for k in cannot or []]
    problems += [not_understood(p, zh) for p in missed or []]
    media = [
        _count(zh, "create", "photos", info["photos"]) if info["photos"] else "",
        _count(zh, "create", "clips", info["clips"]) if info["clips"] else "",
    ]
    joiner = "和" if zh else " and "
    source = (
        t(zh, "create", "source", media=joiner.join(m for m in media if m))
        if info["photos"] or info["clips"]
        else t(zh, "create", "cards")
    )
    music = music_name(info["music"], info.get("music_src"), zh) if info["music"] else ""
    extras = [
        t(zh, "create", "title", text=info["title"]) if info["title"] else "",
        t(zh, "create", "subtitle", text=info["subtitle"]) if info.get("subtitle") else "",
        _count(zh, "create", "captions", info["captions"]) if info["captions"] else "",
        t(zh, "create", "offer", text=info["offer"]) if info.get("offer") else "",
        t(zh, "create", "price", text=info["price"]) if info.get("price") else "",
        t(zh, "create", "music", name=music) if music else "",
        t(zh, "create", "cta", text=info["cta"], article=_article(info["cta"])) if info["cta"] else "",
    ]
    shown = [e for e in extras if e]
    note = t(zh, "text", "limits") if info["clamped"] else ""
    seconds = _secs(int(info["ms"]))
    text = t(
        zh,
        "create",
        "intro",
        article=_article(seconds),
        seconds=seconds,
        aspect=info["aspect"],
        source=source,
        note=note,
    )
    if shown:
        text += t(zh, "create", "with") + _join(shown, zh)
    text += "。" if zh else "."
    if more:
        text += t(zh, "text", "also") + _join(more, zh) + ("。" if zh else ".")
    if problems:
        text += t(zh, "text", "but") + ("；" if zh else "; ").join(problems) + ("。" if zh else ".")
    return text + t(zh, "text", "outro")


def describe(info: dict[str, Any], zh: bool) -> str:
    s = _secs(int(info["ms"]))
    names = ", ".join(info["names"][:6]) + ("…" if len(info["names"]) > 6 else "")
    shots = _count(zh, "describe", "shots", info["shots"])
    shots += (f"（{names}）" if zh else f" ({names})") if names else t(zh, "describe", "cards")
    music = music_name(info["music"], info.get("music_src"), zh)
    parts = [
        t(zh, "describe", "seconds", s=s),
        f"{info['aspect']}（{info['w']}x{info['h']}）"
        if zh
        else f"{info['aspect']} ({info['w']}x{info['h']})",
        shots,
        t(zh, "describe", "title", text=info["title"]) if info["title"] else t(zh, "describe", "no_title"),
        _count(zh, "describe", "captions", info["captions"])
        if info["captions"]
        else t(zh, "describe", "no_captions"),
        t(zh, "describe", "music", name=music, volume=info["volume"])
        if info["music"]
        else t(zh, "describe", "no_music"),
        t(zh, "describe", "transition", type=word(info["transition"], zh)),
        t(zh, "describe", "pace", pace=word(info["pace"], zh)),
    ]
    if info.get("style"):
        parts.append(t(zh, "describe", "style", style=word(info["style"], zh)))
    if info["cta"]:
        parts.append(t(zh, "describe", "cta", text=info["cta"]))
    if info["logo"]:
        parts.append(t(zh, "describe", "logo", pos=word(info["logo"], zh)))
    end = "。" if zh else "."
    return t(zh, "describe", "intro") + ("，" if zh else ", ").join(parts) + end + t(zh, "text", "outro")


def help_text(zh: bool, understood: bool = True) -> str:
    return ("" if understood else t(zh, "text", "sorry")) + t(zh, "text", "help")


def chat(key: str, zh: bool, **values: Any) -> str:
    return t(zh, "text", key, **values)


def charge_line(cost: int, left: int, language: str) -> str:
    """'−10 credits, 74 left.' / '−10 积分，剩余 74。' (appended by the studio after charging)."""
    return t(language.lower().startswith("zh"), "text", "charge", cost=cost, left=left)


def history(key: str, zh: bool, **values: Any) -> str:
    return t(zh, "history", key, **values)

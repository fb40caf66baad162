"""Detectors for what sits on top of the pictures: title, captions, music, logo, call to action.

Each reads a masked message (quotes replaced by «qN», see `words.mask_quotes`) and returns the
tool calls it asks for plus notes for what cannot be done. Removal words are understood both ways
round in Chinese ("去掉字幕" and "字幕去掉"); a bare mention with no text and no "add" verb
("make the title bigger") yields nothing, so the director answers with what it can do.
"""

from __future__ import annotations

import re

from studio.director.brief import caption_lines, default_cta, find_cta, read_brief
from studio.director.build import OWN_AUDIO_VOL, music_for
from studio.director.models import Asset, Change, ToolCall
from studio.director.timeline import Draft, music, texts
from studio.director.words import MOODS, alt, parse_corner, parse_mood, unmask

_KILL = (r"\b(?:no|remove|delete|drop|kill|mute|without|lose|hide|get rid of|turn off|take (?:out|off)|"
         r"stop|ditch)\b")
_ZH_KILL = "(?:不要|去掉|删除|删掉|移除|关掉|关闭|取消|隐藏|拿掉|去除)"
_ADD = alt(r"\b(?:add|put|include|insert|give it|bring back|restore|want|need)\b", "加|添加|恢复|来个|要")
_MUSIC = alt(r"\b(?:music|song|track|soundtrack|bgm|beat|tune|audio)\b", "音乐|配乐|BGM|歌")
_VOL_UP = alt(r"\b(?:louder|(?:turn|pump|crank)\s+(?:it|the music|the volume|music|the song)?\s*up)\b",
              r"\b(?:raise|increase) the (?:music|volume)\b|\b(?:more volume|volume up|music up)\b",
              r"\b(?:turn|pump|crank|bump)\s+up\s+the\s+(?:music|volume|sound)\b",
              "大声|调大|音量大|声音大|响一点|音量高一点|音乐再?大|音乐再?响|(?:音量|声音|音乐)调高")
_VOL_DOWN = alt(r"\b(?:quieter|softer|turn\s+(?:it|the music|the volume|music|the song)?\s*down)\b",
                r"\b(?:lower|reduce|decrease) the (?:music|volume)\b",
                r"\b(?:less loud|volume down|music down|too loud)\b",
                "小声|调小|音量小|声音小|轻一点|音乐小|太吵|太响|降低音量")
_OWN_SONG = alt(r"\b(?:my|my own|my uploaded|the uploaded)\s+(?:song|track|music|audio)\b",
                r"\bthis\s+(?:song|track|audio)\b|\bthe\s+(?:song|track|audio)\s+i\s+(?:sent|uploaded)\b",
                "我的(?:音乐|歌|音频)|上传的(?:音乐|歌|音频)")
_MUSIC_VERB = alt(r"\b(?:add|use|put|play|change|switch|want|with|give|some|different|another)\b",
                  "加|配|用|换|来点|放")
_STRONG_MOOD = alt(r"\b(?:upbeat|energetic|calm|calmer|relaxing|chill|lo-?fi)\b", "欢快|动感|舒缓|放松")
_CAPTION_WORDS = alt(r"\b(?:captions?|subtitles?|subs|text overlays?|on-screen text|overlay text)\b",
                     "字幕|文案")
_ONE_MORE_CAPTION = alt(r"\b(?:add|append|another|one more)\b[^.!?]{0,15}\bcaption\b(?!s)",
                        "再加一(?:条|句|行)字幕")
_CTA_WORDS = alt(r"\b(?:call to action|call-to-action|cta|end card|end screen|ending|outro|ends? with)\b",
                 "行动号召|结尾|片尾|结束语")
_CTA_TEXT_EN = (r"\b(?:call to action|cta|end card|ending|end screen|outro)\s*"
                r"(?:to|:|=|is|says?|should (?:be|say))\s+|\bends? with\s+")


Found = tuple[list[ToolCall], list[Change]]


def find(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, re.I | re.A)


def _call(tool: str, **args: object) -> Found:
    return [ToolCall(name=tool, args=args)], []


def _note(key: str) -> Found:
    return [], [Change(key, refused=True)]


def _rest_after(pattern: str, masked: str, quotes: list[str]) -> str | None:
    m = re.search(f"(?:{pattern})" + r"\s*(.+?)\s*(?:[.!?。！？]|$)", masked, re.I | re.A)
    if not m:
        return None
    text = unmask(m.group(1), quotes).strip(" \"'“”「」")
    return text or None


def zh_kill(nouns: str) -> str:
    """Chinese removal either way round: "去掉字幕" and "字幕去掉"."""
    return alt(f"{_ZH_KILL}(?:了)?(?:所有|这个|我的)?的?(?:{nouns})",
               f"(?:{nouns})(?:都|也|就)?(?:可以)?{_ZH_KILL}")


def prompt_of(draft: Draft) -> str:
    return str(draft["m"].get("prompt", ""))


_PLACEMENT = alt(r"\b(?:move|put|place|show)\b[^.!?]{0,25}\b(?:to|at|in)\s+the\s+"
                 r"(?:end|start|beginning|top|bottom|middle|centre|center)\b",
                 "(?:移到|放到|挪到|放在)(?:最后|结尾|末尾|开头|最前|顶部|底部|中间)")


def title_calls(masked: str, quotes: list[str], draft: Draft) -> Found:
    if not find(r"\btitle|\bheading|\bheadline|\bcall it\b|\bname it\b|标题|片名", masked):
        return [], []
    if find(alt(rf"{_KILL}[^.!?]{{0,20}}\btitle\b", r"\btitle\b[^.!?]{0,10}\b(?:off|away)\b",
                 zh_kill("标题")), masked):
        return _call("remove_title")
    if not quotes and find(_PLACEMENT, masked):
        return [], []  # "move the title to the end": placement is not something the director can do
    text = quotes[0] if quotes else (
        _rest_after(r"\b(?:title|heading|headline)\s*(?:to|as|:|=|is|says?|reads?|should (?:be|say))\s+"
                    r"|\b(?:call|name|title)\s+it\s+|\btitled\s+", masked, quotes)
        or _rest_after("标题(?:改成|改为|换成|是|为|叫|设为|设置为|写|写成|：|:)", masked, quotes))
    if not text and not find(_ADD, masked):
        return [], []  # "make the title bigger": not something the director can do
    text = text or read_brief(prompt_of(draft)).title
    return _call("set_title", text=text) if text else _note("need_title_text")


def caption_calls(masked: str, quotes: list[str], draft: Draft) -> Found:
    if not find(_CAPTION_WORDS, masked):
        return [], []
    if find(alt(rf"{_KILL}[^.!?]{{0,20}}\b(?:captions?|subtitles?|subs|text)\b",
                 zh_kill("字幕|文案")), masked):
        return _call("remove_captions")
    lines = [line for q in quotes for line in caption_lines(q)]
    if not lines:
        rest = _rest_after(r"\b(?:captions?|subtitles?)\s*(?:to|:|=|should (?:be|say)|says?)\s+", masked,
                           quotes) \
            or _rest_after("(?:字幕|文案)(?:改成|改为|换成|是|为|写|：|:)", masked, quotes)
        lines = caption_lines(rest) if rest else []
    if lines and find(_ONE_MORE_CAPTION, masked):
        lines = [str(s["m"]["text"]) for s in texts(draft, "caption")] + lines
    if not lines and not find(_ADD, masked):
        return [], []
    lines = lines or read_brief(prompt_of(draft)).captions
    return _call("set_captions", lines=lines) if lines else _note("need_caption_text")


def music_calls(masked: str, draft: Draft, assets: list[Asset]) -> Found:
    if find(alt(rf"{_KILL}[^.!?]{{0,15}}(?:{_MUSIC})", r"\b(?:music|song)\s+off\b",
                 zh_kill("(?:背景)?(?:音乐|配乐|BGM)"), "静音"), masked):
        return _call("remove_music")
    up, down = find(_VOL_UP, masked), find(_VOL_DOWN, masked)
    if up or down:
        song = music(draft)
        if song is None:
            return _note("no_music")
        vol = float(song["m"].get("vol", 0.35))
        return _call("set_music_volume", vol=round(min(1.0, vol * 1.5) if up else max(0.05, vol * 0.6), 2))
    wants = find(_MUSIC, masked) and find(_MUSIC_VERB, masked)
    audio = [a for a in assets if a.kind == "audio"]
    if wants and find(_OWN_SONG, masked):
        if not audio:
            return _note("no_audio_asset")
        return [ToolCall(name="set_music", args={**music_for(None, audio[-1]), "vol": OWN_AUDIO_VOL})], []
    if not (wants or find(_STRONG_MOOD, masked)):
        return [], []
    mood = parse_mood(masked)
    if mood is None:  # "change the music": the next bed in the list
        current = str((music(draft) or {}).get("m", {}).get("src", "")).removeprefix("synth://")
        order = list(MOODS)
        mood = order[(order.index(current) + 1) % len(order)] if current in order else "lofi"
    src, name = MOODS[mood]
    return _call("set_music", src=src, name=name)


def logo_calls(masked: str, draft: Draft | None, assets: list[Asset]) -> Found:
    if not find(r"(?<![a-z])logo(?![a-z])|watermark|标志|水印|商标", masked):
        return [], []
    if find(alt(rf"{_KILL}[^.!?]{{0,15}}(?<![a-z])(?:logo|watermark)(?![a-z])",
                 zh_kill("logo|标志|水印|商标")), masked):
        return _call("remove_logo")
    pos = parse_corner(masked)
    current = (draft or {}).get("m", {}).get("logo")
    images = [a for a in assets if a.kind == "image"]
    candidates = [a for a in images if re.search("logo|标志|商标", a.name, re.I | re.A)] or [
        a for a in images if a.name.lower().endswith(".png")]
    pick = candidates[-1] if candidates else None
    if pick is not None and not (current and pos and pick.ref == current["src"]):
        return _call("add_logo", src=pick.ref, pos=pos or (current or {}).get("pos", "top-right"))
    if current:
        return _call("add_logo", src=current["src"], pos=pos or current["pos"])
    return _note("no_logo_asset")


def cta_calls(masked: str, quotes: list[str], draft: Draft, zh: bool) -> Found:
    phrase = find_cta(masked)
    verb = find(r"\b(?:add|put|include|end with|change|use|finish with)\b|加|添加|换成|改成", masked)
    if not (find(_CTA_WORDS, masked) or (phrase and verb)):
        return [], []
    if find(alt(rf"{_KILL}[^.!?]{{0,20}}(?:{_CTA_WORDS})", zh_kill("行动号召|结尾|片尾|结束语")), masked):
        return _call("remove_cta")
    text = quotes[-1] if quotes else phrase or _rest_after(_CTA_TEXT_EN, masked, quotes) or _rest_after(
        "(?:结尾|片尾|行动号召)(?:改成|改为|换成|是|为|写|：|:)", masked, quotes)
    if not text and not find(_ADD, masked):
        return [], []
    text = text or default_cta(prompt_of(draft), zh) or ("立即购买" if zh else "Shop now")
    return _call("set_cta", text=text)


def wants_no_music(masked: str) -> bool:
    return bool(find(alt(rf"{_KILL}[^.!?]{{0,15}}(?:{_MUSIC})", zh_kill("(?:背景)?(?:音乐|配乐)")), masked))

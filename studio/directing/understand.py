"""A message → the tool calls it asks for (English and Chinese, any reply language).

Quoted text is masked first, so words inside quotes ("change the title to 'Fast & Slow'") are
content, never commands. Each detector below reads one kind of edit; one message may carry
several ("make it vertical, 20 seconds, with upbeat music"). A message that asks for nothing the
director can do yields no calls: the caller answers a question or explains what it can do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studio.directing.brief import caption_lines, default_cta, find_cta, read_brief
from studio.directing.build import OWN_AUDIO_VOL, create_args, music_for
from studio.directing.models import Asset, Change, ToolCall
from studio.directing.shots import shot_calls
from studio.directing.timeline import Draft, music, texts
from studio.directing.words import (
    MOODS,
    alt,
    mask_quotes,
    parse_aspect,
    parse_corner,
    parse_duration,
    parse_mood,
    unmask,
)

_KILL = (r"\b(?:no|remove|delete|drop|kill|mute|without|lose|hide|get rid of|turn off|take (?:out|off)|"
         r"stop|ditch)\b")
_ZH_KILL = "(?:不要|去掉|删除|删掉|移除|关掉|关闭|取消|隐藏|拿掉|去除)"
_ADD = alt(r"\b(?:add|put|include|insert|give it|bring back|restore|want|need)\b", "加|添加|恢复|来个|要")
THANKS = re.compile(alt(r"^\s*(?:ok(?:ay)?|thanks?|thank you|thx|great|perfect|nice|cool|awesome|love it|"
                        r"looks? good|good|wow)\b",
                        r"^\s*(?:谢谢|多谢|好的|不错|很好|完美|可以了|太棒了|棒)"),
                    re.I | re.A)
EXPORT = re.compile(alt(r"^\s*/?(?:export|render|download)\b", r"^\s*/?(?:导出|下载|渲染)"), re.I | re.A)
_MUSIC = alt(r"\b(?:music|song|track|soundtrack|bgm|beat|tune|audio)\b", "音乐|配乐|BGM|歌")
CREATE = re.compile(alt(
    r"\b(?:create|make|generate|produce|build|render|do)\s+(?:me\s+|us\s+)?(?:a|an|another|new|one|my)\b"
    r"[^.!?]{0,60}?\b(?:video|clip|reel|slideshow|movie|ad|promo|montage|tiktok)s?\b",
    r"\b(?:start over|start again|from scratch|new video)\b",
    r"\bturn\s+(?:these|my|the)\s+(?:photos|pictures|images|clips)\s+into\b",
    "(?<![改换变])(?:做|生成|制作|剪)(?!成)(?:一个|个|一段|段|一条|条|一支|支)?[^。！？]{0,20}?(?:视频|短片|片子)",
    "重新做|重做|新视频|重新生成"), re.I | re.A)
HELP = re.compile(alt(r"\bhelp\b|what can you do|how does (?:this|it) work|\bcommands\b",
                      r"^\s*(?:hi|hello|hey|yo)\b", "帮助|你能做什么|你会什么|怎么用",
                      r"^\s*(?:你好|您好|嗨)"), re.I | re.A)
QUESTION = re.compile(alt(
    r"^\s*(?:what|what's|whats|how|which|show|describe|list|tell me|summari[sz]e|status|where|is there|"
    r"are there|can i see|preview)\b", r"[?？]\s*$",
    "什么|怎么样|多长|多久|描述|看看|介绍一下|状态|有哪些|时间线|预览"), re.I | re.A)
_VOL_UP = alt(r"\b(?:louder|(?:turn|pump|crank)\s+(?:it|the music|the volume|music|the song)?\s*up)\b",
              r"\b(?:raise|increase) the (?:music|volume)\b|\b(?:more volume|volume up|music up)\b",
              "大声|调大|音量大|声音大|响一点|音量高一点")
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
_CUTS = alt(r"\b(?:no|without|remove(?: the| all)?|skip(?: the)?)\s+transitions?\b",
            r"\b(?:hard|jump|straight|simple|just)\s+cuts?\b|\bcut transitions?\b",
            "不要转场|去掉转场|取消转场|没有转场|硬切|直接切")
_FASTER = alt(r"\b(?:faster|quicker|speed (?:it )?up|snappier|more dynamic|fast[- ]paced)\b",
              r"\bquick(?:er)? cuts\b",
              r"\bpick up the pace\b", "快一点|快一些|快点|快些|节奏快|加快|加速")
_SLOWER = alt(r"\b(?:slower|slow (?:it )?down|more relaxed|slow[- ]paced|calmer pace)\b",
              "慢一点|慢一些|慢点|慢些|节奏慢|放慢|减速")
_SHORTER, _LONGER = r"\bshorter\b|短一点|短一些|短些|缩短", r"\blonger\b|长一点|长一些|长些|加长|延长"
_CAPTION_WORDS = alt(r"\b(?:captions?|subtitles?|subs|text overlays?|on-screen text|overlay text)\b",
                     "字幕|文案")
_ONE_MORE_CAPTION = alt(r"\b(?:add|append|another|one more)\b[^.!?]{0,15}\bcaption\b(?!s)",
                        "再加一(?:条|句|行)字幕")
_CTA_WORDS = alt(r"\b(?:call to action|call-to-action|cta|end card|end screen|ending|outro|ends? with)\b",
                 "行动号召|结尾|片尾|结束语")
_CTA_TEXT_EN = (r"\b(?:call to action|cta|end card|ending|end screen|outro)\s*"
                r"(?:to|:|=|is|says?|should (?:be|say))\s+|\bends? with\s+")


@dataclass
class Plan:
    calls: list[ToolCall] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)
    question: bool = False
    help: bool = False
    chat: str | None = None  # "thanks" or "export": a short answer, nothing to edit


Found = tuple[list[ToolCall], list[Change]]


def _find(pattern: str, text: str) -> re.Match[str] | None:
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


def _zh_kill(nouns: str) -> str:
    """Chinese removal either way round: "去掉字幕" and "字幕去掉"."""
    return alt(f"{_ZH_KILL}(?:了)?(?:所有|这个|我的)?的?(?:{nouns})",
               f"(?:{nouns})(?:都|也|就)?(?:可以)?{_ZH_KILL}")


def _prompt(draft: Draft) -> str:
    return str(draft["m"].get("prompt", ""))


def _title(masked: str, quotes: list[str], draft: Draft) -> Found:
    if not _find(r"\btitle|\bheading|\bheadline|\bcall it\b|\bname it\b|标题|片名", masked):
        return [], []
    if _find(alt(rf"{_KILL}[^.!?]{{0,20}}\btitle\b", r"\btitle\b[^.!?]{0,10}\b(?:off|away)\b",
                 _zh_kill("标题")), masked):
        return _call("remove_title")
    text = quotes[0] if quotes else (
        _rest_after(r"\b(?:title|heading|headline)\s*(?:to|as|:|=|is|says?|reads?|should (?:be|say))\s+"
                    r"|\b(?:call|name|title)\s+it\s+|\btitled\s+", masked, quotes)
        or _rest_after("标题(?:改成|改为|换成|是|为|叫|设为|设置为|写|写成|：|:)", masked, quotes))
    if not text and not _find(_ADD, masked):
        return [], []  # "make the title bigger": not something the director can do
    text = text or read_brief(_prompt(draft)).title
    return _call("set_title", text=text) if text else _note("need_title_text")


def _captions(masked: str, quotes: list[str], draft: Draft) -> Found:
    if not _find(_CAPTION_WORDS, masked):
        return [], []
    if _find(alt(rf"{_KILL}[^.!?]{{0,20}}\b(?:captions?|subtitles?|subs|text)\b",
                 _zh_kill("字幕|文案")), masked):
        return _call("remove_captions")
    lines = [line for q in quotes for line in caption_lines(q)]
    if not lines:
        rest = _rest_after(r"\b(?:captions?|subtitles?)\s*(?:to|:|=|should (?:be|say)|says?)\s+", masked,
                           quotes) \
            or _rest_after("(?:字幕|文案)(?:改成|改为|换成|是|为|写|：|:)", masked, quotes)
        lines = caption_lines(rest) if rest else []
    if lines and _find(_ONE_MORE_CAPTION, masked):
        lines = [str(s["m"]["text"]) for s in texts(draft, "caption")] + lines
    if not lines and not _find(_ADD, masked):
        return [], []
    lines = lines or read_brief(_prompt(draft)).captions
    return _call("set_captions", lines=lines) if lines else _note("need_caption_text")


def _music(masked: str, draft: Draft, assets: list[Asset]) -> Found:
    if _find(alt(rf"{_KILL}[^.!?]{{0,15}}(?:{_MUSIC})", r"\b(?:music|song)\s+off\b",
                 _zh_kill("(?:背景)?(?:音乐|配乐|BGM)"), "静音"), masked):
        return _call("remove_music")
    up, down = _find(_VOL_UP, masked), _find(_VOL_DOWN, masked)
    if up or down:
        song = music(draft)
        if song is None:
            return _note("no_music")
        vol = float(song["m"].get("vol", 0.35))
        return _call("set_music_volume", vol=round(min(1.0, vol * 1.5) if up else max(0.05, vol * 0.6), 2))
    wants = _find(_MUSIC, masked) and _find(_MUSIC_VERB, masked)
    audio = [a for a in assets if a.kind == "audio"]
    if wants and _find(_OWN_SONG, masked):
        if not audio:
            return _note("no_audio_asset")
        return [ToolCall(name="set_music", args={**music_for(None, audio[-1]), "vol": OWN_AUDIO_VOL})], []
    if not (wants or _find(_STRONG_MOOD, masked)):
        return [], []
    mood = parse_mood(masked)
    if mood is None:  # "change the music": the next bed in the list
        current = str((music(draft) or {}).get("m", {}).get("src", "")).removeprefix("synth://")
        order = list(MOODS)
        mood = order[(order.index(current) + 1) % len(order)] if current in order else "lofi"
    src, name = MOODS[mood]
    return _call("set_music", src=src, name=name)


def _transition(masked: str) -> list[ToolCall]:
    said = _find("transition|转场|过渡", masked)
    style = None
    if _find(_CUTS, masked):
        style = "cut"
    elif _find(r"\bwipes?\b|擦除|擦拭|划像", masked) and (said or _find(r"\bwipes\b|\buse wipe\b", masked)):
        style = "wipe"
    elif _find(r"\bslid(?:e|es|ing)\b|滑动|推移|滑入", masked) and said:
        style = "slide"
    elif _find(r"\bcross-?fades?\b|\bdissolves?\b|淡入淡出|渐变|溶解|叠化", masked) or (
            said and _find(r"\bfad(?:e|es|ing)\b|淡", masked)):
        style = "fade"
    return [ToolCall(name="set_transition", args={"type": style})] if style else []


def _pace(masked: str, draft: Draft | None) -> list[ToolCall]:
    if _find(r"\b(?:normal|regular|default) (?:pace|speed)\b|正常节奏|正常速度", masked):
        return [ToolCall(name="set_pace", args={"pace": "normal"})]
    faster, slower = _find(_FASTER, masked), _find(_SLOWER, masked)
    if not (faster or slower):
        return []
    order = ["slow", "normal", "fast"]
    now = draft["m"].get("pace", "normal") if draft else "normal"
    pace = order[max(0, min(2, order.index(now) + (1 if faster else -1)))]
    return [ToolCall(name="set_pace", args={"pace": pace})]


def _logo(masked: str, draft: Draft | None, assets: list[Asset]) -> Found:
    if not _find(r"(?<![a-z])logo(?![a-z])|watermark|标志|水印|商标", masked):
        return [], []
    if _find(alt(rf"{_KILL}[^.!?]{{0,15}}(?<![a-z])(?:logo|watermark)(?![a-z])",
                 _zh_kill("logo|标志|水印|商标")), masked):
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


def _cta(masked: str, quotes: list[str], draft: Draft, zh: bool) -> Found:
    phrase = find_cta(masked)
    verb = _find(r"\b(?:add|put|include|end with|change|use|finish with)\b|加|添加|换成|改成", masked)
    if not (_find(_CTA_WORDS, masked) or (phrase and verb)):
        return [], []
    if _find(alt(rf"{_KILL}[^.!?]{{0,20}}(?:{_CTA_WORDS})", _zh_kill("行动号召|结尾|片尾|结束语")), masked):
        return _call("remove_cta")
    text = quotes[-1] if quotes else phrase or _rest_after(_CTA_TEXT_EN, masked, quotes) or _rest_after(
        "(?:结尾|片尾|行动号召)(?:改成|改为|换成|是|为|写|：|:)", masked, quotes)
    if not text and not _find(_ADD, masked):
        return [], []
    text = text or default_cta(_prompt(draft), zh) or ("立即购买" if zh else "Shop now")
    return _call("set_cta", text=text)


def plan_create(message: str, assets: list[Asset], language: str, base: Draft | None = None) -> Plan:
    """A new draft; `base` is the draft being replaced ("start over, square"): its words are kept when
    the new message brings none."""
    masked, _quotes = mask_quotes(message)
    brief = read_brief(message)
    keep_words = bool(base and _prompt(base)) and not brief.title and not brief.captions
    if base is not None and keep_words:
        brief = read_brief(_prompt(base))
        message = _prompt(base) + "\n" + masked
    if not any(a.kind in ("image", "video") for a in assets) and not brief.title and not brief.captions:
        return Plan(notes=[Change("need_media", refused=True)])
    no_music = bool(_find(alt(rf"{_KILL}[^.!?]{{0,15}}(?:{_MUSIC})", _zh_kill("(?:背景)?(?:音乐|配乐)")),
                          masked))
    args = create_args(message, masked, assets, no_music, language)
    if base is not None and not parse_aspect(masked):
        args["aspect"] = base["m"].get("aspect", "16:9")
    if base is not None and keep_words:
        args["prompt"] = _prompt(base)
    calls = [ToolCall(name="create_draft", args=args)]
    calls += _transition(masked) + [c for c in _pace(masked, None) if c.args["pace"] != "normal"]
    logo_calls, _ = _logo(masked, None, assets)
    return Plan(calls=calls + [c for c in logo_calls if c.name == "add_logo"])


def _duration(masked: str, draft: Draft) -> list[ToolCall]:
    asked = parse_duration(masked)
    if asked is None and _find(_SHORTER, masked):
        asked = round(int(draft["d"]) * 0.75)
    elif asked is None and _find(_LONGER, masked):
        asked = round(int(draft["d"]) * 4 / 3)
    return [ToolCall(name="set_duration", args={"ms": asked})] if asked is not None else []


def plan_turn(draft: Draft | None, message: str, assets: list[Asset], zh: bool) -> Plan:
    """What the message asks for, given the current draft (None: nothing made yet)."""
    language = "zh" if zh else "en"
    visual = [a for a in assets if a.kind in ("image", "video")]
    if draft is None:
        if not visual and HELP.search(message):
            return Plan(help=True)
        if not visual and QUESTION.search(message) and not CREATE.search(message):
            return Plan(notes=[Change("no_draft", refused=True)])
        return plan_create(message, assets, language)
    masked, quotes = mask_quotes(message)
    if CREATE.search(masked) and not _find(r"\b(?:shorter|longer|faster|slower|louder|quieter)\b", masked):
        return plan_create(message, assets, language, base=draft)
    plan = Plan()
    for calls, notes in (shot_calls(draft, masked, assets), _title(masked, quotes, draft),
                         _captions(masked, quotes, draft), _music(masked, draft, assets),
                         _logo(masked, draft, assets), _cta(masked, quotes, draft, zh)):
        plan.calls += calls
        plan.notes += notes
    plan.calls += _transition(masked) + _duration(masked, draft) + _pace(masked, draft)
    if (aspect := parse_aspect(masked)) is not None:
        plan.calls.append(ToolCall(name="set_aspect", args={"aspect": aspect}))
    if not plan.calls and not plan.notes:
        plan.help = bool(HELP.search(message))
        plan.chat = None if plan.help else "export" if EXPORT.search(message) else (
            "thanks" if THANKS.search(message) and not QUESTION.search(message) else None)
        plan.question = not plan.help and not plan.chat and bool(QUESTION.search(message))
    return plan

"""A message → the tool calls it asks for (English and Chinese, any reply language).

Quoted text is masked first, so words inside quotes ("change the title to 'Fast & Slow'") are
content, never commands. Each detector below reads one kind of edit; one message may carry
several ("make it vertical, 20 seconds, with upbeat music"). A message that asks for nothing the
director can do yields no calls: the caller answers a question or explains what it can do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studio.director.brief import read_brief
from studio.director.build import create_args
from studio.director.models import Asset, Change, ToolCall
from studio.director.overlay_edits import (
    caption_calls,
    cta_calls,
    find,
    logo_calls,
    music_calls,
    prompt_of,
    title_calls,
    wants_no_music,
)
from studio.director.shots import shot_calls
from studio.director.timeline import Draft
from studio.director.words import alt, mask_quotes, parse_aspect, parse_duration

THANKS = re.compile(alt(r"^\s*(?:ok(?:ay)?|thanks?|thank you|thx|great|perfect|nice|cool|awesome|love it|"
                        r"looks? good|good|wow)\b",
                        r"^\s*(?:谢谢|多谢|好的|不错|很好|完美|可以了|太棒了|棒)"),
                    re.I | re.A)
GREETING = re.compile(alt(r"^\s*(?:hi|hello|hey|yo|good (?:morning|afternoon|evening))\b",
                           r"^\s*(?:你好|您好|嗨|哈喽)"), re.I | re.A)
EXPORT = re.compile(alt(r"^\s*/?(?:export|render|download)\b", r"^\s*/?(?:导出|下载|渲染)"), re.I | re.A)
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
_CUTS = alt(r"\b(?:no|without|remove(?: the| all)?|skip(?: the)?)\s+transitions?\b",
            r"\b(?:hard|jump|straight|simple|just)\s+cuts?\b|\bcut transitions?\b",
            "不要转场|去掉转场|取消转场|没有转场|硬切|直接切")
_FASTER = alt(r"\b(?:faster|quicker|speed (?:it )?up|snappier|more dynamic|fast[- ]paced)\b",
              r"\bquick(?:er)? cuts\b",
              r"\bpick up the pace\b", "快一点|快一些|快点|快些|节奏快|加快|加速")
_SLOWER = alt(r"\b(?:slower|slow (?:it )?down|more relaxed|slow[- ]paced|calmer pace)\b",
              "慢一点|慢一些|慢点|慢些|节奏慢|放慢|减速")
_SHORTER, _LONGER = r"\bshorter\b|短一点|短一些|短些|缩短", r"\blonger\b|长一点|长一些|长些|加长|延长"


@dataclass
class Plan:
    calls: list[ToolCall] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)
    question: bool = False
    help: bool = False
    chat: str | None = None  # "thanks" or "export": a short answer, nothing to edit


def _transition(masked: str) -> list[ToolCall]:
    said = find("transition|转场|过渡", masked)
    style = None
    if find(_CUTS, masked):
        style = "cut"
    elif find(r"\bwipes?\b|擦除|擦拭|划像", masked) and (said or find(r"\bwipes\b|\buse wipe\b", masked)):
        style = "wipe"
    elif find(r"\bslid(?:e|es|ing)\b|滑动|推移|滑入", masked) and said:
        style = "slide"
    elif find(r"\bcross-?fades?\b|\bdissolves?\b|淡入淡出|渐变|溶解|叠化", masked) or (
            said and find(r"\bfad(?:e|es|ing)\b|淡", masked)):
        style = "fade"
    return [ToolCall(name="set_transition", args={"type": style})] if style else []


def _pace(masked: str, draft: Draft | None) -> list[ToolCall]:
    if find(r"\b(?:normal|regular|default) (?:pace|speed)\b|正常节奏|正常速度", masked):
        return [ToolCall(name="set_pace", args={"pace": "normal"})]
    faster, slower = find(_FASTER, masked), find(_SLOWER, masked)
    if not (faster or slower):
        return []
    order = ["slow", "normal", "fast"]
    now = draft["m"].get("pace", "normal") if draft else "normal"
    pace = order[max(0, min(2, order.index(now) + (1 if faster else -1)))]
    return [ToolCall(name="set_pace", args={"pace": pace})]


def plan_create(message: str, assets: list[Asset], language: str, base: Draft | None = None) -> Plan:
    """A new draft; `base` is the draft being replaced ("start over, square"): its words are kept when
    the new message brings none."""
    masked, _quotes = mask_quotes(message)
    brief = read_brief(message)
    keep_words = bool(base and prompt_of(base)) and not brief.title and not brief.captions
    if base is not None and keep_words:
        brief = read_brief(prompt_of(base))
        message = prompt_of(base) + "\n" + masked
    if not any(a.kind in ("image", "video") for a in assets) and not brief.title and not brief.captions:
        return Plan(notes=[Change("need_media", refused=True)])
    args = create_args(message, masked, assets, wants_no_music(masked), language)
    if base is not None and not parse_aspect(masked):
        args["aspect"] = base["m"].get("aspect", "16:9")
    if base is not None and keep_words:
        args["prompt"] = prompt_of(base)
    calls = [ToolCall(name="create_draft", args=args)]
    calls += _transition(masked) + [c for c in _pace(masked, None) if c.args["pace"] != "normal"]
    logo = [c for c in logo_calls(masked, None, assets)[0] if c.name == "add_logo"]
    shots = [ref for ref in args["assets"] if not any(f"asset://{ref}" == c.args.get("src") for c in logo)]
    if shots:  # the logo sits in the corner; it is not also a full-screen shot
        calls[0].args["assets"] = shots
    return Plan(calls=calls + logo)


def _duration(masked: str, draft: Draft) -> list[ToolCall]:
    asked = parse_duration(masked)
    if asked is None and find(_SHORTER, masked):
        asked = round(int(draft["d"]) * 0.75)
    elif asked is None and find(_LONGER, masked):
        asked = round(int(draft["d"]) * 4 / 3)
    return [ToolCall(name="set_duration", args={"ms": asked})] if asked is not None else []


def _small_talk(message: str) -> bool:
    """A greeting or a thank-you on its own (a few words), asking for nothing to be made."""
    text = message.strip()
    short = len(text.split()) <= 4 and len(text) <= 24
    return short and bool(THANKS.search(text) or GREETING.search(text)) and not CREATE.search(text)


def plan_turn(draft: Draft | None, message: str, assets: list[Asset], zh: bool) -> Plan:
    """What the message asks for, given the current draft (None: nothing made yet)."""
    language = "zh" if zh else "en"
    visual = [a for a in assets if a.kind in ("image", "video")]
    if draft is None:
        if not visual and HELP.search(message):
            return Plan(help=True)
        if _small_talk(message):  # "thanks" / "你好" before anything is made: never a paid creation
            return Plan(chat="ready")
        if not visual and QUESTION.search(message) and not CREATE.search(message):
            return Plan(notes=[Change("no_draft", refused=True)])
        return plan_create(message, assets, language)
    masked, quotes = mask_quotes(message)
    if CREATE.search(masked) and not find(r"\b(?:shorter|longer|faster|slower|louder|quieter)\b", masked):
        return plan_create(message, assets, language, base=draft)
    plan = Plan()
    for calls, notes in (shot_calls(draft, masked, assets), title_calls(masked, quotes, draft),
                         caption_calls(masked, quotes, draft), music_calls(masked, draft, assets),
                         logo_calls(masked, draft, assets), cta_calls(masked, quotes, draft, zh)):
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

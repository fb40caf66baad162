"""A message → the calls it asks for, and the parts it could not map (English, Chinese, or both mixed).

`understand(text, context)` reads the message (`tokens.read`: quotes, numbers and durations,
lexicon phrases), finds the words given to texts (`content.capture`), then decides what kind of
message it is:
- small talk ("thanks", "你好", "👍"), a bare command word ("help", "upload", "上传", "export") or a
  question ("how much does this cost?", "视频多长") → an answer; nothing is made or charged;
- undo, redo, "show versions", "go back to version 3", "撤销", "回到第3版" → a move in the versions;
- no draft yet, or "a new video", "start over", "make a video for our bakery" → `create_draft`
  (plus the edits the same message asks for: transitions, pace, style, logo, text looks...);
- otherwise edits: the message is cut into clauses ("make it vertical, 20 seconds, with upbeat
  music" → three), each clause is read for its targets (title, captions, music, shot 3, ...) and
  values (white, bigger, 9:16, 15 s, upbeat, top left, ...), and becomes calls. A clause that maps to
  nothing is reported back word for word ("I didn't understand “make it sparkle”"); a known request
  the studio cannot do is named ("I can't add a voice-over yet").
Every call is built through its operation model (`ops.call`), so what this module emits validates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studio.director import tokens
from studio.director.build import OWN_AUDIO_VOL, SYNTH_VOL
from studio.director.content import (
    CLAUSE_END,
    GAP,
    SENTENCE_END,
    TEXT_ROLES,
    Content,
    capture,
    is_filler,
    is_head,
    is_sep,
    split_lines,
    text_role,
)
from studio.director.copywriter import (
    Brief,
    business_kind,
    compose,
    copy_text,
    description_requests,
    find_cta,
    has_cjk,
    mostly_cjk,
    product_name,
    read_brief,
    sentence_case,
    split_description,
    split_sentences,
    title_case,
)
from studio.director.items import Item, Message
from studio.director.lexicon import Meaning, business_cta, lexicon
from studio.director.models import Asset, Change, ToolCall
from studio.director.ops import BY_NAME, ORDER, call
from studio.director.voiceover import take_script
from studio.draft import Draft

MOODS: dict[str, tuple[str, str]] = {
    "upbeat": ("synth://upbeat", "Upbeat"),
    "calm": ("synth://calm", "Calm"),
    "lofi": ("synth://lofi", "Lo-fi"),
}
SIZES = ("s", "m", "l", "xl")
FONTS = ("sans", "serif", "display", "rounded", "handwriting")  # "change the font" goes round these
PACES = ("slow", "normal", "fast")
LOUDER, QUIETER = 1.5, 0.6  # the volume after "louder" / "quieter"
LONGER, SHORTER = 4 / 3, 0.75  # the video's length after "longer" / "shorter"
WEIGHT_STEP = 1.5  # a shot "longer" / "shorter" than the others
LOGO_STEP = 1.5
VOICE_STEP = 0.15  # "slower voice": 1.0 → 0.85 (ops.SetVoiceoverSpeed keeps 0.7-1.3)
LOGO_SCALE = 0.12  # a logo's width over the video's (ops.AddLogo's default)
_CHAT_INTENTS = ("greet", "thanks", "ack", "laugh", "who")
_NOW = {"现在", "目前", "currently", "now"}
_LOGO = re.compile("logo|标志|商标", re.I)
_ORIGINAL = {"原版", "最初", "最初的", "original", "the original", "原来的版本", "初版"}
_PARTICLES = {"的", "呢", "啊", "呀", "吧", "了", "哦", "嘛", "啦"}
_WEAK_VERBS = {"用", "要", "是", "想要", "需要", "给"}
_ANSWER_INTENTS = ("help", "upload", "export", "credits", "status", "cost", "describe")
_OWN = {"my", "mine", "own", "uploaded", "我的", "自己的", "上传的", "我上传的"}
_ONE_MORE = {"another", "one more", "再加一条", "再加一个", "再加", "再来"}


@dataclass
class Context:
    draft: Draft | None
    assets: list[Asset]
    zh: bool = False  # the reply language


@dataclass
class Understanding:
    kind: str  # answer | history | create | edit | copy
    calls: list[ToolCall] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)  # refusals found while reading
    missed: list[str] = field(default_factory=list)  # parts of the message, as typed, that map to nothing
    cannot: list[str] = field(default_factory=list)  # known requests the studio cannot do (keys)
    answer: str | None = None  # the key of an answer text (help, cost, describe, thanks, ...)
    history: str | None = None  # undo | redo | restore | versions
    version: int | None = None
    brief: Brief | None = None  # the words written for a copy request


# --- clauses -------------------------------------------------------------------------------------
@dataclass
class Clause:
    items: list[Item]
    contents: list[Content]
    message: Message

    def has(self, cat: str, key: str | None = None) -> bool:
        return any(it.has(cat, key) for it in self.items)

    def keys(self, cat: str) -> list[str]:
        return [k for it in self.items for k in it.keys(cat)]

    def first(self, cat: str) -> Item | None:
        return next((it for it in self.items if it.has(cat)), None)

    def verbs(self) -> set[str]:
        return set(self.keys("verb"))

    def targets(self) -> list[str]:
        return self.keys("target")

    @property
    def text(self) -> str:
        if not self.items:
            return ""
        return self.message.orig(self.items[0].i, self.items[-1].j).strip(" ,，.。!！")

    def meaningful(self) -> list[Item]:
        return [
            it
            for it in self.items
            if not is_filler(it) and not it.has("punct") and not it.has("sym") and not it.has("other")
        ]


def _content_item(content: Content, items: list[Item]) -> Item:
    first = items[content.i]
    last = items[content.j - 1]
    return Item(
        first.i, last.j, (Meaning("words", content.role or "free"),), value=content, text=content.text
    )


def _with_contents(message: Message, contents: list[Content]) -> list[Item]:
    """The message's items with each captured content (its target or introducer included) as one item
    (the target stays in front, so the clause still knows what the words are for)."""
    items = message.items
    out: list[Item] = []
    k = 0
    by_start = {c.i: c for c in contents}
    while k < len(items):
        content = by_start.get(k)
        if content is None:
            out.append(items[k])
            k += 1
            continue
        head = items[k]
        if text_role(head) is not None:
            out.append(head)
        out.append(_content_item(content, items))
        out.extend(content.tail)
        k = content.j
    return out


def _clauses(message: Message, items: list[Item]) -> list[Clause]:
    """Cut at sentence and clause ends, and at "and"/"then"/和/然后 when a new request follows."""
    parts: list[list[Item]] = []
    current: list[Item] = []
    for k, it in enumerate(items):
        if is_sep(it, SENTENCE_END | CLAUSE_END):
            parts.append(current)
            current = []
        elif is_sep(it, GAP):  # "标题改成白色 字幕改成黄色": a space ends a complete request
            if _complete(current) and not _only_video(current) and _request_follows(items, k + 1):
                parts.append(current)
                current = []
        elif (
            it.has("conj")
            and not it.has("target")
            and _request_follows(items, k + 1)
            and not _only_video(current)  # "整个视频再快点": the video is what the rest is about
            and not (
                k > 0
                and (items[k - 1].has("ord") or items[k - 1].has("num"))
                and k + 1 < len(items)
                and (items[k + 1].has("ord") or items[k + 1].has("num"))
            )
        ):
            parts.append(current)
            current = []
        else:
            current.append(it)
    parts.append(current)
    clauses = [Clause(p, [it.value for it in p if it.has("words")], message) for p in parts if p]
    return _merge(clauses)


def _only_video(items: list[Item]) -> bool:
    """Nothing but "the video" / 整个视频 / "it" so far."""
    words = [it for it in items if not it.has("punct") and not is_filler(it)]
    return bool(words) and all(it.has("target", "video") and not it.has("verb") for it in words)


def _complete(items: list[Item]) -> bool:
    """The words so far say something on their own: not empty, not ending on a verb or an
    introducer that waits for what follows ("把标题改成 | 限时抢购")."""
    words = [it for it in items if not it.has("punct") and not (is_filler(it) and not it.has("verb"))]
    if not words:
        return False
    last = words[-1]
    if (last.has("verb") or last.has("to") or last.has("content")) and not (
        last.has("target") or last.has("words")
    ):
        return False
    if all(it.has("target") and not it.has("words") for it in words):
        return False  # "音乐 | 换成欢快的": a target waits for what to do with it
    return any(not (it.has("verb") or it.has("to")) for it in words)


def _request_follows(items: list[Item], k: int) -> bool:
    for it in items[k:]:
        if is_sep(it, SENTENCE_END | CLAUSE_END | GAP) or it.has("conj"):
            return False
        if it.has("emphasis"):  # "white and bold": a second look, not a second request
            continue
        if (
            is_head(it)
            or it.has("words")
            or it.has("mood")
            or it.has("volume")
            or it.has("style")
            or it.has("relative", "longer")
            or it.has("relative", "shorter")
        ):
            return True
    return False


def _merge(clauses: list[Clause]) -> list[Clause]:
    """A clause that only names targets shares the next one's looks ("title and captions white") or
    the previous one's verb ("remove the captions and the music"); values with no target join the
    previous clause ("brand colours navy, white and gold")."""
    out: list[Clause] = []
    pending: list[Item] = []
    for n, clause in enumerate(clauses):
        items = pending + clause.items
        pending = []
        clause = Clause(items, clause.contents, clause.message)
        only_targets = bool(clause.meaningful()) and all(
            it.has("target") and not it.has("verb") and not it.has("neg") for it in clause.meaningful()
        )
        if only_targets:
            nxt = clauses[n + 1] if n + 1 < len(clauses) else None
            if nxt is not None and _look(nxt) and not (nxt.verbs() - {"change"}):  # "标题和字幕都改成白色"
                pending = [*items, Item(items[-1].j, items[-1].j, (Meaning("conj", "and"),), text="and")]
                continue
            if out and (out[-1].verbs() or out[-1].has("neg")):
                verbs = [it for it in out[-1].items if it.has("verb") or it.has("neg")]
                clause = Clause(verbs + items, clause.contents, clause.message)
        if out and _verb_only(clause) and out[-1].targets() and not out[-1].verbs():
            out[-1] = Clause(out[-1].items + items, out[-1].contents + clause.contents, clause.message)
            continue  # "背景音乐不好听 换一个", "字幕太多了 删掉": the thing named before
        if out and _waits_for_value(out[-1]) and not clause.targets() and not clause.verbs():
            out[-1] = Clause(out[-1].items + items, out[-1].contents + clause.contents, clause.message)
            continue  # "换个风格 活泼点", "change the music, something calmer": the value for it
        if out and _waits_for_words(out[-1]) and _gives_words(clause):
            out[-1] = Clause(out[-1].items + items, out[-1].contents + clause.contents, clause.message)
            continue  # "把标题改一下，叫“开业大吉”": the words for the text named before
        if out and _looks_only(clause) and _look_target(out[-1]):
            # "标题改成金色，大一点", "brand colours navy, white and gold": the same target's looks
            out[-1] = Clause(out[-1].items + items, out[-1].contents + clause.contents, clause.message)
            continue
        out.append(clause)
    if pending:
        out.append(Clause(pending, [], clauses[-1].message))
    return out


def _verb_only(clause: Clause) -> bool:
    words = clause.meaningful()
    return bool(words) and all(
        (it.has("verb") or it.has("neg")) and not it.has("target") and not it.has("words") for it in words
    )


def _waits_for_value(clause: Clause) -> bool:
    """A setting and "change" and nothing else: "换个风格", "change the transitions"."""
    words = clause.meaningful()
    return (
        bool(words)
        and not clause.contents
        and clause.has("verb", "change")
        and any(it.has("target") and text_role(it) is None for it in words)
        and all(it.has("target") or it.has("verb") for it in words)
    )


def _waits_for_words(clause: Clause) -> bool:
    """A text target and "change" and nothing else: "把标题改一下"."""
    words = clause.meaningful()
    return (
        bool(words)
        and not clause.contents
        and any(text_role(it) is not None for it in words)
        and clause.has("verb", "change")
        and all(text_role(it) is not None or it.has("verb") for it in words)
    )


def _gives_words(clause: Clause) -> bool:
    """Words for a text and no target of their own: "叫“开业大吉”", "to 'Grand Opening'"."""
    words = clause.meaningful()
    return (
        bool(clause.contents)
        and all(not c.role for c in clause.contents)
        and not any(text_role(it) is not None for it in words)
        and bool(words)
        and (words[0].has("to") or words[0].has("words"))
    )


def _looks_only(clause: Clause) -> bool:
    words = [it for it in clause.meaningful() if not (it.has("verb", "change") and len(it.keys("verb")) <= 2)]
    looks = [
        it
        for it in words
        if (it.has("color") or it.has("hex") or it.has("size") or it.has("font") or it.has("emphasis")
            or it.has("anim") or it.has("position")) and not it.has("target") and not it.has("verb")
    ]
    return bool(looks) and len(looks) == len(words)  # "用黄色": "use" and a look


def _look_target(clause: Clause) -> bool:
    return any(k in TEXT_ROLES or k in ("all_text", "logo", "brand", "font") for k in clause.targets())


# --- the message kinds -----------------------------------------------------------------------------
def _meaningful(items: list[Item]) -> list[Item]:
    return [
        it
        for it in items
        if not it.has("punct")
        and not it.has("other")
        and not it.has("sym")
        and not (is_filler(it) and not it.has("intent"))
    ]


def _is_question(message: Message) -> bool:
    items = [it for it in message.items if not it.has("other")]
    if not items:
        return False
    words = [it for it in items if not it.has("punct")]
    if not words:
        return False
    polite = any(it.has("polite") for it in words[:3])
    lex = lexicon()
    ends_q = items[-1].has("punct") and items[-1].text in ("?", "？")
    last = words[-1].text
    zh_q = message.has_cjk and (last in lex.question_ends or last.endswith(tuple(lex.question_ends)))
    core = [it for it in words if it.text not in _PARTICLES] or words  # "视频是什么比例的"
    if message.has_cjk and (core[-1].text in lex.question_words or last in lex.question_words):
        return True  # "你能帮我做什么": a question word at the end asks, however politely
    if message.has_cjk and any(it.text in lex.question_words for it in words) and not any(
        it.has("verb") and it.text not in _WEAK_VERBS for it in words
    ):
        return True  # "视频是什么比例的": a question word in place, and nothing to do
    last_word = words[-1]
    asks_price = last_word.has("intent", "cost") or last_word.has("intent", "credits")
    if asks_price and not last_word.has("target") and ("多少" in last or "how" in last or "几" in last):
        return True  # "做一个视频要多少积分" ("first class free" is an offer)
    first = words[0]
    starts_q = (first.has("question") and not first.has("intent")) or first.has("intent", "describe")
    if polite and not words[0].has("question"):
        return False
    if words[0].has("polite") and words[0].text not in ("can i", "could i", "may i"):
        return False
    return ends_q or starts_q or zh_q


def _intents(items: list[Item]) -> list[str]:
    return [k for it in items for k in it.keys("intent")]


def _answer_for(message: Message, items: list[Item], ctx: Context) -> str | None:
    """The answer a message asks for (no edit), or None when it asks for something to be done."""
    meaningful = _meaningful(items)
    intents = _intents(meaningful)
    if not meaningful:
        return "ack"
    rest = [
        it
        for it in meaningful
        if not (it.has("intent") or it.has("question") or it.has("polite") or it.has("filler"))
    ]
    if rest and all(it.has("num") or it.has("generic") or it.has("target", "video") for it in rest) and (
        "cost" in intents or "credits" in intents
    ):
        rest = []  # "多少积分一个视频": the price of a video is asked, not a video
    if not rest:
        for key in (
            "cost",
            "credits",
            "help",
            "upload",
            "export",
            "describe",
            "status",
            "who",
            "thanks",
            "greet",
            "laugh",
            "ack",
        ):
            if key in intents:
                return key
    if _is_question(message):
        for key in ("cost", "credits", "export", "upload", "help", "describe", "status", "who"):
            if key in intents:
                return key
        if any(it.has("unsupported") or it.has("voice") for it in meaningful):
            return None  # "can you add a voiceover?" is done (or answered by what cannot be done)
        targets = {k for it in meaningful for k in it.keys("target")}
        own = (
            ctx.draft is not None
            and any(
                (it.has("target", "video") and not it.has("intent")) or it.text in _NOW
                for it in meaningful
            )
            and not any(it.text in ("can", "could", "能", "可以", "能不能") for it in meaningful)
        )
        if own and targets & {"length", "format", "music", "title", "logo"}:
            return "describe"  # "how long is my vid", "现在视频多长": about this video, not the limits
        if "music" in targets:
            return "faq_music"
        if "logo" in targets:
            return "faq_logo"
        if "length" in targets or any(it.has("dur") for it in meaningful):
            return "faq_length"
        if "format" in targets or any(it.has("aspect") or it.has("platform") for it in meaningful):
            return "faq_format"
        return "describe" if ctx.draft is not None else "help"
    return None


def _history(items: list[Item]) -> tuple[str, int | None] | None:
    meaningful = _meaningful(items)
    intents = _intents(meaningful)
    number = next((int(it.value) for it in meaningful if it.has("ord", "version")), None)
    if number is None:
        for n, it in enumerate(meaningful):
            if it.has("target", "version") and n + 1 < len(meaningful) and meaningful[n + 1].has("num"):
                number = int(meaningful[n + 1].value)
            if it.has("word") is False and re.fullmatch(r"v\d+", it.text):
                number = int(it.text[1:])
    versioned = any(it.has("target", "version") for it in meaningful)
    if number is None and (versioned or "restore" in intents) and any(
        it.has("dest", "start") or it.text in _ORIGINAL for it in meaningful
    ):
        number = 0  # "回到最开始的版本", "back to the original": the oldest version kept
    if number is not None and ("restore" in intents or "undo" in intents or versioned):
        return "restore", number
    if "versions" in intents:
        return "versions", None
    if "redo" in intents and "undo" not in intents:
        return "redo", None
    if "undo" in intents:
        return "undo", None
    return None


def _wants_new_video(message: Message, items: list[Item]) -> bool:
    meaningful = _meaningful(items)
    if "new_video" in _intents(meaningful):
        return True
    for n, it in enumerate(meaningful):
        if it.text in ("new", "another", "different", "fresh", "新的", "另一个") and any(
            x.has("target", "video") for x in meaningful[n + 1 : n + 4]
        ):
            return True
    verbs = [it for it in meaningful if it.has("verb", "create")]
    video = [
        it for it in meaningful if it.has("target", "video") and it.text not in ("it", "this", "它", "这个")
    ]
    if verbs and video and verbs[0].i < video[0].i:
        name, _offer = product_name(message.original)
        return name is not None
    return False


# --- reading one clause --------------------------------------------------------------------------
class _Reader:
    def __init__(self, ctx: Context, create: bool) -> None:
        self.ctx = ctx
        self.create = create
        self.calls: list[ToolCall] = []
        self.notes: list[Change] = []
        self.cannot: list[str] = []
        self.missed: list[str] = []
        self.pending_refs: list[int | None] = []
        self.removals: list[int] = []
        self.draft = ctx.draft
        self.last_role: str | None = None  # the text the previous clause named ("字幕…, 字大一点")

    # helpers ------------------------------------------------------------------------------------
    def emit(self, op: str, /, **args: object) -> None:
        self.calls.append(call(op, **args))

    def note(self, key: str, **params: object) -> None:
        self.notes.append(Change(key, dict(params), refused=True))

    def texts(self, role: str) -> list[str]:
        return [s.m.text for s in self.draft.texts(role)] if self.draft else []

    # a clause -----------------------------------------------------------------------------------
    def read(self, clause: Clause, previous: Clause | None) -> None:
        self.last_role = None
        if previous is not None:
            named = [k for k in previous.targets() if k in TEXT_ROLES and k != "text"]
            self.last_role = named[-1] if len(set(named)) == 1 else None
        before = (len(self.calls), len(self.notes), len(self.cannot), len(self.removals))
        voiced = self._voiceover(clause)
        self._contents(clause)
        handled_shots = self._shots(clause, previous)
        self._text_targets(clause)
        self._music(clause)
        self._logo(clause)
        self._end_card(clause)
        self._brand(clause)
        if not handled_shots:
            self._video_style(clause)
            self._aspect(clause)
            self._duration(clause)
            if not voiced:  # "slower voice", "语速慢一点": the voice's speed, not the cutting pace
                self._pace(clause)
            self._transition(clause)
        if not handled_shots:  # "第一段视频只要前5秒": a trim, not an offer ("只要99元")
            self._offer_and_price(clause)
        self._add_media(clause)
        for key in dict.fromkeys(clause.keys("unsupported")):
            if key == "filter" and clause.has("target", "brand") and clause.has("color_set"):
                continue  # brand colours "black and white", not a black-and-white filter
            self.cannot.append(key)
        after = (len(self.calls), len(self.notes), len(self.cannot), len(self.removals))
        if after == before and not self._only_refs(clause):
            words = clause.meaningful()
            if words and not all(it.has("intent") for it in words):
                self.missed.append(clause.text)

    def _only_refs(self, clause: Clause) -> bool:
        """ "i don't like the second photo," — a shot named for the next clause to act on."""
        return bool(self.pending_refs) and not any(it.has("verb") for it in clause.meaningful())

    # words given to texts ---------------------------------------------------------------------
    def _contents(self, clause: Clause) -> None:
        targets = [k for it in clause.items for k in it.keys("target") if k in TEXT_ROLES]
        positions = _positions(clause)
        pos = positions[-1] if positions else None
        for content in clause.contents:
            role = content.role
            if not role:
                role = next(
                    (t for t in targets if t in TEXT_ROLES and not any(c.role == t for c in clause.contents)),
                    "",
                )
                if not role:
                    verbs = clause.verbs()
                    if self.create:
                        continue  # the copy of a new video reads its quotes (a quoted name is the title)
                    if verbs & {"add", "write"} or clause.has("verb", "move") or pos:
                        role = "text"
                    else:
                        self.missed.append(clause.text)
                        continue
            if role == "text" and pos is None and clause.has("dest", "end") and not self._shot_words(clause):
                role = "cta"  # "最后加一句 关注我们", "add 'see you soon' at the end": the ending line
            text = content.text
            latin = not has_cjk(text)
            if role == "title":
                if latin and not content.quoted and text == text.lower():
                    text = title_case(text)
                self.emit("set_title", text=text)
            elif role == "caption":
                lines = content.lines or (
                    [text] if content.quoted and not re.search(r"[.!?。！？]", text) else split_lines(text)
                )
                if self._appends(clause):
                    lines = self.texts("caption") + lines
                lines = [sentence_case(x) if not content.quoted else x for x in lines]
                self.emit("set_captions", lines=lines)
            elif role == "text":
                self.emit("add_text", text=text if content.quoted else sentence_case(text), pos=pos)
            elif role == "price":
                self.emit("set_price", text=text, pos=pos)
            elif role == "brand_name":  # "我们的店名叫 Glow Lab", "our shop name is Luna"
                self.emit("set_brand", name=text[:60])
            else:
                name = {"subtitle": "set_subtitle", "cta": "set_cta", "offer": "set_offer"}[role]
                self.emit(name, text=text if content.quoted else sentence_case(text))

    def _shot_words(self, clause: Clause) -> bool:
        return any(_noun_kind(it)[0] and it.text not in ("one", "ones") for it in clause.items)

    def _appends(self, clause: Clause) -> bool:
        if not self.texts("caption"):
            return False
        if any(it.text in _ONE_MORE for it in clause.items):
            return True
        singular = any(
            it.has("target", "caption") and it.text in ("caption", "line", "字幕") for it in clause.items
        )
        return singular and "add" in clause.verbs() and not clause.has("verb", "change")

    # shots ------------------------------------------------------------------------------------
    def _shots(self, clause: Clause, previous: Clause | None) -> bool:
        draft = self.draft
        if draft is None:
            return False
        if clause.has("verb", "reverse"):  # "三张照片顺序倒过来", "reverse the order": swaps from the ends in
            count = len(draft.visuals)
            for a in range(count // 2):
                self.emit("swap_shots", a=a + 1, b=count - a)
            if count < 2:
                self.note("no_shot", count=count)
            return True
        refs, dest_items = _shot_refs(clause, draft, self.ctx.assets)
        verbs = clause.verbs()
        if len(refs) == 2 and "change" in verbs and not (clause.has("dest") or clause.has("rel")):
            verbs = verbs | {"swap"}  # "第一张跟第二张换一下": two shots changed for each other
        removing = "remove" in verbs or clause.has("neg")
        acts = (
            removing
            or verbs & {"swap", "duplicate", "trim", "move"}
            or clause.has("dest")
            or clause.has("rel")
            or clause.has("relative")
            or clause.has("mult")
        )
        if not refs:
            if (
                acts
                and self.pending_refs
                and any(
                    it.text in ("it", "that", "that one", "this one", "them", "它", "这个")
                    for it in clause.items
                )
            ) or (
                self.pending_refs
                and (removing or acts)
                and not [t for t in clause.targets() if t not in _SHOT_KINDS]
            ):  # "第三张照片再复制一张", "the second photo, remove": the shot named just before
                refs = [(ix, clause.items[0]) for ix in self.pending_refs]
                self.pending_refs = []
            else:
                return False
        if not acts:
            self.pending_refs = [ix for ix, _ in refs]
            return True
        self.pending_refs = []
        count = len(draft.visuals)
        indexes = [ix for ix, _ in refs]
        bad = any(ix is None for ix in indexes)
        if "swap" in verbs and len(refs) >= 2:
            if bad or indexes[0] == indexes[1]:
                self.note("no_shot", count=count)
            else:
                self.emit("swap_shots", a=indexes[0] + 1, b=indexes[1] + 1)  # type: ignore[operator]
            return True
        if bad:
            self.note("no_shot", count=count)
            return True
        if removing and not verbs & {"trim", "move"}:
            first = indexes[0]
            assert first is not None
            trimmed = self._trim(clause, first, draft)  # "cut the first 2 seconds of clip 1"
            if not trimmed:
                self.removals.extend(ix for ix in indexes if ix is not None)
            return True
        src = indexes[0]
        assert src is not None
        if "trim" in verbs or (
            draft.visuals[src].m.kind == "video" and clause.has("dur") and not clause.has("relative")
        ):
            if self._trim(clause, src, draft):
                return True
            if "trim" in verbs and draft.visuals[src].m.kind != "video":
                self.note("not_a_clip", index=src + 1)
                return True
        if "duplicate" in verbs:
            dest = _destination(clause, dest_items, draft, src, refs, copying=True)
            self.emit("duplicate_shot", index=src + 1, to=dest)
            return True
        weight = _weight_change(clause)
        if weight is not None and not any(it.has("dest") for it in dest_items):
            now = draft.visuals[src].m.weight or 1.0
            self.emit("set_shot_weight", index=src + 1, weight=round(min(8.0, max(0.1, now * weight)), 2))
            return True
        dest = _destination(clause, dest_items, draft, src, refs)
        if dest is None:
            self.note("no_shot", count=count)
        elif dest != src + 1:
            self.emit("move_shot", **{"from": src + 1, "to": dest})
        return True

    def _trim(self, clause: Clause, index: int, draft: Draft) -> bool:
        seg = draft.visuals[index]
        durs = [int(it.value) for it in clause.items if it.has("dur")]
        if seg.m.kind != "video" or not durs:
            return False
        text = [it.text for it in clause.items]
        first = any(
            it.has("ord") and it.value == 1 and n + 1 < len(clause.items) and clause.items[n + 1].has("dur")
            for n, it in enumerate(clause.items)
        )
        verbs = clause.verbs()
        ms = durs[0]
        if first and (
            "remove" in verbs or ("trim" in verbs and any(w in ("cut", "skip", "cut off") for w in text))
        ):
            self.emit("trim_shot", index=index + 1, start_ms=ms)  # "cut the first 2 seconds"
        elif any(w in ("start", "begin", "from", "从", "开始") for w in text):
            self.emit("trim_shot", index=index + 1, start_ms=ms)  # "start the second clip at 5s"
        else:
            start = seg.m.start_in
            self.emit("trim_shot", index=index + 1, start_ms=start, end_ms=start + ms)  # "trim it to 3 s"
        return True

    # texts without new words ------------------------------------------------------------------
    def _text_targets(self, clause: Clause) -> None:
        roles: list[str] = []
        account = any(it.has("handle") or it.has("url") for it in clause.items)
        for n, it in enumerate(clause.items):
            for key in it.keys("target") + it.keys("content"):  # "结尾用黄色": an introducer names its text
                if key == "text" and _after_role(clause.items, n):
                    continue  # "标题字再大点", "标题那个字", "the title text": the title's letters
                if key == "cta" and account:
                    continue  # "结尾加上我们的账号 @glow": at the end, the brand's handle
                if (key in TEXT_ROLES or key == "all_text") and key not in roles:
                    roles.append(key)
        content_roles = {c.role for c in clause.contents}
        has_font_target = clause.has("target", "font")
        look = _look(clause)
        if not roles and (has_font_target or clause.has("font")) and look:
            roles = ["all_text"]
        if not roles and has_font_target and not look and clause.has("verb", "change") and self.draft:
            self._next_font(clause)
            return
        if not roles and look and clause.has("target", "color") and clause.has("color"):
            roles = ["all_text"]
        for role in roles:
            if role in content_roles or (role == "price" and _price_of(clause)):
                continue
            target = self._target_of(role)
            verbs = clause.verbs()
            if "remove" in verbs or (clause.has("neg") and not look):  # "标题别太大" is a size
                self._remove_text(role)
                continue
            if look:
                self._style(clause, target, look)
                continue
            if (clause.has("verb", "move") and (clause.has("dest") or clause.has("rel"))) or clause.has(
                "unsupported", "text_timing"
            ):
                if "text_timing" not in self.cannot:
                    self.cannot.append("text_timing")
                continue
            if "add" in verbs or (
                clause.has("verb", "change") and role == "title" and not self.texts("title")
            ):
                self._add_default(role)

    def _target_of(self, role: str) -> str:
        if role == "all_text":
            return "all"
        if role == "text" and not (self.draft and self.draft.texts("text")):
            # "字幕颜色用白的 字大一点": the letters of the text just named; else every text
            return self.last_role or "all"
        return role

    def _remove_text(self, role: str) -> None:
        names = {
            "title": "remove_title",
            "subtitle": "remove_subtitle",
            "caption": "remove_captions",
            "cta": "remove_cta",
            "text": "remove_text",
            "price": "remove_price",
            "offer": "remove_offer",
        }
        if role in names:
            self.emit(names[role])

    def _add_default(self, role: str) -> None:
        brief = brief_of(self.draft.m.prompt) if self.draft is not None else Brief()
        zh = self.ctx.zh
        if role == "title":
            if brief.title:
                self.emit("set_title", text=brief.title)
            else:
                self.note("need_title_text")
        elif role == "caption":
            if brief.captions:
                self.emit("set_captions", lines=brief.captions)
            else:
                self.note("need_caption_text")
        elif role == "cta":
            prompt = self.draft.m.prompt if self.draft else ""
            kind = business_kind(tokens.read(prompt).items) if prompt else None
            text = business_cta(kind, "zh" if zh else "en") if kind else None
            self.emit("set_cta", text=text or ("立即购买" if zh else "Shop now"))
        else:
            self.note(
                {
                    "subtitle": "need_subtitle_text",
                    "text": "need_text",
                    "price": "need_price_text",
                    "offer": "need_offer_text",
                }.get(role, "need_text")
            )

    def _next_font(self, clause: Clause) -> None:
        """ "change the font", "换个字体": the next family after the one the texts have."""
        segs = self.draft.texts() if self.draft else []
        now = next((s.m.font for s in segs if s.m.font), None) or "sans"
        order = list(FONTS)
        font = order[(order.index(now) + 1) % len(order)] if now in order else order[0]
        self.emit("style_text", target="all", font=font)

    def _style(self, clause: Clause, target: str, look: dict[str, object]) -> None:
        values = dict(look)
        rel = values.pop("size_rel", None)
        if rel is not None:
            values["size"] = self._step_size(target, str(rel))
        if target == "all":
            values.pop("pos", None)
        if values:
            self.emit("style_text", target=target, **values)

    def _step_size(self, target: str, rel: str) -> str:
        segs = (
            []
            if self.draft is None
            else (self.draft.texts() if target == "all" else self.draft.texts(target))
        )
        now = next((s.m.size for s in segs if s.m.size), None) or "m"
        n = SIZES.index(now) + (1 if rel == "bigger" else -1)
        return SIZES[max(0, min(len(SIZES) - 1, n))]

    # music ------------------------------------------------------------------------------------
    def _music(self, clause: Clause) -> None:
        music_target = clause.has("target", "music") or clause.has("target", "volume")
        if clause.has("target", "transition") and not music_target:
            return  # "make the transitions softer": the cuts, not the music
        audio = [a for a in self.ctx.assets if a.kind == "audio"]
        named = _named_audio(clause, audio)
        current = self.draft.music if self.draft else None
        removing = (
            ("remove" in clause.verbs() or clause.has("neg"))
            and (music_target or clause.text in ("mute", "静音"))
        ) or any(it.text in ("mute", "静音", "mute the music") for it in clause.items)
        if removing and named is None:
            self.emit("remove_music")
            return
        pct = next((it.value for it in clause.items if it.has("pct")), None)
        if pct is None and clause.has("target", "volume"):
            num = next((it.value for it in clause.items if it.has("num")), None)
            pct = num if num is not None and 0 < num <= 100 else None
        volume = clause.keys("volume")
        if volume and not music_target and any(it.has("size") for it in clause.items if it.has("volume")):
            volume = []  # "大一点" alone is a size, not the music; "音乐大一点" is the music
        if not volume and music_target and not self._looks_like_text(clause):
            sizes = clause.keys("size")  # "音乐声音太大了": too big a sound is too loud
            volume = ["up"] if "bigger" in sizes else ["down"] if "smaller" in sizes else []
        if music_target or clause.has("target", "volume") or (volume and not self._looks_like_text(clause)):
            if pct is not None or (volume and not clause.has("mood") and named is None):
                if current is None and not self.create:
                    self.note("no_music")
                    return
                if pct is not None:
                    vol = float(pct) / 100
                else:
                    now = current.m.vol if current else SYNTH_VOL
                    vol = min(1.0, now * LOUDER) if volume[-1] == "up" else max(0.05, now * QUIETER)
                self.emit("set_music_volume", vol=round(max(0.05, min(1.0, vol)) + 1e-9, 2))
                return
        if named is not None:
            self.emit("set_music", **_music_args(named))
            return
        said = clause.message.norm[
            clause.message.units[clause.items[0].i].start : clause.message.units[clause.items[-1].j - 1].end
        ]
        own = music_target and (
            any(it.text in _OWN for it in clause.items) or any(w in said for w in _OWN if not w.isascii())
        )
        if own:
            if not audio:
                self.note("no_audio_asset")
                return
            self.emit("set_music", **_music_args(audio[-1]))
            return
        moods = [k for k in clause.keys("mood")]
        if moods and not music_target and self._looks_like_text(clause):
            moods = []  # "make the captions pop": the captions, not the music
        style_words = clause.has("style") and not music_target
        if clause.has("pace") and music_target:  # "faster music" is upbeat, "slower music" calm
            moods = moods or ["upbeat" if "fast" in clause.keys("pace") else "calm"]
        if moods and not style_words:
            src, name = MOODS[moods[0]]
            self.emit("set_music", src=src, name=name)
            return
        if music_target and not self._looks_like_text(clause):
            verbs = clause.verbs()
            unknown = _named_before(clause, "music")
            if unknown and (verbs or clause.has("intent", "restore")):
                self.note("no_audio_named", name=unknown)  # "use the beach song": no upload of that name
                return
            if clause.has("dislike"):
                verbs = verbs | {"change"}  # "the music is kinda annoying", 背景音乐不好听: another one
            if verbs & {"change", "swap", "add"} or any(
                it.text in ("another", "different", "other", "换个", "换一个", "别的") for it in clause.items
            ):
                if current is not None and (verbs & {"change", "swap"} or "add" not in verbs):
                    playing = MOOD_KEYS.get(current.m.src)
                    order = list(MOODS)
                    mood = order[(order.index(playing) + 1) % len(order)] if playing in order else "lofi"
                    src, name = MOODS[mood]
                    self.emit("set_music", src=src, name=name)
                elif current is None:
                    self.emit("set_music", src=MOODS["lofi"][0], name=MOODS["lofi"][1])
                else:
                    self.notes.append(
                        Change("same_music", {"name": current.m.name, "src": current.m.src}, refused=True)
                    )

    def _voiceover(self, clause: Clause) -> bool:
        """ "add a voice-over", "read the description", "no voice-over", "slower voice", "语速慢一点"."""
        keys = clause.keys("voice")
        if not keys:
            return False
        voice = self.draft.voice if self.draft is not None else None
        if "remove" in clause.verbs() or clause.has("neg"):
            self.emit("remove_voiceover")
            return True
        paces = clause.keys("pace")
        step = {"slow": -VOICE_STEP, "fast": VOICE_STEP}
        said = "slow" if "slower" in keys else "fast" if "faster" in keys else None
        direction = paces[-1] if paces else said
        if direction is not None:
            now = voice.m.speed if voice is not None else 1.0
            speed = 1.0 if direction == "normal" else round(now + step[direction], 2)
            if voice is None:
                self.emit("set_voiceover", speed=speed)
            else:
                self.emit("set_voiceover_speed", speed=speed)
            return True
        if voice is not None and "description" not in keys and not clause.has("verb", "change"):
            if clause.has("verb", "add") or not clause.verbs():
                self.emit("set_voiceover")  # already there: the reply says so
                return True
        self.emit("set_voiceover", source="description" if "description" in keys else "brief")
        return True

    def _looks_like_text(self, clause: Clause) -> bool:
        return any(k in TEXT_ROLES or k in ("all_text", "logo", "font") for k in clause.targets()) or bool(
            _shot_refs(clause, self.draft, self.ctx.assets)[0] if self.draft else False
        )

    # logo, end card, brand --------------------------------------------------------------------
    def _logo(self, clause: Clause) -> None:
        if not clause.has("target", "logo"):
            return
        current = self.draft.m.logo if self.draft else None
        if "remove" in clause.verbs() or clause.has("neg"):
            self.emit("remove_logo")
            return
        corners = [k for k in _positions(clause) if "-" in k]
        pos = corners[-1] if corners else None
        size = clause.keys("size")
        images = [a for a in self.ctx.assets if a.kind == "image"]
        named = [a for a in images if re.search("logo|标志|商标", a.name, re.I)] or [
            a for a in images if a.name.lower().endswith(".png")
        ]
        if current is not None:
            scale = current.scale
            if "bigger" in size or "l" in size or "xl" in size:
                scale = min(0.5, round(scale * LOGO_STEP, 2))
            elif "smaller" in size or "s" in size:
                scale = max(0.04, round(scale / LOGO_STEP, 2))
            src = named[-1].ref if named and not pos and not size else current.src
            self.emit("add_logo", src=src, pos=pos or current.pos, scale=scale)
            return
        if not named:
            self.note("no_logo_asset")
            return
        scale = LOGO_SCALE  # "logo 放右下角 大一点": a new logo, bigger than usual
        if "bigger" in size or "l" in size or "xl" in size:
            scale = round(LOGO_SCALE * LOGO_STEP, 2)
        elif "smaller" in size or "s" in size:
            scale = round(LOGO_SCALE / LOGO_STEP, 2)
        self.emit("add_logo", src=named[-1].ref, pos=pos or "top-right", scale=scale)

    def _end_card(self, clause: Clause) -> None:
        if not clause.has("target", "end_card"):
            return
        self.emit("set_end_card", enabled=not ("remove" in clause.verbs() or clause.has("neg")))

    def _brand(self, clause: Clause) -> None:
        handle = next((str(it.value) for it in clause.items if it.has("handle") and len(it.text) > 1), None)
        url = next((str(it.value) for it in clause.items if it.has("url")), None)
        colors: list[str] = []
        if clause.has("target", "brand"):
            for it in clause.items:
                if it.has("hex"):
                    colors.append(str(it.value))
                elif it.has("color_set"):  # "品牌色设成黑白", "black and white"
                    colors.extend(str(it.key("color_set")).split())
                elif it.has("color"):
                    colors.append(str(it.key("color")))
        if handle and not (clause.has("target", "handle") or clause.has("target", "brand") or clause.verbs()):
            handle = None
        args: dict[str, object] = {}
        if colors:
            args["colors"] = list(dict.fromkeys(colors))[:4]
        if handle:
            args["handle"] = handle
        if url:
            args["url"] = url
        if args:
            self.emit("set_brand", **args)

    # the whole video --------------------------------------------------------------------------
    def _video_style(self, clause: Clause) -> None:
        styles = clause.keys("style")
        if not styles or clause.has("target", "music"):
            return
        text_target = any(k in TEXT_ROLES or k in ("all_text", "font") for k in clause.targets())
        if text_target:
            return  # "make the title bold": the text's emphasis; "a cute font": the font's family
        self.emit("set_style", style=styles[-1])

    def _aspect(self, clause: Clause) -> None:
        """A ratio or a shape word beats a platform ("square video for instagram" is 1:1)."""
        lex = lexicon()
        said = [str(it.value) for it in clause.items if it.has("ratio")] + clause.keys("aspect")
        items = clause.items
        platforms = [
            lex.platforms[str(it.key("platform"))]
            for n, it in enumerate(items)
            if it.has("platform")  # "小红书账号 @glow": whose account, not the canvas
            and not (n + 1 < len(items) and _names_account(items[n + 1]))
        ]
        choices = said or platforms
        if choices:
            self.emit("set_aspect", aspect=choices[-1])

    def _duration(self, clause: Clause) -> None:
        durs = [int(it.value) for it in clause.items if it.has("dur")]
        if durs:
            self.emit("set_duration", ms=durs[-1])
            return
        if self.draft is None or _text_target(clause) or clause.has("target", "music"):
            return
        rel = clause.keys("relative")
        if "longer" in rel:
            self.emit("set_duration", ms=round(self.draft.d * LONGER))
        elif "shorter" in rel and not clause.has("pace"):
            self.emit("set_duration", ms=round(self.draft.d * SHORTER))

    def _pace(self, clause: Clause) -> None:
        paces = clause.keys("pace")
        if not paces or clause.has("target", "music"):
            return
        key = paces[-1]
        if key == "normal" and any(t not in ("pace", "video") for t in clause.targets()):
            return  # "字体恢复正常" is about the font
        if key == "normal":
            self.emit("set_pace", pace="normal")
            return
        now = self.draft.m.pace if self.draft else "normal"
        step = 1 if key == "fast" else -1
        pace = PACES[max(0, min(2, PACES.index(now) + step))]
        if self.create:
            pace = key
        self.emit("set_pace", pace=pace)

    def _transition(self, clause: Clause) -> None:
        explicit = clause.keys("transition")
        if explicit:
            self.emit("set_transition", type=explicit[-1])
            return
        words = clause.keys("transition_word")
        if words and clause.has("target", "transition"):
            self.emit("set_transition", type=words[-1])
            return
        if clause.has("target", "transition") and clause.has("neg"):
            self.emit("set_transition", type="cut")

    def _offer_and_price(self, clause: Clause) -> None:
        if any(c.role in ("offer", "price") for c in clause.contents) or clause.contents:
            return
        if any((it.has("verb", "remove") and not it.has("offer")) or it.has("neg") for it in clause.items):
            return  # "把优惠去掉": the removal is the text's (`_text_targets`); "20% off" is an offer
        price = _price_of(clause)
        if price is not None and (clause.has("target", "price") or clause.verbs() & {"add"}):
            if "remove" not in clause.verbs():
                positions = _positions(clause)
                self.emit("set_price", text=price, pos=positions[-1] if positions else None)
            return
        if self.create or not (clause.has("offer") or clause.has("pct")):
            return
        if clause.targets() and not clause.has("target", "offer"):
            return
        words = [
            it
            for it in clause.items
            if not (it.has("verb", "add") or (is_filler(it) and not it.has("offer")))
        ]
        if not words:
            return
        text = clause.message.orig(words[0].i, words[-1].j).strip(" ,，.。")
        self.emit("set_offer", text=sentence_case(text))

    def _add_media(self, clause: Clause) -> None:
        if not clause.has("target", "media") or self.draft is None:
            return
        if not (clause.verbs() & {"add", "change"}) or clause.has("target", "logo"):
            return
        used = {s.m.src for s in self.draft.visuals}
        new = [
            a.id
            for a in self.ctx.assets
            if a.kind in ("image", "video")
            and a.ref not in used
            and not re.search("logo|标志|商标", a.name, re.I)
        ]
        if new:
            self.emit("add_shots", assets=new)
        else:
            self.note("no_new_media")

    # the end ----------------------------------------------------------------------------------
    def finish(self) -> None:
        for index in sorted(set(self.removals), reverse=True):
            self.emit("remove_shot", index=index + 1)
        self.removals = []


MOOD_KEYS = {src: key for key, (src, _name) in MOODS.items()}


def _music_args(asset: Asset) -> dict[str, object]:
    args: dict[str, object] = {"src": asset.ref, "name": asset.name, "vol": OWN_AUDIO_VOL}
    if asset.duration_ms:
        args["src_d"] = asset.duration_ms
    return args


def _stem(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return re.sub(r"[-_]+", " ", stem).strip().lower()


def _named_audio(clause: Clause, audio: list[Asset]) -> Asset | None:
    """An uploaded song the clause names ("jingle.mp3", "the jingle track", "summer-beats")."""
    text = clause.message.norm
    spaced = re.sub(r"[-_]+", " ", text)
    for asset in reversed(audio):
        name = asset.name.lower()
        stem = _stem(asset.name)
        # ASCII word edges: "用jingle那首歌" names jingle.mp3 (a Chinese character is no letter of it)
        said = len(stem) >= 3 and re.search(rf"(?<![a-z0-9]){re.escape(stem)}(?![a-z0-9])", spaced)
        if name in text or said:
            if clause.has("target", "music") or clause.has("file") or clause.verbs() or name in text:
                return asset
    return None


def _positions(clause: Clause) -> list[str]:
    """The positions a clause names, a corner said in two words as one ("at the top" + "right")."""
    out: list[str] = []
    last = -2
    for n, it in enumerate(clause.items):
        pos = it.key("position")
        if pos is None:
            continue
        if pos in ("left", "right") and out and out[-1] in ("top", "bottom") and last == n - 1:
            out[-1] = f"{out[-1]}-{pos}"
        else:
            out.append(pos)
        last = n
    return out


def _named_before(clause: Clause, target: str) -> str | None:
    """Words nobody knows just before a target: "the beach song", "周杰伦的歌" (a song by its name)."""
    items = clause.items
    for n, it in enumerate(items):
        if not it.has("target", target) or n == 0:
            continue
        k = n - 1
        if items[k].text in ("的", "'s") and k > 0:
            k -= 1
        names: list[Item] = []
        while k >= 0 and not items[k].meanings and not items[k].has("punct"):
            names.insert(0, items[k])
            k -= 1
        if names:
            return clause.message.orig(names[0].i, names[-1].j).strip()
    return None


def _edge(item: Item) -> int | None:
    """1 for "first" / 前 / 头, -1 for "last" / 最后 / 后, before a count ("the last two")."""
    if item.has("ord") and item.value in (1, -1):
        return int(item.value)
    if item.has("ordinal") and item.key("ordinal") in ("1", "-1"):
        return int(str(item.key("ordinal")))
    if item.text in ("前", "头", "最前"):
        return 1
    if item.text in ("后", "最后"):
        return -1
    return None


def _after_role(items: list[Item], n: int) -> bool:
    """Item n follows a text role with only fillers between ("标题那个字")."""
    for it in reversed(items[:n]):
        role = text_role(it)
        if role is not None:
            return role != "text"
        if not is_filler(it):
            return False
    return False


def _names_account(item: Item) -> bool:
    return item.has("target", "handle") or item.has("target", "url")


def _text_target(clause: Clause) -> bool:
    return any(k in TEXT_ROLES or k == "all_text" for k in clause.targets())


def _look(clause: Clause) -> dict[str, object]:
    """The looks a clause names: colour, size (or a step), font, emphasis, animation, position."""
    look: dict[str, object] = {}
    last_pos = -2
    for n, it in enumerate(clause.items):
        if it.has("hex"):
            look["color"] = str(it.value)
        elif it.has("color"):
            look["color"] = it.key("color")
        size = it.key("size")
        if size in ("bigger", "smaller"):
            look["size_rel"] = size
        elif size is not None:
            look["size"] = size
        if it.has("font"):
            look["font"] = it.key("font")
        emphasis = it.keys("emphasis")
        for key in emphasis:
            if key == "plain":
                look.update(bold=False, italic=False, upper=False)
            else:
                look[key] = True
        anim = it.key("anim")
        if anim is not None:
            look["anim"] = anim
        style = it.key("style")
        if style is not None and clause.has("target", "font") and not clause.has("font"):
            family = lexicon().font_of_style.get(style)  # "字体换成可爱一点的": a rounded font
            if family:
                look["font"] = family
        pos = it.key("position")
        if pos in ("left", "right") and look.get("pos") in ("top", "bottom") and last_pos == n - 1:
            pos = f"{look['pos']}-{pos}"  # "at the top right": a corner
        if pos is not None:
            last_pos = n
        if pos is not None and not it.has("dest") and not it.has("volume"):
            look["pos"] = pos
        elif (
            pos is not None
            and clause.has("verb", "move")
            and pos in ("top", "bottom")
            and it.text not in ("up", "down", "lower", "higher")
        ):
            look["pos"] = pos
    return look


def _price_of(clause: Clause) -> str | None:
    items = clause.items
    for n, it in enumerate(items[:-1]):  # "原价199 现价99", "sale price $29": the price it is now
        nxt = items[n + 1]
        if it.has("price_now") and (nxt.has("price") or nxt.has("num")):
            return str(nxt.value) if nxt.has("price") else clause.message.orig(nxt.i, nxt.j).strip()
    for it in items:
        if it.has("price"):
            return str(it.value)
    if clause.has("target", "price"):
        for it in items:
            if it.has("num"):
                return clause.message.orig(it.i, it.j).strip()
    return None


def _weight_change(clause: Clause) -> float | None:
    rel = clause.keys("relative")
    mult = next((float(it.value) for it in clause.items if it.has("mult")), None)
    if mult is not None:
        return mult
    if "twice" in rel:
        return 2.0
    if "half" in rel:
        return 0.5
    if "longer" in rel:
        return WEIGHT_STEP
    if "shorter" in rel:
        return 1 / WEIGHT_STEP
    return None


_SHOT_KINDS = {"shot": None, "photo": "image", "clip": "video"}


def _noun_kind(item: Item) -> tuple[bool, str | None]:
    for key in item.keys("target"):
        if key in _SHOT_KINDS:
            return True, _SHOT_KINDS[key]
    if item.text in ("one", "ones"):
        return True, None
    return False, None


def _resolve(draft: Draft, number: int, kind: str | None) -> int | None:
    segs = draft.visuals
    pool = [i for i, s in enumerate(segs) if kind in (None, "any") or s.m.kind == kind]
    if not pool:
        return None
    if number < 0:
        return pool[number] if -number <= len(pool) else None
    return pool[number - 1] if 1 <= number <= len(pool) else None


def _shot_refs(
    clause: Clause, draft: Draft, assets: list[Asset]
) -> tuple[list[tuple[int | None, Item]], list[Item]]:
    """The shots a clause names, in order, and the items left for a destination."""
    items = clause.items
    refs: list[tuple[int | None, Item]] = []
    used: set[int] = set()
    n = len(items)
    move_at = next(
        (
            k
            for k, it in enumerate(items)
            if it.has("verb", "move") or (it.has("verb", "add") and it.text in ("放到", "移到", "放在"))
        ),
        None,
    )
    for k, it in enumerate(items):
        if k in used:
            continue
        edge = _edge(it)
        if edge is not None and k + 1 < n and items[k + 1].has("num"):
            many = int(items[k + 1].value)  # "swap the last two", "把最后两张删掉", "前两张"
            count = len(draft.visuals)
            if 2 <= many <= count:
                span = range(count - many, count) if edge == -1 else range(many)
                refs.extend((ix, it) for ix in span)
                used.update((k, k + 1))
                if k + 2 < n and _noun_kind(items[k + 2])[0]:
                    used.add(k + 2)
                continue
        if it.has("ord"):
            kind = it.key("ord")
            noun_at = next((m for m in range(k + 1, min(n, k + 3)) if _noun_kind(items[m])[0]), None)
            if noun_at is not None and not all(is_filler(items[m]) for m in range(k + 1, noun_at)):
                noun_at = None
            # "the first and last pics", 第一张和第二张照片: a pair shares the noun after it
            if noun_at is None and k + 2 < n and items[k + 1].has("conj") and items[k + 2].has("ord"):
                after = next((m for m in range(k + 3, min(n, k + 5)) if _noun_kind(items[m])[0]), None)
                if after is not None or kind != "any" or clause.message.has_cjk:
                    noun_kind = _noun_kind(items[after])[1] if after is not None else None
                    for m in (k, k + 2):
                        ord_kind = items[m].key("ord")
                        want = noun_kind or (ord_kind if ord_kind in ("image", "video") else None)
                        refs.append((_resolve(draft, int(items[m].value), want), items[m]))
                        used.add(m)
                    if after is not None:
                        used.add(after)
                    continue
            if noun_at is not None:
                want = _noun_kind(items[noun_at])[1]
                want = want or (kind if kind in ("image", "video") else None)
                refs.append((_resolve(draft, int(it.value), want), it))
                used.update((k, noun_at))
                continue
            if kind in ("image", "video"):
                refs.append((_resolve(draft, int(it.value), kind), it))
                used.add(k)
                continue
            if (
                kind == "any"
                and it.text.startswith("第")
                and not (move_at is not None and k > move_at and refs)
            ):
                refs.append((_resolve(draft, int(it.value), None), it))
                used.add(k)
                continue
        is_noun, kind = _noun_kind(it)
        if is_noun and it.text not in ("one", "ones"):
            m = k + 1
            if m < n and (items[m].text in ("#", "number", "no") or items[m].has("sym")):
                m += 1
            nums: list[Item] = []
            while m < n and (
                items[m].has("num") or (items[m].has("conj") and m + 1 < n and items[m + 1].has("num"))
            ):
                if items[m].has("num"):
                    nums.append(items[m])
                m += 1
            for num in nums:
                refs.append((_resolve(draft, int(num.value), kind), num))
                used.add(items.index(num))
            if nums:
                used.add(k)
                continue
    if not refs:
        refs.extend(_named_shots(clause, draft, assets))
    if not refs:
        lone = _lone_shot(clause, draft)
        if lone is not None:
            refs.append(lone)
    rest = [it for k, it in enumerate(items) if k not in used]
    return refs, rest


def _named_shots(clause: Clause, draft: Draft, assets: list[Asset]) -> list[tuple[int | None, Item]]:
    """ "the beach clip", "the surf clip": an upload named by its file name."""
    if not any(_noun_kind(it)[0] for it in clause.items):
        return []
    text = re.sub(r"[-_]+", " ", clause.message.norm)
    out: list[tuple[int | None, Item]] = []
    for index, seg in enumerate(draft.visuals):
        stem = _stem(seg.m.name)
        if (
            len(stem) >= 3
            and not re.fullmatch(r"(photo|clip|image|img|pic|video)\s*\d*", stem)
            and re.search(rf"(?<![a-z0-9]){re.escape(stem)}(?![a-z0-9])", text)
        ):
            item = next(it for it in clause.items if _noun_kind(it)[0])
            out.append((index, item))
            break
    return out


def _lone_shot(clause: Clause, draft: Draft) -> tuple[int | None, Item] | None:
    """ "the clip" / "the photo" when there is only one of that kind."""
    for it in clause.items:
        is_noun, kind = _noun_kind(it)
        if not is_noun or kind is None or it.text in ("one", "ones", "video", "videos", "视频"):
            continue
        matches = [i for i, s in enumerate(draft.visuals) if s.m.kind == kind]
        if len({draft.visuals[i].m.src for i in matches}) == 1:
            return matches[0], it
    return None


def _destination(
    clause: Clause,
    rest: list[Item],
    draft: Draft,
    src: int,
    refs: list[tuple[int | None, Item]],
    *,
    copying: bool = False,
) -> int | None:
    """The final 1-based position the clause names for a shot (None: none it can name)."""
    count = len(draft.visuals) + (1 if copying else 0)
    for n, it in enumerate(rest):
        if it.has("rel"):
            other = [ix for ix, ref in refs if ref.i > it.i]
            if not other and n > 0 and rest[n - 1].has("ord"):  # "放到第一个后面": the shot before it
                other = [_resolve(draft, int(rest[n - 1].value), None)]
            if not other or other[0] is None or other[0] == src:
                return None
            target = other[0]
            order = (
                [i for i in range(len(draft.visuals)) if i != src]
                if not copying
                else list(range(len(draft.visuals)))
            )
            pos = order.index(target) + (0 if it.has("rel", "before") else 1)
            return pos + 1
    for it in rest:
        if it.has("dest", "start") or (it.has("ord") and it.value == 1 and not it.has("dest", "end")):
            return 1
        if it.has("dest", "end") or (it.has("ord") and it.value == -1):
            return count
    for k, it in enumerate(rest):
        if it.has("ord") and int(it.value) > 0:
            return int(it.value) if int(it.value) <= count else None
        if (
            (it.text in ("position", "place", "spot", "slot", "number", "to") or it.has("verb", "move"))
            and k + 1 < len(rest)
            and rest[k + 1].has("num")
        ):
            value = int(rest[k + 1].value)
            return value if 1 <= value <= count else None
    if copying:
        return None
    return None


# --- the message -----------------------------------------------------------------------------------
def understand(text: str, ctx: Context) -> Understanding:
    """The message as calls, answers or history moves; a written-out voice-over script is taken first."""
    said = take_script(text)
    if said is None:
        return _understand(text, ctx)
    rest, script = said
    u = _understand(rest, ctx) if rest.strip() else Understanding("edit")
    if u.kind not in ("edit", "create"):
        u = Understanding("edit")
    u.calls = [c for c in u.calls if c.name not in ("set_voiceover", "remove_voiceover")]
    u.calls.append(call("set_voiceover", script=script))
    u.missed = [m for m in u.missed if m.strip()]
    return u


def _understand(text: str, ctx: Context) -> Understanding:
    message = tokens.read(text)
    contents = capture(message)
    items = _with_contents(message, contents)
    if not text.strip():  # uploads and no words: make a video of them (or say what can be done)
        if ctx.draft is None:
            return _create(message, [], contents, ctx)
        return Understanding("answer", answer="help")
    marked = split_description(text)  # "…and description: Meet “Aurora Bottle”: …", "描述：…"
    if marked is not None:
        made = _create_described(text, marked, ctx, answered=False)
        if made is not None:  # (描述 alone would ask to describe the video)
            return made
    answer = _answer_for(message, items, ctx)
    if answer is not None:
        return Understanding("answer", answer=answer)
    history = _history(items)
    if history is not None:
        return Understanding("history", history=history[0], version=history[1])
    if marked is None and not any(c.colon for c in contents):  # ("captions: A. B. C." runs on)
        split = split_sentences(text)  # "make a promo for my bottle. Leak-proof lid, …"
        made = _create_described(text, split, ctx, answered=True) if split is not None else None
        if made is not None:
            return made
    clauses = _clauses(message, items)
    if ctx.draft is None or _wants_new_video(message, items):
        return _create(message, clauses, contents, ctx)
    if "copy" in _intents(_meaningful(items)):
        return _copy(message, clauses, contents, ctx)
    reader = _Reader(ctx, create=False)
    previous = None
    for clause in clauses:
        reader.read(clause, previous)
        previous = clause
    reader.finish()
    return Understanding(
        "edit",
        calls=_ordered(reader.calls),
        notes=reader.notes,
        missed=reader.missed,
        cannot=list(dict.fromkeys(reader.cannot)),
    )


def _ordered(calls: list[ToolCall]) -> list[ToolCall]:
    """One call per operation kind and target (the last said wins), in the canonical order."""
    last: dict[tuple[str, str], ToolCall] = {}
    for c in calls:
        key = (
            c.name,
            str(c.args.get("target", ""))
            if c.name == "style_text"
            else (
                str(c.args.get("index", ""))
                if c.name in ("remove_shot", "set_shot_weight", "trim_shot")
                else (str(c.args.get("text", "")) if c.name == "add_text" else "")
            ),
        )
        if c.name in ("style_text", "set_brand") and key in last:  # looks said in two clauses add up
            merged = {**last[key].args, **c.args}
            last[key] = ToolCall(name=c.name, args=merged)
            continue
        last[key] = c
    rank = {name: n for n, name in enumerate(ORDER)}
    keep = list(last.values())
    return sorted(keep, key=lambda c: (rank.get(c.name, len(rank)), calls.index(c) if c in calls else 0))


def _description(message: Message, contents: list[Content]) -> str:
    """The message without the words already given to a text (so they are not read twice)."""
    text = message.original
    spans = []
    for c in contents:
        if not c.role:
            continue
        first = message.items[c.i]
        last = message.items[c.j - 1]
        start = message.to_orig[message.units[first.i].start]
        end = message.to_orig[message.units[last.j - 1].end]
        spans.append((start, end))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def _create_described(
    text: str, split: tuple[str, str], ctx: Context, *, answered: bool
) -> Understanding | None:
    """A new draft from a request and its product description, or None when the request is no
    creation (an edit of this video, or — `answered` False — a question or a move in the versions)."""
    asked = tokens.read(_reading(*split))
    contents = capture(asked)
    items = _with_contents(asked, contents)
    if asked.original.strip() and not answered:
        if _answer_for(asked, items, ctx) is not None or _history(items) is not None:
            return None
    if ctx.draft is not None and not _wants_new_video(asked, items):
        return None
    return _create(asked, _clauses(asked, items), contents, ctx, described=split, original=text)


def _reading(request: str, description: str) -> str:
    """What the grammar reads of a message with a product description: the request and the
    description's own requests ("…, lasts 3 months. make it vertical"), never its copy ("five bright
    colours" is no bold style, "double-walled" no duplicated shot)."""
    asks = description_requests(description)
    if not request.strip():
        return " ".join(asks)
    end = "" if request.rstrip()[-1:] in ".!?。！？" else ("。" if mostly_cjk(request) else ".")
    return " ".join([request.rstrip() + end, *asks])


def brief_of(prompt: str) -> Brief:
    """The copy a creation message asks for (the words given to a text left out, a product
    description read as one): what "start over" and "add captions" take from `m.prompt`."""
    message = tokens.read(prompt)
    contents = capture(message)
    split = split_description(prompt)
    if split is None and not any(c.colon for c in contents):
        split = split_sentences(prompt)
    if split is not None:
        return compose(_request_words(split[0]), split[1])
    return read_brief(_description(message, contents))


def _request_words(request: str) -> str:
    """The request before a description, without the words given to a text (read by the grammar)."""
    message = tokens.read(request)
    return _description(message, capture(message)) if request.strip() else ""


def _create(
    message: Message,
    clauses: list[Clause],
    contents: list[Content],
    ctx: Context,
    *,
    described: tuple[str, str] | None = None,
    original: str | None = None,
) -> Understanding:
    """A new draft. `described`: the request and the product description said after it
    ("description: …"); `message` is then what the grammar reads, `original` the message as typed."""
    base = ctx.draft
    typed = message.original if original is None else original
    reader = _Reader(Context(None, ctx.assets, ctx.zh), create=True)
    for clause in clauses:
        reader.read(clause, None)
    reader.finish()
    calls = {c.name: c for c in reader.calls}
    if described is not None:
        brief = compose(_request_words(described[0]), described[1], titled="set_title" in calls)
    else:
        brief = read_brief(_description(message, contents))
    explicit = any(name in calls for name in ("set_title", "set_captions"))
    reused = False
    if base is not None and base.m.prompt and not explicit and not brief.title and not brief.captions:
        brief = brief_of(base.m.prompt)  # "start over, square": the words stay
        reused = True
    visual = [a for a in ctx.assets if a.kind in ("image", "video")]
    audio = [a for a in ctx.assets if a.kind == "audio"]
    title = calls["set_title"].args["text"] if "set_title" in calls else brief.title
    captions = calls["set_captions"].args["lines"] if "set_captions" in calls else brief.captions
    if not visual and not title and not captions:
        return Understanding("create", notes=[Change("need_media", refused=True)])
    music: dict[str, object] | None
    if "remove_music" in calls:
        music = None
    elif "set_music" in calls:
        music = {k: v for k, v in calls["set_music"].args.items()}
    elif audio:
        music = _music_args(audio[-1])
    else:
        src, name = MOODS[brief.mood or "lofi"]
        music = {"src": src, "name": name, "vol": SYNTH_VOL}
    asked = int(calls["set_duration"].args["ms"]) if "set_duration" in calls else None
    aspect = (
        calls["set_aspect"].args["aspect"]
        if "set_aspect" in calls
        else (base.m.aspect if base is not None else "16:9")
    )
    logo = calls.get("add_logo")
    shots = [
        a.id
        for a in visual
        if (logo is None or logo.args.get("src") != a.ref)
        and not (a.kind == "image" and _LOGO.search(a.name))  # kept for "add my logo", not a shot
    ]
    if not shots:
        shots = [a.id for a in visual]
    language = "zh" if (mostly_cjk(typed) or (not typed.strip() and ctx.zh)) else "en"
    if reused and base is not None:
        language = base.m.language if base.m.language in ("en", "zh") else language
    args: dict[str, object] = {
        "assets": shots,
        "duration_ms": max(5000, min(120000, asked)) if asked else None,
        "asked_ms": asked,
        "aspect": aspect,
        "title": title,
        "subtitle": calls["set_subtitle"].args["text"] if "set_subtitle" in calls else brief.subtitle,
        "captions": list(captions),
        "cta": calls["set_cta"].args["text"] if "set_cta" in calls else brief.cta,
        "offer": calls["set_offer"].args["text"] if "set_offer" in calls else brief.offer,
        "price": calls["set_price"].args["text"] if "set_price" in calls else brief.price,
        "music": music,
        "prompt": base.m.prompt if reused and base is not None else typed.strip(),  # as the creator wrote it
        "language": language,
    }
    create = call("create_draft", **{k: v for k, v in args.items() if v is not None or k == "music"})
    folded = {
        "set_title",
        "set_subtitle",
        "set_captions",
        "set_cta",
        "set_offer",
        "set_price",
        "set_music",
        "remove_music",
        "set_duration",
        "set_aspect",
        "set_music_volume",
    }
    follow = [c for c in reader.calls if c.name not in folded and BY_NAME[c.name].session is False]
    order = (
        "set_transition",
        "set_pace",
        "set_style",
        "set_brand",
        "style_text",
        "add_text",
        "add_logo",
        "set_end_card",
        "set_voiceover",  # "make a video for my bakery with a voice-over": read once the words exist
    )
    follow = [c for name in order for c in follow if c.name == name]
    if "set_pace" in {c.name for c in follow}:
        follow = [c for c in follow if not (c.name == "set_pace" and c.args.get("pace") == "normal")]
    return Understanding(
        "create",
        calls=[create, *follow],
        notes=[n for n in reader.notes if n.key not in ("no_music",)],
        cannot=list(dict.fromkeys(reader.cannot)),
    )


def _copy(message: Message, clauses: list[Clause], contents: list[Content], ctx: Context) -> Understanding:
    """ "generate a short product description for …": write the words, and put them on the video."""
    text = message.original
    _head, colon, tail = text.partition(":") if ":" in text else text.partition("：")
    description = tail if colon and tail.strip() else text
    brief = read_brief(description)
    if not colon:
        name, offer = product_name(text)
        if name:
            brief.title = name
            brief.offer = brief.offer or offer
    if ctx.draft is not None and ctx.draft.m.prompt and not find_cta(description):
        own = business_kind(tokens.read(brief.title or "").items, weak=False)
        kind = business_kind(tokens.read(ctx.draft.m.prompt).items)
        if own is None and kind is not None:  # the copy for the coffee video ends like a coffee video
            brief.cta = business_cta(kind, "zh" if has_cjk(description) else "en") or brief.cta
    calls: list[ToolCall] = []
    if brief.title:
        calls.append(call("set_title", text=brief.title))
    if brief.captions:
        calls.append(call("set_captions", lines=brief.captions))
    if brief.offer:
        calls.append(call("set_offer", text=brief.offer))
    if brief.price:
        calls.append(call("set_price", text=brief.price))
    if brief.cta:
        calls.append(call("set_cta", text=brief.cta))
    return Understanding("copy", calls=calls, brief=brief, missed=[] if calls else [message.original.strip()])


__all__ = ["Context", "Understanding", "copy_text", "understand"]

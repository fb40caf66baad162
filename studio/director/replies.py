"""What the user reads after a director turn, in English or Chinese."""

from __future__ import annotations

from typing import Any

from studio.director.models import Change
from studio.director.timeline import Draft, clamp_total, kind, music, texts, visual
from studio.director.words import ms_to_text

_EN: dict[str, str] = {
    "duration": "the video is now {s} seconds long",
    "aspect": "the format is now {aspect} ({w}x{h})",
    "title": "the title is now “{text}”",
    "title_removed": "the title is gone",
    "captions": "the captions now have {count} lines",
    "captions_removed": "the captions are gone",
    "shot_moved": "shot {from} is now shot {to}",
    "shots_swapped": "shots {a} and {b} swapped places",
    "shot_removed": "shot {index} ({name}) is out, {count} shots left",
    "shots_added": "{count} new shots added ({total} in all)",
    "music": "the music is now {name}",
    "music_removed": "the music is off",
    "music_volume": "the music is {dir} to {percent}%",
    "transition": "the shots now change with {type} transitions",
    "pace": "the pace is now {pace} ({shots} shots)",
    "logo": "your logo sits in the {pos} corner",
    "logo_removed": "the logo is gone",
    "cta": "the video ends with “{text}”",
    "cta_removed": "the call to action is gone",
    "no_title": "there is no title to remove",
    "need_title_text": "tell me what the title should say, e.g. “change the title to 'Summer Sale'”",
    "no_captions": "there are no captions to remove",
    "need_caption_text": "tell me the caption text, e.g. “captions: 'Light. Fast. Yours.'”",
    "no_music": "there is no music yet (say “add upbeat music”)",
    "volume_limit": "the music is already at {percent}%",
    "no_shot": "there is no such shot (the video has {count})",
    "last_shot": "I can't remove the only shot",
    "no_new_media": "there are no new photos or clips to add: send them first",
    "no_logo_asset": "send your logo as a PNG first, then say “add my logo”",
    "no_logo": "there is no logo to remove",
    "no_cta": "there is no call to action to remove",
    "need_cta_text": "tell me what the ending should say, e.g. “add a call to action 'Shop now'”",
    "same_pace": "the pace is already {pace}",
    "same_duration": "the video is already {s} seconds long",
    "same_aspect": "the video is already {aspect}",
    "same_transition": "the shots already change with {type} transitions",
    "same_music": "the music is already {name}",
    "bad_aspect": "I can make 16:9, 9:16 or 1:1 videos",
    "bad_transition": "I know fade, slide and wipe transitions, or hard cuts",
    "bad_pace": "the pace can be slow, normal or fast",
    "bad_music": "I can't use that as music",
    "unknown_call": "I can't do “{name}”",
    "no_audio_asset": "send your song first, then say “use my song”",
    "need_media": "send me photos or clips, or describe the video you want "
                  "(e.g. “a 15-second video for our summer sale”)",
    "no_draft": "there's no video yet: send photos or clips, or describe the video you want",
}
_ZH: dict[str, str] = {
    "duration": "视频现在是{s}秒",
    "aspect": "画面比例改成了{aspect}（{w}x{h}）",
    "title": "标题改成了“{text}”",
    "title_removed": "标题已去掉",
    "captions": "字幕现在有{count}行",
    "captions_removed": "字幕已去掉",
    "shot_moved": "第{from}个镜头移到了第{to}个",
    "shots_swapped": "第{a}个和第{b}个镜头交换了位置",
    "shot_removed": "删除了第{index}个镜头（{name}），还剩{count}个",
    "shots_added": "加入了{count}个新镜头（共{total}个）",
    "music": "背景音乐换成了{name}",
    "music_removed": "背景音乐已关掉",
    "music_volume": "音乐音量{dir}到{percent}%",
    "transition": "转场改成了{type}",
    "pace": "节奏改成了{pace}（{shots}个镜头）",
    "logo": "logo放在了{pos}",
    "logo_removed": "logo已去掉",
    "cta": "结尾改成了“{text}”",
    "cta_removed": "结尾的行动号召已去掉",
    "no_title": "现在没有标题可以去掉",
    "need_title_text": "请告诉我标题写什么，比如“标题改成「夏季促销」”",
    "no_captions": "现在没有字幕可以去掉",
    "need_caption_text": "请告诉我字幕内容，比如“字幕改成「轻盈，透气」”",
    "no_music": "现在还没有背景音乐（可以说“加欢快的音乐”）",
    "volume_limit": "音乐音量已经是{percent}%了",
    "no_shot": "没有这个镜头（视频一共{count}个镜头）",
    "last_shot": "只剩一个镜头了，不能删除",
    "no_new_media": "没有新的照片或视频可以加，请先发给我",
    "no_logo_asset": "请先把logo作为PNG图片发给我，再说“加上我的logo”",
    "no_logo": "现在没有logo可以去掉",
    "no_cta": "现在没有行动号召可以去掉",
    "need_cta_text": "请告诉我结尾写什么，比如“结尾改成「立即购买」”",
    "same_pace": "节奏已经是{pace}了",
    "same_duration": "视频已经是{s}秒了",
    "same_aspect": "视频已经是{aspect}了",
    "same_transition": "转场已经是{type}了",
    "same_music": "背景音乐已经是{name}了",
    "bad_aspect": "我可以做16:9、9:16或1:1的视频",
    "bad_transition": "转场可以是淡入淡出、滑动、擦除或硬切",
    "bad_pace": "节奏可以是慢、正常或快",
    "bad_music": "这个不能用作背景音乐",
    "unknown_call": "我不会“{name}”",
    "no_audio_asset": "请先把你的音乐发给我，再说“用我的音乐”",
    "need_media": "请发给我照片或视频，或者描述一下你想要的视频（比如“为夏季促销做一个15秒的视频”）",
    "no_draft": "还没有视频：请发照片或视频给我，或者描述你想要的视频",
}
_WORDS_ZH = {
    "slow": "慢", "normal": "正常", "fast": "快", "fade": "淡入淡出", "slide": "滑动",
    "wipe": "擦除", "cut": "硬切", "top-right": "右上角", "top-left": "左上角",
    "bottom-right": "右下角", "bottom-left": "左下角", "up": "调大", "down": "调小",
}
_WORDS_EN = {"cut": "hard-cut", "up": "turned up", "down": "turned down", "top-right": "top right",
             "top-left": "top left", "bottom-right": "bottom right", "bottom-left": "bottom left"}
_OUTRO = {"en": " Say 'export' when you're happy, or ask for changes.",
          "zh": "满意的话说“导出”，或者告诉我要改什么。"}
_HELP = {
    "en": "I can make and change your video. Try:\n"
          "• “make it 30 seconds”, “vertical for TikTok”, “square”\n"
          "• “change the title to 'Summer Sale'”, “remove the captions”\n"
          "• “move shot 3 first”, “swap shots 1 and 2”, “remove the second photo”\n"
          "• “add upbeat music”, “turn the music down”, “no music”\n"
          "• “use wipe transitions”, “hard cuts”, “faster”\n"
          "• “add my logo”, “add a call to action 'Shop now'”, “what's in my video?”\n"
          "Say 'export' when you're happy.",
    "zh": "我可以帮你做视频、改视频。试试：\n"
          "• “改成30秒”、“竖屏”、“方形”\n"
          "• “标题改成「夏季促销」”、“去掉字幕”\n"
          "• “把第三个镜头放到最前面”、“交换第1和第2个镜头”、“删除第2个镜头”\n"
          "• “加欢快的音乐”、“音乐小声一点”、“不要音乐”\n"
          "• “用擦除转场”、“硬切”、“快一点”\n"
          "• “加上我的logo”、“结尾加「立即购买」”、“我的视频里有什么？”\n"
          "满意的话说“导出”。",
}
_LIMITS = {"en": " (videos can be 5 seconds to 2 minutes)", "zh": "（视频可以是5秒到2分钟）"}
_UNKNOWN = {"en": "Sorry, I didn't get that. ", "zh": "抱歉，我没听懂。"}


def _word(value: Any, zh: bool) -> Any:
    table = _WORDS_ZH if zh else _WORDS_EN
    return table.get(value, value) if isinstance(value, str) else value


def phrase(change: Change, zh: bool) -> str:
    params = {k: _word(v, zh) for k, v in change.params.items()}
    if "ms" in change.params:
        params["s"] = ms_to_text(int(change.params["ms"]))
    if change.key == "music_volume":
        params["dir"] = _word("up" if change.params.get("up") else "down", zh)
    text = (_ZH if zh else _EN).get(change.key, change.key).format(**params)
    if change.key == "duration" and change.params.get("asked") != change.params.get("ms"):
        text += _LIMITS["zh" if zh else "en"]
    dropped = change.params.get("dropped")
    if change.key == "captions" and dropped:
        text += f"（{dropped}行放不下）" if zh else f" ({dropped} did not fit)"
    return text


def _join(parts: list[str], zh: bool) -> str:
    if zh:
        return "，".join(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _created_zh(info: dict[str, Any], more: list[str], problems: list[str]) -> str:
    media = [f"{info['photos']}张照片" if info["photos"] else "",
             f"{info['clips']}段视频" if info["clips"] else ""]
    source = "你的" + "和".join(m for m in media if m) if info["photos"] or info["clips"] else "你的文字"
    extras = [f"标题“{info['title']}”" if info["title"] else "",
              f"{info['captions']}条字幕" if info["captions"] else "",
              f"{info['music']}背景音乐" if info["music"] else "",
              f"结尾“{info['cta']}”" if info["cta"] else ""]
    extra = "，".join(e for e in extras if e)
    note = _LIMITS["zh"] if info["clamped"] else ""
    length = ms_to_text(int(info["ms"]))
    return (f"好了！我用{source}做了一个{length}秒的{info['aspect']}视频{note}"
            + (f"，{extra}" if extra else "") + "。"
            + ("另外，" + _join(more, True) + "。" if more else "")
            + ("不过" + "；".join(problems) + "。" if problems else "") + _OUTRO["zh"])


def _article(word: str) -> str:
    """"an" before a vowel sound ("an 8-second", "an “Order today” ending"), else "a"."""
    whole = word.split(".")[0]
    if whole.isdigit():
        return "an" if whole.startswith("8") or whole in ("11", "18") else "a"
    return "an" if word[:1].lower() in "aeio" else "a"


def created(info: dict[str, Any], zh: bool, also: list[Change] | None = None,
            refused: list[Change] | None = None) -> str:
    """The create reply: what was made, any extra edits of the same message, then the outro."""
    more = [phrase(c, zh) for c in also or []]
    problems = [phrase(c, zh) for c in refused or []]
    if zh:
        return _created_zh(info, more, problems)
    media = [_plural(info["photos"], "photo") if info["photos"] else "",
             _plural(info["clips"], "clip") if info["clips"] else ""]
    source = "your " + " and ".join(m for m in media if m) if info["photos"] or info["clips"] \
        else "your description (title cards)"
    extras = [f"the title “{info['title']}”" if info["title"] else "",
              _plural(info["captions"], "caption") if info["captions"] else "",
              f"{info['music']} music" if info["music"] else "",
              f"{_article(info['cta'])} “{info['cta']}” ending" if info["cta"] else ""]
    shown = [e for e in extras if e]
    note = _LIMITS["en"] if info["clamped"] else ""
    seconds = ms_to_text(int(info["ms"]))
    return (f"Done! I made {_article(seconds)} {seconds}-second {info['aspect']} video from {source}{note}"
            + (f" with {_join(shown, False)}" if shown else "") + "."
            + (" Also, " + _join(more, False) + "." if more else "")
            + (" But " + "; ".join(problems) + "." if problems else "") + _OUTRO["en"])


def edited(applied: list[Change], refused: list[Change], zh: bool) -> str:
    """The edit reply: what changed, what could not be done (and why), then the outro."""
    done = [phrase(c, zh) for c in applied]
    not_done = [phrase(c, zh) for c in refused]
    if zh:
        text = ("好了！" + _join(done, True) + "。") if done else ""
        text += ("不过" if done else "") + "；".join(not_done) + "。" if not_done else ""
        return text + (_OUTRO["zh"] if done else "")
    text = ("Done! " + _cap(_join(done, False)) + ".") if done else ""
    if not_done:
        reasons = "; ".join(not_done)
        text += (" But " + reasons if done else _cap(reasons)) + "."
    return text + (_OUTRO["en"] if done else "")


_CHAT = {
    "thanks": {"en": "Glad you like it!" + _OUTRO["en"], "zh": "不客气！" + _OUTRO["zh"]},
    "export": {"en": "Exporting happens outside the editor: use /export (or the Export button) and I'll "
                     "render your MP4.",
               "zh": "导出不在编辑里完成：请用 /export（或“导出”按钮），我会生成MP4。"},
    "ready": {"en": "Hi! Your media is here. Tell me what to make, e.g. \"create a 30-second promotional "
                    "video from my product images and description\".",
              "zh": "你好！素材已收到。告诉我想做什么，比如“用我的产品图片和介绍做一个30秒的宣传视频”。"},
}


def chat_text(key: str, zh: bool) -> str:
    """A short answer to a message that asks for no edit ("thanks", "export")."""
    return _CHAT[key]["zh" if zh else "en"]


def help_text(zh: bool, understood: bool = True) -> str:
    lang = "zh" if zh else "en"
    return ("" if understood else _UNKNOWN[lang]) + _HELP[lang]


def describe(info: dict[str, Any], zh: bool) -> str:
    s = ms_to_text(int(info["ms"]))
    names = ", ".join(info["names"][:6]) + ("…" if len(info["names"]) > 6 else "")
    if zh:
        parts = [f"{s}秒", f"{info['aspect']}（{info['w']}x{info['h']}）",
                 f"{info['shots']}个镜头" + (f"（{names}）" if names else "（文字卡片）"),
                 f"标题“{info['title']}”" if info["title"] else "没有标题",
                 f"{info['captions']}条字幕" if info["captions"] else "没有字幕",
                 f"{info['music']}背景音乐，音量{info['volume']}%" if info["music"] else "没有背景音乐",
                 f"{_word(info['transition'], True)}转场", f"{_word(info['pace'], True)}节奏"]
        parts += [f"结尾“{info['cta']}”"] if info["cta"] else []
        parts += [f"logo在{_word(info['logo'], True)}"] if info["logo"] else []
        return "你的视频：" + "，".join(parts) + "。" + _OUTRO["zh"]
    parts = [f"{s} seconds", f"{info['aspect']} ({info['w']}x{info['h']})",
             _plural(info["shots"], "shot") + (f" ({names})" if names else " (title cards)"),
             f"title “{info['title']}”" if info["title"] else "no title",
             _plural(info["captions"], "caption") if info["captions"] else "no captions",
             f"{info['music']} music at {info['volume']}%" if info["music"] else "no music",
             f"{_word(info['transition'], False)} transitions", f"{info['pace']} pace"]
    parts += [f"ends with “{info['cta']}”"] if info["cta"] else []
    parts += [f"logo in the {_word(info['logo'], False)} corner"] if info["logo"] else []
    return "Your video: " + ", ".join(parts) + "." + _OUTRO["en"]


def summary(draft: Draft, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """The facts a reply or a description needs about a draft."""
    segs = visual(draft)
    song = music(draft)
    cta = texts(draft, "cta")
    asked = (args or {}).get("asked_ms")
    return {
        "ms": draft["d"], "aspect": draft["m"]["aspect"], "w": draft["m"]["width"], "h": draft["m"]["height"],
        "photos": len({s["m"].get("src") for s in segs if kind(s) == "image"}),
        "clips": len({s["m"].get("src") for s in segs if kind(s) == "video"}),
        "cards": sum(1 for s in segs if kind(s) == "color"), "shots": len(segs),
        "names": [str(s["m"].get("name", "")) for s in segs if kind(s) != "color"],
        "title": draft["m"].get("title", ""), "captions": len(texts(draft, "caption")),
        "music": song["m"].get("name") if song else None,
        "volume": round(song["m"].get("vol", 0) * 100) if song else 0,
        "cta": cta[0]["m"]["text"] if cta else None, "transition": draft["m"].get("transition", "fade"),
        "pace": draft["m"].get("pace", "normal"), "logo": (draft["m"].get("logo") or {}).get("pos"),
        "clamped": isinstance(asked, int) and clamp_total(asked) != asked,
    }

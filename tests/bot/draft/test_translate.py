"""translate(): backend GUI instructions become actions; what the text says about the video stays."""

from __future__ import annotations

import pytest

from bot.draft.translate import Action, translate

EX, ST, CR, ED = Action.EXPORT, Action.STATUS, Action.CREDITS, Action.OFFER_EDIT

TABLE = [
    # English: click / button → export
    ("Your video is ready! Click [Export] to download it.", "Your video is ready!", [EX]),
    ("Done. Click the **Export** button in the top right corner.", "Done.", [EX]),
    ("Tap Download to save the MP4.", "", [EX]),
    ("Use the Export button when you are happy with it.", "", [EX]),
    ("The title is set, click Export, then choose 1080p.", "The title is set.", [EX]),
    # open / preview → status
    (
        "Open the timeline panel to see the tracks. The music is Lo-fi at 35%.",
        "The music is Lo-fi at 35%.",
        [ST],
    ),
    ("I added 3 shots. You can preview it in the timeline.", "I added 3 shots.", [ST]),
    ("Go to the Tracks tab to review the order.", "", [ST]),
    # account / billing → credits
    ("Check your account page for remaining credits.", "", [CR]),
    ("You are low on credits; open Billing to top up.", "You are low on credits.", [CR]),
    # drag / drop → offer an edit
    ("I added the title, and you can drag it to reposition.", "I added the title.", [ED]),
    ("Drop more clips onto the timeline to extend the video.", "", [ED]),
    # several in one text, in order found, each once
    (
        'Title added: "Urban Dreams".\nDrag it where you like.\nOpen the preview panel.\n'
        "Click Export. Click Export.",
        'Title added: "Urban Dreams".',
        [ED, ST, EX],
    ),
    # Chinese
    ("视频已生成。点击导出按钮即可下载。", "视频已生成。", [EX]),
    ("点击【导出】下载视频", "", [EX]),
    ("在时间线中预览效果。已添加标题“城市之梦”。", "已添加标题“城市之梦”。", [ST]),
    ("打开右侧面板查看轨道，背景音乐已换成轻快风格。", "背景音乐已换成轻快风格。", [ST]),
    ("请查看账户余额。", "", [CR]),
    ("你可以拖拽片段调整顺序，标题已改为“夏日”。", "标题已改为“夏日”。", [ED]),
    ("视频做好了，可以导出了。", "视频做好了，可以导出了。", [EX]),  # offered, words kept
]


@pytest.mark.parametrize(("text", "expected", "actions"), TABLE)
def test_gui_wording_becomes_actions_and_content_stays(
    text: str, expected: str, actions: list[Action]
) -> None:
    result = translate(text)
    assert result.text == expected
    assert result.actions == actions


PLAIN = [
    "I made a 30-second video from your 4 photos with upbeat music.",
    'Added the title "Summer Sale" (0-3s) and a fade transition of 0.6s.',
    "Tip: prompts under 60 words work best. Visit nemovideo.com for more.",
    "The export quality is 1080p.",
    "Open to suggestions: want a calmer track?",
    "Click-worthy thumbnails matter, so I picked the brightest frame.",
    "我用你的 4 张照片做了一个 30 秒的视频，配了轻快的音乐。",
    "标题已改为“夏日特卖”，转场为淡入淡出。",
    "好了！标题改成了“夏季大促”。满意的话说“导出”，或者告诉我要改什么。",
    "我可以帮你做视频、改视频。试试：\n• “快一点”\n满意的话说“导出”。",
    "",
    "line one\n\n\nline two  ",
    "1. First shot: front.jpg\n2. Second shot: side.jpg",
]


@pytest.mark.parametrize("text", PLAIN)
def test_text_without_gui_wording_passes_through_unchanged(text: str) -> None:
    result = translate(text)
    assert result.text == text
    assert result.actions == []


def test_list_items_that_are_only_instructions_disappear_but_others_stay() -> None:
    text = "Here is your video:\n- 3 shots, 12 seconds\n- Click **Export** to download\n- Lo-fi music"
    result = translate(text)
    assert result.text == "Here is your video:\n- 3 shots, 12 seconds\n- Lo-fi music"
    assert result.actions == [EX]


def test_click_on_something_the_bot_cannot_do_is_kept() -> None:
    result = translate("Click the star icon to favourite this template.")
    assert result.text == "Click the star icon to favourite this template."
    assert result.actions == []

"""A product description in the brief becomes the words of the video: the quoted name is the hook, each
sentence or comma clause a benefit caption (a readable length, at most six), then the offer and a call
to action that fits; what the creator wrote is kept as written in `m.prompt`."""

from __future__ import annotations

import time

import pytest

from studio.director import RuleDirector, segment
from studio.director.copywriter import CAPTIONS_MAX, LINE_CJK, LINE_LATIN, split_description
from studio.director.models import Asset
from studio.draft import Draft

AURORA = (
    'create a 30-second promotional video from my product images and description: Meet "Aurora Bottle": '
    "a double-walled steel bottle that keeps drinks cold for 24 hours. Leak-proof lid, fits every cup "
    "holder, five bright colours. Free shipping this week."
)
AURORA_SENTENCES = (
    'make a 30s promo for my bottle. Meet "Aurora Bottle": a double-walled steel bottle that keeps drinks '
    "cold for 24 hours. Leak-proof lid, fits every cup holder, five bright colours. Free shipping this week."
)
AURORA_ZH = (
    "用我的产品图片做一个30秒的宣传视频，描述：“极光保温杯”双层不锈钢，保冷24小时，"
    "防漏杯盖，五种亮色可选。本周包邮"
)
BENEFITS = [
    "Double-walled steel bottle",
    "Keeps drinks cold for 24 hours",
    "Leak-proof lid",
    "Fits every cup holder",
    "Five bright colours",
]


def bottles() -> list[Asset]:
    names = ["aurora-front.jpg", "aurora-side.jpg", "aurora-lid.jpg"]
    return [Asset(id=f"a{i}", kind="image", name=n, width=1200, height=1600) for i, n in enumerate(names)]


def made(message: str, language: str = "en") -> Draft:
    turn = RuleDirector().run(None, message, bottles(), language)
    assert turn.draft is not None, turn.reply
    return turn.draft


def words(draft: Draft, role: str) -> list[str]:
    return [s.m.text for s in draft.texts(role)]


@pytest.mark.parametrize("message", [AURORA, AURORA_SENTENCES], ids=["after description:", "as sentences"])
def test_the_demo_brief_gets_its_benefits_as_captions(message: str) -> None:
    draft = made(message)
    assert words(draft, "title") == ["Aurora Bottle"]
    # "Meet" folded into the hook, nothing of the name's sentence lost
    assert words(draft, "caption") == BENEFITS
    assert words(draft, "offer") == ["Free shipping this week"]
    assert words(draft, "cta") == ["Shop now"]
    assert draft.m.style in (None, "", "clean")  # "five bright colours" describes the bottle: no bold style
    assert draft.m.prompt == message  # the creator's words as written (the renderer rejoins captions from it)


def test_the_chinese_demo_brief_gets_its_benefits_as_captions() -> None:
    draft = made(AURORA_ZH, "zh")
    assert words(draft, "title") == ["极光保温杯"]
    assert words(draft, "caption") == ["双层不锈钢", "保冷24小时", "防漏杯盖", "五种亮色可选"]
    assert words(draft, "offer") == ["本周包邮"]
    assert words(draft, "cta") == ["立即购买"]
    assert draft.m.prompt == AURORA_ZH


def test_a_long_description_is_cut_to_six_readable_captions() -> None:
    message = (
        'pls make a promo, description: introducing "Pebble" - a tiny speaker with huge sound that fills a '
        "whole room, 20 hour battery, waterproof to 1 metre, fits in your pocket, comes in 4 colours, 2 year "
        "warranty, pairs with any phone in seconds, ships free"
    )
    captions = words(made(message), "caption")
    assert len(captions) == CAPTIONS_MAX
    assert captions[:2] == ["Tiny speaker with huge sound", "Fills a whole room"]
    assert all(len(line) <= LINE_LATIN for line in captions)
    assert not any(line.lower().startswith("introducing") for line in captions)


def test_requests_inside_a_description_are_done_and_not_written_on_screen() -> None:
    draft = made('descrption: "Glow Serum" vitamin c serum, vegan and cruelty free. make it vertical')
    assert draft.m.aspect == "9:16"
    assert words(draft, "caption") == ["Vitamin c serum", "Vegan and cruelty free"]


def test_a_chinese_description_after_jieshao_is_one_caption_per_clause() -> None:
    draft = made("给我的奶茶店做个视频 介绍：鲜奶现煮 珍珠每天手工搓 少糖也好喝 第二杯半价", "zh")
    assert words(draft, "caption") == ["鲜奶现煮", "珍珠每天手工搓", "少糖也好喝"]
    assert words(draft, "offer") == ["第二杯半价"]
    assert all(len(line) <= LINE_CJK for line in words(draft, "caption"))


@pytest.mark.parametrize(
    "message",
    [
        "change the title to: Summer Sale",
        "captions: Small batch. Roasted fresh.",
        'make a 20s ad: "Grand Opening" this saturday',
        "标题改为：秋季限定",
    ],
)
def test_a_colon_without_a_description_word_introduces_no_description(message: str) -> None:
    assert split_description(message) is None


def test_a_300_character_description_brief_takes_well_under_50_ms_of_cpu() -> None:
    segment.ready()
    director = RuleDirector()
    message = (AURORA + " Dishwasher safe, BPA free, lifetime warranty, fits a 7 cm hand.")[:300]
    assert len(message) == 300
    best = 1e9
    for _ in range(3):
        started = time.process_time()
        director.run(None, message, bottles(), "en")
        best = min(best, (time.process_time() - started) * 1000)
    print(f"\n300-character description brief: {best:.1f} ms CPU")
    assert best < 50


def test_a_name_after_meet_is_the_hook_even_unquoted() -> None:
    draft = made(
        "make a vertical video for my lamp. Meet Nova, the smart lamp with 16 million colours. "
        "Dims with your voice."
    )
    assert words(draft, "title") == ["Nova"]
    assert words(draft, "caption") == ["Smart lamp with 16 million colours", "Dims with your voice"]
    assert draft.m.aspect == "9:16"


def test_a_description_with_a_dash_or_without_a_request_still_makes_the_video() -> None:
    tote = made("new reel pls!! description - vegan leather tote bag, fits a 15 inch laptop, 3 colours")
    assert words(tote, "caption")[-2:] == ["Fits a 15 inch laptop", "3 colours"]
    assert tote.m.aspect == "9:16"
    soap = made(
        "描述：手工皂 天然椰子油 温和不刺激 适合敏感肌 做成竖屏", "zh"
    )  # 描述 is no "describe my video"
    assert words(soap, "title") == ["手工皂"]
    assert words(soap, "caption") == ["天然椰子油", "温和不刺激", "适合敏感肌"]
    assert soap.m.aspect == "9:16"


@pytest.mark.parametrize(
    ("message", "language", "title", "captions", "offer"),
    [
        (
            "make a 15s tiktok, title: Summer Flask, description: double-walled steel, cold for 24 hours, "
            "leak-proof lid. free shipping this week",
            "en",
            "Summer Flask",
            ["Double-walled steel", "Cold for 24 hours", "Leak-proof lid"],
            "Free shipping this week",
        ),
        (
            "做一个15秒的抖音视频，标题：夏日保温杯，描述：双层不锈钢，冰饮保冷24小时，防漏杯盖，五种亮色。本周包邮",
            "zh-CN",
            "夏日保温杯",
            ["双层不锈钢", "冰饮保冷24小时", "防漏杯盖", "五种亮色"],
            "本周包邮",
        ),
    ],
    ids=["en", "zh"],
)
def test_a_title_field_before_the_description_keeps_the_title_and_every_benefit(
    message: str, language: str, title: str, captions: list[str], offer: str
) -> None:
    draft = made(message, language)
    assert words(draft, "title") == [title]  # the title stops at the next "label:"
    assert words(draft, "caption") == captions  # the first benefit is not taken for the hook
    assert words(draft, "offer") == [offer]


def test_a_chinese_title_ends_at_the_space_the_rest_is_copy() -> None:
    draft = made("帮我做个小红书视频 标题是夏日保温杯 双层不锈钢 保冷24小时 本周包邮", "zh-CN")
    assert words(draft, "title") == ["夏日保温杯"]
    assert words(draft, "offer") == ["本周包邮"]

"""A description becomes the words on screen: a short title (the hook), short caption lines (the
benefits), the offer, and a call to action fitted to the kind of business."""

from __future__ import annotations

import pytest

from studio.director.copywriter import caption_lines, find_cta, has_cjk, read_brief, shorten


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ('Make a video titled "Summer Sale". 50% off everything!', "Summer Sale"),
        ("做一个视频，标题「夏日球鞋」", "夏日球鞋"),
        ("Make a 30-second vertical video for my new sneakers. They're light.", "New Sneakers"),
        ("Create a TikTok video about our summer sale", "Summer Sale"),
        ("make a video of my trip to Japan with upbeat music", "Trip to Japan"),
        (
            "Grand opening of Rosa's Bakery this Saturday. Free coffee for everyone!",
            "Grand opening of Rosa's Bakery",
        ),
        ("给我的新球鞋做一个30秒的竖屏视频。轻盈透气。", "新球鞋"),
        ("做一个关于夏季促销的视频", "夏季促销"),
        ("生成一个咖啡店的宣传视频", "咖啡店"),
        ("周末去海边玩了一趟，阳光很好，大家都很开心。", "周末去海边玩了一趟"),
    ],
)
def test_title_comes_from_quotes_then_the_product_then_the_first_sentence(message: str, title: str) -> None:
    assert read_brief(message).title == title


@pytest.mark.parametrize(
    "message", ["Make a 30s video from these photos", "make it vertical", "", "做一个视频"]
)
def test_an_instruction_without_a_subject_gives_no_title(message: str) -> None:
    assert read_brief(message).title is None


@pytest.mark.parametrize(
    "sentence",
    [
        "The most comfortable running shoes we have ever made, built for long summer days in the city",
        "Supercalifragilisticexpialidocious adventures await everyone who visits our wonderful little shop",
    ],
)
def test_long_first_sentences_are_shortened_at_a_boundary(sentence: str) -> None:
    title = shorten(sentence)
    assert 4 <= len(title) <= 40
    assert sentence.startswith(title)
    assert title.split()[-1].lower() not in {"and", "the", "of", "for", "with"}


@pytest.mark.parametrize(
    "text",
    [
        "They're light, breathable and made for long summer days in the city. "
        "Order today and get free shipping on every pair, "
        "because summer is too short for uncomfortable shoes!",
        "Fresh, hot, and ready in ten minutes, every single day of the week, including Sundays and holidays.",
        "Onewordthatisfarlongerthanthelimitallowsforasinglecaptionlineanywhere at all",
    ],
)
def test_latin_caption_lines_stay_within_42_characters(text: str) -> None:
    lines = caption_lines(text)
    assert lines and all(len(line) <= 42 for line in lines)
    assert " ".join(lines).replace(" ", "")[:20] == text.replace(" ", "")[:20]


@pytest.mark.parametrize(
    "text",
    [
        "轻盈透气，夏天必备，让你每一步都轻松自在舒适无比，而且价格实惠，适合所有人穿着出门逛街。",
        "这是一个非常非常长而且没有任何标点符号的句子用来测试切分效果到底好不好",
    ],
)
def test_chinese_caption_lines_stay_within_16_characters(text: str) -> None:
    lines = caption_lines(text)
    assert lines and all(len(line) <= 16 and has_cjk(line) for line in lines)


def test_captions_leave_out_instructions_title_and_call_to_action() -> None:
    brief = read_brief(
        "Make a vertical video for my bakery. Fresh bread every morning. Use calm music. Order today!"
    )
    assert brief.title == "Bakery"
    assert brief.captions == ["Fresh bread every morning"]
    assert brief.cta == "Order today"
    assert brief.mood == "calm"


@pytest.mark.parametrize(
    ("text", "cta"),
    [
        ("New drop this Friday, link in bio", "Link in bio"),
        ("Shop now!", "Shop now"),
        ("order online", "Order online"),
        ("Book now for the summer", "Book now"),
        ("新品上市，立即购买！", "立即购买"),
        ("关注我们", "关注我们"),
        ("Happy birthday Mom", None),
    ],
)
def test_a_call_to_action_written_in_the_text_is_used(text: str, cta: str | None) -> None:
    assert find_cta(text) == cta


@pytest.mark.parametrize(
    ("message", "cta"),
    [
        ("A video for our pizza place", "Order today"),
        ("Summer sale on all sneakers", "Shop now"),
        ("Our new yoga class starts Monday", "Book now"),
        ("咖啡店开业啦", "立即下单"),
        ("新品球鞋限时优惠", "立即购买"),
        ("Happy birthday Mom! We love you.", None),
        ("Our trip to the mountains", None),
        ("Handmade soy candles, lavender and cedar", "Shop now"),  # candles are not "Book now"
        ("a video for my nail salon", "Book now"),
        ("our restaurant opens friday", "Reserve a table"),
        ("tickets for the summer festival", "Get tickets"),
        ("our new meditation app", "Download now"),
        ("给我们的餐厅做个视频", "立即订座"),
        ("美甲店新开业", "立即预约"),
        ("音乐节门票开售", "立即购票"),
    ],
)
def test_without_one_the_call_to_action_fits_the_subject(message: str, cta: str | None) -> None:
    assert read_brief(message).cta == cta


def test_description_after_a_colon_in_the_request_becomes_captions_with_the_quoted_name_kept() -> None:
    brief = read_brief(
        'create a 30-second promotional video from my product images and description: Meet "Aurora '
        'Bottle": a double-walled steel bottle that keeps drinks cold for 24 hours. Five bright colours.'
    )
    assert brief.title == "Aurora Bottle"
    assert brief.captions[0].startswith("Meet Aurora Bottle: a double-walled")
    assert not any(":" == c.strip()[:1] or "Meet :" in c for c in brief.captions)
    assert brief.captions[-1] == "Five bright colours"


def test_chinese_description_inside_the_instruction_becomes_captions() -> None:
    brief = read_brief(
        "做一个10秒的竖屏视频，标题“极光保温杯”，保温24小时，轻巧便携，适合户外旅行和日常通勤使用。立即购买！"
    )
    assert (brief.title, brief.captions, brief.cta) == (
        "极光保温杯",
        ["保温24小时，轻巧便携", "适合户外旅行和日常通勤使用"],
        "立即购买",
    )
    assert read_brief("用这些照片做一个抖音视频，配上欢快的音乐，加上我的logo").captions == []


def test_chinese_introduce_names_the_title() -> None:
    assert read_brief("做一个横屏视频，介绍我们的咖啡店").title == "咖啡店"


def test_a_colon_inside_the_quoted_title_does_not_leak_the_title_into_captions() -> None:
    brief = read_brief(
        "做一个竖屏视频，标题“周末限定：手工酸面包与现烤可颂，每天早上七点新鲜出炉”，"
        "我们的面包全部使用有机面粉，外脆内软。欢迎光临！"
    )
    assert brief.title == "周末限定：手工酸面包与现烤可颂，每天早上七点新鲜出炉"
    assert brief.captions == ["我们的面包全部使用有机面粉", "外脆内软"]


def test_a_long_quoted_title_is_kept_whole() -> None:
    name = "The Most Incredible Handcrafted Leather Weekender Bag You Will Ever Own"
    assert read_brief(f'Make a vertical video from my clip called "{name}". Lifetime warranty.').title == name


def test_a_title_never_ends_on_a_dangling_number() -> None:
    brief = read_brief("Make a square video: Meet Nova 🚀 our new smart lamp ✨ with 16 million colours.")
    assert brief.title == "Meet Nova 🚀 our new smart lamp ✨"
    assert brief.captions[0] == "with 16 million colours"


def test_counted_photos_are_not_a_product_name() -> None:
    assert (
        read_brief("Make a 6 second TikTok of my 6 photos with energetic music. Big summer drop!").title
        == "Big summer drop!"
    )


def test_a_request_worded_as_a_video_is_not_the_title() -> None:
    brief = read_brief("A fast-paced vertical video with wipe transitions for our gym. Train hard. Feel fit")
    assert (brief.title, brief.captions) == ("Gym", ["Train hard", "Feel fit"])
    story = read_brief("A short history of our family bakery, since 1952.")
    assert story.title == "A short history of our family bakery"


@pytest.mark.parametrize(
    ("message", "title", "captions", "offer", "cta"),
    [
        (
            "Handmade soy candles, lavender and cedar, free shipping this week",
            "Handmade soy candles",
            ["Lavender and cedar"],
            "Free shipping this week",
            "Shop now",
        ),
        (
            "手工大豆蜡烛，薰衣草和雪松香味，本周包邮",
            "手工大豆蜡烛",
            ["薰衣草和雪松香味"],
            "本周包邮",
            "立即购买",
        ),
        ("promo for our black friday sale 50% off", "Black Friday Sale", [], "50% off", "Shop now"),
        ("给我的奶茶店做个宣传视频，第二杯半价", "奶茶店", [], "第二杯半价", "立即下单"),
    ],
)
def test_copy_from_a_description_has_a_hook_benefits_the_offer_and_a_fitting_cta(
    message: str, title: str, captions: list[str], offer: str, cta: str
) -> None:
    brief = read_brief(message)
    assert (brief.title, brief.captions, brief.offer, brief.cta) == (title, captions, offer, cta)


def test_chinese_caption_lines_break_between_words_not_inside_one() -> None:
    lines = caption_lines("这是一个非常非常长而且没有任何标点符号的句子用来测试切分效果到底好不好")
    assert all(len(line) <= 16 for line in lines)
    joined = "|".join(lines)
    assert "标点|符号" not in joined and "测|试" not in joined  # jieba's words stay whole

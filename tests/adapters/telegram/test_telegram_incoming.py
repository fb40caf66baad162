"""What the adapter reads out of Telegram messages: files, sizes, commands, mentions, formatting."""

from __future__ import annotations

import pytest
from telegram import Update

from adapters.telegram.formatting import markdown_to_html
from adapters.telegram.incoming import (
    addressed_to_bot,
    clean_text,
    is_token_command,
    media_of,
    safe_filename,
    size_problem,
)
from tests.fixtures_telegram import BOT_ID, BOT_USERNAME, chat_dict, message_update

MB = 1024 * 1024
GROUP = chat_dict(-100123, group=True)


def test_photo_is_taken_at_its_largest_size() -> None:
    msg = message_update(None, 1, 1, photo_file_id="p1", photo_size=123_456, caption="my shop").message
    assert msg is not None
    ref = media_of(msg)
    assert ref is not None
    assert (ref.file_id, ref.kind, ref.size, ref.mime) == ("p1", "image", 123_456, "image/jpeg")
    assert ref.filename.endswith(".jpg")


@pytest.mark.parametrize(
    ("document", "kind", "filename"),
    [
        ({"file_name": "shop.PNG", "mime_type": "image/png"}, "image", "shop.PNG"),
        ({"file_name": "clip.mov", "mime_type": "video/quicktime"}, "video", "clip.mov"),
        ({"mime_type": "video/mp4"}, "video", "document_u_d.mp4"),
        ({"file_name": "notes.pdf", "mime_type": "application/pdf"}, "document", "notes.pdf"),
    ],
)
def test_documents_are_classified_by_their_mime_type(
    document: dict[str, str], kind: str, filename: str
) -> None:
    doc = {"file_id": "d", "file_unique_id": "u_d", "file_size": 10, **document}
    msg = message_update(None, 1, 1, document=doc).message
    assert msg is not None
    ref = media_of(msg)
    assert ref is not None and (ref.kind, ref.filename) == (kind, filename)


@pytest.mark.parametrize(
    ("field", "extra", "kind", "suffix"),
    [
        ("video", {"width": 640, "height": 360, "duration": 3, "mime_type": "video/mp4"}, "video", ".mp4"),
        ("animation", {"width": 320, "height": 240, "duration": 2}, "video", ".mp4"),
        ("voice", {"duration": 4, "mime_type": "audio/ogg"}, "audio", ".oga"),
        ("audio", {"duration": 90, "mime_type": "audio/mpeg", "file_name": "jingle.mp3"}, "audio", ".mp3"),
    ],
)
def test_videos_animations_voice_and_audio_are_taken(
    field: str, extra: dict[str, object], kind: str, suffix: str
) -> None:
    update = message_update(None, 1, 1)
    raw = update.to_dict()
    raw["message"][field] = {"file_id": "m1", "file_unique_id": "um1", "file_size": 4321, **extra}
    msg = Update.de_json(raw, None).message
    assert msg is not None
    ref = media_of(msg)
    assert ref is not None
    assert (ref.file_id, ref.kind, ref.size) == ("m1", kind, 4321)
    assert ref.filename.endswith(suffix)


def test_text_message_has_no_media() -> None:
    msg = message_update(None, 1, 1, text="make a video").message
    assert msg is not None and media_of(msg) is None


def test_file_size_rules_before_any_download() -> None:
    doc = {"file_id": "d", "file_unique_id": "u", "file_name": "big.mp4", "mime_type": "video/mp4",
           "file_size": 25 * MB}
    msg = message_update(None, 1, 1, document=doc).message
    assert msg is not None
    ref = media_of(msg)
    assert ref is not None
    assert size_problem(ref, local_mode=False, max_upload_bytes=200 * MB) == "cloud_limit"
    assert size_problem(ref, local_mode=True, max_upload_bytes=200 * MB) is None
    assert size_problem(ref, local_mode=True, max_upload_bytes=20 * MB) == "backend_limit"
    assert size_problem(ref.model_copy(update={"size": None}), local_mode=False, max_upload_bytes=MB) is None


@pytest.mark.parametrize(
    ("text", "entities", "reply_to_bot", "addressed"),
    [
        ("/status", None, False, True),
        (f"/export@{BOT_USERNAME}", None, False, True),
        ("/export@other_bot", None, False, False),
        ("make it vertical", None, True, True),
        (f"@{BOT_USERNAME} add music", [{"type": "mention", "offset": 0, "length": 9}], False, True),
        ("@someone_else add music", [{"type": "mention", "offset": 0, "length": 13}], False, False),
        ("nice weather today", None, False, False),
    ],
)
def test_in_groups_only_commands_replies_and_mentions_are_for_us(
    text: str, entities: list[dict[str, object]] | None, reply_to_bot: bool, addressed: bool
) -> None:
    update = message_update(None, 1, 5, text=text, chat=GROUP, entities=entities, reply_to_bot=reply_to_bot)
    msg = update.message
    assert msg is not None
    assert addressed_to_bot(msg, BOT_USERNAME, BOT_ID) is addressed


def test_in_private_chats_everything_is_for_us() -> None:
    msg = message_update(None, 1, 1, text="nice weather today").message
    assert msg is not None and addressed_to_bot(msg, BOT_USERNAME, BOT_ID)


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        (f"/start@{BOT_USERNAME}", "/start"),
        (f"/token@{BOT_USERNAME} nmv_abc", "/token nmv_abc"),
        (f"@{BOT_USERNAME} make it vertical", "make it vertical"),
        (f"make it @{BOT_USERNAME.upper()} vertical", "make it vertical"),
        ("see https://example.com/a.mp4 please", "see https://example.com/a.mp4 please"),
    ],
)
def test_commands_and_mentions_are_cleaned_urls_kept(text: str, cleaned: str) -> None:
    msg = message_update(None, 1, 1, text=text, chat=GROUP).message
    assert msg is not None and clean_text(msg, BOT_USERNAME) == cleaned


def test_token_command_is_recognised() -> None:
    assert is_token_command("/token nmv_secret")
    assert is_token_command("/TOKEN")
    assert not is_token_command("/tokens")
    assert not is_token_command("my token is x")


def test_unsafe_file_names_are_tamed() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("my holiday (1).mp4") == "my_holiday_1_.mp4"
    assert safe_filename("...") == "file"


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("**Done** in `2s`", "<b>Done</b> in <code>2s</code>"),
        ("a < b & c", "a &lt; b &amp; c"),
        ("*soft* and _also_", "<i>soft</i> and <i>also</i>"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("[open](https://nemovideo.com/p?a=1&b=2)", '<a href="https://nemovideo.com/p?a=1&amp;b=2">open</a>'),
        ("```py\nx = 1 < 2\n```", '<pre><code class="language-py">x = 1 &lt; 2</code></pre>'),
        ("`**not bold**`", "<code>**not bold**</code>"),
        ("2 * 3 * 4", "2 * 3 * 4"),
    ],
)
def test_light_markdown_becomes_telegram_html(markdown: str, html: str) -> None:
    assert markdown_to_html(markdown) == html

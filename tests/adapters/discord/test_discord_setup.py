"""Starting the Discord bot: commands and their translations, guild or global sync, shards, the
`videobot discord` entry point, and the one place discord.py errors are translated."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from adapters.discord.errors import translate_error
from adapters.discord.reply import limits_for
from adapters.discord.run import wants_message_content
from app.discord_bot import main
from bot.channel.errors import DeliveryError, MessageGone, RetryLater
from bot.settings import Settings
from tests.fixtures_discord import DiscordWorld, answers, new_bot

COMMANDS = ["video", "upload", "export", "status", "preview", "credits", "new", "cancel", "help"]


async def test_commands_are_synced_globally_with_chinese_names_for_servers_and_dms(dc: DiscordWorld) -> None:
    (sync,) = dc.requests("PUT", "/applications/*/commands")  # global: no DISCORD_GUILD_IDS
    assert isinstance(sync.json, list)
    by_name = {c["name"]: c for c in sync.json}
    assert list(by_name) == COMMANDS
    video = by_name["video"]
    assert video["name_localizations"] == {"zh-CN": "视频", "zh-TW": "视频"}
    assert video["description_localizations"]["zh-CN"] == "用照片、片段和一句话制作视频"
    options = {o["name"]: o for o in video["options"]}
    assert list(options) == ["prompt", "image1", "image2", "image3", "image4"]
    assert options["prompt"]["required"] and options["prompt"]["name_localizations"]["zh-CN"] == "描述"
    for i in range(1, 5):
        assert options[f"image{i}"]["type"] == 11 and not options[f"image{i}"]["required"]  # attachments
    assert by_name["export"]["name_localizations"]["zh-CN"] == "导出"
    for command in sync.json:
        assert command["contexts"] == [0, 1, 2]  # servers, DMs with the bot, private channels
        assert command["integration_types"] == [0, 1]  # installed to a server or by a user
    assert set(dc.alice.available_commands(dc.channel)) == set(COMMANDS)


async def test_a_slash_command_works_in_a_direct_message(dc: DiscordWorld) -> None:
    bob = dc.env.create_user("bob")

    result = await bob.slash("help")

    assert answers(result)[0].startswith("👋 Hi!")


async def test_guild_ids_sync_the_commands_to_those_servers_only(dc: DiscordWorld) -> None:
    await dc.restart(discord_guild_ids=[dc.guild.id, 4242])  # 4242: a server the bot is not in

    synced = dc.requests("PUT", f"/applications/*/guilds/{dc.guild.id}/commands")
    assert len(synced) == 1 and [c["name"] for c in synced[0].json or []] == COMMANDS
    assert dc.requests("PUT", "/applications/*/guilds/4242/commands")  # tried, refused, skipped
    global_syncs = [r for r in dc.requests("PUT", "/applications/*/commands") if "/guilds/" not in r.path]
    assert len(global_syncs) == 1  # only the first bot's
    result = await dc.alice.slash(dc.channel, "status")
    assert result.acknowledged


@pytest.mark.discord_settings(discord_shards=2)
async def test_discord_shards_runs_an_auto_sharded_client(dc: DiscordWorld) -> None:
    bot = dc.bot
    assert isinstance(bot, discord.AutoShardedClient) and bot.shard_count == 2
    other = dc.env.create_guild("Other", shard_id=1)
    channel = other.create_text_channel("lobby")
    carol = other.add_member(dc.env.create_user("carol"))

    first = await dc.alice.slash(dc.channel, "help")
    second = await carol.slash(channel, "help")

    assert answers(first)[0].startswith("👋") and answers(second)[0].startswith("👋")
    assert {g.shard_id for g in bot.guilds} == {0, 1}


def test_a_plain_client_unless_shards_are_asked_for(tmp_path: Path) -> None:
    bot = new_bot(Settings.model_validate({"data_dir": tmp_path}))
    assert not isinstance(bot, discord.AutoShardedClient)
    assert not bot.intents.message_content  # privileged: only when asked for
    assert bot.intents.guild_messages and bot.intents.dm_messages
    reading = new_bot(Settings.model_validate({"data_dir": tmp_path}), message_content=True)
    assert reading.intents.message_content


# --- videobot discord ----------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env from the work tree
    for name in ("DISCORD_BOT_TOKEN", "DISCORD_MESSAGE_CONTENT", "VIDEOBOT_MAX_UPLOAD_MB"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_main_without_a_token_says_what_is_missing(
    clean_env: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("videobot discord: DISCORD_BOT_TOKEN is not set")
    assert len(err.strip().splitlines()) == 1


def test_main_names_an_invalid_setting(clean_env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("DISCORD_BOT_TOKEN", "secret-token-value")
    clean_env.setenv("VIDEOBOT_MAX_UPLOAD_MB", "lots")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "VIDEOBOT_MAX_UPLOAD_MB" in err and "secret-token-value" not in err


def test_message_content_is_asked_for_by_flag_or_variable(clean_env: Any) -> None:
    settings = Settings.model_validate({})
    assert not wants_message_content(settings, False)
    assert wants_message_content(settings, True)
    clean_env.setenv("DISCORD_MESSAGE_CONTENT", "1")
    assert wants_message_content(Settings.model_validate({}), False)


# --- the one error mapping -----------------------------------------------------------------------


def http_error(status: int, code: int = 0, message: str = "") -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason="x", headers={})
    return discord.HTTPException(response, {"code": code, "message": message})


@pytest.mark.parametrize(
    ("exc", "op", "expected"),
    [
        (discord.RateLimited(3.5), "edit", RetryLater),
        (http_error(429), "send", RetryLater),
        (http_error(404, 10008, "Unknown Message"), "edit", MessageGone),
        (http_error(404, 10015, "Unknown Webhook"), "edit", MessageGone),
        (http_error(401, 50027, "Invalid Webhook Token"), "edit", MessageGone),
        (http_error(404, 10015, "Unknown Webhook"), "send", DeliveryError),
        (http_error(500), "edit", DeliveryError),
        (http_error(403, 50013, "Missing Permissions"), "send", DeliveryError),
        (discord.ClientException("closed"), "send", DeliveryError),
    ],
)
def test_discord_errors_become_the_conditions_the_streaming_layer_knows(
    exc: discord.DiscordException, op: Any, expected: type[DeliveryError]
) -> None:
    err = translate_error(exc, op)
    assert type(err) is expected
    if isinstance(err, RetryLater):
        assert err.seconds == (3.5 if isinstance(exc, discord.RateLimited) else 1.0)


def test_upload_limits_default_to_ten_mebibytes_without_an_interaction() -> None:
    limits = limits_for(1.2)
    assert limits.max_video_bytes == 10 * 1024 * 1024
    assert limits.max_text == 2000 and limits.edit_interval == 1.2


def test_main_reports_an_unreachable_discord_in_one_line_without_the_token(
    clean_env: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB"
    clean_env.setenv("DISCORD_BOT_TOKEN", token)
    clean_env.setenv("VIDEOBOT_DATA_DIR", str(tmp_path / "data"))
    # discord.py's API base pointed at a loopback port where nothing listens: a real refusal
    clean_env.setattr(discord.http.Route, "BASE", "http://127.0.0.1:9/api/v10")

    assert main([]) == 1

    err = capsys.readouterr().err  # log lines, then the one line for the operator
    assert err.strip().splitlines()[-1].startswith("videobot discord: stopped: ClientConnectorError")
    assert token not in err and "Traceback" not in err


def test_debug_logging_never_shows_discord_lines_that_carry_interaction_tokens() -> None:
    import logging

    from adapters.discord.run import TOKEN_LOGGERS, quiet_token_loggers

    quiet_token_loggers("DEBUG")
    for name in TOKEN_LOGGERS:
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG)
        assert logging.getLogger(f"{name}.async_").getEffectiveLevel() >= logging.INFO


def test_message_content_can_be_asked_for_in_the_dotenv_file(clean_env: Any, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_MESSAGE_CONTENT=true\n")
    assert wants_message_content(Settings.model_validate({}), False)

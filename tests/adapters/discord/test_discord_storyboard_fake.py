"""Discord in front of a backend without the storyboard route (the fake NemoVideo server, like the
cloud): an edit and /preview show no picture and no error."""

from __future__ import annotations

from typing import Any

from tests.fixtures_discord import IMAGES, DiscordWorld, answers


async def test_without_a_storyboard_route_no_attachment_and_no_error(
    dc: DiscordWorld, fake_nemo: Any
) -> None:
    made = await dc.alice.slash(dc.channel, "video", prompt="a teaser", image1=IMAGES[0])
    assert answers(made)[-1] == "Here is your draft: a teaser"
    asked = await dc.alice.slash(dc.channel, "preview")
    assert answers(asked)[-1].startswith("📊 ")  # the plan in words
    messages = [m for r in (made, asked) for m in [r.response, *r.followups] if m is not None]
    assert not any(m.attachments for m in messages)
    assert not any("⚠️" in m.content for m in messages)
    assert len(fake_nemo.requests_to("/api/storyboard/*")) == 1  # asked once: 404, not asked again

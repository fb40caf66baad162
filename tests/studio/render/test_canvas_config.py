"""The studio's state tells the editor the canvas the renderer will draw, for all five aspects."""

from __future__ import annotations

import pytest

from studio.api.state import canvas_config
from studio.render.framing.text_place import CANVASES


@pytest.mark.parametrize("aspect", ["9:16", "1:1", "16:9", "4:5", "3:4"])
def test_the_state_s_canvas_is_the_rendered_canvas(aspect: str) -> None:
    width, height = CANVASES[aspect]
    assert canvas_config({"m": {"aspect": aspect}}) == {
        "width": width,
        "height": height,
        "aspect": aspect,
        "fps": 30,
    }


def test_the_portrait_feed_canvases_have_their_own_sizes() -> None:
    assert canvas_config({"m": {"aspect": "4:5"}})["height"] == 1350
    assert canvas_config({"m": {"aspect": "3:4"}})["height"] == 1440
    assert canvas_config({"m": {"aspect": "7:3"}})["aspect"] == "16:9"  # unknown: the default

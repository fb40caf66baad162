"""Only links a stranger's browser can open are ever shown to platform users."""

import pytest

from common.urls import is_public_url, public_url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8700/files/render_1.mp4",
        "http://localhost:8700/files/a.mp4",
        "http://studio:8700/files/a.mp4",
        "http://10.0.0.5/files/a.mp4",
        "http://192.168.1.20/a.mp4",
        "http://[::1]:8700/a.mp4",
        "http://169.254.1.1/a.mp4",
        "http://studio.internal/a.mp4",
        "http://box.local/a.mp4",
        "file:///tmp/a.mp4",
        "unix:///tmp/s.sock",
        "",
        None,
    ],
)
def test_loopback_private_and_container_addresses_are_not_shown(url: str | None) -> None:
    assert not is_public_url(url)
    assert public_url(url) is None


@pytest.mark.parametrize(
    "url", ["https://videos.example.com/files/a.mp4", "http://8.8.8.8/a.mp4", "https://cdn.nemovideo.ai/x"]
)
def test_public_addresses_are_shown(url: str) -> None:
    assert public_url(url) == url

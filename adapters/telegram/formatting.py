"""Light Markdown (what the engine writes) → Telegram HTML.

The engine marks a final message `formatted` when it may carry light Markdown: ``**bold**``,
``*italic*`` / ``_italic_``, ``` `code` ```, fenced code blocks and ``[label](https://link)``.
Telegram's HTML mode is the forgiving one: only ``<``, ``>`` and ``&`` need escaping, so anything
that is not one of those constructs goes through as literal text. If Telegram still refuses the
entities, the Reply resends the text plain (see `adapters.telegram.reply`).
"""

from __future__ import annotations

import html
import re

_FENCE_RE = re.compile(r"```([A-Za-z0-9_+-]*)\n?(.*?)```", re.DOTALL)
_CODE_RE = re.compile(r"`([^`\n]+)`")
_LINK_RE = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_ITALIC_STAR_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC_UNDER_RE = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_SLOT = "\x00{}\x00"
_SLOT_RE = re.compile("\x00(\\d+)\x00")


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def markdown_to_html(text: str) -> str:
    """Telegram HTML for `text`; code spans and blocks are kept verbatim (escaped)."""
    slots: list[str] = []

    def keep(fragment: str) -> str:
        slots.append(fragment)
        return _SLOT.format(len(slots) - 1)

    def fence(m: re.Match[str]) -> str:
        lang, body = m.group(1), m.group(2)
        if lang:
            return keep(f'<pre><code class="language-{lang}">{_esc(body.rstrip())}</code></pre>')
        return keep(f"<pre>{_esc(body.rstrip())}</pre>")

    def link(m: re.Match[str]) -> str:
        label, url = m.group(1), m.group(2)
        return keep(f'<a href="{html.escape(url, quote=True)}">{_inline(label)}</a>')

    out = _FENCE_RE.sub(fence, text.replace("\x00", ""))
    out = _CODE_RE.sub(lambda m: keep(f"<code>{_esc(m.group(1))}</code>"), out)
    out = _LINK_RE.sub(link, out)
    out = _inline(out)
    while _SLOT_RE.search(out):
        out = _SLOT_RE.sub(lambda m: slots[int(m.group(1))], out)
    return out


def _inline(text: str) -> str:
    """Escape, then bold and italic (placeholders of code and links pass through untouched)."""
    out = _esc(text)
    out = _BOLD_RE.sub(r"<b>\1</b>", out)
    out = _ITALIC_STAR_RE.sub(r"<i>\1</i>", out)
    return _ITALIC_UNDER_RE.sub(r"<i>\1</i>", out)

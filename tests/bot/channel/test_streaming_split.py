"""split_text: long bot answers cut where a reader expects a break, never beyond the limit."""

from __future__ import annotations

import random
import re

import pytest

from bot.channel.streaming import split_text


def _words(text: str) -> list[str]:
    return re.sub(r"```\w*", " ", text).split()


def _letters(text: str) -> str:
    return re.sub(r"```\w*|\s", "", text)


def test_short_text_is_one_message_unchanged() -> None:
    assert split_text("Hello!\n\nHow are you?", 4096) == ["Hello!\n\nHow are you?"]


def test_blank_text_gives_no_messages() -> None:
    assert split_text("", 100) == []
    assert split_text(" \n\n ", 100) == []


def test_long_text_splits_at_paragraphs_first() -> None:
    paragraphs = [f"Paragraph {i}. " + "word " * 30 for i in range(6)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    chunks = split_text(text, 400)
    assert all(len(c) <= 400 for c in chunks)
    for chunk in chunks:
        assert chunk.startswith("Paragraph ")
        assert chunk.endswith("word")
    assert _words(" ".join(chunks)) == _words(text)


def test_lines_are_kept_whole_when_there_are_no_paragraphs() -> None:
    text = "\n".join(f"line {i} " + "x" * 40 for i in range(20))
    chunks = split_text(text, 200)
    assert all(len(c) <= 200 for c in chunks)
    lines = [line for c in chunks for line in c.split("\n")]
    assert lines == text.split("\n")


def test_sentences_are_kept_whole_in_one_long_paragraph() -> None:
    text = " ".join(f"This is sentence number {i} of the story." for i in range(40))
    chunks = split_text(text, 300)
    assert len(chunks) > 1
    assert all(len(c) <= 300 and c.endswith(".") for c in chunks)
    assert _words(" ".join(chunks)) == _words(text)


def test_chinese_sentences_split_after_the_full_stop() -> None:
    text = "".join(f"这是第{i}句话，内容很长很长很长很长。" for i in range(40))
    chunks = split_text(text, 100)
    assert all(len(c) <= 100 and c.endswith("。") for c in chunks)
    assert "".join(chunks) == text


def test_words_are_not_cut_when_a_sentence_is_too_long() -> None:
    text = " ".join(["averyveryverylongword"] * 60)
    chunks = split_text(text, 100)
    assert all(len(c) <= 100 for c in chunks)
    assert _words(" ".join(chunks)) == _words(text)


def test_a_single_huge_word_is_hard_cut_without_losing_characters() -> None:
    text = "a" * 250
    chunks = split_text(text, 100)
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert "".join(chunks) == text


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    text = "🎬" * 150  # 300 UTF-16 units
    chunks = split_text(text, 100)
    assert all(len(c.encode("utf-16-le")) // 2 <= 100 for c in chunks)
    assert "".join(chunks) == text


def test_a_code_fence_that_fits_is_never_split() -> None:
    code = "```python\n" + "\n".join(f"value_{i} = {i}" for i in range(15)) + "\n```"
    text = "Intro sentence. " * 12 + "\n\n" + code + "\n\nThe end."
    chunks = split_text(text, 300)
    holding = [c for c in chunks if "```" in c]
    assert len(holding) == 1
    assert code in holding[0]
    assert all(len(c) <= 300 for c in chunks)


def test_a_long_code_fence_is_closed_and_reopened_with_its_language() -> None:
    code = "```python\n" + "\n".join(f"value_{i} = {i}" for i in range(80)) + "\n```"
    text = "Here is the script:\n\n" + code + "\n\nRun it."
    chunks = split_text(text, 300)
    fenced = [c for c in chunks if "value_" in c]
    assert len(fenced) > 2
    for chunk in fenced:
        assert chunk.count("```") % 2 == 0  # every chunk's fences are balanced
        assert "```python\nvalue_" in chunk
    assert all(len(c) <= 300 for c in chunks)
    assert _words(" ".join(chunks)) == _words(text)


@pytest.mark.parametrize("limit", [64, 200, 2000, 4096])
def test_random_texts_respect_the_limit_and_keep_every_word(limit: int) -> None:
    rng = random.Random(limit)
    vocabulary = ["video", "视频", "title", "🎬", "music.", "fade!", "clip?", "```", "x" * 90, "\n", "\n\n"]
    for _ in range(30):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 1500)))
        chunks = split_text(text, limit)
        assert all(len(c.encode("utf-16-le")) // 2 <= limit for c in chunks)
        assert _letters("\n".join(chunks)) == _letters(text)  # fences added, nothing else
        if limit >= 200:  # no word is longer than a chunk: none may be cut
            assert _words(" ".join(chunks)) == _words(text)

"""The corpus's pass rates go into pytest's terminal summary (see test_corpus.py)."""

from __future__ import annotations

import pytest

from tests.studio.director.test_corpus import RESULTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    terminalreporter.section("director corpus")
    for lang in sorted(RESULTS):
        passed, total = RESULTS[lang]
        terminalreporter.write_line(
            f"director corpus {lang}: {passed}/{total} = {100 * passed / total:.1f} %"
        )

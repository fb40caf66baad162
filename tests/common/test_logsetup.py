import io
import json
import logging

from common.logs import configure_logging, new_request_id


def test_log_lines_never_carry_tokens_and_follow_the_request_id() -> None:
    buf = io.StringIO()
    configure_logging("INFO", json_lines=True, stream=buf)
    rid = new_request_id()
    token = "nmv_usr_" + "a1B2" * 10
    tg = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    logging.getLogger("videobot.test").info("calling with %s and bot %s", token, tg)
    line = json.loads(buf.getvalue().strip().splitlines()[-1])
    assert token not in line["msg"] and tg not in line["msg"]
    assert "nmv_usr_***" in line["msg"]
    assert line["request_id"] == rid

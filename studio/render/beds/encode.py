"""AAC encoding with a true-peak check (ffmpeg via subprocess; the caller passes the binary).

ffmpeg's native AAC encoder adds some overshoot (typically +0.1..0.6 dB of true peak at 160 kb/s)
and, on rare content, short glitches several dB over the input (seen with its perceptual noise
substitution and temporal noise shaping tools; see REPORT.md). `encode_aac` therefore turns both
tools off, decodes the result, measures its true peak and, if it is over the ceiling, masters
again with the ceiling lowered by the excess and re-encodes (at most `retries` times).
The renderer can mux the returned .m4a with `-c:a copy`.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .loudness import integrated_lufs, master, true_peak_dbtp
from .wav import write_wav

log = logging.getLogger(__name__)

AAC_ARGS = ("-c:a", "aac", "-aac_tns", "0", "-aac_pns", "0")


@dataclass(frozen=True)
class Encoded:
    path: Path
    lufs: float  # integrated loudness of the decoded file
    true_peak_dbtp: float  # true peak of the decoded file
    attempts: int


def _decode(ffmpeg: str, path: Path, sample_rate: int) -> npt.NDArray[np.float32]:
    raw = subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-i", str(path), "-f", "f32le", "-ac", "2",
                          "-ar", str(sample_rate), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4").reshape(-1, 2).copy()


def encode_aac(samples: npt.ArrayLike, out_path: str | Path, ffmpeg: str, *, sample_rate: int = 48000,
               bitrate: str = "160k", target_lufs: float = -14.0, ceiling_dbtp: float = -1.0,
               codec_margin_db: float = 1.0, retries: int = 2, remaster: bool = False) -> Encoded:
    """Encode (n, 2) float `samples` to AAC in an .m4a at `out_path`, keeping the decoded true peak
    under `ceiling_dbtp` (0.1 dB safety). With `remaster` the samples are mastered first;
    otherwise they are taken as already mastered (e.g. by `master`)."""
    out = Path(out_path)
    x = np.asarray(samples, dtype=np.float32)
    if remaster:
        x = master(x, target_lufs, ceiling_dbtp, sample_rate=sample_rate, codec_margin_db=codec_margin_db)
    margin = codec_margin_db
    attempts = 0
    with tempfile.TemporaryDirectory() as tmp:
        while True:
            attempts += 1
            wav = write_wav(Path(tmp) / "mix.wav", x, sample_rate)
            subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav), *AAC_ARGS,
                            "-b:a", bitrate, "-ar", str(sample_rate), "-ac", "2", "-movflags", "+faststart",
                            str(out)], check=True)
            decoded = _decode(ffmpeg, out, sample_rate)
            peak = true_peak_dbtp(decoded)
            if peak <= ceiling_dbtp - 0.1 or attempts > retries:
                break
            margin += peak - (ceiling_dbtp - 0.1) + 0.2
            log.info("AAC true peak %.2f dBTP over %.1f: mastering again with a %.2f dB margin",
                     peak, ceiling_dbtp, margin)
            x = master(x, target_lufs, ceiling_dbtp, sample_rate=sample_rate, codec_margin_db=margin)
    lufs = integrated_lufs(decoded, sample_rate)
    if peak > ceiling_dbtp:
        log.warning("AAC true peak %.2f dBTP still over %.1f after %d attempts", peak, ceiling_dbtp, attempts)
    return Encoded(out, lufs, peak, attempts)

"""The frames of a plan, made one at a time as Y/Cb/Cr 4:2:0 planes for the encoder's pipe.

Per frame: the current shot's scene (a photo layout with every cell's camera move at its eased
progress, a clip's decoded frame, a designed animated card, the end card), the transition into the
next shot when one is running (both scenes, combined), then every text cue on screen at its
animation state, and the logo. Photos are decoded and converted once, at the resolution their
tightest crop needs (with a half-size copy for wide crops, so they never alias); every per-frame
step is an OpenCV call on uint8 planes (a 1080p full-bleed move costs ~4 ms on one core).
"""

from __future__ import annotations

import bisect
import ctypes
import logging
import math
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

from common.ffmpeg import ffmpeg_exe
from studio.render import yuv
from studio.render.ffmpeg import CHILD_OPTIONS
from studio.render.framing.easing import ease
from studio.render.framing.geometry import Rect
from studio.render.text import Block, Drawn, Look, composite, draw_block, layout_text
from studio.render.timeline import (
    FPS,
    CardScene,
    ClipScene,
    Cue,
    EndCard,
    EndScene,
    PanelFill,
    PhotoScene,
    Plan,
    Scene,
    Shot,
    text_px,
)
from studio.render.yuv import Planes, Sprite

log = logging.getLogger(__name__)
cv2.setNumThreads(1)  # frames are made by one thread next to ffmpeg's encoder threads: no pool

MAX_DECODE = 4096  # longest side a photo is decoded to
WHITE, BLACK = (255, 255, 255), (0, 0, 0)


def _trim() -> None:
    """Hand freed heap back to the system (glibc), so the worker's RSS tracks what it uses."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class PhotoError(Exception):
    """A photo could not be decoded (message is user-readable)."""


def load_photo(path: Path, name: str, need: tuple[int, int] | None = None) -> Image.Image:
    """Decode a photo as RGB, upright; with `need` (w, h), decoded no larger than needed to cover it."""
    try:
        with Image.open(path) as img:
            if need is not None and img.format == "JPEG":
                orientation = img.getexif().get(274, 1)
                w, h = img.size
                if orientation in (5, 6, 7, 8):
                    w, h = h, w
                f = min(1.0, max(need[0] / w, need[1] / h))
                img.draft("RGB", (math.ceil(img.size[0] * f), math.ceil(img.size[1] * f)))
            img.load()
            upright = ImageOps.exif_transpose(img)
            if upright.mode != "RGB":
                rgba = upright.convert("RGBA")
                upright = Image.new("RGB", rgba.size, (0, 0, 0))
                upright.paste(rgba, mask=rgba.getchannel("A"))
            return upright.copy()
    except FileNotFoundError as exc:
        raise PhotoError(f"photo {name} is missing") from exc
    except (Exception, Image.DecompressionBombError) as exc:
        log.info("photo %s: %s: %s", name, type(exc).__name__, exc)
        raise PhotoError(f"photo {name} could not be decoded") from exc


@dataclass
class _Pyramid:
    """A photo as planes at decode scale `k` (decoded px per source px), and at half that."""

    full: Planes
    half: Planes | None
    k: float


def _even(v: float) -> int:
    return max(2, round(v / 2) * 2)


def _warp(src: np.ndarray, crop: tuple[float, float, float, float], dst: np.ndarray) -> None:
    """The `crop` window of `src` (fractional pixels) resampled into all of `dst`, bilinear."""
    x0, y0, x1, y1 = crop
    h, w = dst.shape
    sx, sy = (x1 - x0) / w, (y1 - y0) / h
    m = np.array([[sx, 0.0, x0 + sx / 2 - 0.5], [0.0, sy, y0 + sy / 2 - 0.5]])
    cv2.warpAffine(
        src,
        m,
        (w, h),
        dst=dst,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def _resize(src: np.ndarray, crop: tuple[float, float, float, float], dst: np.ndarray) -> None:
    """`_warp` for chroma, about four times cheaper: the window rounded to whole source pixels and
    resized. The rounding moves the picture by at most half a chroma sample (a quarter of the
    4:2:0 chroma resolution the eye hardly resolves); the luma, where a half-pixel step would
    show as judder in slow moves, keeps the exact warp."""
    x0, y0, x1, y1 = crop
    h, w = src.shape
    ix0, iy0 = max(0, round(x0)), max(0, round(y0))
    ix1, iy1 = min(w, round(x1)), min(h, round(y1))
    if ix1 - ix0 < 2 or iy1 - iy0 < 2 or x0 < -0.5 or y0 < -0.5 or x1 > w + 0.5 or y1 > h + 0.5:
        _warp(src, crop, dst)
        return
    cv2.resize(src[iy0:iy1, ix0:ix1], (dst.shape[1], dst.shape[0]), dst=dst, interpolation=cv2.INTER_LINEAR)


def _region(frame: Planes, rect: tuple[int, int, int, int]) -> Planes:
    x0, y0, x1, y1 = rect
    return (
        frame[0][y0:y1, x0:x1],
        frame[1][y0 // 2 : y1 // 2, x0 // 2 : x1 // 2],
        frame[2][y0 // 2 : y1 // 2, x0 // 2 : x1 // 2],
    )


def even_rect(r: Rect, w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0 = max(0, round(r.x0 / 2) * 2), max(0, round(r.y0 / 2) * 2)
    x1, y1 = min(w, round(r.x1 / 2) * 2), min(h, round(r.y1 / 2) * 2)
    return x0, y0, max(x0 + 2, x1), max(y0 + 2, y1)


class _ClipReader:
    """Frames of one clip, decoded by its own ffmpeg at the cell's size from a trim point; the last
    frame is held when the clip ends. Registered with the compositor so a cancel can kill it."""

    def __init__(
        self,
        path: Path,
        trim: float,
        crop: Rect,
        size: tuple[int, int],
        register: Callable[[subprocess.Popen[bytes]], None],
    ) -> None:
        w, h = size
        cw, ch = max(2, int(crop.w) // 2 * 2), max(2, int(crop.h) // 2 * 2)
        vf = (
            f"fps={FPS},crop={cw}:{ch}:{int(crop.x0)}:{int(crop.y0)},scale={w}:{h}:flags=bilinear"
            ":out_color_matrix=bt709:out_range=tv,format=yuv420p"
        )
        cmd = [
            ffmpeg_exe(),
            "-v",
            "error",
            "-nostdin",
            "-ss",
            f"{max(0.0, trim):.3f}",
            "-i",
            str(path),
            "-an",
            "-vf",
            vf,
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
            "pipe:1",
        ]
        self.size = size
        self.proc: subprocess.Popen[bytes] = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **CHILD_OPTIONS
        )
        register(self.proc)
        self.frame_bytes = w * h * 3 // 2
        self.last: Planes | None = None
        self.read = 0
        self.recent: dict[int, Planes] = {}  # the last few frames: two frame threads ask out of order
        self.lock = threading.Lock()

    def frame(self, index: int) -> Planes:
        with self.lock:
            return self._frame(index)

    def _frame(self, index: int) -> Planes:
        w, h = self.size
        if index in self.recent:
            return self.recent[index]
        while self.read <= index:
            data = self.proc.stdout.read(self.frame_bytes) if self.proc.stdout else b""
            if len(data) < self.frame_bytes:
                break
            buf = np.frombuffer(data, np.uint8)
            self.last = (
                buf[: w * h].reshape(h, w),
                buf[w * h : w * h * 5 // 4].reshape(h // 2, w // 2),
                buf[w * h * 5 // 4 :].reshape(h // 2, w // 2),
            )
            self.recent[self.read] = self.last
            self.recent.pop(self.read - 4, None)
            self.read += 1
        if self.last is None:
            self.last = yuv.solid(BLACK, w, h)
        return self.recent.get(index, self.last)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


class Compositor:
    """Makes the frames of `plan`. `frames()` yields each frame's planes (valid until the next)."""

    def __init__(
        self, plan: Plan, logo: Path | None = None, *, scale: float = 1.0, glyphs: bool = True
    ) -> None:
        """`glyphs=False` draws every text's backing (plate, box, shadow) without its letters: the
        backdrop the letters are read against, for measuring their contrast."""
        self.plan = plan
        self.w, self.h = plan.width, plan.height
        self.scale = scale
        self.glyphs = glyphs
        self._pyramids: dict[str, _Pyramid] = {}
        self._panels: dict[
            tuple[int, int, int, int, tuple[int, int, int], tuple[int, int, int] | None, bool], Planes
        ] = {}
        self._cards: dict[tuple[tuple[int, int, int], tuple[int, int, int], int], Planes] = {}
        self._lights: dict[int, Sprite] = {}
        self._clips: dict[tuple[str, float], _ClipReader] = {}
        self._procs: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()
        self._build = threading.RLock()  # caches are filled by one frame thread at a time
        self._cue_cache: dict[str, tuple[Drawn, np.ndarray, Sprite]] = {}
        self._end: list[tuple[Sprite, int, int, int]] | None = None  # sprite, x, y, delay frames
        self._logo: Sprite | None = None
        self._logo_xy = (0, 0)
        self._own: Planes | None = None  # the frame buffer of callers that bring none (made when asked)
        self._need = self._photo_needs()
        if plan.logo is not None:
            self._logo, self._logo_xy = self._logo_sprite(plan.logo.path, plan.logo.rect)

    def _scratch(self) -> tuple[Planes, Planes]:
        """Two frames for the two pictures of a transition: made for the call and dropped after it
        (large numpy buffers are mapped and unmapped whole, so nothing stays resident between)."""
        return yuv.new_frame(self.w, self.h), yuv.new_frame(self.w, self.h)

    # --- processes (clip decoders) --------------------------------------------------------
    def _register(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.append(proc)

    def kill(self) -> None:
        """Stop every decoder this compositor started (a cancelled render)."""
        with self._lock:
            procs = list(self._procs)
        for p in procs:
            if p.poll() is None:
                p.kill()

    def close(self) -> None:
        for reader in self._clips.values():
            reader.close()
        self._clips.clear()
        self.kill()
        with self._lock:
            for p in self._procs:
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            self._procs.clear()

    # --- photos ---------------------------------------------------------------------------
    def _photo_needs(self) -> dict[str, float]:
        """For every photo, the decode scale its tightest crop needs (decoded px per source px)."""
        need: dict[str, float] = {}
        for shot in self.plan.shots:
            if isinstance(shot.scene, PhotoScene):
                for c in shot.scene.cells:
                    tight = min(c.move.start.w, c.move.end.w, c.move.at(0.5).w)
                    need[c.photo] = max(need.get(c.photo, 0.0), c.rect.w * self.scale / max(tight, 1.0))
        return need

    def _pyramid(self, ref: str) -> _Pyramid:
        pyr = self._pyramids.get(ref)
        if pyr is not None:
            return pyr
        with self._build:
            if ref in self._pyramids:
                return self._pyramids[ref]
            return self._make_pyramid(ref)

    def _make_pyramid(self, ref: str) -> _Pyramid:
        photo = self.plan.photos[ref]
        k = min(1.0, self._need.get(ref, 1.0) * 1.05, MAX_DECODE / max(photo.width, photo.height))
        want = (max(2, round(photo.width * k)), max(2, round(photo.height * k)))
        img = load_photo(photo.path, photo.name, want)
        if img.size != want:
            img = img.resize(want, Image.Resampling.LANCZOS)
        w, h = _even(want[0]), _even(want[1])
        if (w, h) != img.size:
            img = img.resize((w, h), Image.Resampling.BILINEAR)
        rgb = np.asarray(img)
        full = yuv.to_planes(rgb)
        half = None
        if w >= 256 and h >= 256:
            half = yuv.to_planes(
                cv2.resize(rgb, (w // 2 // 2 * 2, h // 2 // 2 * 2), interpolation=cv2.INTER_AREA)
            )
        pyr = _Pyramid(full, half, w / photo.width)
        self._pyramids[ref] = pyr
        return pyr

    def release_photos(self, keep: set[str]) -> None:
        for ref in list(self._pyramids):
            if ref not in keep:
                del self._pyramids[ref]

    def _photo(self, scene: PhotoScene, p: float, out: Planes) -> None:
        covered = sum(c.rect.area for c in scene.cells) >= self.w * self.h * 0.999
        if scene.panels or not covered:  # a full-bleed cell paints every pixel itself
            self._fill_background(scene.background, scene.panels, out)
        for cell in scene.cells:
            rect = even_rect(cell.rect.scaled(self.scale), self.w, self.h)
            dst = _region(out, rect)
            pyr = self._pyramid(cell.photo)
            crop = cell.move.at(p)
            k = pyr.k
            planes = pyr.full
            if pyr.half is not None and crop.w * k / max(1, rect[2] - rect[0]) > 1.7:
                planes = pyr.half
                k = k * planes[0].shape[1] / pyr.full[0].shape[1]
            c = (crop.x0 * k, crop.y0 * k, crop.x1 * k, crop.y1 * k)
            _warp(planes[0], c, dst[0])
            half = (c[0] / 2, c[1] / 2, c[2] / 2, c[3] / 2)
            _resize(planes[1], half, dst[1])
            _resize(planes[2], half, dst[2])

    def _fill_background(
        self, colour: tuple[int, int, int], panels: tuple[PanelFill, ...], out: Planes
    ) -> None:
        if panels or colour:
            value = yuv.yuv_of(colour)
            for plane, v in zip(out, value, strict=True):
                plane.fill(v)
        for p in panels:
            rect = even_rect(p.rect.scaled(self.scale), self.w, self.h)
            key = (*rect, p.color, p.gradient_to, p.vertical)
            planes = self._panels.get(key)
            if planes is None:
                with self._build:
                    planes = self._panels.get(key)
                    if planes is None:
                        x0, y0, x1, y1 = rect
                        planes = yuv.gradient(
                            p.color, p.gradient_to or p.color, x1 - x0, y1 - y0, vertical=p.vertical
                        )
                        self._panels[key] = planes
            yuv.copy_into(_region(out, rect), planes)

    # --- clips ----------------------------------------------------------------------------
    def _clip(self, shot: Shot, scene: ClipScene, local: int, out: Planes) -> None:
        rect = even_rect(scene.rect.scaled(self.scale), self.w, self.h)
        size = (rect[2] - rect[0], rect[3] - rect[1])
        # one decoder per run of shots of the same clip segment (their trims continue each other)
        base = scene.trim_in - (shot.start - self._segment_start(shot)) / FPS
        key = (scene.clip, round(base, 3))
        with self._build:
            reader = self._open_clip(scene, key, base, size)
        index = max(0, shot.start - self._segment_start(shot) + local)
        frame = reader.frame(index)
        self._paint_clip(scene, rect, frame, out)

    def _open_clip(
        self, scene: ClipScene, key: tuple[str, float], base: float, size: tuple[int, int]
    ) -> _ClipReader:
        reader = self._clips.get(key)
        if reader is None:
            for old in [k for k in self._clips if len(self._clips) > 2 and k != key][:1]:
                self._clips.pop(old).close()
            clip = self.plan.clips[scene.clip]
            reader = _ClipReader(clip.path, base, scene.crop, size, self._register)
            self._clips[key] = reader
        return reader

    def _paint_clip(
        self, scene: ClipScene, rect: tuple[int, int, int, int], frame: Planes, out: Planes
    ) -> None:
        self._fill_background(scene.background, scene.panels, out)
        dst = _region(out, rect)
        if scene.zoom > 1.001:
            fx, fy = scene.focus
            for src, d in zip(frame, dst, strict=True):
                h, w = src.shape
                cw, ch = w / scene.zoom, h / scene.zoom
                x0 = min(max(0.0, fx * w - cw / 2), w - cw)
                y0 = min(max(0.0, fy * h - ch / 2), h - ch)
                _warp(src, (x0, y0, x0 + cw, y0 + ch), d)
        else:
            for src, d in zip(frame, dst, strict=True):
                np.copyto(d, src)

    def _segment_start(self, shot: Shot) -> int:
        first = shot
        for s in self.plan.shots:
            if s.segment == shot.segment:
                first = s
                break
        return first.start

    # --- cards ----------------------------------------------------------------------------
    def _card_planes(self, a: tuple[int, int, int], b: tuple[int, int, int], seed: int) -> Planes:
        key = (a, b, seed)
        planes = self._cards.get(key)
        if planes is not None:
            return planes
        with self._build:
            if key in self._cards:
                return self._cards[key]
            return self._make_card(a, b, seed, key)

    def _make_card(
        self,
        a: tuple[int, int, int],
        b: tuple[int, int, int],
        seed: int,
        key: tuple[tuple[int, int, int], tuple[int, int, int], int],
    ) -> Planes:
        cw, ch = _even(self.w * 1.3), _even(self.h * 1.3)
        sw, sh = max(8, cw // 4), max(8, ch // 4)
        rng = np.random.default_rng(seed + 11)
        angle = float(rng.uniform(0.3, 1.2))
        ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
        d = (xs / sw - 0.5) * math.cos(angle) + (ys / sh - 0.5) * math.sin(angle)
        t = np.clip(d + 0.5, 0, 1)[..., None]
        ca, cb = np.array(a, np.float32), np.array(b, np.float32)
        img = ca + (cb - ca) * t
        # soft shapes: big light and dark discs, and a ring
        for n in range(5):
            cx, cy = rng.uniform(0.1, 0.9) * sw, rng.uniform(0.1, 0.9) * sh
            r = rng.uniform(0.18, 0.42) * min(sw, sh)
            dist = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) / r
            soft = np.clip(1.0 - dist, 0, 1) ** 2
            tone = 255.0 if n % 2 == 0 else 0.0
            img += (tone - img) * (soft[..., None] * (0.22 if n % 2 == 0 else 0.18))
        cx, cy, r = rng.uniform(0.25, 0.75) * sw, rng.uniform(0.25, 0.75) * sh, 0.35 * min(sw, sh)
        ring = np.abs(np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) - r) < max(1.0, 0.012 * min(sw, sh))
        img[ring] = img[ring] * 0.75 + 255 * 0.25
        small = np.clip(img, 0, 255).astype(np.uint8)
        small = cv2.GaussianBlur(small, (0, 0), 0.8)
        big = cv2.resize(small, (cw, ch), interpolation=cv2.INTER_CUBIC)
        # a fine grain keeps large flat areas from banding (saturating uint8 adds: no big temporaries)
        grain = np.random.default_rng(seed).integers(0, 7, big.shape[:2], dtype=np.uint8)
        for c in range(3):
            channel = np.ascontiguousarray(big[..., c])
            big[..., c] = cv2.subtract(cv2.add(channel, grain), np.full_like(grain, 3))
        del grain
        planes = yuv.to_planes(big)
        self._cards[key] = planes
        return planes

    def _light(self, size: int) -> Sprite:
        s = self._lights.get(size)
        if s is None:
            with self._build:
                return self._make_light(size)
        return s

    def _make_light(self, size: int) -> Sprite:
        s = self._lights.get(size)
        if s is None:
            ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
            d = np.sqrt((xs - size / 2) ** 2 + (ys - size / 2) ** 2) / (size / 2)
            a = (np.clip(1 - d, 0, 1) ** 2.2 * 102).astype(np.uint8)
            rgba = np.zeros((size, size, 4), np.uint8)
            rgba[..., :3] = 255
            rgba[..., 3] = a
            s = yuv.sprite(rgba)
            self._lights[size] = s
        return s

    def _card(
        self, colors: tuple[tuple[int, int, int], tuple[int, int, int]], seed: int, f: int, out: Planes
    ) -> None:
        planes = self._card_planes(colors[0], colors[1], seed)
        ch, cw = planes[0].shape
        t = f / FPS
        zoom = 1.0 + 0.06 * math.sin(t * 0.5 + seed)
        vw, vh = cw / 1.3 / zoom, ch / 1.3 / zoom
        x0 = (cw - vw) / 2 + math.sin(t * 0.37 + seed) * (cw - vw) * 0.4
        y0 = (ch - vh) / 2 + math.cos(t * 0.29 + seed * 2) * (ch - vh) * 0.4
        _warp(planes[0], (x0, y0, x0 + vw, y0 + vh), out[0])
        half = (x0 / 2, y0 / 2, (x0 + vw) / 2, (y0 + vh) / 2)
        _warp(planes[1], half, out[1])
        _warp(planes[2], half, out[2])
        light = self._light(_even(min(self.w, self.h) * 0.55))
        for k in range(2):
            px = (0.5 + 0.42 * math.sin(t * (0.6 + 0.2 * k) + seed + k * 2.1)) * self.w - light.w / 2
            py = (0.5 + 0.38 * math.cos(t * (0.45 + 0.15 * k) + seed * 1.7 + k)) * self.h - light.h / 2
            yuv.blend(out, light, int(px), int(py))

    # --- end card -------------------------------------------------------------------------
    def _end_sprites(self, card: EndCard) -> list[tuple[Sprite, int, int, int]]:
        if self._end is not None:
            return self._end
        with self._build:
            if self._end is not None:
                return self._end
            return self._make_end(card)

    def _make_end(self, card: EndCard) -> list[tuple[Sprite, int, int, int]]:
        style = self.plan.style
        w, h = self.w, self.h
        from studio.render.framing.text_place import safe_zone

        zone = Rect.of(safe_zone((self.plan.width, self.plan.height))).scaled(w, h)
        short = min(w, h)
        bg_ink = style.card_ink if style.end_background != "accent" else style.ink_on_accent
        items: list[tuple[np.ndarray, int]] = []  # rgba, delay
        if card.logo is not None:
            try:
                with Image.open(card.logo) as img:
                    logo = img.convert("RGBA")
                lw = round(short * 0.26)
                lh = round(logo.height * lw / max(1, logo.width))
                if lh > short * 0.2:
                    lh = round(short * 0.2)
                    lw = round(logo.width * lh / max(1, logo.height))
                items.append((np.asarray(logo.resize((max(2, lw), max(2, lh)), Image.Resampling.LANCZOS)), 0))
            except Exception:
                log.info("end card: the logo could not be read")
        max_w = zone.w * 0.9
        if card.brand:
            look = Look(
                family=style.headline_font,
                headline=True,
                size=round(text_px(self.plan.width, self.plan.height, style, "title")[0] * 1.15 * self.scale),
                color=bg_ink,
                backing="none",
                upper=style.upper_headline,
                tracking=style.tracking,
                max_lines=2,
            )
            items.append((composite(draw_block(layout_text(card.brand, look, max_w))), 3))
        if card.cta:
            ink = style.ink_on_accent if style.end_background != "accent" else style.accent
            box = style.accent if style.end_background != "accent" else bg_ink
            look = Look(
                family=style.body_font,
                headline=True,
                size=round(text_px(self.plan.width, self.plan.height, style, "cta")[0] * self.scale),
                color=ink,
                backing="box",
                box_color=box,
                box_alpha=255,
                max_lines=2,
            )
            items.append((composite(draw_block(layout_text(card.cta, look, max_w))), 7))
        if card.handle:
            look = Look(
                family=style.body_font,
                headline=False,
                size=round(text_px(self.plan.width, self.plan.height, style, "caption")[0] * self.scale),
                color=bg_ink,
                backing="none",
                max_lines=1,
            )
            items.append((composite(draw_block(layout_text(card.handle, look, max_w))), 10))
        gap = round(short * 0.025)
        total = sum(rgba.shape[0] for rgba, _ in items) + gap * max(0, len(items) - 1)
        y = round(zone.cy - total / 2)
        out: list[tuple[Sprite, int, int, int]] = []
        for rgba, delay in items:
            s = yuv.sprite(rgba)
            out.append((s, round(zone.cx - rgba.shape[1] / 2), y, delay))
            y += rgba.shape[0] + gap
        self._end = out
        return out

    def _endcard(self, scene: EndScene, local: int, out: Planes) -> None:
        card = self.plan.end_card
        colors = scene.colors
        if scene.background == "accent":
            a = colors[0]
            colors = (a, tuple(max(0, round(c * 0.7)) for c in a))  # type: ignore[assignment]
        self._card(colors, 97, local, out)
        if card is None:
            return
        for s, x, y, delay in self._end_sprites(card):
            k = local - delay
            if k < 0:
                continue
            p = min(1.0, k / 9)
            if p >= 1.0:
                yuv.blend(out, s, x, y)
                continue
            dy = round((1 - ease("ease-out-cubic", p)) * min(self.w, self.h) * 0.03)
            yuv.blend(out, s, x, y + dy, ease("ease-out-cubic", p))

    # --- scenes ---------------------------------------------------------------------------
    def _scene(self, shot: Shot, f: int, out: Planes) -> None:
        local = f - shot.start
        p = min(1.0, max(0.0, local / max(1, shot.frames - 1)))
        scene: Scene = shot.scene
        if isinstance(scene, PhotoScene):
            self._photo(scene, p, out)
        elif isinstance(scene, ClipScene):
            self._clip(shot, scene, max(0, min(local, shot.frames - 1)), out)
        elif isinstance(scene, CardScene):
            self._card(scene.colors, scene.seed, f, out)
        else:
            self._endcard(scene, max(0, local), out)

    # --- transitions ----------------------------------------------------------------------
    def _transition(self, kind: str, a: Shot, b: Shot, f: int, out: Planes) -> None:
        n = b.transition.frames
        c = b.start
        first = c - n // 2
        p = (f - first + 0.5) / n  # 0..1 across the transition
        bufa, bufb = self._scratch()
        if kind in ("dissolve", "slide", "wipe"):
            self._scene(a, f, bufa)
            self._scene(b, f, bufb)
            if kind == "dissolve":
                yuv.mix(bufa, bufb, ease("ease-in-out-sine", p), out)
            else:
                e = ease("ease-in-out-cubic", p)
                cols = round(e * self.w / 4) * 2  # even luma columns
                for k, (pa, pb, po) in enumerate(zip(bufa, bufb, out, strict=True)):
                    s = cols if k == 0 else cols // 2
                    width = pa.shape[1]
                    if kind == "slide":
                        po[:, : width - s] = pa[:, s:]
                        po[:, width - s :] = pb[:, :s]
                    else:
                        po[:, : width - s] = pa[:, : width - s]
                        po[:, width - s :] = pb[:, width - s :]
            return
        before = f < c
        shot = a if before else b
        self._scene(shot, f, out)
        half = max(1, n // 2)
        q = (c - f) / half if before else (f - c + 1) / half  # 1 at the edges of the window → 0 at the cut
        q = min(1.0, max(0.0, q))
        strength = 1.0 - q  # 0 far from the cut, 1 at it
        if kind == "flash":
            yuv.toward(out, WHITE, 0.35 * strength if before else 0.9 * ease("ease-in-cubic", strength))
        elif kind == "dip":
            yuv.toward(out, BLACK, 0.85 * ease("ease-in-out-sine", strength))
        elif kind == "whip":
            e = ease("ease-in-cubic", strength)
            shift = (-1 if before else 1) * e * self.w * 0.18
            blur = 1 + int(e * self.w * 0.06) // 2 * 2
            self._shift_blur(out, shift, blur)
        elif kind == "zoom":
            e = ease("ease-in-cubic", strength)
            self._zoom(out, 1.0 + 0.35 * e, blur=1 + int(e * 12) // 2 * 2)

    def _shift_blur(self, frame: Planes, shift: float, blur: int) -> None:
        for k, plane in enumerate(frame):
            s = shift if k == 0 else shift / 2
            h, w = plane.shape
            m = np.array([[1.0, 0.0, -s], [0.0, 1.0, 0.0]])
            moved = cv2.warpAffine(
                plane, m, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT
            )
            kb = blur if k == 0 else max(1, blur // 2)
            if kb > 1:
                moved = cv2.blur(moved, (kb, 1))
            np.copyto(plane, moved)

    def _zoom(self, frame: Planes, z: float, blur: int) -> None:
        for k, plane in enumerate(frame):
            h, w = plane.shape
            cw, ch = w / z, h / z
            src = plane.copy()
            _warp(src, ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2), plane)
            kb = blur if k == 0 else max(1, blur // 2)
            if kb > 1:
                np.copyto(plane, cv2.blur(plane, (kb, kb)))

    # --- text -----------------------------------------------------------------------------
    def _cue_static(self, cue: Cue) -> tuple[Drawn, np.ndarray, Sprite]:
        got = self._cue_cache.get(cue.id)
        if got is not None:
            return got
        with self._build:
            return self._make_cue(cue)

    def _make_cue(self, cue: Cue) -> tuple[Drawn, np.ndarray, Sprite]:
        got = self._cue_cache.get(cue.id)
        if got is None:
            drawn = draw_block(self._scaled_block(cue.block))
            rgba = composite(drawn) if self.glyphs else drawn.backing.copy()
            got = (drawn, rgba, yuv.sprite(rgba))
            self._cue_cache[cue.id] = got
        return got

    def _slim(self, cue: Cue) -> None:
        """Keep only the finished sprite of a cue whose animation is over (its glyph, backing and
        RGBA layers are three times the sprite's memory, and only animations read them)."""
        got = self._cue_cache.get(cue.id)
        if got is None:
            return
        drawn, _rgba, static = got
        empty = np.zeros((0, 0, 4), np.uint8)
        light = Drawn(empty, empty, drawn.words, drawn.lines, drawn.chars, drawn.pad)
        self._cue_cache[cue.id] = (light, empty, static)

    def _scaled_block(self, block: Block) -> Block:
        if self.scale == 1.0:
            return block
        look = block.look
        return layout_text(
            block.text.replace("\n", " "),
            Look(**{**look.__dict__, "size": max(8, round(look.size * self.scale))}),
            block.width * self.scale * 1.05 + 4,
        )

    def _draw_cue(self, cue: Cue, f: int, out: Planes, cuts: set[int]) -> None:
        drawn, rgba, static = self._cue_static(cue)
        pad = drawn.pad
        x, y = round(cue.x * self.scale) - pad, round(cue.y * self.scale) - pad
        k = f - cue.start
        remaining = cue.end - f
        opacity = 1.0
        if remaining <= 5 and cue.end not in cuts and cue.end < self.plan.frames:
            opacity = remaining / 6
        anim = cue.anim
        n_in = 9
        if anim == "none" or k >= self._anim_frames(cue, drawn):
            yuv.blend(out, static, x, y, opacity)
            if drawn.glyphs.size and k >= self._anim_frames(cue, drawn) + 4:
                self._slim(cue)
            return
        if anim == "fade":
            yuv.blend(out, static, x, y, opacity * ease("ease-out-cubic", min(1.0, (k + 1) / n_in)))
        elif anim == "slide":
            e = ease("ease-out-cubic", min(1.0, (k + 1) / n_in))
            dy = round((1 - e) * min(self.w, self.h) * 0.045)
            yuv.blend(out, static, x, y + dy, opacity * e)
        elif anim == "pop":
            e = min(1.0, (k + 1) / 10)
            s = 0.6 + 0.4 * ease("ease-out-back", e)
            self._blend_scaled(out, rgba, x, y, s, opacity * min(1.0, e * 2))
        elif anim == "typewriter":
            self._typewriter(cue, drawn, k, out, x, y, opacity)
        elif anim == "words":
            self._words(cue, drawn, k, out, x, y, opacity)
        else:
            yuv.blend(out, static, x, y, opacity)

    def _anim_frames(self, cue: Cue, drawn: Drawn) -> int:
        if cue.anim == "typewriter":
            return self._type_frames(cue, drawn) + 1
        if cue.anim == "words":
            return self._word_step(cue) * len(drawn.words) + 8
        return 10

    def _type_frames(self, cue: Cue, drawn: Drawn) -> int:
        return max(6, min(round(len(drawn.chars) / 22 * FPS), (cue.end - cue.start) // 2))

    def _word_step(self, cue: Cue) -> int:
        return max(3, cue.beat_frames // 2)

    def _blend_scaled(self, out: Planes, rgba: np.ndarray, x: int, y: int, s: float, opacity: float) -> None:
        h, w = rgba.shape[:2]
        nw, nh = max(2, round(w * s)), max(2, round(h * s))
        small = cv2.resize(rgba, (nw, nh), interpolation=cv2.INTER_LINEAR)
        yuv.blend(out, yuv.sprite(small), x + (w - nw) // 2, y + (h - nh) // 2, opacity)

    def _typewriter(
        self, cue: Cue, drawn: Drawn, k: int, out: Planes, x: int, y: int, opacity: float
    ) -> None:
        total = self._type_frames(cue, drawn)
        shown = min(len(drawn.chars), int(len(drawn.chars) * (k + 1) / total))
        glyphs = drawn.glyphs.copy()
        mask = np.zeros(glyphs.shape[:2], bool)
        line_ends: dict[int, int] = {}
        for line, xe, _ in drawn.chars[:shown]:
            line_ends[line] = max(line_ends.get(line, 0), xe)
        for n, (_x0, y0, _x1, y1) in enumerate(drawn.lines):
            if n in line_ends:
                mask[max(0, y0 - drawn.pad // 2) : y1 + drawn.pad // 2, : line_ends[n] + 1] = True
        glyphs[..., 3] = np.where(mask & self.glyphs, glyphs[..., 3], 0)  # glyphs=False: the backing only
        backing_a = min(1.0, (k + 1) / 6)
        back = drawn.backing.copy()
        back[..., 3] = (back[..., 3] * backing_a).astype(np.uint8)
        rgba = composite(Drawn(glyphs, back, drawn.words, drawn.lines, drawn.chars, drawn.pad))
        yuv.blend(out, yuv.sprite(rgba), x, y, opacity)

    def _words(self, cue: Cue, drawn: Drawn, k: int, out: Planes, x: int, y: int, opacity: float) -> None:
        step = self._word_step(cue)
        back = np.zeros_like(drawn.backing)
        first_word = 0
        for n, (_lx0, ly0, _lx1, ly1) in enumerate(drawn.lines):  # a line's backing comes with its first word
            words_in = sum(1 for wx0, wy0, wx1, wy1 in drawn.words if wy0 == ly0)
            kk = k - first_word * step
            first_word += words_in
            if kk < 0:
                break
            a = min(1.0, (kk + 1) / 4)
            top, bottom = max(0, ly0 - drawn.pad), min(back.shape[0], ly1 + drawn.pad)
            if n + 1 < len(drawn.lines):
                bottom = min(bottom, (ly1 + drawn.lines[n + 1][1]) // 2)
            if n > 0:
                top = max(top, (ly0 + drawn.lines[n - 1][3]) // 2)
            back[top:bottom] = drawn.backing[top:bottom]
            back[top:bottom, :, 3] = (back[top:bottom, :, 3] * a).astype(np.uint8)
        canvas = Drawn(np.zeros_like(drawn.glyphs), back, drawn.words, drawn.lines, drawn.chars, drawn.pad)
        base = composite(canvas)
        yuv.blend(out, yuv.sprite(base), x, y, opacity)
        pad = drawn.pad // 2
        for n, (x0, y0, x1, y1) in enumerate(drawn.words):
            kk = k - n * step
            if kk < 0 or not self.glyphs:  # glyphs=False: the backing only
                break
            e = min(1.0, (kk + 1) / 7)
            s = 0.5 + 0.5 * ease("ease-out-back", e)
            wx0, wy0 = max(0, x0 - pad), max(0, y0 - pad)
            piece = drawn.glyphs[wy0 : y1 + pad, wx0 : x1 + pad]
            if piece.size == 0:
                continue
            if e >= 1.0:
                yuv.blend(out, yuv.sprite(piece), x + wx0, y + wy0, opacity)
            else:
                self._blend_scaled(out, piece, x + wx0, y + wy0, s, opacity * min(1.0, e * 2))

    # --- the frames -----------------------------------------------------------------------
    def _logo_sprite(self, path: Path, rect: Rect) -> tuple[Sprite | None, tuple[int, int]]:
        try:
            with Image.open(path) as img:
                logo = img.convert("RGBA")
        except Exception:
            return None, (0, 0)
        r = rect.scaled(self.scale)
        logo = logo.resize((max(2, round(r.w)), max(2, round(r.h))), Image.Resampling.LANCZOS)
        return yuv.sprite(np.asarray(logo)), (round(r.x0), round(r.y0))

    def frame(self, f: int, out: Planes | None = None) -> Planes:
        """Frame `f` of the plan (into `out`, or the compositor's own buffer)."""
        if out is None:
            if self._own is None:
                self._own = yuv.new_frame(self.w, self.h)
            out = self._own
        shots = self.plan.shots
        i = self._shot_index(f)
        cur = shots[i]
        nxt = shots[i + 1] if i + 1 < len(shots) else None
        prev = shots[i - 1] if i > 0 else None
        if nxt is not None and nxt.transition.frames and f >= nxt.start - nxt.transition.frames // 2:
            self._transition(nxt.transition.kind, cur, nxt, f, out)
        elif prev is not None and cur.transition.frames and f < cur.start + cur.transition.frames // 2:
            self._transition(cur.transition.kind, prev, cur, f, out)
        else:
            self._scene(cur, f, out)
        cuts = self._cutset
        for cue in self.plan.cues:
            if cue.start <= f < cue.end:
                self._draw_cue(cue, f, out, cuts)
        mark = self.plan.logo
        if self._logo is not None and mark is not None and f < mark.until:
            yuv.blend(out, self._logo, *self._logo_xy)
        return out

    @property
    def _cutset(self) -> set[int]:
        cuts = getattr(self, "_cuts_cache", None)
        if cuts is None:
            cuts = {s.start for s in self.plan.shots}
            self._cuts_cache = cuts
        return cuts

    def _shot_index(self, f: int) -> int:
        starts = getattr(self, "_starts", None)
        if starts is None:
            starts = [s.start for s in self.plan.shots]
            self._starts = starts
        return max(0, bisect.bisect_right(starts, f) - 1)

    def frames(self, should_stop: Callable[[], bool] | None = None) -> Iterator[Planes]:
        """Every frame in order (the same buffer each time: write it before asking for the next)."""
        for f in range(self.plan.frames):
            if should_stop is not None and should_stop():
                return
            yield self.frame(f)
            if f % 30 == 0:
                self._drop_unused(f)
            if f % 90 == 45:
                _trim()

    WARM_S = 8.0  # what the first seconds show is prepared ahead
    WARM_PHOTOS = 3

    def warm(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Decode the photos and draw the texts of the first seconds ahead of the encoder (the
        render does this while its soundtrack is being mixed on the other core). Bounded: at most
        `WARM_PHOTOS` photos, so a long slideshow does not hold every photo at once."""
        horizon = round(self.WARM_S * FPS)
        photos: list[str] = []
        for shot in self.plan.shots:
            if shot.start >= horizon:
                break
            if isinstance(shot.scene, PhotoScene):
                photos.extend(c.photo for c in shot.scene.cells if c.photo not in photos)
        for ref in photos[: self.WARM_PHOTOS]:
            if stop():
                return
            self._pyramid(ref)
        for cue in self.plan.cues:
            if cue.start < horizon and not stop():
                self._cue_static(cue)

    def housekeeping(self, f: int) -> None:
        """Drop what no later frame needs and give the heap back (every second or so, and as a
        shot starts: the end card's layers are made while the last photo is still held)."""
        self._drop_unused(f)
        if f % 90 == 60 or f % 30:
            _trim()

    def _drop_unused(self, f: int) -> None:
        keep: set[str] = set()
        for s in self.plan.shots:
            if s.end >= f and isinstance(s.scene, PhotoScene):
                keep |= {c.photo for c in s.scene.cells}
        self.release_photos(keep)
        for cue_id in [c.id for c in self.plan.cues if c.end < f]:
            self._cue_cache.pop(cue_id, None)

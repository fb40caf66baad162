"""Where the subject of a photo is: faces, a product on a plain backdrop, or the most salient region.

`find_subject(rgb)` looks at a downscale of the photo (256 px on the long side for the product
and saliency maps, 192 px for faces) and combines three detectors, each with a confidence:

- faces: a frontal-face Haar cascade (`framing.haar`; OpenCV 5 wheels ship neither the classifier
  nor the XML, so the cascade file must be provided, see `haar.cascade_path`);
- product: the backdrop colour is fitted (a smooth quadratic surface, so gradients and vignettes
  count as plain) to the border pixels, pixels far from it form a mask, holes are filled, and the
  largest components make the box;
- saliency: spectral residual (Hou & Zhang 2007) averaged with a colour-contrast map, under a mild
  centre prior; its confidence is capped so it only wins when nothing better was found.

The most confident result is the subject; when all are weak the centre of the frame is. The photo is
expected small already (≤ 512 px, e.g. `load_small`): decoding and shrinking a 12 MP JPEG costs far
more than the analysis.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageOps

from studio.render.framing.geometry import Box, Rect
from studio.render.framing.haar import cascade_path, detect_faces

log = logging.getLogger(__name__)

Method = Literal["face", "product", "saliency", "center"]
RGB = tuple[int, int, int]
WORK_SIDE = 256
FACE_SIDE = 192
ANALYSIS_SIDE = 512  # what `load_small` decodes to
PRODUCT_SIDE = 160
_LAB_SCALE = np.array([2.55, 1.0, 1.0], np.float32)  # Lab → 0–255, for 8-bit medians
_LAB_SHIFT = np.array([0.0, 128.0, 128.0], np.float32)


@dataclass(frozen=True)
class Subject:
    """The subject of a photo, in fractions of the photo's width and height (0–1)."""

    box: Box  # (x0, y0, x1, y1): everything that must stay in frame
    center: tuple[float, float]  # the focal point (a face, the mask's centroid, the saliency peak)
    confidence: float  # 0–1
    method: Method
    faces: tuple[Box, ...] = ()  # every face found, strongest first
    details: tuple[Box, ...] = ()  # textured parts of the subject, for detail crops, best first
    backdrop: RGB | None = None  # the plain backdrop's colour, when there is one
    accent: RGB = (128, 128, 128)  # a representative, saturated colour of the subject
    surround: RGB = (128, 128, 128)  # the median colour of the photo's border
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def rect(self) -> Rect:
        return Rect.of(self.box)


@dataclass(frozen=True)
class _Candidate:
    method: Method
    box: Rect  # fractions
    center: tuple[float, float]
    confidence: float
    weight: np.ndarray  # work-size map of where the subject is (for details); 0–1


def load_small(path: str | Path, side: int = ANALYSIS_SIDE) -> np.ndarray:
    """Decode a photo upright as RGB no larger than about `side` px (JPEG DCT scaling: fast)."""
    with Image.open(path) as img:
        img.draft("RGB", (side, side))
        upright = ImageOps.exif_transpose(img).convert("RGB")
        upright.thumbnail((side, side), Image.Resampling.BILINEAR)
        return np.asarray(upright)


def _resize(rgb: np.ndarray, side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    f = side / max(h, w)
    if f >= 1.0:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


def _skin(rgb: np.ndarray) -> np.ndarray:
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    return cv2.inRange(ycc, (0, 133, 77), (255, 178, 130))


def _faces(rgb: np.ndarray, cascade: Path | None) -> list[tuple[Rect, int]]:
    """Face boxes (fractions) with their neighbour counts."""
    if cascade is None:
        return []
    small = _resize(rgb, FACE_SIDE)
    h, w = small.shape[:2]
    gray = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
    hits = detect_faces(gray, cascade, skin=_skin(small), scale_factor=1.25, min_size=24, min_neighbors=2)
    return [(Rect(x / w, y / h, (x + fw) / w, (y + fh) / h), n) for (x, y, fw, fh), n in hits]


def _face_candidate(faces: list[tuple[Rect, int]], shape: tuple[int, int]) -> _Candidate | None:
    if not faces:
        return None
    h, w = shape
    big = max(f.w for f, _ in faces)
    kept = [(f, n) for f, n in faces if f.w >= 0.45 * big]  # background faces do not make the subject
    # a head (hair, chin) around each face; a close-up face is its own box (the hair may be cut)
    heads = [
        f if f.h > 0.45 else Rect(f.x0 - 0.2 * f.w, f.y0 - 0.3 * f.h, f.x1 + 0.2 * f.w, f.y1 + 0.25 * f.h)
        for f, _ in kept
    ]
    box = heads[0]
    for r in heads[1:]:
        box = box.union(r)
    box = Rect(max(0.0, box.x0), max(0.0, box.y0), min(1.0, box.x1), min(1.0, box.y1))
    n_best = max(n for _, n in kept)
    size = big * w / min(h, w)  # face width relative to the short side
    conf = min(0.95, 0.5 + 0.08 * min(5, n_best) + (0.1 if size > 0.15 else 0.0))
    if size < 0.08:
        conf -= 0.2
    f0 = kept[0][0]
    weight = np.zeros(shape, np.float32)
    for f, _ in kept:
        x0, y0, x1, y1 = f.scaled(w, h).ints()
        weight[max(0, y0) : y1, max(0, x0) : x1] = 1.0
    return _Candidate("face", box, (f0.cx, f0.cy), conf, weight)


def _profile(strip: np.ndarray) -> np.ndarray:
    """A border strip (n, width, 3) of Lab → its colour along the border, with short runs of
    another colour (the product touching the frame) removed by a wide median (OpenCV's fast 8-bit
    median on the profile, with Lab mapped onto 0–255)."""
    line = strip.mean(axis=1)
    q = np.clip(line * _LAB_SCALE + _LAB_SHIFT, 0, 255).astype(np.uint8)[:, None, :]
    k = min(255, max(3, (len(line) // 6) | 1))
    med = (cv2.medianBlur(q, k).astype(np.float32) - _LAB_SHIFT) / _LAB_SCALE
    return cv2.GaussianBlur(med, (1, 0), sigmaX=0.1, sigmaY=max(1.0, len(line) / 50))[:, 0, :]


def _backdrop_model(lab: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The backdrop each pixel would have without the product: a Coons patch (transfinite
    interpolation) of the four border colour profiles, so gradients, vignettes and a wall meeting a
    table top all count as backdrop.

    Returns the model (h, w, 3), the fraction of border pixels that fit it (the plainness, with the
    worst side forgiven when it is the only bad one: a product may stand on the bottom edge), and
    the residual spread (Lab units) of the border pixels that fit."""
    h, w = lab.shape[:2]
    b = max(2, round(0.03 * min(h, w)))
    top, bottom = _profile(lab[:b].transpose(1, 0, 2)), _profile(lab[-b:].transpose(1, 0, 2))
    left, right = _profile(lab[:, :b]), _profile(lab[:, -b:])
    u = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    v = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    corners = (
        (top[0] + left[0]) / 2,
        (top[-1] + right[0]) / 2,
        (bottom[0] + left[-1]) / 2,
        (bottom[-1] + right[-1]) / 2,
    )
    model = (
        (1 - v) * top[None]
        + v * bottom[None]
        + (1 - u) * left[:, None]
        + u * right[:, None]
        - (
            (1 - u) * (1 - v) * corners[0]
            + u * (1 - v) * corners[1]
            + (1 - u) * v * corners[2]
            + u * v * corners[3]
        )
    )
    res = _delta(lab, model)
    strips = [res[:b], res[-b:], res[:, :b], res[:, -b:]]
    allres = np.concatenate([r.ravel() for r in strips])
    sigma = max(1.0, 1.4826 * float(np.median(allres)))
    limit = max(5.0, 3.0 * sigma)
    sides = sorted(float((r < limit).mean()) for r in strips)
    plain = float(np.mean(sides[1:])) if sides[0] < 0.5 else float(np.mean(sides))
    sigma = max(1.0, float(np.std(allres[allres < limit]))) if (allres < limit).any() else sigma
    return model.astype(np.float32), plain, sigma


def _delta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Colour distance in Lab with lightness at half weight (soft shadows are not the product)."""
    d = a - b
    return np.sqrt((0.5 * d[..., 0]) ** 2 + d[..., 1] ** 2 + d[..., 2] ** 2)


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    h, w = mask.shape
    flood = np.zeros((h + 2, w + 2), np.uint8)
    flood[1:-1, 1:-1] = mask
    cv2.floodFill(flood, None, (0, 0), 255)
    return mask | (flood[1:-1, 1:-1] == 0).astype(np.uint8) * 255


def _product_candidate(rgb: np.ndarray) -> tuple[_Candidate | None, RGB | None]:
    h, w = rgb.shape[:2]
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    model, plain, sigma = _backdrop_model(lab)
    if plain < 0.6 or sigma > 8.0:
        return None, None
    backdrop_lab = np.median(model.reshape(-1, 3), axis=0).reshape(1, 1, 3).astype(np.float32)
    backdrop = tuple(
        int(v) for v in np.clip(cv2.cvtColor(backdrop_lab, cv2.COLOR_Lab2RGB)[0, 0] * 255, 0, 255)
    )
    dist = _delta(lab, model)
    thr = max(9.0, 4.0 * sigma)
    mask: np.ndarray = (dist > thr).astype(np.uint8) * 255
    k = max(3, round(min(h, w) / 64)) | 1
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    mask = _fill_holes(mask)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return None, backdrop  # type: ignore[return-value]
    areas = stats[1:, cv2.CC_STAT_AREA]
    biggest = int(areas.max())
    if biggest < 0.004 * h * w:
        return None, backdrop  # type: ignore[return-value]
    keep = [i + 1 for i, a in enumerate(areas) if a >= max(0.1 * biggest, 0.002 * h * w)]
    fg = np.isin(labels, keep)
    ys, xs = np.nonzero(fg)
    box = Rect(xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h)
    fill = float(fg.mean())
    contrast = float(np.median(dist[fg])) / thr
    size_ok = 1.0 if 0.01 <= box.area <= 0.7 else (0.5 if box.area <= 0.85 else 0.0)
    conf = (0.35 + 0.6 * min(1.0, (plain - 0.6) / 0.3) * min(1.0, (contrast - 1.0) / 1.5 + 0.3)) * size_ok
    if fill / max(box.area, 1e-6) < 0.2:  # a sparse, scattered mask is texture, not an object
        conf *= 0.6
    # a product may stand on the bottom edge; touching more sides means it leaks into the scene
    touches = sum((box.x0 < 0.01, box.y0 < 0.01, box.x1 > 0.99, box.y1 > 0.99))
    conf *= (1.0, 0.9, 0.55, 0.3, 0.1)[touches]
    cy, cx = float(ys.mean()) / h, float(xs.mean()) / w
    return _Candidate("product", box, (cx, cy), min(0.95, conf), fg.astype(np.float32)), backdrop  # type: ignore[return-value]


def spectral_residual(gray: np.ndarray, side: int = 64) -> np.ndarray:
    """Spectral-residual saliency (Hou & Zhang 2007) at `side` px, returned at the input's size, 0–1."""
    h, w = gray.shape
    small = cv2.resize(gray.astype(np.float32), (side, side), interpolation=cv2.INTER_AREA)
    spec = np.fft.fft2(small)
    log_amp = np.log(np.abs(spec) + 1e-6)
    residual = log_amp - cv2.blur(log_amp, (3, 3), borderType=cv2.BORDER_REPLICATE)
    sal = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spec)))) ** 2
    sal = cv2.GaussianBlur(sal.astype(np.float32), (0, 0), side / 24)
    sal = cv2.resize(sal, (w, h), interpolation=cv2.INTER_LINEAR)
    return sal / (float(sal.max()) + 1e-9)


def boundary_contrast(lab: np.ndarray, clusters: int = 5) -> np.ndarray:
    """How far each pixel's colour is from the photo's dominant border colours (0–1): the
    "background touches the frame" prior. Border colours are k-means clusters of the border pixels;
    a cluster on less than 15 % of the border (the subject touching the frame) is not background."""
    border = np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]).astype(np.float32)
    k = min(clusters, len(border))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 0.5)
    _, labels, centres = cv2.kmeans(border, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)  # type: ignore[call-overload]
    share = np.bincount(labels.ravel(), minlength=k) / len(labels)
    centres = centres[share >= 0.15] if (share >= 0.15).any() else centres
    dist = np.min(_delta(lab[:, :, None, :], centres[None, None, :, :]), axis=2)
    return (dist / (float(np.quantile(dist, 0.99)) + 1e-6)).clip(0, 1).astype(np.float32)


def _saliency_candidate(rgb: np.ndarray) -> _Candidate:
    """Spectral residual and boundary contrast, averaged under a mild centre prior, at 64 px; the
    box holds the central 90 % of the saliency above its mean."""
    h, w = rgb.shape[:2]
    sw, sh = (64, max(8, round(64 * h / w))) if w >= h else (max(8, round(64 * w / h)), 64)
    small = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    sr = spectral_residual(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), side=64)
    contrast = cv2.GaussianBlur(boundary_contrast(lab), (0, 0), 1.5)
    gy, gx = np.mgrid[0:sh, 0:sw]
    prior = np.exp(-(((gx / sw - 0.5) / 0.4) ** 2 + ((gy / sh - 0.5) / 0.4) ** 2) / 2).astype(np.float32)
    sal = (0.45 * sr + 0.55 * contrast) * (0.35 + 0.65 * prior)
    sal /= float(sal.max()) + 1e-9
    mass = np.clip(sal - float(sal.mean()) - 0.5 * float(sal.std()), 0.0, None)
    total = float(mass.sum())
    if total <= 0:
        return _Candidate("saliency", Rect(0.2, 0.2, 0.8, 0.8), (0.5, 0.5), 0.1, cv2.resize(sal, (w, h)))
    cols, rows = mass.sum(axis=0) / total, mass.sum(axis=1) / total

    def span(m: np.ndarray) -> tuple[float, float]:
        c = np.cumsum(m)
        return float(np.searchsorted(c, 0.05)), float(np.searchsorted(c, 0.95) + 1)

    (x0, x1), (y0, y1) = span(cols), span(rows)
    box = Rect(x0 / sw, y0 / sh, x1 / sw, y1 / sh)
    inside = float(mass[int(y0) : int(y1), int(x0) : int(x1)].sum()) / total
    peak = inside / max(box.area, 0.03)  # 1 = no more concentrated than uniform
    conf = float(np.clip(0.1 + 0.2 * (peak - 1.0), 0.1, 0.55))
    if box.area > 0.75:
        conf = min(conf, 0.25)
    center = (
        float((cols * (np.arange(sw) + 0.5)).sum()) / sw,
        float((rows * (np.arange(sh) + 0.5)).sum()) / sh,
    )
    weight = cv2.resize(mass / (float(mass.max()) + 1e-9), (w, h), interpolation=cv2.INTER_LINEAR)
    return _Candidate("saliency", box, center, conf, weight)


def _details(rgb: np.ndarray, cand: _Candidate, count: int = 2) -> tuple[Box, ...]:
    """The most textured windows inside the subject (gradient energy under the subject's weight)."""
    h, w = rgb.shape[:2]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    energy = np.abs(cv2.Sobel(gray, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    energy *= 0.25 + 0.75 * np.clip(cand.weight, 0.0, 1.0)
    b = cand.box.scaled(w, h)
    dw, dh = max(6, round(0.45 * b.w)), max(6, round(0.45 * b.h))
    x0, y0 = int(max(0, b.x0)), int(max(0, b.y0))
    x1, y1 = int(min(w, b.x1)), int(min(h, b.y1))
    if x1 - x0 <= dw or y1 - y0 <= dh:
        return (cand.box.box(),)
    score = cv2.boxFilter(energy[y0:y1, x0:x1], -1, (dw, dh), normalize=True)
    out: list[Box] = []
    for _ in range(count):
        iy, ix = np.unravel_index(int(np.argmax(score)), score.shape)
        cx = min(max(ix + x0, x0 + dw / 2), x1 - dw / 2)
        cy = min(max(iy + y0, y0 + dh / 2), y1 - dh / 2)
        out.append(Rect.around(cx / w, cy / h, dw / w, dh / h).box())
        score[max(0, iy - dh) : iy + dh, max(0, ix - dw) : ix + dw] = -1.0
    return tuple(out)


def _colours(rgb: np.ndarray, cand: _Candidate) -> tuple[RGB, RGB]:
    h, w = rgb.shape[:2]
    b = max(2, round(0.03 * min(h, w)))
    border = np.concatenate(
        [
            rgb[:b].reshape(-1, 3),
            rgb[-b:].reshape(-1, 3),
            rgb[:, :b].reshape(-1, 3),
            rgb[:, -b:].reshape(-1, 3),
        ]
    )
    surround = tuple(int(v) for v in np.median(border, axis=0))
    x0, y0, x1, y1 = cand.box.scaled(w, h).ints()
    region = rgb[max(0, y0) : max(y0 + 1, y1), max(0, x0) : max(x0 + 1, x1)].reshape(-1, 3).astype(np.float32)
    chroma = region.max(axis=1) - region.min(axis=1)
    top = region[chroma >= np.quantile(chroma, 0.8)]
    accent = tuple(int(v) for v in (top.mean(axis=0) if len(top) else region.mean(axis=0)))
    return accent, surround  # type: ignore[return-value]


def find_subject(rgb: np.ndarray, *, cascade: str | Path | None = None, faces: bool = True) -> Subject:
    """The subject of an RGB uint8 photo (any size; ≤ 512 px keeps it within ~30 ms)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError("find_subject wants an RGB uint8 array (h, w, 3)")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    small = _resize(np.ascontiguousarray(rgb), WORK_SIDE)
    shape = small.shape[:2]
    t = time.perf_counter()
    face_boxes = _faces(small, cascade_path(cascade)) if faces else []
    timings["face"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    product, backdrop = _product_candidate(_resize(small, PRODUCT_SIDE))
    if product is not None:  # its mask back at the work size
        product = replace(
            product, weight=cv2.resize(product.weight, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
        )
    timings["product"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    candidates = [c for c in (_face_candidate(face_boxes, shape), product) if c is not None]
    if not candidates or max(c.confidence for c in candidates) < 0.6:
        candidates.append(_saliency_candidate(small))
    timings["saliency"] = (time.perf_counter() - t) * 1000
    best = max(candidates, key=lambda c: c.confidence)
    if best.confidence < 0.2:
        best = _Candidate("center", Rect(0.2, 0.15, 0.8, 0.85), (0.5, 0.5), 0.2, np.ones(shape, np.float32))
    face_cand = next((c for c in candidates if c.method == "face"), None)
    if best.method == "product" and face_cand is not None and best.box.contains(face_cand.box, 0.02):
        # a person on a plain backdrop: the head is what crops must keep and punch in on
        best = replace(face_cand, confidence=max(best.confidence, face_cand.confidence))
    t = time.perf_counter()
    details = _details(small, best)
    accent, surround = _colours(small, best)
    timings["details"] = (time.perf_counter() - t) * 1000
    timings["total"] = (time.perf_counter() - t0) * 1000
    subject = Subject(
        box=best.box.box(),
        center=best.center,
        confidence=round(best.confidence, 3),
        method=best.method,
        faces=tuple(f.box() for f, _ in face_boxes),
        details=details,
        backdrop=backdrop,
        accent=accent,
        surround=surround,
        timings_ms=timings,
    )
    log.debug(
        "subject %s conf %.2f box %s in %.1f ms",
        subject.method,
        subject.confidence,
        tuple(round(v, 3) for v in subject.box),
        timings["total"],
    )
    return subject

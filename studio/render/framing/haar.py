"""Haar-cascade face detection in numpy, for OpenCV builds that have no `cv2.CascadeClassifier`.

OpenCV 5's main modules (and so the opencv-python-headless 5.x wheel) dropped the cascade
classifier and the `cv2.data.haarcascades` files. This module evaluates a classic stump-based HAAR
cascade XML (OpenCV's `haarcascade_frontalface_default.xml` format, untilted features) the way
OpenCV 4's `detectMultiScale` does: the image is shrunk level by level, each level gets an integral
image, every 24x24 window is variance-normalised, and the windows that survive a stage go on to
the next. Windows are evaluated together, stage by stage, with one vectorised gather per stage, so
a 240-pixel image takes a few milliseconds. Overlapping hits are merged like `groupRectangles`.

`detect_faces` uses OpenCV's own classifier when the build has one, else this evaluator.
"""

from __future__ import annotations

import logging
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

CASCADE_ENV = "FRAMING_FACE_CASCADE"
CASCADE_NAME = "haarcascade_frontalface_default.xml"
_CHUNK = 1 << 20  # gathered values per step, bounding the temporaries (~8 MB of indices)
_DENSE_MIN = 2.0  # below this fraction of live windows a stage gathers the survivors instead
_SLOTS = 9  # distinct corners of a feature of up to three rectangles (two sharing edges)


@dataclass(frozen=True)
class _Stage:
    threshold: float
    dy: np.ndarray  # (K, 9) corner rows relative to the window origin (corners shared by two
    dx: np.ndarray  # (K, 9) rectangles merged; unused slots have weight 0)
    coef: np.ndarray  # (K, 9) weight of the integral image at each corner
    node_threshold: np.ndarray  # (K,)
    left: np.ndarray  # (K,) leaf value when the feature is below its threshold
    right: np.ndarray  # (K,)


@dataclass(frozen=True)
class Cascade:
    width: int
    height: int
    stages: tuple[_Stage, ...]


def cascade_path(explicit: str | Path | None = None) -> Path | None:
    """Where the face cascade is: the argument, $FRAMING_FACE_CASCADE, OpenCV's own data folder (4.x
    wheels), the copy bundled with the studio; None when there is none (faces are then skipped)."""
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get(CASCADE_ENV):
        candidates.append(Path(os.environ[CASCADE_ENV]))
    data = getattr(getattr(cv2, "data", None), "haarcascades", None)
    if data:
        candidates.append(Path(data) / CASCADE_NAME)
    candidates.append(Path(__file__).resolve().parent / "data" / CASCADE_NAME)  # bundled (its licence inside)
    return next((p for p in candidates if p.is_file()), None)


def _floats(text: str | None) -> list[float]:
    return [float(v) for v in (text or "").split()]


def _children(el: ET.Element, tag: str) -> list[ET.Element]:
    found = el.find(tag)
    return list(found) if found is not None else []


@lru_cache(maxsize=4)
def load_cascade(path: Path) -> Cascade:
    """Parse a stump-based HAAR cascade in OpenCV's (2.4+) XML format."""
    root = ET.parse(path).getroot().find("cascade")
    if root is None or (root.findtext("featureType") or "").strip() != "HAAR":
        raise ValueError(f"{path} is not a HAAR cascade in OpenCV's format")
    width, height = int(root.findtext("width") or 24), int(root.findtext("height") or 24)
    features: list[list[tuple[int, int, float]]] = []
    for feat in _children(root, "features"):
        if (feat.findtext("tilted") or "0").strip() == "1":
            raise ValueError("tilted Haar features are not supported")
        corners: list[tuple[int, int, float]] = []
        for rect in _children(feat, "rects"):
            x, y, w, h, weight = _floats(rect.text)
            xi, yi, wi, hi = int(x), int(y), int(w), int(h)
            corners += [
                (yi, xi, weight),
                (yi, xi + wi, -weight),
                (yi + hi, xi, -weight),
                (yi + hi, xi + wi, weight),
            ]
        features.append(corners)
    stages: list[_Stage] = []
    for stage in _children(root, "stages"):
        weak = _children(stage, "weakClassifiers")
        k = len(weak)
        dy, dx, coef = (
            np.zeros((k, _SLOTS), np.int32),
            np.zeros((k, _SLOTS), np.int32),
            np.zeros((k, _SLOTS), np.float32),
        )
        thr, left, right = np.zeros(k, np.float32), np.zeros(k, np.float32), np.zeros(k, np.float32)
        for i, node in enumerate(weak):
            nodes = _floats(node.findtext("internalNodes"))
            leaves = _floats(node.findtext("leafValues"))
            if len(nodes) != 4 or len(leaves) != 2:
                raise ValueError("only stump-based cascades (one node per weak classifier) are supported")
            merged: dict[tuple[int, int], float] = {}
            for cy, cx, w in features[int(nodes[2])]:
                merged[(cy, cx)] = merged.get((cy, cx), 0.0) + w
            corners = [(cy, cx, w) for (cy, cx), w in merged.items() if w != 0.0]
            if len(corners) > _SLOTS:
                raise ValueError("a Haar feature with more than three rectangles is not supported")
            for j, (cy, cx, w) in enumerate(corners):
                dy[i, j], dx[i, j], coef[i, j] = cy, cx, w
            thr[i], left[i], right[i] = nodes[3], leaves[0], leaves[1]
        stages.append(_Stage(float(stage.findtext("stageThreshold") or 0), dy, dx, coef, thr, left, right))
    return Cascade(width, height, tuple(stages))


def _level_hits(
    gray: np.ndarray, skin: np.ndarray | None, cascade: Cascade, step: int, min_std: float
) -> np.ndarray:
    """Origins (x, y) of the windows of this level that pass every stage.

    The integral image is of grey - 128 in float32: Haar features weigh to zero, so the shift changes
    no feature value, and it keeps the sums small enough to be exact in float32. Windows flatter than
    `min_std` grey levels, or (with a skin mask) with little skin in their middle, are dropped
    before the first stage: on product photos that is most of them. The first stages run densely on
    strided views of the integral image (no index arrays); once few windows are left, the rest
    gather only the survivors."""
    h, w = gray.shape
    cw, ch = cascade.width, cascade.height
    if w < cw or h < ch:
        return np.zeros((0, 2), np.int64)
    s, sq = cv2.integral2(gray.astype(np.float32) - 128.0, sdepth=cv2.CV_32F, sqdepth=cv2.CV_64F)
    ny, nx = (h - ch) // step + 1, (w - cw) // step + 1

    def at(img: np.ndarray, dy: int, dx: int) -> np.ndarray:
        return img[dy : dy + step * (ny - 1) + 1 : step, dx : dx + step * (nx - 1) + 1 : step]

    def box(img: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        return at(img, y1, x1) - at(img, y0, x1) - at(img, y1, x0) + at(img, y0, x0)

    area = (cw - 2) * (ch - 2)  # variance normalisation over the window minus a 1-pixel frame, as OpenCV
    nf = area * box(sq, 1, 1, cw - 1, ch - 1) - box(s, 1, 1, cw - 1, ch - 1).astype(np.float64) ** 2
    alive = nf > (min_std * area) ** 2
    if skin is not None:
        si = cv2.integral(skin, sdepth=cv2.CV_32F)
        qx, qy = cw // 4, ch // 4
        alive &= box(si, qx, qy, cw - qx, ch - qy) >= 0.3 * 255.0 * (cw - 2 * qx) * (ch - 2 * qy)
    inv = (1.0 / np.sqrt(np.maximum(nf, 1.0))).astype(np.float32)
    stages = iter(cascade.stages)
    for stage in stages:  # dense while most windows are alive
        if alive.mean() < _DENSE_MIN:
            stages = iter((stage, *stages))
            break
        score = np.zeros((ny, nx), np.float32)
        for k in range(stage.coef.shape[0]):
            feat = np.zeros((ny, nx), np.float32)
            for dy, dx, c in zip(stage.dy[k], stage.dx[k], stage.coef[k], strict=True):
                if c != 0.0:
                    feat += c * at(s, int(dy), int(dx))
            feat *= inv
            score += np.where(feat < stage.node_threshold[k], stage.left[k], stage.right[k])
        alive &= score >= stage.threshold
    ys, xs = np.nonzero(alive)
    flat, stride = s.ravel(), s.shape[1]
    inv = inv[ys, xs]
    ys, xs = ys * step, xs * step
    origin = ys.astype(np.int64) * stride + xs
    for stage in stages:  # sparse: gather the survivors' corners
        if origin.size == 0:
            break
        score = np.zeros(origin.size, np.float32)
        chunk = _CHUNK // stage.coef.size + 1
        for lo in range(0, origin.size, chunk):
            part = origin[lo : lo + chunk]
            # slot-major layout (9 * K, n): the sums run over the leading axis, which numpy
            # vectorises; int64 indices spare np.take a conversion
            idx = (stage.dy.T * stride + stage.dx.T).reshape(-1, 1).astype(np.int64) + part[None, :]
            vals = np.take(flat, idx).reshape(_SLOTS, -1, part.size)
            feat = np.einsum("jkn,jk->kn", vals, stage.coef.T) * inv[None, lo : lo + part.size]
            score[lo : lo + part.size] = np.where(
                feat < stage.node_threshold[:, None], stage.left[:, None], stage.right[:, None]
            ).sum(axis=0)
        passed = score >= stage.threshold
        origin, inv, ys, xs = origin[passed], inv[passed], ys[passed], xs[passed]
    return np.stack([xs, ys], axis=1).astype(np.int64)


def _group(
    rects: list[tuple[float, float, float, float]], min_neighbors: int, eps: float = 0.2
) -> list[tuple[tuple[float, float, float, float], int]]:
    """OpenCV's groupRectangles: cluster similar (x, y, w, h) hits, average each cluster, keep the ones
    with more than `min_neighbors` members, drop clusters inside a stronger one."""
    n = len(rects)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            (x1, y1, w1, h1), (x2, y2, w2, h2) = rects[i], rects[j]
            delta = eps * (min(w1, w2) + min(h1, h2)) * 0.5
            if (
                abs(x1 - x2) <= delta
                and abs(y1 - y2) <= delta
                and abs(x1 + w1 - x2 - w2) <= delta
                and abs(y1 + h1 - y2 - h2) <= delta
            ):
                parent[find(i)] = find(j)
    clusters: dict[int, list[int]] = {}
    for i in range(n):
        clusters.setdefault(find(i), []).append(i)
    groups = []
    for members in clusters.values():
        if len(members) <= min_neighbors:
            continue
        arr = np.array([rects[m] for m in members])
        groups.append((tuple(float(v) for v in arr.mean(axis=0)), len(members)))
    out = []
    for r, cnt in groups:  # drop a cluster nested in a stronger one
        x, y, w, h = r
        nested = False
        for r2, cnt2 in groups:
            if r2 is r:
                continue
            x2, y2, w2, h2 = r2
            dx, dy = w2 * eps, h2 * eps
            if (
                cnt2 > max(3, cnt)
                and x >= x2 - dx
                and y >= y2 - dy
                and x + w <= x2 + w2 + dx
                and y + h <= y2 + h2 + dy
            ):
                nested = True
                break
        if not nested:
            out.append((r, cnt))
    return out  # type: ignore[return-value]


def detect_faces(
    gray: np.ndarray,
    path: Path,
    *,
    skin: np.ndarray | None = None,
    scale_factor: float = 1.2,
    min_size: int = 24,
    min_neighbors: int = 3,
    min_std: float = 8.0,
) -> list[tuple[tuple[float, float, float, float], int]]:
    """Faces in an 8-bit grey image as ((x, y, w, h) in its pixels, neighbour count), strongest first.

    `skin` (optional, uint8 0/255, same size) restricts the search to windows with skin-coloured
    middles; OpenCV's own classifier, when the build has one, ignores it."""
    classifier = getattr(cv2, "CascadeClassifier", None)
    if classifier is not None:  # OpenCV 4.x: the C++ implementation, with levels reported as weights
        cc = classifier(str(path))
        found, levels = cc.detectMultiScale2(
            gray, scaleFactor=scale_factor, minNeighbors=min_neighbors, minSize=(min_size, min_size)
        )
        pairs = [(tuple(float(v) for v in r), int(n)) for r, n in zip(found, levels, strict=True)]
        return sorted(pairs, key=lambda p: -p[1])  # type: ignore[arg-type]
    cascade = load_cascade(path)
    h, w = gray.shape
    hits: list[tuple[float, float, float, float]] = []
    factor = max(1.0, min_size / cascade.width)
    while w / factor >= cascade.width and h / factor >= cascade.height:
        size = (max(1, round(w / factor)), max(1, round(h / factor)))
        level = gray if factor == 1.0 else cv2.resize(gray, size, interpolation=cv2.INTER_LINEAR)
        level_skin = None if skin is None else cv2.resize(skin, size, interpolation=cv2.INTER_AREA)
        for x, y in _level_hits(level, level_skin, cascade, 2, min_std):
            hits.append((x * factor, y * factor, cascade.width * factor, cascade.height * factor))
        factor *= scale_factor
    return sorted(_group(hits, min_neighbors), key=lambda p: -p[1])

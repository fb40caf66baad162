"""Easing curves for camera moves: progress t in [0, 1] → eased progress, for floats or arrays.

Every curve takes a float or a numpy array and returns the same kind; t outside [0, 1] is clipped
first, and every curve is exactly 0 at t = 0 and 1 at t = 1. `ease(name, t)` looks a curve up by
the names `Move.easing` carries. `ease-out-back` overshoots (goes ~10 % past 1 before settling): use
it for scale pops of text or stickers, never for a crop that must stay inside the photo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import overload

import numpy as np

Curve = Callable[[np.ndarray], np.ndarray]


def _linear(t: np.ndarray) -> np.ndarray:
    return t


def _in_out_sine(t: np.ndarray) -> np.ndarray:
    return (1.0 - np.cos(np.pi * t)) / 2.0


def _in_cubic(t: np.ndarray) -> np.ndarray:
    return t**3


def _out_cubic(t: np.ndarray) -> np.ndarray:
    return 1.0 - (1.0 - t) ** 3


def _in_out_cubic(t: np.ndarray) -> np.ndarray:
    return np.asarray(np.where(t < 0.5, 4.0 * t**3, 1.0 - (2.0 - 2.0 * t) ** 3 / 2.0))


def _out_quint(t: np.ndarray) -> np.ndarray:
    return 1.0 - (1.0 - t) ** 5


def _in_out_quint(t: np.ndarray) -> np.ndarray:
    return np.asarray(np.where(t < 0.5, 16.0 * t**5, 1.0 - (2.0 - 2.0 * t) ** 5 / 2.0))


def _out_expo(t: np.ndarray) -> np.ndarray:
    # the textbook 1 - 2^(-10 t) stops at 1 - 2^-10; rescaled so it lands exactly on 1
    return (1.0 - 2.0 ** (-10.0 * t)) / (1.0 - 2.0**-10.0)


def _in_out_expo(t: np.ndarray) -> np.ndarray:
    a = 2.0**-10.0 / 2.0
    raw = np.where(t < 0.5, 2.0 ** (20.0 * t - 10.0) / 2.0, (2.0 - 2.0 ** (10.0 - 20.0 * t)) / 2.0)
    return (raw - a) / (1.0 - 2.0 * a)


def _out_back(t: np.ndarray) -> np.ndarray:
    s = 1.70158
    return 1.0 + (s + 1.0) * (t - 1.0) ** 3 + s * (t - 1.0) ** 2


_CURVES: dict[str, Curve] = {
    "linear": _linear,
    "ease-in-out-sine": _in_out_sine,
    "ease-in-cubic": _in_cubic,
    "ease-out-cubic": _out_cubic,
    "ease-in-out-cubic": _in_out_cubic,
    "ease-out-quint": _out_quint,
    "ease-in-out-quint": _in_out_quint,
    "ease-out-expo": _out_expo,
    "ease-in-out-expo": _in_out_expo,
    "ease-out-back": _out_back,
}
NAMES: tuple[str, ...] = tuple(_CURVES)
DEFAULT = "ease-in-out-sine"


@overload
def ease(name: str, t: float) -> float: ...
@overload
def ease(name: str, t: np.ndarray) -> np.ndarray: ...
def ease(name: str, t: float | np.ndarray) -> float | np.ndarray:
    """The curve called `name` at `t`. Unknown names fall back to ease-in-out-sine, the gentlest
    curve, so a typo never gives a linear robot move."""
    curve = _CURVES.get(name, _CURVES[DEFAULT])
    arr = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)
    out = np.where(arr <= 0.0, 0.0, np.where(arr >= 1.0, 1.0, curve(arr))) + 0.0  # exact ends, no -0.0
    return out if isinstance(t, np.ndarray) else float(out)


def _named(name: str) -> Callable[[float | np.ndarray], float | np.ndarray]:
    def fn(t: float | np.ndarray) -> float | np.ndarray:
        return ease(name, t)

    fn.__name__ = name.replace("-", "_")
    return fn


linear = _named("linear")
ease_in_out_sine = _named("ease-in-out-sine")
ease_in_cubic = _named("ease-in-cubic")
ease_out_cubic = _named("ease-out-cubic")
ease_in_out_cubic = _named("ease-in-out-cubic")
ease_out_quint = _named("ease-out-quint")
ease_in_out_quint = _named("ease-in-out-quint")
ease_out_expo = _named("ease-out-expo")
ease_in_out_expo = _named("ease-in-out-expo")
ease_out_back = _named("ease-out-back")

"""The moods: names, tempo ranges, harmony, form and the parts (instruments) that play them.

Drum patterns are 16 steps a bar (sixteenths). Velocity letters: X 1.0, x 0.78, o 0.55, g 0.3,
- 0.18, ? a ghost note half of the time, . rest. Kit letters map to a drum sound, gain and pan.
Progressions are lists of bars; a bar is one chord symbol or two separated by a space (half a bar
each). Symbols are roman numerals relative to the tonic (see `theory.chord`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

Pattern = Mapping[str, str]


@dataclass(frozen=True)
class Part:
    bus: str
    writer: str
    instrument: str = ""
    min_energy: float = 0.0
    level_db: float = 0.0  # target level of this bus relative to the mood's drum reference
    pan: float = 0.0
    register: tuple[int, int] = (48, 72)
    reverb: float = 0.15
    echo: float = 0.0
    sidechain: float = 0.0
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Mood:
    name: str
    zh: str
    tempo: tuple[float, float]
    character: str
    mode: str
    keys: tuple[int, ...]  # tonic pitch classes the seed picks from (0 = C)
    progressions: Mapping[str, tuple[tuple[str, ...], ...]]
    form: tuple[tuple[str, float, int], ...]  # body sections cycled: (name, energy, preferred bars)
    final_chord: str
    tail: tuple[float, float, float]  # preferred, shortest, longest ring-out after the final hit (s)
    parts: tuple[Part, ...]
    swing: float = 0.0  # fraction of a beat the off-beat eighth is delayed
    reverb: str = "room"
    reverb_return_db: float = -14.0
    beats_per_bar: int = 4
    intro_energy: float = 0.4
    outro_energy: float = 0.6
    drive: float = 0.0  # bus saturation amount (0..1)

    @property
    def display(self) -> str:
        return f"{self.name} / {self.zh}"


def _p(**kw: Any) -> Mapping[str, Any]:
    return MappingProxyType(kw)


# ------------------------------------------------------------------------------------------ kits

KIT_POP = {"k": ("kick:punch", 1.0, 0.0), "s": ("snare:tight", 0.7, 0.05), "c": ("clap", 0.6, -0.05),
           "h": ("hat", 0.32, 0.3), "o": ("openhat", 0.26, 0.3), "x": ("crash", 0.35, -0.3),
           "t": ("tom:52", 0.6, 0.3), "m": ("tom:47", 0.6, 0.0), "f": ("tom:41", 0.65, -0.3),
           "z": ("shaker", 0.22, -0.35)}

FILLS_POP = {"small": {"s": "..gx", "k": "x...", "h": "x.x."},
             "big": {"s": "x.x.xxxx", "k": "x.......", "t": "........", "h": "x.x....."},
             "toms": {"k": "x.......", "t": "x.x.....", "m": "....x.x.", "f": "......xX"}}

MOODS_LIST: list[Mood] = [
    Mood(
        name="lofi", zh="低保真", tempo=(72.0, 88.0),
        character="dusty boom-bap: swung hats, soft kick, Rhodes 7th/9th chords, vibraphone licks, vinyl crackle",
        mode="dorian", keys=(0, 2, 3, 5, 7, 9, 10),
        progressions=_p(
            intro=(("ii9", "V9", "Imaj7", "vi9"), ("Imaj7", "vi9", "ii9", "V7sus4")),
            verse=(("ii9", "V9", "Imaj9", "vi9"), ("Imaj7", "vi9", "ii9", "V7sus4"),
                   ("IVmaj7", "iii7", "ii9", "Imaj9")),
            chorus=(("IVmaj7", "V9", "iii7", "vi9"), ("ii9", "iii7", "IVmaj7", "V7sus4")),
            outro=(("ii9", "V9"), ("IVmaj7", "V7sus4"))),
        form=(("verse", 0.62, 8), ("chorus", 0.85, 8)),
        final_chord="Imaj9", tail=(1.6, 0.9, 2.4), swing=0.14, reverb="room", reverb_return_db=-12.0,
        drive=0.3,
        parts=(
            Part("drums", "drums", level_db=0.0, reverb=0.08, params=_p(
                kit={"k": ("kick:soft", 1.0, 0.0), "s": ("snare:lofi", 0.75, 0.05), "h": ("hat", 0.3, 0.25),
                     "o": ("openhat", 0.18, 0.25), "r": ("tom:45", 0.0, 0.0), "x": ("crash", 0.0, 0.0),
                     "t": ("tom:50", 0.45, 0.2), "f": ("tom:43", 0.5, -0.2), "z": ("shaker", 0.18, -0.3)},
                patterns={"low": ({"k": "X.........x.....", "h": "x.o.x.o.x.o.x.o.", "s": "....o.......o..."},),
                          "mid": ({"k": "X.....x...x.....", "s": "....X.......X..?", "h": "x.o.x.o.x.o.x.oo"},
                                  {"k": "X.......x.x.....", "s": "....X.......X...", "h": "x.o.x.o.x.ox.xo."},
                                  {"k": "X.....x.....x...", "s": "....X..g....X...", "h": "x.o.x.o.x.o.x.o."}),
                          "high": ({"k": "X.....x.X.x.....", "s": "....X.......X..g", "h": "x.xox.xox.xox.xo",
                                    "z": "..x...x...x...x."},
                                   {"k": "X.....x...x..x..", "s": "....X..g....X...", "h": "x.xox.xox.xox.x.",
                                    "o": "..............x."})},
                fills={"small": {"s": "..gx", "k": "x...", "h": "x.x."},
                       "big": {"k": "x.......", "s": "..g.x.gx", "t": "....x...", "f": "......x.", "h": "x.x....."}},
                crash_energy=2.0, final="k")),
            Part("bass", "bass", "finger", level_db=-1.0, register=(33, 52), reverb=0.0, params=_p(style="boom")),
            Part("keys", "comp", "rhodes", level_db=-2.0, register=(53, 74), reverb=0.25, echo=0.12,
                 params=_p(voices=4, style="lofi")),
            Part("pad", "pad", "pad", min_energy=0.8, level_db=-11.0, register=(55, 72), reverb=0.3),
            Part("lead", "lead", "vibes", min_energy=0.6, level_db=-5.0, register=(67, 86), reverb=0.3, echo=0.2,
                 pan=0.2, params=_p(feel="8ths", verse_feel="sparse")),
            Part("vinyl", "vinyl", level_db=-24.0, reverb=0.0),
        )),
    Mood(
        name="upbeat", zh="轻快", tempo=(112.0, 124.0),
        character="bright pop: four-on-the-floor in the chorus, claps, 8th-note plucks, driving bass, pluck hook",
        mode="major", keys=(0, 2, 4, 5, 7, 9),
        progressions=_p(
            intro=(("I", "V", "vi", "IV"),),
            verse=(("I", "V", "vi", "IV"), ("I", "iii", "IV", "V"), ("vi", "IV", "I", "V")),
            chorus=(("IV", "V", "iii", "vi"), ("I", "V", "vi", "IV"), ("IV", "I", "V", "vi")),
            bridge=(("vi", "IV", "ii", "V"),),
            outro=(("IV", "V"), ("ii", "Vsus4"))),
        form=(("verse", 0.62, 8), ("chorus", 0.9, 8), ("verse", 0.65, 8), ("chorus", 0.95, 8), ("bridge", 0.5, 4)),
        final_chord="I", tail=(1.2, 0.7, 1.8), reverb="plate", reverb_return_db=-16.0, drive=0.35,
        parts=(
            Part("drums", "drums", level_db=0.0, reverb=0.06, params=_p(
                kit=KIT_POP,
                patterns={"low": ({"k": "X.......X.......", "h": "..x...x...x...x.", "c": "............o..."},),
                          "mid": ({"k": "X.......X.x.....", "c": "....X.......X...", "h": "x.x.x.x.x.x.x.x."},
                                  {"k": "X.....x.X.......", "c": "....X.......X...", "h": "x.x.x.x.x.x.x.xx"}),
                          "high": ({"k": "X...X...X...X...", "c": "....X.......X...", "h": "xxXxxxXxxxXxxxXx",
                                    "o": "..x...x...x...x."},
                                   {"k": "X...X...X...X...", "c": "....X.......X..x", "h": "x.X.x.X.x.X.x.X.",
                                    "o": "..x...x...x....."})},
                fills=FILLS_POP, crash_energy=0.8, final="kx")),
            Part("bass", "bass", "finger", level_db=-1.5, register=(33, 52), reverb=0.0, params=_p(style="root8")),
            Part("arp", "arp", "pluck", level_db=-4.0, register=(60, 79), reverb=0.2, echo=0.1, pan=-0.2,
                 params=_p(rate=2)),
            Part("pad", "pad", "pad", min_energy=0.8, level_db=-9.0, register=(55, 72), reverb=0.3),
            Part("chords", "comp", "piano", min_energy=0.55, level_db=-6.0, register=(55, 74), reverb=0.15,
                 pan=0.15, params=_p(voices=3, style="pop")),
            Part("lead", "lead", "pluck", min_energy=0.55, level_db=-4.0, register=(69, 88), reverb=0.25,
                 echo=0.15, pan=0.1, params=_p(feel="8ths", verse_feel="sparse")),
            Part("sparkle", "sparkle", "glock", min_energy=0.6, level_db=-14.0, register=(79, 96), reverb=0.4,
                 pan=0.4),
        )),
    Mood(
        name="calm", zh="舒缓", tempo=(68.0, 80.0),
        character="felt piano broken chords on every eighth (accented beats), warm evolving pad, "
                  "soft heartbeat kick and shaker",
        mode="major", keys=(0, 2, 4, 5, 7, 9, 10),
        progressions=_p(
            intro=(("Iadd9", "IVmaj7"), ("Iadd9", "V")),
            verse=(("Iadd9", "V", "vi7", "IVmaj7"), ("IVmaj7", "Iadd9", "V", "vi7"),
                   ("vi7", "IVmaj7", "Iadd9", "Vsus4")),
            chorus=(("IVmaj7", "V", "iii7", "vi7"), ("IVmaj7", "Iadd9", "ii7", "Vsus4")),
            outro=(("IVmaj7", "Vsus4"), ("ii7", "Vsus4"))),
        form=(("verse", 0.55, 4), ("chorus", 0.75, 4)),
        final_chord="Iadd9", tail=(2.4, 1.4, 3.2), reverb="hall", reverb_return_db=-10.0,
        intro_energy=0.35,
        parts=(
            Part("drums", "drums", level_db=-7.0, reverb=0.1, params=_p(
                kit={"k": ("kick:felt", 1.0, 0.0), "z": ("shaker", 0.35, 0.3), "b": ("brush", 0.3, -0.2),
                     "x": ("crash", 0.0, 0.0)},
                patterns={"low": ({"k": "x...o...x...o...", "z": "o...o...o...o..."},),
                          "mid": ({"k": "x...x...x...x...", "z": "o.g.o.g.o.g.o.g."},
                                  {"k": "x...x...x...x...", "z": "o.g.o.gg.og.o.g."}),
                          "high": ({"k": "x...x...x...x...", "z": "o.g.o.g.o.g.o.g.", "b": "....o.......o..."},
                                   {"k": "x...x...x...x..g", "z": "o.g.ogg.o.g.o.gg", "b": "....o.......o..."})},
                fills={"small": {"k": "x...", "z": "o.gg"}, "big": {"k": "x...o...", "z": "o.g.oggg"}},
                crash_energy=2.0, final="k")),
            Part("piano", "broken", "felt", level_db=0.0, register=(52, 79), reverb=0.35, params=_p()),
            Part("bass", "bass", "sub", level_db=-9.0, register=(36, 52), reverb=0.05, params=_p(style="pulse")),
            Part("pad", "pad", "pad", level_db=-6.0, register=(55, 74), reverb=0.45, params=_p(attack=1.2)),
            Part("lead", "lead", "bell", min_energy=0.5, level_db=-8.0, register=(72, 91), reverb=0.45,
                 params=_p(feel="long")),
        )),
    Mood(
        name="energetic", zh="动感", tempo=(124.0, 130.0),
        character="EDM: four-on-the-floor kick, claps, off-beat open hats, side-chained supersaw chords, "
                  "off-beat bass, risers into drops",
        mode="minor", keys=(0, 2, 4, 5, 7, 9, 10),
        progressions=_p(
            intro=(("i", "bVI", "bIII", "bVII"),),
            build=(("i", "bVI", "bIII", "bVII"), ("bVI", "bVII", "i", "i")),
            drop=(("i", "bVI", "bIII", "bVII"), ("bVI", "bIII", "bVII", "i"), ("i", "bVII", "bVI", "bVII")),
            breakdown=(("bVI", "bVII", "i", "v"), ("iv", "bVI", "bVII", "bVII")),
            outro=(("bVI", "bVII"), ("iv", "bVII"))),
        form=(("build", 0.72, 4), ("drop", 1.0, 8), ("breakdown", 0.5, 4)),
        final_chord="i", tail=(1.0, 0.6, 1.6), reverb="plate", reverb_return_db=-15.0, drive=0.5,
        intro_energy=0.5,
        parts=(
            Part("drums", "drums", level_db=0.0, reverb=0.05, params=_p(
                kit={**KIT_POP, "k": ("kick:edm", 1.0, 0.0), "c": ("clap", 0.7, 0.0), "o": ("openhat", 0.18, 0.25)},
                patterns={"low": ({"k": "X...x...X...x...", "h": "..x...x...x...x."},
                                  {"k": "X...x...X...x...", "h": "..x...x...x.x.x.", "c": "............o..."},
                                  {"k": "X...x...X.....x.", "h": "..x...x...x...x.", "z": "x.x.x.x.x.x.x.x."}),
                          "mid": ({"k": "X...X...X...X...", "c": "....X.......X...", "h": "..x...x...x...x."},
                                  {"k": "X...X...X...X...", "c": "....X.......X...", "h": "x.x.x.x.x.x.x.x."}),
                          "high": ({"k": "X...X...X...X...", "c": "....X.......X...", "o": "..x...x...x...x.",
                                    "h": "xx.xxx.xxx.xxx.x"},
                                   {"k": "X...X...X...X...", "c": "....X.......X..x", "o": "..x...x...x...x.",
                                    "h": "x.xxx.xxx.xxx.xx"},
                                   {"k": "X...X...X...X...", "c": "....X..g....X...", "o": "..x...x...x.....",
                                    "h": "x.x.x.x.x.x.xxxx", "s": "..............g."},
                                   {"k": "X...X...X...X...", "c": "....X.......X...", "o": "......x.......x.",
                                    "h": "xxxxxxxxxxxxxxxx"})},
                fills={"small": {"k": "x...", "c": "..xx", "h": "x.x."},
                       "big": {"k": "x...x...", "s": "xxxxXXXX", "h": "x.x.x.x."},
                       "build": {"k": "x...x...x...x...", "s": "x.x.x.x.xxxxXXXX"}},
                crash_energy=0.7, final="kx")),
            Part("bass", "bass", "synthbass", level_db=-6.0, register=(33, 50), reverb=0.0, sidechain=0.5,
                 params=_p(style="offbeat")),
            Part("saw", "pad", "supersaw", level_db=-5.5, register=(55, 76), reverb=0.25, sidechain=0.7,
                 params=_p(attack=0.05, stabs=True)),
            Part("arp", "arp", "pluck", min_energy=0.45, level_db=-5.0, register=(63, 84), reverb=0.2, echo=0.15,
                 params=_p(rate=4)),
            Part("lead", "lead", "pluck", min_energy=0.95, level_db=-3.0, register=(70, 89), reverb=0.2, echo=0.2,
                 params=_p(feel="16ths")),
            Part("fx", "riser", level_db=-8.0, reverb=0.3, params=_p(before=("drop",), impact=False)),
        )),
    Mood(
        name="cinematic", zh="史诗", tempo=(84.0, 100.0),
        character="trailer: taiko and toms, staccato string ostinato, sustained strings and brass, risers and impacts",
        mode="minor", keys=(0, 2, 3, 5, 7, 9, 10),
        progressions=_p(
            intro=(("i", "bVI", "bIII", "bVII"), ("i", "i", "bVI", "bVI")),
            rise=(("i", "bVI", "bIII", "bVII"), ("i", "iv", "bVI", "V")),
            theme=(("bVI", "bVII", "i", "i"), ("iv", "bVI", "bVII", "V"), ("i", "bVII", "bVI", "V")),
            climax=(("i", "bVII", "bVI", "bVII"), ("bVI", "bIII", "bVII", "i"), ("iv", "i", "bVII", "V")),
            outro=(("iv", "V"), ("bVI", "V"))),
        form=(("rise", 0.62, 4), ("theme", 0.82, 8), ("climax", 1.0, 8)),
        final_chord="i", tail=(2.4, 1.4, 3.2), reverb="hall", reverb_return_db=-10.0, drive=0.3,
        intro_energy=0.45,
        parts=(
            Part("drums", "drums", level_db=0.0, reverb=0.25, params=_p(
                kit={"k": ("kick:taiko", 1.0, 0.0), "s": ("snare:tight", 0.45, 0.0), "t": ("tom:50", 0.55, 0.35),
                     "m": ("tom:45", 0.6, -0.1), "f": ("tom:38", 0.7, -0.35), "x": ("crash", 0.4, 0.0),
                     "h": ("hat", 0.18, 0.3)},
                patterns={"low": ({"k": "X.......x.......", "f": "....o.......o..."},),
                          "mid": ({"k": "X.......X.....x.", "m": "....x..x....x..o", "h": "x.x.x.x.x.x.x.x."},
                                  {"k": "X.......X.......", "m": "....x..o....x.x.", "h": "x.x.x.x.x.x.x.x."}),
                          "high": ({"k": "X...x...X...x.x.", "s": "....X.......X...", "t": "..x....x..x....x",
                                    "f": "......x.......x."},
                                   {"k": "X...x...X.x.x...", "s": "....X.......X...", "t": ".x.x...x.x.x...x",
                                    "m": "......x.......x."})},
                fills={"small": {"k": "x...", "t": "..x.", "f": "...x"},
                       "big": {"k": "x.......", "t": "x.x.x...", "m": "....x.x.", "f": "......xx"}},
                crash_energy=0.8, final="kx")),
            Part("ostinato", "ostinato", "pizz", level_db=-2.0, register=(48, 72), reverb=0.3, pan=-0.15),
            Part("strings", "pad", "strings", level_db=-4.0, register=(52, 76), reverb=0.45, params=_p(attack=0.4)),
            Part("bass", "bass", "sub", level_db=-3.0, register=(28, 45), reverb=0.1, params=_p(style="cine")),
            Part("brass", "lead", "brass", min_energy=0.8, level_db=-4.0, register=(55, 74), reverb=0.45,
                 params=_p(feel="long")),
            Part("fx", "riser", level_db=-7.0, reverb=0.4, params=_p(before=("climax", "theme"), impact=True)),
        )),
    Mood(
        name="acoustic", zh="民谣", tempo=(92.0, 108.0),
        character="folk: strummed steel-string guitar (finger-picked intro), stomps and claps, shaker, "
                  "upright bass, whistled tune",
        mode="major", keys=(0, 2, 4, 7, 9),
        progressions=_p(
            intro=(("I", "IV", "I", "V"), ("I", "vi", "IV", "V")),
            verse=(("I", "V", "vi", "IV"), ("I", "IV", "I", "V"), ("vi", "IV", "I", "V")),
            chorus=(("IV", "I", "V", "vi"), ("IV", "V", "I", "I"), ("I", "V", "IV", "IV")),
            outro=(("IV", "V"), ("IV", "Vsus4"))),
        form=(("verse", 0.6, 8), ("chorus", 0.88, 8)),
        final_chord="I", tail=(1.8, 1.0, 2.6), reverb="room", reverb_return_db=-13.0, drive=0.15,
        parts=(
            Part("drums", "drums", level_db=-1.0, reverb=0.12, params=_p(
                kit={"k": ("kick:stomp", 1.0, 0.0), "c": ("clap", 0.55, 0.1), "n": ("snap", 0.4, -0.2),
                     "z": ("shaker", 0.3, 0.35), "x": ("crash", 0.0, 0.0), "t": ("tom:48", 0.5, 0.2)},
                patterns={"low": ({"k": "X.......X.......", "z": "x.o.x.o.x.o.x.o."},),
                          "mid": ({"k": "X.......X.......", "n": "....x.......x...", "z": "xgoox.oox.oox.oo"},
                                  {"k": "X.......X.....o.", "n": "....x.......x...", "z": "x.oox.oox.oox.og"}),
                          "high": ({"k": "X.....x.X.......", "c": "....X.......X...", "z": "xgoox.oox.oox.oo"},
                                   {"k": "X.......X.x.....", "c": "....X.......X..o", "z": "x.oox.oox.oox.oo"})},
                fills={"small": {"k": "x...", "c": "..xx"}, "big": {"k": "x...x.x.", "c": "....x.xx", "t": "..x....."}},
                crash_energy=2.0, final="k")),
            Part("guitar", "strum", "guitar", level_db=0.0, register=(40, 71), reverb=0.18, pan=-0.1),
            Part("bass", "bass", "upright", level_db=-3.0, register=(31, 50), reverb=0.05, params=_p(style="folk")),
            Part("lead", "lead", "whistle", min_energy=0.55, level_db=-5.0, register=(72, 91), reverb=0.3, pan=0.2,
                 params=_p(feel="8ths", verse_feel="long")),
            Part("glock", "sparkle", "glock", min_energy=0.55, level_db=-13.0, register=(79, 96), reverb=0.4, pan=0.35),
        )),
    Mood(
        name="corporate", zh="励志", tempo=(100.0, 116.0),
        character="inspiring: pulsing 8th-note piano, marimba arpeggios, swelling strings, clean kick/clap groove",
        mode="major", keys=(0, 2, 4, 5, 7, 9),
        progressions=_p(
            intro=(("I", "V", "vi", "IV"), ("vi", "IV", "I", "V")),
            verse=(("vi", "IV", "I", "V"), ("I", "V", "vi", "IV"), ("IV", "I", "V", "vi")),
            chorus=(("IV", "V", "vi", "I"), ("I", "V", "IV", "IV"), ("vi", "IV", "I", "V")),
            outro=(("IV", "V"), ("IV", "Vsus4"))),
        form=(("verse", 0.6, 8), ("chorus", 0.9, 8)),
        final_chord="Iadd9", tail=(1.5, 0.9, 2.2), reverb="plate", reverb_return_db=-14.0, drive=0.25,
        parts=(
            Part("drums", "drums", level_db=-1.0, reverb=0.08, params=_p(
                kit=KIT_POP,
                patterns={"low": ({"k": "X.......X.......", "h": "x.x.x.x.x.x.x.x."},),
                          "mid": ({"k": "X.......X.x.....", "c": "....X.......X...", "h": "x.x.x.x.x.x.x.x."},
                                  {"k": "X.....x.X.......", "c": "....X.......X...", "h": "x.x.x.xxx.x.x.x."}),
                          "high": ({"k": "X...X...X...X...", "c": "....X.......X...", "h": "xoxoxoxoxoxoxoxo",
                                    "o": "..............x."},
                                   {"k": "X...X...X...X.x.", "c": "....X.......X...", "h": "xoxoxoxoxoxoxoxo"})},
                fills=FILLS_POP, crash_energy=0.8, final="kx")),
            Part("piano", "pulse8", "piano", level_db=0.0, register=(55, 76), reverb=0.2, pan=-0.1),
            Part("bass", "bass", "finger", level_db=-2.0, register=(33, 52), reverb=0.0, params=_p(style="root8")),
            Part("marimba", "arp", "marimba", min_energy=0.55, level_db=-5.0, register=(62, 84), reverb=0.2, pan=0.3,
                 params=_p(rate=4)),
            Part("strings", "pad", "strings", min_energy=0.55, level_db=-7.0, register=(55, 76), reverb=0.4,
                 params=_p(attack=0.6)),
            Part("lead", "lead", "bell", min_energy=0.55, level_db=-7.0, register=(74, 93), reverb=0.35,
                 params=_p(feel="8ths", verse_feel="sparse")),
        )),
    Mood(
        name="elegant", zh="优雅", tempo=(84.0, 98.0),
        character="soft jazz trio: swung ride and brushes, walking upright bass on every beat, "
                  "piano comping and melody",
        mode="major", keys=(0, 2, 3, 5, 7, 8, 10),
        progressions=_p(
            intro=(("Imaj7", "vi7", "ii7", "V7"),),
            verse=(("Imaj7", "vi7", "ii7", "V7"), ("iii7", "vi7", "ii7", "V7"), ("IVmaj7", "iii7", "ii7 V7", "Imaj7")),
            chorus=(("IVmaj7", "V7", "iii7", "vi7"), ("ii7", "V7", "Imaj9", "VI7"),
                    ("IVmaj7", "iii7 VI7", "ii7", "V7")),
            outro=(("ii7", "V7"), ("IVmaj7", "V7sus4"))),
        form=(("verse", 0.62, 8), ("chorus", 0.85, 8)),
        final_chord="Imaj9", tail=(2.0, 1.2, 2.8), swing=0.16, reverb="plate", reverb_return_db=-14.0,
        parts=(
            Part("drums", "drums", level_db=-4.0, reverb=0.15, params=_p(
                kit={"k": ("kick:felt", 0.6, 0.0), "r": ("ride", 0.4, 0.35), "b": ("brush", 0.45, -0.1),
                     "w": ("swish", 0.3, -0.15), "x": ("crash", 0.0, 0.0), "s": ("snare:lofi", 0.25, 0.0)},
                patterns={"low": ({"r": "x...x...x...x...", "w": "....o.......o...", "k": "x...o...o...o..."},),
                          "mid": ({"r": "x...x.x.x...x.x.", "b": "....x.......x...", "k": "x...o...o...o..."},
                                  {"r": "x...x.x.x...x...", "b": "....x.......x..g", "k": "x...o...o...o..."}),
                          "high": ({"r": "x...X.x.x...X.x.", "b": "....x..g....x...", "k": "x...o...o...o..."},
                                   {"r": "x...X.x.x...X.xx", "b": "..g.x.......x.g.", "k": "x...o...o...o..."})},
                fills={"small": {"r": "x...", "b": "..gx"}, "big": {"r": "x...x...", "b": "..g.x.gx", "s": "......x."}},
                crash_energy=2.0, final="kr")),
            Part("bass", "bass", "upright", level_db=-1.0, register=(31, 50), reverb=0.05, params=_p(style="walking")),
            Part("piano", "jazz", "piano", level_db=-1.0, register=(52, 72), reverb=0.2, pan=-0.1),
            Part("lead", "lead", "piano", min_energy=0.6, level_db=-3.0, register=(67, 88), reverb=0.25, pan=0.1,
                 params=_p(feel="8ths", verse_feel="sparse")),
            Part("pad", "pad", "strings", min_energy=0.8, level_db=-12.0, register=(55, 74), reverb=0.5,
                 params=_p(attack=0.8)),
        )),
    Mood(
        name="playful", zh="俏皮", tempo=(108.0, 124.0),
        character="bouncy: marimba and pizzicato, staccato bass, finger snaps, woodblocks, glockenspiel tune",
        mode="major", keys=(0, 2, 5, 7, 9),
        progressions=_p(
            intro=(("I", "vi", "IV", "V"),),
            verse=(("I", "vi", "IV", "V"), ("I", "IV", "V", "IV"), ("I", "ii", "V", "I")),
            chorus=(("IV", "V", "iii", "vi"), ("ii", "V", "I", "vi"), ("IV", "I", "ii", "V")),
            outro=(("ii", "V"), ("IV", "V"))),
        form=(("verse", 0.62, 8), ("chorus", 0.88, 8)),
        final_chord="I", tail=(1.0, 0.6, 1.6), reverb="room", reverb_return_db=-14.0, drive=0.2,
        parts=(
            Part("drums", "drums", level_db=-1.0, reverb=0.1, params=_p(
                kit={"k": ("kick:soft", 1.0, 0.0), "n": ("snap", 0.5, 0.2), "c": ("clap", 0.55, -0.1),
                     "q": ("block:hi", 0.35, 0.4), "p": ("block:lo", 0.35, -0.4), "z": ("shaker", 0.25, 0.3),
                     "x": ("crash", 0.0, 0.0)},
                patterns={"low": ({"k": "X.......X.......", "q": "x...x...x...x...", "p": "..o.......o....."},),
                          "mid": ({"k": "X.......X.......", "n": "....X.......X...", "q": "..x...x...x.x...",
                                   "p": "x.......x......."},
                                  {"k": "X.....x.X.......", "n": "....X.......X...", "q": "..x.....x.x...x.",
                                   "p": "x...x.........o."}),
                          "high": ({"k": "X.....x.X.......", "c": "....X.......X...", "q": "..x...x...x...x.",
                                    "z": "x.x.x.x.x.x.x.x."},
                                   {"k": "X.......X.x.....", "c": "....X.......X..x", "q": "..x.x.x...x...xx",
                                    "z": "x.x.x.x.x.x.x.x."})},
                fills={"small": {"k": "x...", "q": "..xx", "p": "x..."}, "big": {"k": "x...x...", "q": "..x.x.xx",
                                                                                "p": "x...x.x."}},
                crash_energy=2.0, final="k")),
            Part("marimba", "comp", "marimba", level_db=-1.0, register=(60, 79), reverb=0.15, pan=-0.2,
                 params=_p(voices=3, style="bounce")),
            Part("pizz", "ostinato", "pizz", min_energy=0.55, level_db=-5.0, register=(55, 74), reverb=0.2, pan=0.25),
            Part("bass", "bass", "upright", level_db=-2.0, register=(33, 52), reverb=0.0, params=_p(style="bounce")),
            Part("lead", "lead", "glock", min_energy=0.6, level_db=-5.0, register=(74, 93), reverb=0.25, pan=0.1,
                 echo=0.1, params=_p(feel="8ths")),
        )),
]

MOODS: Mapping[str, Mood] = MappingProxyType({m.name: m for m in MOODS_LIST})
